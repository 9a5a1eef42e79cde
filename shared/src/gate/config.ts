/**
 * Validation of `environments.<env>.gate` (passed through by the manifest loader as plain
 * data). Every problem is collected with its key path, so one run reports them all.
 * The YAML shape is documented, with a full example, in docs/gate.md.
 */
import { parseDuration } from '../config/validate.js'
import { childKeyPath, itemKeyPath } from '../config/raw.js'
import { didYouMean } from '../config/suggest.js'
import { describeValue, isRecord } from '../config/values.js'
import { compileLinearRegex } from '../regex/index.js'
import { parseCondition } from './condition.js'
import { isTimeZone, parseCron } from './cron.js'
import { formatSeconds } from './duration.js'
import type {
  CanaryCriterion,
  CanaryDirection,
  CanaryMetric,
  ChecksCriterion,
  Condition,
  DeploymentCriterion,
  EvaluationSettings,
  GateConfig,
  GateCriterion,
  GateProblem,
  HttpCriterion,
  NoDataPolicy,
  PrometheusCriterion,
  SoakCriterion,
  TimeWindow,
  WindowCriterion
} from './types.js'

export const DEFAULT_GATE_TIMEOUT_SECONDS = 3600
/** Argo Rollouts' default. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4
/** Longer windows would make every check walk too far back; a narrower cron says the same. */
export const MAX_WINDOW_SECONDS = 31 * 24 * 3600

const EVALUATION_KEYS = ['initial_delay', 'interval', 'count', 'failure_limit', 'inconclusive_limit', 'consecutive_error_limit', 'consecutive_success_limit', 'dry_run'] as const
const GATE_KEYS = ['timeout', 'prometheus_address', 'checks', 'deployment', 'http', 'prometheus', 'canary', 'soak', 'window'] as const

type Raw = Record<string, unknown>

/** Where a prometheus or canary criterion without its own `address` gets one. */
interface Addresses {
  /** The gate's `prometheus_address`. */
  gate?: string
  /** The run's, which replaces every criterion's. */
  run?: string
  /** No address at all is no problem (yet): the run may give one. */
  fromRun: boolean
}

/** An http:// or https:// URL with a host. */
export function isHttpUrl(text: string): boolean {
  return /^https?:\/\/[^\s/]+/.test(text) && URL.canParse(text)
}

export interface GateParseOptions {
  /**
   * The run's Prometheus address (the gate action's `prometheus-address`, `flotilla gate
   * --prometheus-address`): every prometheus and canary criterion uses it, over the manifest's.
   */
  prometheusAddress?: string
  /**
   * Checking the manifest alone, before any run: a criterion without an address may get the
   * run's, so that is no problem yet; such criteria are checked, then left out of the gate returned.
   */
  addressFromRun?: boolean
}

export function parseGateConfig(raw: unknown, keyPath: string, options: GateParseOptions = {}): { gate?: GateConfig; problems: GateProblem[] } {
  if (raw === undefined || raw === null) return { problems: [] }
  const reader = new Reader()
  const gate = reader.map(raw, keyPath, GATE_KEYS)
  if (gate === undefined) return { problems: reader.problems }
  const at = (key: string): string => childKeyPath(keyPath, key)
  const timeoutSeconds = reader.duration(gate, 'timeout', keyPath, { positive: true }) ?? DEFAULT_GATE_TIMEOUT_SECONDS
  const addresses: Addresses = { gate: reader.url(gate, 'prometheus_address', keyPath), run: options.prometheusAddress, fromRun: options.addressFromRun ?? false }
  const criteria: GateCriterion[] = []
  const add = (criterion: GateCriterion | undefined): void => {
    if (criterion !== undefined) criteria.push(criterion)
  }

  if (gate.checks !== undefined) add(checks(reader, gate.checks, at('checks')))
  if (gate.deployment !== undefined) add(deployment(reader, gate.deployment, at('deployment')))
  for (const [name, value, path] of reader.named(gate, 'http', keyPath)) add(http(reader, name, value, path))
  for (const [name, value, path] of reader.named(gate, 'prometheus', keyPath)) add(prometheus(reader, name, value, path, addresses))
  for (const [name, value, path] of reader.named(gate, 'canary', keyPath)) add(canary(reader, name, value, path, addresses))
  if (gate.soak !== undefined) add(soak(reader, gate.soak, at('soak')))
  if (gate.window !== undefined) add(window(reader, gate.window, at('window')))

  for (const criterion of criteria) {
    const { initialDelaySeconds, intervalSeconds, count } = criterion.evaluation
    const needed = initialDelaySeconds + intervalSeconds * (count - 1)
    if (needed >= timeoutSeconds) {
      reader.problem(at('timeout'), `the gate times out after ${formatSeconds(timeoutSeconds)}, but ${criterion.name} needs ${formatSeconds(needed)} to take its ${count} measurements; raise timeout or lower count/interval`)
    }
  }
  return reader.problems.length > 0 ? { problems: reader.problems } : { gate: { timeoutSeconds, criteria }, problems: [] }
}

function checks(reader: Reader, raw: unknown, path: string): ChecksCriterion | undefined {
  const map = reader.map(raw, path, ['names', 'wait', 'interval', 'failure_limit', 'consecutive_error_limit', 'dry_run'])
  if (map === undefined) return undefined
  const names = map.names === undefined ? undefined : reader.strings(map.names, childKeyPath(path, 'names'))
  const waitSeconds = reader.duration(map, 'wait', path, {}) ?? 600
  const intervalSeconds = reader.duration(map, 'interval', path, { positive: true }) ?? 30
  // Pending checks are inconclusive until the last poll, which fails them (see docs/gate.md).
  const count = Math.floor(waitSeconds / intervalSeconds) + 1
  const evaluation = reader.evaluation(map, path, { intervalSeconds, count, inconclusiveLimit: count, consecutiveSuccessLimit: 1 })
  return evaluation && { name: 'checks', kind: 'checks', evaluation, waitSeconds, ...(names === undefined ? {} : { names }) }
}

function deployment(reader: Reader, raw: unknown, path: string): DeploymentCriterion | undefined {
  // `deployment: [staging]` is short for `deployment: { environments: [staging] }`.
  const map = Array.isArray(raw) ? {} : reader.map(raw, path, ['environments', ...EVALUATION_KEYS])
  if (map === undefined) return undefined
  const listPath = Array.isArray(raw) ? path : childKeyPath(path, 'environments')
  const list = Array.isArray(raw) ? raw : map.environments
  if (list === undefined) reader.problem(path, 'missing required key "environments" (the environments that need a successful deployment of this commit)')
  const environments = list === undefined ? undefined : reader.strings(list, listPath)
  if (environments !== undefined && environments.length === 0) reader.problem(listPath, 'the list is empty')
  const evaluation = reader.evaluation(map, path, {})
  return evaluation && environments && environments.length > 0 ? { name: 'deployment', kind: 'deployment', evaluation, environments } : undefined
}

function http(reader: Reader, name: string, raw: unknown, path: string): HttpCriterion | undefined {
  const map = reader.map(raw, path, ['url', 'status', 'body', 'timeout', ...EVALUATION_KEYS])
  if (map === undefined) return undefined
  const url = reader.url(map, 'url', path, { required: true })
  const status = reader.statusList(map, 'status', path) ?? [200]
  const body = reader.string(map, 'body', path)
  const compiled = body === undefined ? undefined : compileLinearRegex(body)
  if (compiled !== undefined && !compiled.ok) reader.problem(childKeyPath(path, 'body'), compiled.message)
  const requestTimeoutSeconds = reader.duration(map, 'timeout', path, { positive: true }) ?? 10
  const evaluation = reader.evaluation(map, path, {})
  if (evaluation === undefined || url === undefined) return undefined
  return { name: `http.${name}`, kind: 'http', evaluation, url, status, requestTimeoutSeconds, ...(body === undefined ? {} : { body }) }
}

function prometheus(reader: Reader, name: string, raw: unknown, path: string, addresses: Addresses): PrometheusCriterion | undefined {
  const map = reader.map(raw, path, ['address', 'query', 'range', 'success', 'failure', 'no_data', ...EVALUATION_KEYS])
  if (map === undefined) return undefined
  const address = reader.address(map, path, addresses)
  const query = reader.string(map, 'query', path, { required: true })
  const rangePath = childKeyPath(path, 'range')
  const rangeMap = map.range === undefined ? undefined : reader.map(map.range, rangePath, ['lookback', 'step'])
  const lookbackSeconds = rangeMap && reader.duration(rangeMap, 'lookback', rangePath, { positive: true, required: true })
  const stepSeconds = rangeMap && (reader.duration(rangeMap, 'step', rangePath, { positive: true }) ?? 60)
  const success = reader.condition(map, 'success', path)
  const failure = reader.condition(map, 'failure', path)
  if (map.success === undefined && map.failure === undefined) reader.problem(path, 'give a success condition, a failure condition or both (e.g. success: result < 0.01)')
  const noData = (reader.oneOf(map, 'no_data', path, ['fail', 'inconclusive', 'pass']) ?? 'inconclusive') as NoDataPolicy
  const evaluation = reader.evaluation(map, path, {})
  if (evaluation === undefined || address === undefined || query === undefined || (success === undefined && failure === undefined)) return undefined
  if (map.range !== undefined && (lookbackSeconds === undefined || stepSeconds === undefined)) return undefined
  return {
    name: `prometheus.${name}`,
    kind: 'prometheus',
    evaluation,
    address,
    query,
    noData,
    ...(lookbackSeconds !== undefined && stepSeconds !== undefined && { range: { lookbackSeconds, stepSeconds } }),
    ...(success && { success }),
    ...(failure && { failure })
  }
}

function canary(reader: Reader, name: string, raw: unknown, path: string, addresses: Addresses): CanaryCriterion | undefined {
  const map = reader.map(raw, path, ['address', 'lookback', 'step', 'confidence', 'minimum_effect', 'minimum_samples', 'thresholds', 'metrics', ...EVALUATION_KEYS])
  if (map === undefined) return undefined
  const address = reader.address(map, path, addresses)
  const lookbackSeconds = reader.duration(map, 'lookback', path, { positive: true }) ?? 600
  const stepSeconds = reader.duration(map, 'step', path, { positive: true }) ?? 15
  const confidence = reader.number(map, 'confidence', path, { above: 0, below: 1 }) ?? 0.95
  const minimumEffect = reader.number(map, 'minimum_effect', path, { from: 0, to: 1 }) ?? 0.147
  const minimumSamples = reader.integer(map, 'minimum_samples', path, 1) ?? 5
  const thresholdsPath = childKeyPath(path, 'thresholds')
  const thresholdMap = map.thresholds === undefined ? {} : reader.map(map.thresholds, thresholdsPath, ['pass', 'marginal'])
  const pass = thresholdMap && (reader.number(thresholdMap, 'pass', thresholdsPath, { from: 0, to: 100 }) ?? 95)
  const marginal = thresholdMap && (reader.number(thresholdMap, 'marginal', thresholdsPath, { from: 0, to: 100 }) ?? 75)
  if (pass !== undefined && marginal !== undefined && marginal > pass) reader.problem(thresholdsPath, `marginal (${marginal}) is above pass (${pass})`)
  const metrics: CanaryMetric[] = []
  const named = reader.named(map, 'metrics', path)
  if (map.metrics === undefined) reader.problem(path, 'list the metrics to compare under metrics:')
  else if (named.length === 0 && isRecord(map.metrics)) reader.problem(childKeyPath(path, 'metrics'), 'no metrics')
  for (const [metricName, value, metricPath] of named) {
    const metric = canaryMetric(reader, metricName, value, metricPath)
    if (metric !== undefined) metrics.push(metric)
  }
  const evaluation = reader.evaluation(map, path, {})
  if (evaluation === undefined || address === undefined || pass === undefined || marginal === undefined || metrics.length !== named.length || metrics.length === 0) return undefined
  return { name: `canary.${name}`, kind: 'canary', evaluation, address, lookbackSeconds, stepSeconds, confidence, minimumEffect, minimumSamples, thresholds: { pass, marginal }, metrics }
}

function canaryMetric(reader: Reader, name: string, raw: unknown, path: string): CanaryMetric | undefined {
  const map = reader.map(raw, path, ['canary', 'baseline', 'direction', 'tolerance', 'weight', 'critical'])
  if (map === undefined) return undefined
  const canaryQuery = reader.string(map, 'canary', path, { required: true })
  const baseline = reader.string(map, 'baseline', path, { required: true })
  const direction = (reader.oneOf(map, 'direction', path, ['increase', 'decrease', 'either']) ?? 'increase') as CanaryDirection
  const tolerance = reader.number(map, 'tolerance', path, { from: 0 }) ?? 0.1
  const weight = reader.number(map, 'weight', path, { from: 0 }) ?? 1
  const critical = reader.boolean(map, 'critical', path) ?? false
  if (canaryQuery === undefined || baseline === undefined) return undefined
  return { name, canary: canaryQuery, baseline, direction, tolerance, weight, critical }
}

function soak(reader: Reader, raw: unknown, path: string): SoakCriterion | undefined {
  // `soak: 30m` is short for `soak: { duration: 30m }`.
  const shorthand = typeof raw === 'string' || typeof raw === 'number'
  const map = shorthand ? {} : reader.map(raw, path, ['duration', ...EVALUATION_KEYS])
  if (map === undefined) return undefined
  const durationSeconds = shorthand ? reader.durationValue(raw, path, { positive: true }) : reader.duration(map, 'duration', path, { positive: true, required: true })
  const evaluation = reader.evaluation(map, path, {})
  return evaluation && durationSeconds !== undefined ? { name: 'soak', kind: 'soak', evaluation, durationSeconds } : undefined
}

function window(reader: Reader, raw: unknown, path: string): WindowCriterion | undefined {
  const map = reader.map(raw, path, ['time_zone', 'allow', 'deny', 'freeze', 'dry_run'])
  if (map === undefined) return undefined
  const timeZone = reader.timeZone(map, path) ?? 'UTC'
  const allow = reader.list(map, 'allow', path).map(([value, itemPath]) => timeWindow(reader, value, itemPath, timeZone))
  const deny = reader.list(map, 'deny', path).map(([value, itemPath]) => timeWindow(reader, value, itemPath, timeZone))
  const freeze = reader.string(map, 'freeze', path)
  if (map.allow === undefined && map.deny === undefined && map.freeze === undefined) reader.problem(path, 'give allow windows, deny windows or a freeze')
  const evaluation = reader.evaluation(map, path, {})
  if (evaluation === undefined || allow.includes(undefined) || deny.includes(undefined)) return undefined
  return { name: 'window', kind: 'window', evaluation, allow: allow as TimeWindow[], deny: deny as TimeWindow[], ...(freeze === undefined ? {} : { freeze }) }
}

function timeWindow(reader: Reader, raw: unknown, path: string, defaultTimeZone: string): TimeWindow | undefined {
  const map = reader.map(raw, path, ['cron', 'duration', 'time_zone', 'reason'])
  if (map === undefined) return undefined
  const cronText = reader.string(map, 'cron', path, { required: true })
  const parsed = cronText === undefined ? undefined : parseCron(cronText)
  if (parsed !== undefined && !parsed.ok) reader.problem(childKeyPath(path, 'cron'), parsed.message)
  const durationSeconds = reader.duration(map, 'duration', path, { positive: true, required: true })
  if (durationSeconds !== undefined && durationSeconds > MAX_WINDOW_SECONDS) {
    reader.problem(childKeyPath(path, 'duration'), `${formatSeconds(durationSeconds)} is longer than 31 days; use a cron that matches more often`)
  }
  const timeZone = reader.timeZone(map, path) ?? defaultTimeZone
  const reason = reader.string(map, 'reason', path)
  if (parsed === undefined || !parsed.ok || durationSeconds === undefined || durationSeconds > MAX_WINDOW_SECONDS) return undefined
  return { schedule: parsed.schedule, durationSeconds, timeZone, ...(reason === undefined ? {} : { reason }) }
}



/** Typed reads of one mapping's keys, each recording a located problem instead of throwing. */
class Reader {
  readonly problems: GateProblem[] = []

  problem(keyPath: string, message: string): void {
    this.problems.push({ keyPath, message })
  }

  map(raw: unknown, path: string, keys: readonly string[]): Raw | undefined {
    if (!isRecord(raw)) {
      this.problem(path, `expected a mapping, got ${describeValue(raw)}`)
      return undefined
    }
    for (const key of Object.keys(raw)) {
      if (!keys.includes(key)) this.problem(childKeyPath(path, key), `unknown key "${key}"${didYouMean(key, keys)}`)
    }
    return raw
  }

  /** Entries of a mapping of named items (`http: { health: {...} }`). */
  named(map: Raw, key: string, path: string): Array<[string, unknown, string]> {
    const value = map[key]
    if (value === undefined) return []
    const keyPath = childKeyPath(path, key)
    if (!isRecord(value)) {
      this.problem(keyPath, `expected a mapping of names to settings, got ${describeValue(value)}`)
      return []
    }
    return Object.entries(value).flatMap(([name, item]): Array<[string, unknown, string]> => {
      const itemPath = childKeyPath(keyPath, name)
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
        this.problem(itemPath, `"${name}" is not a valid name: use letters, digits, ".", "_" and "-"`)
        return []
      }
      return [[name, item, itemPath]]
    })
  }

  list(map: Raw, key: string, path: string): Array<[unknown, string]> {
    const value = map[key]
    if (value === undefined) return []
    const keyPath = childKeyPath(path, key)
    if (!Array.isArray(value)) {
      this.problem(keyPath, `expected a list, got ${describeValue(value)}`)
      return []
    }
    return value.map((item, index) => [item, itemKeyPath(keyPath, index)])
  }

  /** A list of non-empty strings at `keyPath`, or undefined (with problems) when it is not one. */
  strings(value: unknown, keyPath: string): string[] | undefined {
    if (!Array.isArray(value)) {
      this.problem(keyPath, `expected a list of strings, got ${describeValue(value)}`)
      return undefined
    }
    const strings = value.flatMap((item, index) => {
      if (typeof item === 'string' && item.trim() !== '') return [item]
      this.problem(itemKeyPath(keyPath, index), `expected a non-empty string, got ${describeValue(item)}`)
      return []
    })
    return strings.length === value.length ? strings : undefined
  }

  string(map: Raw, key: string, path: string, options: { required?: boolean } = {}): string | undefined {
    const value = map[key]
    const keyPath = childKeyPath(path, key)
    if (value === undefined) {
      if (options.required) this.problem(path, `missing required key "${key}"`)
      return undefined
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(keyPath, `expected a non-empty string, got ${describeValue(value)}`)
      return undefined
    }
    return value
  }

  statusList(map: Raw, key: string, path: string): number[] | undefined {
    const value = map[key]
    if (value === undefined) return undefined
    const items: Array<[unknown, string]> = Array.isArray(value) ? this.list(map, key, path) : [[value, childKeyPath(path, key)]]
    const codes = items.flatMap(([item, itemPath]) => {
      if (typeof item === 'number' && Number.isInteger(item) && item >= 100 && item <= 599) return [item]
      this.problem(itemPath, `expected an HTTP status code (100-599), got ${describeValue(item)}`)
      return []
    })
    return codes.length === items.length && codes.length > 0 ? codes : undefined
  }

  duration(map: Raw, key: string, path: string, options: { positive?: boolean; required?: boolean }): number | undefined {
    const value = map[key]
    if (value === undefined) {
      if (options.required) this.problem(path, `missing required key "${key}"`)
      return undefined
    }
    return this.durationValue(value, childKeyPath(path, key), options)
  }

  /** Seconds in `30s`, `5m`, `1h30m` (or a whole number of seconds). */
  durationValue(value: unknown, keyPath: string, options: { positive?: boolean }): number | undefined {
    const seconds = typeof value === 'number' && Number.isInteger(value) ? value : typeof value === 'string' ? parseDuration(value) : undefined
    if (seconds === undefined || seconds < 0 || (options.positive && seconds === 0)) {
      this.problem(keyPath, `expected a ${options.positive ? 'positive ' : ''}duration such as 30s, 5m or 1h30m, got ${describeValue(value)}`)
      return undefined
    }
    return seconds
  }

  integer(map: Raw, key: string, path: string, minimum: number): number | undefined {
    const value = map[key]
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
      this.problem(childKeyPath(path, key), `expected a whole number ≥ ${minimum}, got ${describeValue(value)}`)
      return undefined
    }
    return value
  }

  number(map: Raw, key: string, path: string, range: { from?: number; to?: number; above?: number; below?: number }): number | undefined {
    const value = map[key]
    if (value === undefined) return undefined
    const fits =
      typeof value === 'number' && Number.isFinite(value) &&
      (range.from === undefined || value >= range.from) && (range.to === undefined || value <= range.to) &&
      (range.above === undefined || value > range.above) && (range.below === undefined || value < range.below)
    if (!fits) {
      const bounds = [
        range.from !== undefined && `≥ ${range.from}`,
        range.above !== undefined && `> ${range.above}`,
        range.to !== undefined && `≤ ${range.to}`,
        range.below !== undefined && `< ${range.below}`
      ].filter(Boolean)
      this.problem(childKeyPath(path, key), `expected a number${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}, got ${describeValue(value)}`)
      return undefined
    }
    return value as number
  }

  boolean(map: Raw, key: string, path: string): boolean | undefined {
    const value = map[key]
    if (value === undefined) return undefined
    if (typeof value !== 'boolean') {
      this.problem(childKeyPath(path, key), `expected true or false, got ${describeValue(value)}`)
      return undefined
    }
    return value
  }

  oneOf(map: Raw, key: string, path: string, values: readonly string[]): string | undefined {
    const value = map[key]
    if (value === undefined) return undefined
    if (typeof value !== 'string' || !values.includes(value)) {
      const hint = typeof value === 'string' ? didYouMean(value, values) : ''
      this.problem(childKeyPath(path, key), `expected one of ${values.join(', ')}, got ${describeValue(value)}${hint}`)
      return undefined
    }
    return value
  }

  url(map: Raw, key: string, path: string, options: { required?: boolean } = {}): string | undefined {
    const text = this.string(map, key, path, options)
    if (text === undefined) return undefined
    if (!isHttpUrl(text)) {
      this.problem(childKeyPath(path, key), `expected an http:// or https:// URL, got "${text}"`)
      return undefined
    }
    return text
  }

  /** The criterion's Prometheus: the run's, else its own `address`, else the gate's `prometheus_address`. */
  address(map: Raw, path: string, addresses: Addresses): string | undefined {
    // Its own is checked even when the run's replaces it: the manifest must stay valid without it.
    const own = map.address === undefined ? undefined : this.url(map, 'address', path)
    if (addresses.run !== undefined) return addresses.run
    if (map.address !== undefined) return own
    if (addresses.gate === undefined && !addresses.fromRun) {
      this.problem(path, 'no Prometheus address: set address here or prometheus_address on the gate, or give one to the run (the gate action\'s prometheus-address input, flotilla gate --prometheus-address)')
    }
    return addresses.gate
  }

  condition(map: Raw, key: string, path: string): Condition | undefined {
    const text = this.string(map, key, path)
    if (text === undefined) return undefined
    const parsed = parseCondition(text)
    if (!parsed.ok) {
      this.problem(childKeyPath(path, key), parsed.message)
      return undefined
    }
    return parsed.condition
  }

  timeZone(map: Raw, path: string): string | undefined {
    const zone = this.string(map, 'time_zone', path)
    if (zone === undefined) return undefined
    if (!isTimeZone(zone)) {
      this.problem(childKeyPath(path, 'time_zone'), `"${zone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`)
      return undefined
    }
    return zone
  }

  /** The evaluation settings of a criterion: its own keys over the kind's defaults, checked together. */
  evaluation(map: Raw, path: string, defaults: Partial<EvaluationSettings>): EvaluationSettings | undefined {
    const before = this.problems.length
    const count = this.integer(map, 'count', path, 1) ?? defaults.count ?? 1
    const intervalSeconds = this.duration(map, 'interval', path, { positive: true }) ?? defaults.intervalSeconds ?? 0
    const settings: EvaluationSettings = {
      initialDelaySeconds: this.duration(map, 'initial_delay', path, {}) ?? 0,
      intervalSeconds,
      count,
      failureLimit: this.integer(map, 'failure_limit', path, -1) ?? defaults.failureLimit ?? 0,
      inconclusiveLimit: this.integer(map, 'inconclusive_limit', path, 0) ?? defaults.inconclusiveLimit ?? 0,
      consecutiveErrorLimit: this.integer(map, 'consecutive_error_limit', path, 0) ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
      consecutiveSuccessLimit: this.integer(map, 'consecutive_success_limit', path, 0) ?? defaults.consecutiveSuccessLimit ?? 0,
      dryRun: this.boolean(map, 'dry_run', path) ?? false
    }
    if (this.problems.length > before) return undefined
    if (count > 1 && intervalSeconds === 0) this.problem(childKeyPath(path, 'count'), `count ${count} needs an interval between measurements`)
    if (settings.failureLimit === -1 && settings.consecutiveSuccessLimit === 0) {
      this.problem(path, 'failure_limit -1 disables failures, so set consecutive_success_limit: something has to decide the outcome')
    }
    if (settings.consecutiveSuccessLimit > count) {
      this.problem(childKeyPath(path, 'consecutive_success_limit'), `${settings.consecutiveSuccessLimit} successes in a row can never happen within count ${count}`)
    }
    return this.problems.length > before ? undefined : settings
  }
}
