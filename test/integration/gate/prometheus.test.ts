import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals'
import { evaluateGate, parseGateConfig, systemClock, type GateConfig, type GateCriterion, type GateReport } from '../../../shared/src/gate/index.js'
import { createMeasure, measurePrometheus, queryRange } from '../../../shared/src/gate/sources/index.js'
import { startMetricsServer, type MetricsServer } from '../../support/metrics-server.js'
import { describeWithPrometheus, startPrometheus, type TestPrometheus } from '../../support/prometheus.js'

const ERROR_RATIO = 'sum(rate(app_errors_total[4s])) / sum(rate(app_requests_total[4s]))'
const HEALTHY = { main: { requestsPerSecond: 100, errorsPerSecond: 0 } }

function errorRateGate(address: string, settings: Record<string, unknown>): GateConfig {
  const raw = { prometheus_address: address, prometheus: { 'error-rate': { query: ERROR_RATIO, success: 'result < 0.05', failure: 'result >= 0.2', interval: '1s', ...settings } } }
  const { gate, problems } = parseGateConfig(raw, 'environments.staging.gate')
  if (gate === undefined) throw new Error(JSON.stringify(problems))
  return gate
}

function evaluate(config: GateConfig): Promise<GateReport> {
  return evaluateGate<GateCriterion>({
    criteria: config.criteria,
    timeoutSeconds: config.timeoutSeconds,
    clock: systemClock,
    measure: createMeasure({ environment: 'staging', target: { owner: 'acme', repo: 'shop', sha: 'a'.repeat(40) }, clock: systemClock })
  })
}

/** Waits until Prometheus has enough scrapes for the 4 s rate window to see the current rates. */
async function waitForRateWindow(address: string): Promise<void> {
  const end = Date.now()
  for (;;) {
    const samples = await queryRange(address, 'app_requests_total', { start: end - 2000, end: Date.now(), stepSeconds: 1 })
    if (samples.length >= 2 && Date.now() - end > 1000) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

describeWithPrometheus('the prometheus criterion against a real Prometheus', () => {
  let service: MetricsServer
  let prometheus: TestPrometheus

  // One Prometheus for the tests in order; the error rate is raised last.
  beforeAll(async () => {
    service = await startMetricsServer(HEALTHY)
    prometheus = await startPrometheus({ target: service.target })
    await waitForRateWindow(prometheus.address)
  })

  afterAll(async () => {
    await prometheus.stop()
    await service.stop()
  })

  test('a healthy service passes after its count', async () => {
    const report = await evaluate(errorRateGate(prometheus.address, { count: 3 }))
    expect(report.decision).toBe('pass')
    expect(report.criteria[0].measurements.map((measurement) => [measurement.phase, measurement.value])).toEqual([
      ['successful', 0],
      ['successful', 0],
      ['successful', 0]
    ])
  })

  test('a range query judges every step of its lookback', async () => {
    const report = await evaluate(errorRateGate(prometheus.address, { count: 1, range: { lookback: '3s', step: '1s' } }))
    expect(report.decision).toBe('pass')
    expect(report.criteria[0].measurements[0]).toMatchObject({ phase: 'successful', value: 0 })
    expect(report.criteria[0].measurements[0].message).toMatch(/^all [34] steps successful; the last result 0 meets the success condition "result < 0\.05"$/)
  })

  test("an invalid PromQL is an error measurement carrying Prometheus' 400 message", async () => {
    const observation = await measurePrometheus({ address: prometheus.address, query: 'sum(rate(app_requests_total[1m])', noData: 'inconclusive' }, { now: Date.now() })
    expect(observation.phase).toBe('error')
    expect(observation.message).toMatch(/^Prometheus rejected the query \(400 bad_data\): .*unclosed left parenthesis/)
  })

  test('raising the error rate fails the gate before the full count', async () => {
    const running = evaluate(errorRateGate(prometheus.address, { count: 30, failure_limit: 1, inconclusive_limit: 5 }))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    service.setRates('main', { requestsPerSecond: 100, errorsPerSecond: 50 })

    const report = await running
    expect(report.decision).toBe('fail')
    const criterion = report.criteria[0]
    expect(criterion.count).toBeLessThan(30)
    expect(criterion.measurements[0]).toMatchObject({ phase: 'successful', value: 0 })
    expect(criterion.measurements.filter((measurement) => measurement.phase === 'failed')).toHaveLength(2)
    expect(report.reason).toMatch(/^prometheus\.error-rate failed: failed \(2\) > failureLimit \(1\): result 0\.\d+ meets the failure condition "result >= 0\.2"\.$/)
  })
})

describeWithPrometheus('the prometheus criterion when Prometheus goes away', () => {
  let service: MetricsServer
  let prometheus: TestPrometheus

  beforeEach(async () => {
    service = await startMetricsServer(HEALTHY)
    prometheus = await startPrometheus({ target: service.target })
    await waitForRateWindow(prometheus.address)
  })

  afterEach(async () => {
    await prometheus.stop()
    await service.stop()
  })

  test('Prometheus stopped mid-gate gives error measurements, then the consecutive-error outcome', async () => {
    const running = evaluate(errorRateGate(prometheus.address, { count: 30, consecutive_error_limit: 2 }))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await prometheus.stop()

    const report = await running
    expect(report.decision).toBe('fail')
    const criterion = report.criteria[0]
    expect(criterion.phase).toBe('error')
    expect(criterion.measurements.slice(-3).map((measurement) => measurement.phase)).toEqual(['error', 'error', 'error'])
    expect(criterion.measurements[criterion.measurements.length - 1].message).toBe(`Prometheus at ${prometheus.address} is unreachable: connect ECONNREFUSED ${prometheus.address.slice('http://'.length)}`)
    expect(criterion.reason).toMatch(/^3 errors in a row > consecutiveErrorLimit \(2\): Prometheus at /)
  })

})
