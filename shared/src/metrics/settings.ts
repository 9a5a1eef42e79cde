import type { GateStatusKind } from './fetch.js'
import { parseInstant, parseSince, parseSpan } from './run.js'

export const DEFAULTS = {
  since: '90d',
  lookback: '90d',
  rollbackWindow: '7d',
  gateStatus: 'commit-status',
  /** GITHUB_TOKEN has 1,000 requests an hour for the whole repository; leave room for the pipeline's own. */
  maxRequests: 800
} as const

const GATE_STATUS_KINDS: readonly GateStatusKind[] = ['commit-status', 'check-run', 'none']

/** The options as given (flags or inputs), each optional. */
export interface RawSettings {
  since?: string
  until?: string
  lookback?: string
  rollbackWindow?: string
  gateStatus?: string
  maxRequests?: string
}

export interface MetricsSettings {
  since: number
  until: number
  lookbackMs: number
  rollbackWindowMs: number
  gateStatus: GateStatusKind
  maxRequests: number
}

/**
 * Checks every option before anything is read; `name` says how each is called where it was
 * given (`--since`, input 'since'), for the error.
 */
export function metricsSettings(raw: RawSettings, name: (option: keyof RawSettings) => string, now: number): MetricsSettings {
  const until = raw.until === undefined ? now : parseInstant(raw.until, name('until'))
  const since = parseSince(raw.since ?? DEFAULTS.since, until, name('since'))
  if (since >= until) throw new Error(`${name('since')} must be before ${name('until')}: the window is empty`)
  const span = (option: 'lookback' | 'rollbackWindow', fallback: string): number => {
    const text = raw[option] ?? fallback
    const value = /^0+[wdhm]?$/.test(text.trim()) ? 0 : parseSpan(text)
    if (value === undefined) throw new Error(`${name(option)} must be a span such as 90d, 2w or 12h; got '${text}'`)
    return value
  }
  const gateStatus = (raw.gateStatus ?? DEFAULTS.gateStatus) as GateStatusKind
  if (!GATE_STATUS_KINDS.includes(gateStatus)) throw new Error(`${name('gateStatus')} must be one of ${GATE_STATUS_KINDS.join(', ')}; got '${raw.gateStatus}'`)
  const maxRequests = raw.maxRequests === undefined ? DEFAULTS.maxRequests : Number(raw.maxRequests)
  if (!Number.isInteger(maxRequests) || maxRequests < 1) throw new Error(`${name('maxRequests')} must be a whole number of requests, 1 or more; got '${raw.maxRequests}'`)
  return { since, until, lookbackMs: span('lookback', DEFAULTS.lookback), rollbackWindowMs: span('rollbackWindow', DEFAULTS.rollbackWindow), gateStatus, maxRequests }
}
