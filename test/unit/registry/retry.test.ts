import { describe, expect, it } from '@jest/globals'
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from '../../../shared/src/registry/retry.js'

describe('backoffDelayMs', () => {
  it('doubles per attempt, with up to half of each delay random', () => {
    expect([1, 2, 3].map((attempt) => backoffDelayMs(attempt, 100, () => 0))).toEqual([50, 100, 200])
    expect([1, 2, 3].map((attempt) => backoffDelayMs(attempt, 100, () => 1))).toEqual([100, 200, 400])
  })

  it('never waits longer than 30 seconds', () => {
    expect(backoffDelayMs(20, 500, () => 1)).toBe(30_000)
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, capped at a minute', () => {
    const now = Date.parse('2025-01-01T00:00:00Z')
    expect(retryAfterMs('2', now)).toBe(2000)
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000)
    expect(retryAfterMs('3600', now)).toBe(60_000)
    expect(retryAfterMs('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0)
  })

  it('ignores a missing or unreadable header', () => {
    expect(retryAfterMs(null)).toBeUndefined()
    expect(retryAfterMs('soon')).toBeUndefined()
  })
})

describe('isRetryableStatus', () => {
  it('retries overload and server errors, nothing else', () => {
    expect([429, 500, 502, 503].every(isRetryableStatus)).toBe(true)
    expect([200, 401, 403, 404, 400].some(isRetryableStatus)).toBe(false)
  })
})
