import { describe, expect, test } from '@jest/globals'
import { canaryObservation, judgeCanary, type CanaryJudgeOptions, type CanaryMetric } from '../../../shared/src/gate/index.js'

/** Normal samples from a seeded generator (mulberry32 + Box–Muller), so every run sees the same data. */
function normalSamples(seed: number, count: number, mean: number, sd: number): number[] {
  let state = seed >>> 0
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return Array.from({ length: count }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()))
}

const options: CanaryJudgeOptions = { confidence: 0.95, minimumEffect: 0.147, minimumSamples: 5, thresholds: { pass: 95, marginal: 75 } }

function metric(name: string, settings: Partial<CanaryMetric> = {}): CanaryMetric {
  return { name, canary: `${name}{track="canary"}`, baseline: `${name}{track="baseline"}`, direction: 'increase', tolerance: 0.05, weight: 1, critical: false, ...settings }
}

const baselineLatency = normalSamples(1, 60, 200, 20)

describe('judgeCanary', () => {
  test('identical distributions pass', () => {
    const judgement = judgeCanary([{ metric: metric('latency'), canary: normalSamples(2, 60, 200, 20), baseline: baselineLatency }], options)
    expect(judgement).toMatchObject({ result: 'pass', score: 100 })
    expect(judgement.metrics[0].classification).toBe('pass')
    expect(judgement.metrics[0].pValue).toBeGreaterThan(0.05)
  })

  test('a clear shift in the bad direction fails', () => {
    const judgement = judgeCanary([{ metric: metric('latency'), canary: normalSamples(3, 60, 260, 20), baseline: baselineLatency }], options)
    expect(judgement).toMatchObject({ result: 'fail', score: 0 })
    const [latency] = judgement.metrics
    expect(latency.classification).toBe('high')
    expect(latency.pValue).toBeLessThan(1e-6)
    expect(latency.shift!.estimate).toBeGreaterThan(40)
    expect(latency.shift!.lower).toBeGreaterThan(0)
    expect(latency.effectSize).toBeGreaterThan(0.9)
    expect(canaryObservation(judgement)).toMatchObject({ phase: 'failed', value: 0 })
  })

  test('a clear shift in the good direction passes', () => {
    const judgement = judgeCanary([{ metric: metric('latency'), canary: normalSamples(4, 60, 140, 20), baseline: baselineLatency }], options)
    expect(judgement.result).toBe('pass')
    expect(judgement.metrics[0].reason).toMatch(/^canary moved down, which latency does not count as bad/)
  })

  test('with direction either, a drop is classified low and fails', () => {
    const judgement = judgeCanary([{ metric: metric('throughput', { direction: 'either' }), canary: normalSamples(4, 60, 140, 20), baseline: baselineLatency }], options)
    expect(judgement.metrics[0].classification).toBe('low')
    expect(judgement.result).toBe('fail')
  })

  test('a significant shift within the tolerance passes', () => {
    const judgement = judgeCanary([{ metric: metric('latency', { tolerance: 0.5 }), canary: normalSamples(3, 60, 260, 20), baseline: baselineLatency }], options)
    expect(judgement.result).toBe('pass')
  })

  test('the weighted score decides between pass, marginal and fail', () => {
    const samples = (name: string, weight: number, mean: number) => ({ metric: metric(name, { weight }), canary: normalSamples(weight * 7, 60, mean, 20), baseline: baselineLatency })
    const marginal = judgeCanary([samples('a', 8, 200), samples('b', 2, 300)], { ...options, thresholds: { pass: 95, marginal: 75 } })
    expect(marginal).toMatchObject({ result: 'marginal', score: 80, reason: 'score 80 < 95 and ≥ 75 (b high)' })
    expect(canaryObservation(marginal).phase).toBe('inconclusive')
    expect(judgeCanary([samples('a', 6, 200), samples('b', 4, 300)], options)).toMatchObject({ result: 'fail', score: 60 })
  })

  test('a bad critical metric fails the canary whatever the score', () => {
    const judgement = judgeCanary(
      [
        { metric: metric('a', { weight: 99 }), canary: normalSamples(5, 60, 200, 20), baseline: baselineLatency },
        { metric: metric('errors', { weight: 1, critical: true }), canary: normalSamples(6, 60, 300, 20), baseline: baselineLatency }
      ],
      options
    )
    expect(judgement).toMatchObject({ result: 'fail', score: 0 })
    expect(judgement.reason).toMatch(/^critical metric errors is high: /)
  })

  test('NaN values are dropped, and too few values left is no data', () => {
    const judgement = judgeCanary([{ metric: metric('latency'), canary: [1, Number.NaN, 2, Number.NaN, 3, 4], baseline: baselineLatency }], options)
    expect(judgement.result).toBe('nodata')
    expect(judgement.metrics[0]).toMatchObject({ classification: 'nodata', canaryCount: 4, reason: '4 canary and 60 baseline values, fewer than 5' })
    expect(canaryObservation(judgement).phase).toBe('inconclusive')
  })

  test('+Inf values (a latency past every bucket) are values, not gaps: a canary stuck at +Inf is high', () => {
    const stuck = [...normalSamples(3, 30, 200, 20), ...Array<number>(30).fill(Infinity)]
    const judgement = judgeCanary([{ metric: metric('latency'), canary: stuck, baseline: baselineLatency }], options)
    expect(judgement.metrics[0]).toMatchObject({ classification: 'high', canaryCount: 60 })
    expect(judgement.result).toBe('fail')
    const both = judgeCanary([{ metric: metric('latency'), canary: stuck, baseline: stuck }], options)
    expect(both.metrics[0]).toMatchObject({ classification: 'pass', effectSize: 0 })
  })

  test('a metric without data is left out of the score', () => {
    const judgement = judgeCanary(
      [
        { metric: metric('latency'), canary: normalSamples(2, 60, 200, 20), baseline: baselineLatency },
        { metric: metric('errors'), canary: [], baseline: [] }
      ],
      options
    )
    expect(judgement).toMatchObject({ result: 'pass', score: 100 })
  })
})
