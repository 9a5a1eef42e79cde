/**
 * Runs a gate: every criterion measured on its own schedule, in parallel, until each concludes,
 * a blocking one fails (fail fast), the timeout passes, or the caller cancels. Time comes only
 * from the clock and measurements only from `measure`, so tests drive both.
 */
import { decide, initialState, interrupt, isDecided, isFinal, nextState, type CriterionState } from './evaluation.js'
import { formatSeconds } from './duration.js'
import type { Criterion, CriterionReport, GateReport, Measurement, Observation } from './types.js'

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
    })
}

/** Argo retries an errored measurement after 10 s rather than the full interval. */
export const ERROR_RETRY_SECONDS = 10

export interface EvaluateGateOptions<C extends Criterion> {
  criteria: readonly C[]
  timeoutSeconds: number
  clock: Clock
  /**
   * Takes one measurement. `attempt` is the 1-based counted measurement being taken
   * (`attempt === criterion.evaluation.count` is the last one); a retry after an error keeps
   * it. A thrown error becomes an `error` measurement. The signal aborts when the gate stops.
   */
  measure: (criterion: C, attempt: number, signal: AbortSignal) => Promise<Observation>
  /** Cancels the gate (e.g. the job is being stopped); unfinished criteria end `cancelled`. */
  signal?: AbortSignal
}

export async function evaluateGate<C extends Criterion>(options: EvaluateGateOptions<C>): Promise<GateReport> {
  const { criteria, clock, measure } = options
  const startedAt = clock.now()
  const stop = new AbortController()
  let stopCause: { cause: 'timeout' | 'cancelled'; detail: string } | undefined
  const halt = (cause: 'timeout' | 'cancelled', detail: string): void => {
    if (stop.signal.aborted) return
    stopCause = { cause, detail }
    stop.abort()
  }
  const onCancel = (): void => halt('cancelled', 'the gate was cancelled')
  if (options.signal?.aborted) onCancel()
  options.signal?.addEventListener('abort', onCancel, { once: true })

  const states: CriterionState[] = criteria.map((criterion) => initialState(criterion.evaluation))
  const reports = (): CriterionReport[] => criteria.map((criterion, index) => report(criterion, states[index]))

  const run = async (criterion: C, index: number): Promise<void> => {
    const { initialDelaySeconds, intervalSeconds } = criterion.evaluation
    if (initialDelaySeconds > 0) await clock.sleep(initialDelaySeconds * 1000, stop.signal)
    while (!stop.signal.aborted && !isFinal(states[index].phase)) {
      states[index] = { ...states[index], phase: 'running' }
      const attempt = states[index].count + 1
      const observation = await untilAborted(observe(measure, criterion, attempt, stop.signal), stop.signal)
      if (observation === undefined) return
      const measurement: Measurement = { ...observation, attempt, timestamp: new Date(clock.now()).toISOString() }
      states[index] = nextState(states[index], measurement)
      if (isFinal(states[index].phase)) break
      const waitSeconds = measurement.phase === 'error' ? Math.min(ERROR_RETRY_SECONDS, intervalSeconds || ERROR_RETRY_SECONDS) : intervalSeconds
      await clock.sleep(waitSeconds * 1000, stop.signal)
    }
    if (!criterion.evaluation.dryRun && isDecided(reports())) halt('cancelled', 'stopped early because the gate had already failed')
  }

  const deadline = clock.sleep(options.timeoutSeconds * 1000, stop.signal).then(() => halt('timeout', `timed out after ${formatSeconds(options.timeoutSeconds)}`))
  await Promise.all(criteria.map(run))
  stop.abort()
  await deadline
  options.signal?.removeEventListener('abort', onCancel)

  const finished = stopCause === undefined ? states : states.map((state) => interrupt(state, stopCause!.cause, stopCause!.detail))
  const criteriaReports = criteria.map((criterion, index) => report(criterion, finished[index]))
  return {
    ...decide(criteriaReports),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(clock.now()).toISOString(),
    timedOut: stopCause?.cause === 'timeout',
    criteria: criteriaReports
  }
}

async function observe<C extends Criterion>(measure: EvaluateGateOptions<C>['measure'], criterion: C, attempt: number, signal: AbortSignal): Promise<Observation> {
  try {
    return await measure(criterion, attempt, signal)
  } catch (error) {
    return { phase: 'error', message: error instanceof Error ? error.message : String(error) }
  }
}

/** The promise's value, or undefined as soon as the signal aborts (a hung source cannot hold the gate). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    )
  })
}

function report(criterion: Criterion, state: CriterionState): CriterionReport {
  return {
    name: criterion.name,
    kind: criterion.kind,
    dryRun: criterion.evaluation.dryRun,
    phase: state.phase,
    reason: state.reason,
    count: state.count,
    successful: state.successful,
    failed: state.failed,
    inconclusive: state.inconclusive,
    errors: state.errors,
    measurements: state.measurements
  }
}
