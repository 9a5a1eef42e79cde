import { describe, expect, test } from '@jest/globals'
import { judgeRangeResult, parseCondition, parseGateConfig, type Condition } from '../../../shared/src/gate/index.js'

function condition(source: string): Condition {
  const parsed = parseCondition(source)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.condition
}

const rule = { success: condition('result < 0.01'), failure: condition('result >= 0.05'), noData: 'inconclusive' as const }
const at = (minute: number, ...values: number[]) => ({ time: Date.UTC(2025, 5, 2, 10, minute), values })

describe('judgeRangeResult', () => {
  test('every step successful passes, valued at the last step', () => {
    expect(judgeRangeResult([at(0, 0.001), at(1, 0.002), at(2, 0.003)], rule)).toEqual({
      phase: 'successful',
      value: 0.003,
      message: 'all 3 steps successful; the last result 0.003 meets the success condition "result < 0.01"'
    })
  })

  test('one failing step fails, naming its time, even after an in-between step', () => {
    expect(judgeRangeResult([at(0, 0.001), at(1, 0.02), at(2, 0.07), at(3, 0.001)], rule)).toEqual({
      phase: 'failed',
      value: 0.07,
      message: 'at 2025-06-02T10:02:00.000Z: result 0.07 meets the failure condition "result >= 0.05"'
    })
  })

  test('a step between the conditions makes it inconclusive', () => {
    expect(judgeRangeResult([at(0, 0.001), at(1, 0.02)], rule)).toMatchObject({ phase: 'inconclusive', value: 0.02 })
  })

  test('a NaN step is a measured step that fails; only no step at all follows no_data', () => {
    expect(judgeRangeResult([at(0, NaN), at(1, 0.001)], { ...rule, noData: 'pass' })).toMatchObject({ phase: 'failed', message: expect.stringMatching(/^at 2025-06-02T10:00:00\.000Z: result NaN meets the failure condition/) })
    expect(judgeRangeResult([], { ...rule, noData: 'fail' })).toEqual({ phase: 'failed', message: 'the query returned no data (no_data: fail)' })
  })
})

describe('prometheus range in the manifest', () => {
  test('range: { lookback, step } makes a range query; step defaults to 1m', () => {
    const { gate } = parseGateConfig({ prometheus: { errors: { address: 'http://p:9090', query: 'up', success: 'result == 1', range: { lookback: '10m' } } } }, 'environments.staging.gate')
    expect(gate?.criteria[0]).toMatchObject({ name: 'prometheus.errors', range: { lookbackSeconds: 600, stepSeconds: 60 } })
  })

  test('a range without lookback is refused at its key', () => {
    const { problems } = parseGateConfig({ prometheus: { errors: { address: 'http://p:9090', query: 'up', success: 'result == 1', range: { step: '30s' } } } }, 'environments.staging.gate')
    expect(problems.map((problem) => problem.keyPath)).toEqual(['environments.staging.gate.prometheus.errors.range'])
  })
})
