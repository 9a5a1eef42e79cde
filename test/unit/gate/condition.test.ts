import { describe, expect, test } from '@jest/globals'
import { evaluateCondition, judgeQueryResult, parseCondition, type Condition } from '../../../shared/src/gate/index.js'

function condition(source: string): Condition {
  const parsed = parseCondition(source)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.condition
}

describe('parseCondition and evaluateCondition', () => {
  test.each([
    ['result < 0.01', [0.005], true],
    ['result < 0.01', [0.02], false],
    ['result[0] >= 0.95', [0.97], true],
    ['result[1] == 3', [1, 3], true],
    ['result != -1', [-1], false],
    ['result > 1e-3 && result <= .5', [0.2], true],
    ['result < 0 || result > 10', [5], false],
    ['(result[0] < 1 || result[1] < 1) && result[2] > 2', [5, 0, 3], true],
    ['result<0.01', [0], true]
  ])('%s with %p is %p', (source, values, expected) => {
    expect(evaluateCondition(condition(source), values)).toBe(expected)
  })

  test('&& binds tighter than ||', () => {
    // false || (true && false) is false; (false || true) && false would also be false, so use one that differs:
    expect(evaluateCondition(condition('result > 0 || result > 5 && result < 0'), [1])).toBe(true)
  })

  test.each([
    ['process.exit(1)', 'unexpected "." at column 8'],
    ['process > 1', 'expected "result", "result[i]" or a number, found "process" at column 1'],
    ['result.constructor', 'unexpected "."'],
    ["require('fs') > 0", 'unexpected "\'"'],
    ['result + 1 < 3', 'unexpected "+"'],
    ['result = 1', 'unexpected "="'],
    ['!(result < 1)', 'unexpected "!"'],
    ['result < ', 'expected "result", "result[i]" or a number at the end'],
    ['result[0.5] > 1', 'expected an index'],
    ['result[-1] > 1', 'expected an index'],
    ['result < 1; result > 0', 'unexpected ";"'],
    ['result < 1 result > 0', 'expected "&&", "||" or the end, found "result"'],
    ['result', 'expected a comparison'],
    ['(result < 1', 'expected ")"'],
    ['', 'at the end of ""']
  ])('refuses %p', (source, message) => {
    const parsed = parseCondition(source)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.message).toContain(message)
  })
})

describe('judgeQueryResult (Argo semantics)', () => {
  const success = condition('result < 0.01')
  const failure = condition('result >= 0.05')

  test('only a success condition: anything else fails', () => {
    expect(judgeQueryResult([0.001], { success, noData: 'fail' })).toEqual({ phase: 'successful', value: 0.001, message: 'result 0.001 meets the success condition "result < 0.01"' })
    expect(judgeQueryResult([0.02], { success, noData: 'fail' }).phase).toBe('failed')
  })

  test('only a failure condition: anything else succeeds', () => {
    expect(judgeQueryResult([0.02], { failure, noData: 'fail' }).phase).toBe('successful')
    expect(judgeQueryResult([0.07], { failure, noData: 'fail' }).phase).toBe('failed')
  })

  test('both conditions and neither true: inconclusive', () => {
    expect(judgeQueryResult([0.02], { success, failure, noData: 'fail' }).phase).toBe('inconclusive')
  })

  test('the failure condition wins when both are true', () => {
    expect(judgeQueryResult([0.07], { success: condition('result > 0'), failure, noData: 'fail' }).phase).toBe('failed')
  })

  test.each([
    ['fail', 'failed'],
    ['inconclusive', 'inconclusive'],
    ['pass', 'successful']
  ] as const)('no data with no_data %s is %s', (noData, phase) => {
    expect(judgeQueryResult([], { success, noData })).toEqual({ phase, message: `the query returned no data (no_data: ${noData})` })
  })

  test('NaN (0/0 without traffic) is a measured value that fails every comparison, not no data', () => {
    expect(judgeQueryResult([Number.NaN], { success, noData: 'pass' })).toEqual({
      phase: 'failed',
      value: Number.NaN,
      message: 'result NaN does not meet the success condition "result < 0.01" (NaN fails every comparison)'
    })
    expect(judgeQueryResult([Number.NaN], { failure, noData: 'pass' })).toEqual({
      phase: 'failed',
      value: Number.NaN,
      message: 'result NaN meets the failure condition "result >= 0.05" (NaN fails every comparison)'
    })
    expect(judgeQueryResult([Number.NaN], { success, failure, noData: 'pass' }).phase).toBe('failed')
    expect(judgeQueryResult([Number.NaN], { success: condition('result != 0'), noData: 'pass' }).phase).toBe('failed')
  })

  test('a NaN another operand already outweighs does not decide', () => {
    const either = condition('result[0] < 0.01 || result[1] < 0.01')
    expect(judgeQueryResult([0.001, Number.NaN], { success: either, noData: 'fail' })).toMatchObject({ phase: 'successful', message: 'result [0.001, NaN] meets the success condition "result[0] < 0.01 || result[1] < 0.01"' })
    expect(judgeQueryResult([0.5, Number.NaN], { success: either, noData: 'fail' }).phase).toBe('failed')
  })

  test('±Inf compare as numbers: +Inf meets "> x", fails "< x"', () => {
    expect(judgeQueryResult([Infinity], { failure, noData: 'pass' })).toEqual({ phase: 'failed', value: Infinity, message: 'result +Inf meets the failure condition "result >= 0.05"' })
    expect(judgeQueryResult([Infinity], { success, noData: 'pass' }).phase).toBe('failed')
    expect(judgeQueryResult([-Infinity], { success, noData: 'fail' })).toMatchObject({ phase: 'successful', message: 'result -Inf meets the success condition "result < 0.01"' })
  })

  test('a plain result over several series is an error naming the fix', () => {
    expect(judgeQueryResult([0.001, 0.002], { success, noData: 'fail' })).toEqual({
      phase: 'error',
      value: [0.001, 0.002],
      message: '"result < 0.01": the result has 2 values; use result[0] … result[1]'
    })
  })

  test('an index past the end is an error', () => {
    expect(judgeQueryResult([0.001], { success: condition('result[2] < 1'), noData: 'fail' }).message).toBe('"result[2] < 1": result[2] does not exist, the result has 1 value')
  })
})
