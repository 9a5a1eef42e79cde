/** The `window` and `soak` criteria: pure verdicts over an instant. */
import { openWindowStart } from './cron.js'
import { formatSeconds } from './duration.js'
import type { Observation, TimeWindow, WindowCriterion } from './types.js'

/**
 * Deny wins: a freeze or an open deny window fails with its reason; otherwise, when allow
 * windows are declared, one of them must be open.
 */
export function evaluateWindows(criterion: Pick<WindowCriterion, 'allow' | 'deny' | 'freeze'>, now: number): Observation {
  if (criterion.freeze !== undefined) return { phase: 'failed', message: `frozen: ${criterion.freeze}` }
  for (const window of criterion.deny) {
    const start = openStart(window, now)
    if (start !== undefined) {
      const why = window.reason === undefined ? '' : `: ${window.reason}`
      return { phase: 'failed', message: `frozen by deny window ${describe(window, start)}${why}` }
    }
  }
  if (criterion.allow.length === 0) return { phase: 'successful', message: 'no deny window is open' }
  for (const window of criterion.allow) {
    const start = openStart(window, now)
    if (start !== undefined) return { phase: 'successful', message: `inside allow window ${describe(window, start)}` }
  }
  return { phase: 'failed', message: `outside every allow window (${criterion.allow.map((window) => `"${window.schedule.source}" for ${formatSeconds(window.durationSeconds)} in ${window.timeZone}`).join(', ')})` }
}

function openStart(window: TimeWindow, now: number): number | undefined {
  return openWindowStart(window.schedule, window.timeZone, window.durationSeconds * 1000, now)
}

function describe(window: TimeWindow, start: number): string {
  const end = start + window.durationSeconds * 1000
  return `"${window.schedule.source}" (${window.timeZone}), open from ${localTime(start, window.timeZone)} until ${localTime(end, window.timeZone)}`
}

/** `2025-03-30 03:30 GMT+2`: wall-clock time with the offset in force then. */
export function localTime(instant: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'shortOffset' })
      .formatToParts(instant)
      .map((part) => [part.type, part.value])
  )
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`
}

/**
 * Soak: at least `durationSeconds` since the commit was deployed. Not long enough yet is
 * inconclusive (there is no evidence either way), never deployed is a failure.
 */
export function evaluateSoak(options: { durationSeconds: number; deployedAt?: number; now: number }): Observation {
  const { durationSeconds, deployedAt, now } = options
  if (deployedAt === undefined) return { phase: 'failed', message: 'no successful deployment of this commit to measure a soak from' }
  const elapsedSeconds = Math.max(0, Math.floor((now - deployedAt) / 1000))
  const since = `deployed ${formatSeconds(elapsedSeconds)} ago (${new Date(deployedAt).toISOString()})`
  if (elapsedSeconds >= durationSeconds) return { phase: 'successful', value: elapsedSeconds, message: `${since}; soak of ${formatSeconds(durationSeconds)} done` }
  return { phase: 'inconclusive', value: elapsedSeconds, message: `${since}; soak needs ${formatSeconds(durationSeconds)}, ${formatSeconds(durationSeconds - elapsedSeconds)} to go` }
}
