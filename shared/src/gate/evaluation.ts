/**
 * The limit logic of one criterion as a pure step function, following Argo Rollouts'
 * AnalysisRun assessment: a criterion fails when failed measurements exceed `failureLimit`, is
 * inconclusive when inconclusive ones exceed `inconclusiveLimit`, errors when errors in a row
 * exceed `consecutiveErrorLimit`, succeeds when `consecutiveSuccessLimit` successes come in a
 * row, and otherwise concludes when `count` measurements (errors not counted) are in.
 */
import type { CriterionPhase, CriterionReport, EvaluationSettings, GateDecision, Measurement } from './types.js'

export interface CriterionState {
  settings: EvaluationSettings
  phase: CriterionPhase
  reason: string
  measurements: Measurement[]
  /** Measurements that count towards `count`: every phase but `error`. */
  count: number
  successful: number
  failed: number
  inconclusive: number
  errors: number
  consecutiveErrors: number
  consecutiveSuccesses: number
}

export function initialState(settings: EvaluationSettings): CriterionState {
  return {
    settings,
    phase: 'pending',
    reason: 'not measured yet',
    measurements: [],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    errors: 0,
    consecutiveErrors: 0,
    consecutiveSuccesses: 0
  }
}

export function isFinal(phase: CriterionPhase): boolean {
  return phase !== 'pending' && phase !== 'running'
}

/** The state after one more measurement; a final state does not change. */
export function nextState(state: CriterionState, measurement: Measurement): CriterionState {
  if (isFinal(state.phase)) return state
  const error = measurement.phase === 'error'
  const success = measurement.phase === 'successful'
  const tallied: CriterionState = {
    ...state,
    measurements: [...state.measurements, measurement],
    count: state.count + (error ? 0 : 1),
    successful: state.successful + (success ? 1 : 0),
    failed: state.failed + (measurement.phase === 'failed' ? 1 : 0),
    inconclusive: state.inconclusive + (measurement.phase === 'inconclusive' ? 1 : 0),
    errors: state.errors + (error ? 1 : 0),
    consecutiveErrors: error ? state.consecutiveErrors + 1 : 0,
    consecutiveSuccesses: success ? state.consecutiveSuccesses + 1 : 0
  }
  return { ...tallied, ...outcome(tallied) }
}

/** Where a criterion stands given its tallies, and why. */
export function outcome(state: CriterionState): { phase: CriterionPhase; reason: string } {
  const { failureLimit, inconclusiveLimit, consecutiveErrorLimit, consecutiveSuccessLimit, count } = state.settings
  if (state.measurements.length === 0) return { phase: 'pending', reason: 'not measured yet' }
  // Argo checks errors last, so they win when several limits are crossed at once.
  if (state.consecutiveErrors > consecutiveErrorLimit) {
    return { phase: 'error', reason: `${state.consecutiveErrors} errors in a row > consecutiveErrorLimit (${consecutiveErrorLimit}): ${lastMessage(state)}` }
  }
  if (state.inconclusive > inconclusiveLimit) {
    return { phase: 'inconclusive', reason: `inconclusive (${state.inconclusive}) > inconclusiveLimit (${inconclusiveLimit}): ${lastMessage(state)}` }
  }
  if (failureLimit >= 0 && state.failed > failureLimit) {
    return { phase: 'failed', reason: `failed (${state.failed}) > failureLimit (${failureLimit}): ${lastMessage(state)}` }
  }
  if (consecutiveSuccessLimit > 0 && state.consecutiveSuccesses >= consecutiveSuccessLimit) {
    return { phase: 'successful', reason: `${state.consecutiveSuccesses} successes in a row reached consecutiveSuccessLimit (${consecutiveSuccessLimit})` }
  }
  if (state.count >= count) {
    const failureApplies = failureLimit >= 0
    const successApplies = consecutiveSuccessLimit > 0
    const tally = `${state.count} of ${count} measurements`
    if (failureApplies && successApplies) {
      return { phase: 'inconclusive', reason: `${tally} taken and neither failureLimit (${failureLimit}) nor consecutiveSuccessLimit (${consecutiveSuccessLimit}) was reached` }
    }
    if (successApplies) {
      return { phase: 'failed', reason: `${tally} taken without ${consecutiveSuccessLimit} successes in a row` }
    }
    return { phase: 'successful', reason: `${tally} taken, failed (${state.failed}) ≤ failureLimit (${failureLimit})` }
  }
  return { phase: 'running', reason: `${state.count} of ${count} measurements taken` }
}

/**
 * Ends a criterion that had not concluded: at the gate's timeout it is inconclusive; when the
 * gate stopped early (its outcome already certain, or cancelled) it is cancelled.
 */
export function interrupt(state: CriterionState, cause: 'timeout' | 'cancelled', detail: string): CriterionState {
  if (isFinal(state.phase)) return state
  const tally = `${state.count} of ${state.settings.count} measurements taken`
  return cause === 'timeout'
    ? { ...state, phase: 'inconclusive', reason: `${detail} with ${tally}` }
    : { ...state, phase: 'cancelled', reason: `${detail} with ${tally}` }
}

/** How bad a final phase is for the decision; Argo's order, with cancelled as bad as inconclusive. */
const SEVERITY: Record<CriterionPhase, number> = {
  pending: 1,
  running: 1,
  successful: 0,
  inconclusive: 1,
  cancelled: 1,
  error: 2,
  failed: 3
}

/** Whether the decision can no longer improve: a blocking criterion failed or errored. */
export function isDecided(criteria: ReadonlyArray<Pick<CriterionReport, 'dryRun' | 'phase'>>): boolean {
  return criteria.some((criterion) => !criterion.dryRun && SEVERITY[criterion.phase] >= SEVERITY.error)
}

/**
 * Worst-of across blocking criteria: any failed or errored one fails the gate, else any
 * inconclusive (or unfinished) one makes it inconclusive; dry-run criteria are only mentioned.
 */
export function decide(criteria: ReadonlyArray<Pick<CriterionReport, 'name' | 'dryRun' | 'phase' | 'reason'>>): { decision: GateDecision; reason: string } {
  const blocking = criteria.filter((criterion) => !criterion.dryRun)
  const worst = blocking.reduce<(typeof blocking)[number] | undefined>(
    (found, criterion) => (found === undefined || SEVERITY[criterion.phase] > SEVERITY[found.phase] ? criterion : found),
    undefined
  )
  const dryRunNote = dryRunSummary(criteria.filter((criterion) => criterion.dryRun))
  if (worst === undefined || SEVERITY[worst.phase] === 0) {
    const passed = blocking.length === 0 ? 'No blocking criteria' : blocking.length === 1 ? 'The 1 blocking criterion passed' : `All ${blocking.length} blocking criteria passed`
    return { decision: 'pass', reason: `${passed}${dryRunNote}.` }
  }
  const decision: GateDecision = SEVERITY[worst.phase] >= SEVERITY.error ? 'fail' : 'inconclusive'
  return { decision, reason: `${worst.name} ${describePhase(worst.phase)}: ${worst.reason}${dryRunNote}.` }
}

function dryRunSummary(dryRuns: ReadonlyArray<Pick<CriterionReport, 'phase'>>): string {
  const unsuccessful = dryRuns.filter((criterion) => criterion.phase !== 'successful').length
  if (unsuccessful === 0) return ''
  return `; ${unsuccessful} dry-run ${unsuccessful === 1 ? 'criterion' : 'criteria'} did not pass (not blocking)`
}

function describePhase(phase: CriterionPhase): string {
  switch (phase) {
    case 'failed':
      return 'failed'
    case 'error':
      return 'errored'
    case 'inconclusive':
      return 'was inconclusive'
    case 'cancelled':
      return 'was cancelled'
    default:
      return 'did not finish'
  }
}

function lastMessage(state: CriterionState): string {
  const last = state.measurements[state.measurements.length - 1]
  return last.message ?? `last measurement ${last.phase}`
}
