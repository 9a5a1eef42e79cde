import { describe, expect, test } from '@jest/globals'
import { evaluateGate, systemClock, type Criterion, type EvaluationSettings, type MeasurementPhase, type Observation } from '../../../shared/src/gate/index.js'
import { FakeClock } from './fake-clock.js'

const START = '2025-06-02T10:00:00.000Z'

function criterion(name: string, settings: Partial<EvaluationSettings> = {}): Criterion {
  return {
    name,
    kind: 'test',
    evaluation: { initialDelaySeconds: 0, intervalSeconds: 60, count: 5, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, consecutiveSuccessLimit: 0, dryRun: false, ...settings }
  }
}

/** A source that answers each criterion's measurements from a script, then keeps repeating the last. */
function scripted(scripts: Record<string, MeasurementPhase[]>): (criterion: Criterion) => Promise<Observation> {
  const taken: Record<string, number> = {}
  return async (criterion) => {
    const script = scripts[criterion.name]
    const index = Math.min(taken[criterion.name] ?? 0, script.length - 1)
    taken[criterion.name] = (taken[criterion.name] ?? 0) + 1
    return { phase: script[index], value: index, message: `${criterion.name} #${index + 1}` }
  }
}

describe('evaluateGate', () => {
  test('measures every interval and passes when the count is reached', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(evaluateGate({ criteria: [criterion('errors', { count: 3, intervalSeconds: 30 })], timeoutSeconds: 600, clock, measure: scripted({ errors: ['successful'] }) }))
    expect(report.decision).toBe('pass')
    expect(report.criteria[0].measurements.map((measurement) => measurement.timestamp)).toEqual(['2025-06-02T10:00:00.000Z', '2025-06-02T10:00:30.000Z', '2025-06-02T10:01:00.000Z'])
    expect(report.criteria[0].measurements.map((measurement) => measurement.attempt)).toEqual([1, 2, 3])
    expect(report.finishedAt).toBe('2025-06-02T10:01:00.000Z')
  })

  test('waits the initial delay before the first measurement', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(evaluateGate({ criteria: [criterion('soak', { count: 1, initialDelaySeconds: 120 })], timeoutSeconds: 600, clock, measure: scripted({ soak: ['successful'] }) }))
    expect(report.criteria[0].measurements[0].timestamp).toBe('2025-06-02T10:02:00.000Z')
  })

  test('fails fast: a failing criterion stops the gate before its count and cancels the others', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(
      evaluateGate({
        criteria: [criterion('error-rate', { count: 10, failureLimit: 1 }), criterion('latency', { count: 10, intervalSeconds: 300 })],
        timeoutSeconds: 3600,
        clock,
        measure: scripted({ 'error-rate': ['successful', 'failed', 'failed'], latency: ['successful'] })
      })
    )
    expect(report.decision).toBe('fail')
    expect(report.reason).toBe('error-rate failed: failed (2) > failureLimit (1): error-rate #3.')
    expect(report.criteria[0].measurements).toHaveLength(3)
    expect(report.criteria[1]).toMatchObject({ phase: 'cancelled', count: 1, reason: 'stopped early because the gate had already failed with 1 of 10 measurements taken' })
    expect(report.finishedAt).toBe('2025-06-02T10:02:00.000Z')
    expect(report.timedOut).toBe(false)
  })

  test('the timeout ends unfinished criteria as inconclusive', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(evaluateGate({ criteria: [criterion('slow', { count: 10 })], timeoutSeconds: 270, clock, measure: scripted({ slow: ['successful'] }) }))
    expect(report.decision).toBe('inconclusive')
    expect(report.timedOut).toBe(true)
    expect(report.criteria[0]).toMatchObject({ phase: 'inconclusive', count: 5, reason: 'timed out after 4m30s with 5 of 10 measurements taken' })
    expect(report.finishedAt).toBe('2025-06-02T10:04:30.000Z')
  })

  test('a measurement that never answers cannot hold the gate past its timeout', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(evaluateGate({ criteria: [criterion('hung', { count: 1 })], timeoutSeconds: 60, clock, measure: () => new Promise<Observation>(() => undefined) }))
    expect(report.decision).toBe('inconclusive')
    expect(report.criteria[0]).toMatchObject({ phase: 'inconclusive', measurements: [] })
  })

  test('a thrown error is an error measurement, retried after 10 s without using up the count', async () => {
    const clock = new FakeClock(START)
    let calls = 0
    const report = await clock.run(
      evaluateGate({
        criteria: [criterion('flaky', { count: 2 })],
        timeoutSeconds: 600,
        clock,
        measure: async (_criterion, attempt) => {
          calls++
          if (calls === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:9090')
          return { phase: 'successful', value: attempt }
        }
      })
    )
    expect(report.decision).toBe('pass')
    expect(report.criteria[0].measurements).toEqual([
      { phase: 'error', message: 'connect ECONNREFUSED 127.0.0.1:9090', attempt: 1, timestamp: '2025-06-02T10:00:00.000Z' },
      { phase: 'successful', value: 1, attempt: 1, timestamp: '2025-06-02T10:00:10.000Z' },
      { phase: 'successful', value: 2, attempt: 2, timestamp: '2025-06-02T10:01:10.000Z' }
    ])
  })

  test('five errors in a row end the gate with the consecutive-error outcome', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(evaluateGate({ criteria: [criterion('prometheus', { count: 5 })], timeoutSeconds: 600, clock, measure: scripted({ prometheus: ['successful', 'error'] }) }))
    expect(report.decision).toBe('fail')
    expect(report.criteria[0]).toMatchObject({ phase: 'error', count: 1, errors: 5 })
    expect(report.reason).toMatch(/^prometheus errored: 5 errors in a row > consecutiveErrorLimit \(4\)/)
  })

  test('a dry-run criterion is measured and reported but neither blocks nor stops the gate', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(
      evaluateGate({
        criteria: [criterion('canary', { count: 3, dryRun: true }), criterion('soak', { count: 1 })],
        timeoutSeconds: 600,
        clock,
        measure: scripted({ canary: ['failed'], soak: ['successful'] })
      })
    )
    expect(report.decision).toBe('pass')
    expect(report.criteria[0]).toMatchObject({ phase: 'failed', dryRun: true })
    expect(report.reason).toBe('The 1 blocking criterion passed; 1 dry-run criterion did not pass (not blocking).')
  })

  test('worst-of across criteria: inconclusive and successful make inconclusive', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(
      evaluateGate({
        criteria: [criterion('window', { count: 1 }), criterion('latency', { count: 2 })],
        timeoutSeconds: 600,
        clock,
        measure: scripted({ window: ['successful'], latency: ['successful', 'inconclusive'] })
      })
    )
    expect(report.decision).toBe('inconclusive')
    expect(report.criteria.map((item) => item.phase)).toEqual(['successful', 'inconclusive'])
  })

  test('cancelling the gate ends it inconclusive with the unfinished criteria cancelled', async () => {
    const clock = new FakeClock(START)
    const controller = new AbortController()
    const report = await clock.run(
      evaluateGate({
        criteria: [criterion('latency', { count: 5 })],
        timeoutSeconds: 600,
        clock,
        signal: controller.signal,
        measure: async (_criterion, attempt) => {
          if (attempt === 2) controller.abort()
          return { phase: 'successful' }
        }
      })
    )
    expect(report.decision).toBe('inconclusive')
    expect(report.criteria[0]).toMatchObject({ phase: 'cancelled', reason: 'the gate was cancelled with 1 of 5 measurements taken' })
  })

  test('a gate without criteria passes', async () => {
    const clock = new FakeClock(START)
    const report = await clock.run(evaluateGate({ criteria: [], timeoutSeconds: 60, clock, measure: scripted({}) }))
    expect(report).toMatchObject({ decision: 'pass', reason: 'No blocking criteria.', criteria: [] })
  })
})

describe('systemClock', () => {
  test('a sleep ends as soon as its signal aborts', async () => {
    const controller = new AbortController()
    const sleeping = systemClock.sleep(3_600_000, controller.signal)
    controller.abort()
    await expect(sleeping).resolves.toBeUndefined()
  })
})
