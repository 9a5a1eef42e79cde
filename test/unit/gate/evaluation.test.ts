import { describe, expect, test } from '@jest/globals'
import { decide, initialState, judgeQueryResult, nextState, parseCondition, type CriterionState, type EvaluationSettings, type MeasurementPhase } from '../../../shared/src/gate/index.js'

const defaults: EvaluationSettings = {
  initialDelaySeconds: 0,
  intervalSeconds: 60,
  count: 5,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 0,
  dryRun: false
}

/** Feeds measurements in order, stopping (like the evaluator) once the criterion concludes. */
function run(settings: Partial<EvaluationSettings>, phases: MeasurementPhase[]): CriterionState {
  let state = initialState({ ...defaults, ...settings })
  for (const [index, phase] of phases.entries()) {
    state = nextState(state, { phase, attempt: state.count + 1, timestamp: new Date(index * 60_000).toISOString(), message: `measurement ${index + 1} ${phase}` })
  }
  return state
}

describe('failureLimit', () => {
  test('with the default 0, the first failure fails the criterion', () => {
    const state = run({}, ['successful', 'failed'])
    expect(state.phase).toBe('failed')
    expect(state.reason).toBe('failed (1) > failureLimit (0): measurement 2 failed')
  })

  test('with 2, two failures are tolerated and the third fails', () => {
    expect(run({ failureLimit: 2 }, ['failed', 'successful', 'failed']).phase).toBe('running')
    const state = run({ failureLimit: 2 }, ['failed', 'successful', 'failed', 'failed'])
    expect(state.phase).toBe('failed')
    expect(state.reason).toMatch(/^failed \(3\) > failureLimit \(2\)/)
  })

  test('with 2, a count reached with two failures succeeds', () => {
    expect(run({ failureLimit: 2, count: 4 }, ['failed', 'successful', 'failed', 'successful']).phase).toBe('successful')
  })
})

describe('inconclusiveLimit', () => {
  const parsed = parseCondition('result < 0.01')
  if (!parsed.ok) throw new Error(parsed.message)
  const noData = judgeQueryResult([], { success: parsed.condition, noData: 'inconclusive' })

  test('no data with the inconclusive policy makes the criterion inconclusive at once', () => {
    expect(noData.phase).toBe('inconclusive')
    let state = initialState(defaults)
    state = nextState(state, { ...noData, attempt: 1, timestamp: '2025-01-01T00:00:00.000Z' })
    expect(state.phase).toBe('inconclusive')
    expect(state.reason).toBe('inconclusive (1) > inconclusiveLimit (0): the query returned no data (no_data: inconclusive)')
  })

  test('a limit of 1 tolerates one inconclusive measurement', () => {
    expect(run({ inconclusiveLimit: 1 }, ['inconclusive', 'successful']).phase).toBe('running')
    expect(run({ inconclusiveLimit: 1 }, ['inconclusive', 'successful', 'inconclusive']).phase).toBe('inconclusive')
  })
})

describe('consecutiveErrorLimit (default 4)', () => {
  test('four errors in a row keep measuring', () => {
    const state = run({}, ['error', 'error', 'error', 'error'])
    expect(state.phase).toBe('running')
    expect(state.count).toBe(0)
  })

  test('five errors in a row end the criterion in error', () => {
    const state = run({}, ['error', 'error', 'error', 'error', 'error'])
    expect(state.phase).toBe('error')
    expect(state.reason).toBe('5 errors in a row > consecutiveErrorLimit (4): measurement 5 error')
  })

  test('a good measurement resets the run of errors', () => {
    expect(run({}, ['error', 'error', 'error', 'error', 'successful', 'error', 'error', 'error', 'error']).phase).toBe('running')
  })

  test('errors do not count towards count', () => {
    const state = run({ count: 2 }, ['error', 'successful', 'error', 'successful'])
    expect(state.phase).toBe('successful')
    expect(state.count).toBe(2)
    expect(state.errors).toBe(2)
    expect(state.measurements).toHaveLength(4)
  })
})

describe('count reached with neither limit', () => {
  test('only failureLimit applies (the default): successful', () => {
    const state = run({ count: 3 }, ['successful', 'successful', 'successful'])
    expect(state.phase).toBe('successful')
    expect(state.reason).toBe('3 of 3 measurements taken, failed (0) ≤ failureLimit (0)')
  })

  test('both limits apply: inconclusive', () => {
    const state = run({ count: 3, failureLimit: 1, consecutiveSuccessLimit: 2 }, ['successful', 'failed', 'successful'])
    expect(state.phase).toBe('inconclusive')
    expect(state.reason).toMatch(/neither failureLimit \(1\) nor consecutiveSuccessLimit \(2\) was reached/)
  })

  test('only consecutiveSuccessLimit applies (failureLimit -1): failed', () => {
    const state = run({ count: 3, failureLimit: -1, consecutiveSuccessLimit: 2 }, ['successful', 'failed', 'successful'])
    expect(state.phase).toBe('failed')
    expect(state.reason).toBe('3 of 3 measurements taken without 2 successes in a row')
  })
})

describe('consecutiveSuccessLimit', () => {
  test('stops early once the successes in a row are reached', () => {
    const state = run({ count: 10, failureLimit: -1, consecutiveSuccessLimit: 3 }, ['failed', 'failed', 'successful', 'successful', 'successful', 'failed'])
    expect(state.phase).toBe('successful')
    expect(state.measurements).toHaveLength(5)
  })

  test('a failure in between starts the run again', () => {
    expect(run({ count: 10, failureLimit: -1, consecutiveSuccessLimit: 3 }, ['successful', 'successful', 'failed', 'successful', 'successful']).phase).toBe('running')
  })

  test('with failureLimit still applying, whichever limit comes first decides', () => {
    expect(run({ count: 10, failureLimit: 1, consecutiveSuccessLimit: 2 }, ['failed', 'successful', 'successful']).phase).toBe('successful')
    expect(run({ count: 10, failureLimit: 1, consecutiveSuccessLimit: 2 }, ['failed', 'successful', 'failed']).phase).toBe('failed')
  })
})

describe('decide: worst-of across criteria', () => {
  const criterion = (name: string, phase: CriterionState['phase'], dryRun = false) => ({ name, phase, dryRun, reason: `${name} reason` })

  test('every blocking criterion successful passes', () => {
    expect(decide([criterion('soak', 'successful'), criterion('window', 'successful')])).toEqual({ decision: 'pass', reason: 'All 2 blocking criteria passed.' })
  })

  test('one inconclusive criterion makes the gate inconclusive', () => {
    expect(decide([criterion('soak', 'successful'), criterion('prometheus.latency', 'inconclusive')])).toEqual({
      decision: 'inconclusive',
      reason: 'prometheus.latency was inconclusive: prometheus.latency reason.'
    })
  })

  test('a failure outranks an error and an inconclusive one', () => {
    const result = decide([criterion('a', 'inconclusive'), criterion('b', 'error'), criterion('c', 'failed')])
    expect(result.decision).toBe('fail')
    expect(result.reason).toBe('c failed: c reason.')
  })

  test('an error alone fails the gate', () => {
    expect(decide([criterion('a', 'inconclusive'), criterion('b', 'error')]).decision).toBe('fail')
  })

  test('a failed dry-run criterion is reported but does not block', () => {
    expect(decide([criterion('soak', 'successful'), criterion('canary.checkout', 'failed', true)])).toEqual({
      decision: 'pass',
      reason: 'The 1 blocking criterion passed; 1 dry-run criterion did not pass (not blocking).'
    })
  })
})
