import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { parseGateConfig, type CanaryCriterion } from '../../../shared/src/gate/index.js'
import { measureCanary } from '../../../shared/src/gate/sources/index.js'
import { startMetricsServer, type MetricsServer } from '../../support/metrics-server.js'
import { describeWithPrometheus, startPrometheus, type TestPrometheus } from '../../support/prometheus.js'

const LOOKBACK_SECONDS = 6

function canary(address: string, track: string): CanaryCriterion {
  const latency = (name: string): string => `app_request_latency_seconds{track="${name}"}`
  const { gate, problems } = parseGateConfig(
    {
      prometheus_address: address,
      canary: { [track]: { lookback: `${LOOKBACK_SECONDS}s`, step: '1s', metrics: { latency: { canary: latency(track), baseline: latency('baseline'), direction: 'increase', tolerance: 0.1 } } } }
    },
    'environments.staging.gate'
  )
  if (gate === undefined) throw new Error(JSON.stringify(problems))
  return gate.criteria[0] as CanaryCriterion
}

describeWithPrometheus('the canary criterion against a real Prometheus', () => {
  let service: MetricsServer
  let prometheus: TestPrometheus

  beforeAll(async () => {
    service = await startMetricsServer({
      baseline: { requestsPerSecond: 100, errorsPerSecond: 0, latencySeconds: 0.1 },
      twin: { requestsPerSecond: 100, errorsPerSecond: 0, latencySeconds: 0.1 },
      slow: { requestsPerSecond: 100, errorsPerSecond: 0, latencySeconds: 0.2 },
      fast: { requestsPerSecond: 100, errorsPerSecond: 0, latencySeconds: 0.05 }
    })
    prometheus = await startPrometheus({ target: service.target })
    // A full lookback of scrapes on both sides.
    await new Promise((resolve) => setTimeout(resolve, LOOKBACK_SECONDS * 1000))
  })

  afterAll(async () => {
    await prometheus.stop()
    await service.stop()
  })

  test('the same latency passes, twice the latency fails, half the latency (the good direction) passes', async () => {
    const now = Date.now()
    const same = await measureCanary(canary(prometheus.address, 'twin'), { now })
    const slower = await measureCanary(canary(prometheus.address, 'slow'), { now })
    const faster = await measureCanary(canary(prometheus.address, 'fast'), { now })

    expect(same).toMatchObject({ phase: 'successful', value: 100 })
    expect(slower).toMatchObject({ phase: 'failed', value: 0 })
    expect(slower.message).toMatch(/^canary fail: score 0 < 75 \(latency high\)$/)
    expect(faster).toMatchObject({ phase: 'successful', value: 100 })
  })
})
