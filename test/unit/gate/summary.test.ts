import { describe, expect, test } from '@jest/globals'
import { renderChart, renderGateSummary, statusDescription, type CriterionReport, type GateDocument, type Measurement } from '../../../shared/src/gate/index.js'

function measurement(second: number, phase: Measurement['phase'], value?: Measurement['value'], message?: string): Measurement {
  return { attempt: second, timestamp: `2025-06-02T10:00:0${second}.000Z`, phase, ...(value === undefined ? {} : { value }), ...(message === undefined ? {} : { message }) }
}

function criterion(name: string, measurements: Measurement[], extra: Partial<CriterionReport> = {}): CriterionReport {
  return { name, kind: 'prometheus', dryRun: false, phase: 'successful', reason: 'done', count: measurements.length, successful: measurements.length, failed: 0, inconclusive: 0, errors: 0, measurements, ...extra }
}

const document: GateDocument = {
  environment: 'staging',
  sha: 'f'.repeat(40),
  decision: 'fail',
  reason: 'prometheus.error-rate failed: result 0.4 meets the failure condition "result >= 0.2".',
  startedAt: '2025-06-02T10:00:00.000Z',
  finishedAt: '2025-06-02T10:00:04.000Z',
  timedOut: false,
  criteria: [
    criterion('prometheus.error-rate', [measurement(1, 'successful', 0.01), measurement(2, 'error', undefined, 'Prometheus at http://p:9090 is unreachable'), measurement(3, 'failed', 0.4, 'a | b\nc')], {
      phase: 'failed',
      reason: 'failed (1) > failureLimit (0)'
    }),
    criterion('checks', [], { kind: 'checks', phase: 'cancelled', reason: 'stopped early', dryRun: true })
  ]
}

describe('renderGateSummary', () => {
  const summary = renderGateSummary(document)

  test('heads with the decision and its reason, then a row per criterion', () => {
    expect(summary).toMatch(/^## ❌ Gate staging: fail\n\nprometheus\.error-rate failed: result 0\.4 meets the failure condition "result &gt;= 0\.2"\.\n/)
    expect(summary).toContain('| prometheus.error-rate | failed | 3 counted (3 successful, 0 failed, 0 inconclusive, 0 errors) | failed (1) &gt; failureLimit (0) |')
    expect(summary).toContain('| checks (dry run) | cancelled |')
  })

  test('lists every measurement, errors included, with table-safe messages', () => {
    expect(summary).toContain('| 1 | 2025-06-02T10:00:01.000Z | 1 | successful | 0.01 |  |')
    expect(summary).toContain('| 2 | 2025-06-02T10:00:02.000Z | 2 | error |  | Prometheus at http://p:9090 is unreachable |')
    expect(summary).toContain('| 3 | 2025-06-02T10:00:03.000Z | 3 | failed | 0.4 | a \\| b c |')
    expect(summary).toContain('### checks: cancelled (dry run, not blocking)\n\nstopped early\n\nNo measurement was taken.')
  })

  test('charts the numeric values over time, leaving errors out', () => {
    expect(summary).toContain(['```mermaid', 'xychart-beta', '    title "prometheus.error-rate"', '    x-axis ["10:00:01", "10:00:03"]', '    y-axis "value"', '    line [0.01, 0.4]', '```'].join('\n'))
  })
})

describe('renderChart', () => {
  test('one line per series of a multi-series result; a missing point repeats the previous one', () => {
    const chart = renderChart(criterion('latency', [measurement(1, 'successful', [1, 2]), measurement(2, 'successful', 3), measurement(3, 'successful', [4, 5])]))
    expect(chart?.filter((line) => line.startsWith('    line'))).toEqual(['    line [1, 3, 4]', '    line [2, 2, 5]'])
  })

  test('no chart without numeric values', () => {
    expect(renderChart(criterion('window', [measurement(1, 'successful', undefined, 'inside allow window')]))).toBeUndefined()
  })
})

describe('statusDescription', () => {
  test("fits GitHub's 140 characters, marking the cut", () => {
    expect(statusDescription({ decision: 'pass', reason: 'All 2 blocking criteria passed.' })).toBe('pass: All 2 blocking criteria passed.')
    const long = statusDescription({ decision: 'fail', reason: 'x'.repeat(300) })
    expect(long).toHaveLength(140)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('renderGateSummary within a byte budget', () => {
  test('keeps the first and last rows of a long table and says how many are in the report file', () => {
    const many = Array.from({ length: 2000 }, (_, index) => ({ attempt: index + 1, timestamp: new Date(Date.UTC(2025, 5, 2, 10) + index * 1000).toISOString(), phase: 'successful' as const, value: index, message: 'x'.repeat(100) }))
    const long: GateDocument = { ...document, criteria: [criterion('prometheus.error-rate', many)] }
    expect(renderGateSummary(long)).toContain('| 2000 | 2025-06-02T10:33:19.000Z |')

    const cut = renderGateSummary(long, { maxBytes: 64 * 1024 })
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(64 * 1024)
    expect(cut).toContain('| 1 | 2025-06-02T10:00:00.000Z |')
    expect(cut).toContain('| 2000 | 2025-06-02T10:33:19.000Z |')
    expect(cut).toContain('| … | | | | | 1960 more measurements, in the report file |')
  })
})
