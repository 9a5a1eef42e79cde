/**
 * The gate's plain data: criteria as parsed from `environments.<env>.gate`, measurements, and
 * the report. Durations are seconds (like the rest of the manifest); the evaluator's clock
 * works in milliseconds since the epoch.
 */

/** What one measurement concluded (Argo Rollouts' measurement phases). */
export type MeasurementPhase = 'successful' | 'failed' | 'inconclusive' | 'error'

export type MeasurementValue = number | number[] | string | boolean

/** What a measurement source returns; the evaluator stamps it with the attempt and the time. */
export interface Observation {
  phase: MeasurementPhase
  value?: MeasurementValue
  message?: string
}

export interface Measurement extends Observation {
  /** 1-based index of the counted measurement this was; an error keeps the attempt it retried. */
  attempt: number
  /** ISO 8601, when the measurement finished. */
  timestamp: string
}

/**
 * How often a criterion is measured and when it concludes, with Argo Rollouts' meanings
 * (docs/gate.md has the rules and examples).
 */
export interface EvaluationSettings {
  /** Wait before the first measurement. */
  initialDelaySeconds: number
  /** Wait between counted measurements; 0 when `count` is 1. */
  intervalSeconds: number
  /** Counted measurements (errors do not count). */
  count: number
  /** The criterion fails when failed measurements exceed this; -1 disables the limit. */
  failureLimit: number
  /** The criterion is inconclusive when inconclusive measurements exceed this. */
  inconclusiveLimit: number
  /** The criterion errors when errors in a row exceed this. */
  consecutiveErrorLimit: number
  /** The criterion succeeds as soon as this many successes come in a row; 0 disables it. */
  consecutiveSuccessLimit: number
  /** Reported, never blocking. */
  dryRun: boolean
}

/** What the evaluator needs to know of any criterion. */
export interface Criterion {
  /** Unique within the gate, e.g. `soak` or `prometheus.error-rate`. */
  name: string
  kind: string
  evaluation: EvaluationSettings
}

export type NoDataPolicy = 'fail' | 'inconclusive' | 'pass'

export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!='

export type ConditionOperand = { kind: 'number'; value: number } | { kind: 'result'; index?: number }

export type ConditionExpression =
  | { kind: 'or' | 'and'; left: ConditionExpression; right: ConditionExpression }
  | { kind: 'compare'; operator: ComparisonOperator; left: ConditionOperand; right: ConditionOperand }

/** A parsed `success:`/`failure:` condition, kept with its source for reports. */
export interface Condition {
  source: string
  expression: ConditionExpression
}

/** A 5-field cron expression as the sets of values each field allows. */
export interface CronSchedule {
  source: string
  minutes: number[]
  hours: number[]
  daysOfMonth: number[]
  months: number[]
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[]
  /** Whether the day-of-month / day-of-week fields were restricted (not `*`): cron ORs two restricted day fields. */
  daysOfMonthRestricted: boolean
  daysOfWeekRestricted: boolean
}

/** A window opens at each cron match (wall-clock time in `timeZone`) and stays open for `durationSeconds` of elapsed time. */
export interface TimeWindow {
  schedule: CronSchedule
  durationSeconds: number
  timeZone: string
  reason?: string
}

export interface ChecksCriterion extends Criterion {
  kind: 'checks'
  /** Required check runs / commit statuses by name; undefined = every one on the commit. */
  names?: string[]
  /** How long pending or missing checks are waited for. */
  waitSeconds: number
}

export interface DeploymentCriterion extends Criterion {
  kind: 'deployment'
  /** Each needs a successful deployment of this commit. */
  environments: string[]
}

export interface HttpCriterion extends Criterion {
  kind: 'http'
  url: string
  /** Accepted status codes. */
  status: number[]
  /** A regular expression (RE2 syntax, matched in linear time) the body must match. */
  body?: string
  requestTimeoutSeconds: number
}

/** One step of a range query's result. */
export interface RangeStep {
  /** Milliseconds since the epoch. */
  time: number
  /** One value per series that has a sample at this step, in series order. */
  values: number[]
}

export interface PrometheusCriterion extends Criterion {
  kind: 'prometheus'
  address: string
  query: string
  /** A range query over the lookback ending at the measurement; the conditions are judged at every step. */
  range?: { lookbackSeconds: number; stepSeconds: number }
  success?: Condition
  failure?: Condition
  noData: NoDataPolicy
}

export type CanaryDirection = 'increase' | 'decrease' | 'either'

export interface CanaryMetric {
  name: string
  /** PromQL range queries over the same lookback window. */
  canary: string
  baseline: string
  /** Which way of moving is bad. */
  direction: CanaryDirection
  /** A shift up to this fraction of the baseline median is tolerated. */
  tolerance: number
  weight: number
  /** A bad critical metric fails the canary whatever the score. */
  critical: boolean
}

export interface CanaryThresholds {
  /** Score at or above which the canary passes. */
  pass: number
  /** Score at or above which (and below `pass`) the canary is marginal. */
  marginal: number
}

export interface CanaryJudgeOptions {
  /** Confidence level of the test and of the shift's interval, e.g. 0.95. */
  confidence: number
  /** Smallest |Cliff's delta| that counts as a real difference. */
  minimumEffect: number
  /** Fewer values than this on either side (after dropping NaN) is no data. */
  minimumSamples: number
  thresholds: CanaryThresholds
}

export interface CanaryCriterion extends Criterion, CanaryJudgeOptions {
  kind: 'canary'
  address: string
  lookbackSeconds: number
  stepSeconds: number
  metrics: CanaryMetric[]
}

export interface SoakCriterion extends Criterion {
  kind: 'soak'
  durationSeconds: number
}

export interface WindowCriterion extends Criterion {
  kind: 'window'
  allow: TimeWindow[]
  deny: TimeWindow[]
  /** An unconditional freeze, with its reason. */
  freeze?: string
}

export type GateCriterion =
  | ChecksCriterion
  | DeploymentCriterion
  | HttpCriterion
  | PrometheusCriterion
  | CanaryCriterion
  | SoakCriterion
  | WindowCriterion

export interface GateConfig {
  /** The whole gate ends by then; unfinished criteria are inconclusive. */
  timeoutSeconds: number
  criteria: GateCriterion[]
}

export interface GateProblem {
  keyPath: string
  message: string
}

/** A criterion's state; `pending` and `running` are not final. */
export type CriterionPhase = 'pending' | 'running' | 'successful' | 'failed' | 'inconclusive' | 'error' | 'cancelled'

export type GateDecision = 'pass' | 'fail' | 'inconclusive'

export interface CriterionReport {
  name: string
  kind: string
  dryRun: boolean
  phase: CriterionPhase
  /** One sentence: why the criterion ended where it did. */
  reason: string
  /** Counted measurements, and each phase's tally. */
  count: number
  successful: number
  failed: number
  inconclusive: number
  errors: number
  measurements: Measurement[]
}

export interface GateReport {
  decision: GateDecision
  /** One sentence. */
  reason: string
  startedAt: string
  finishedAt: string
  timedOut: boolean
  criteria: CriterionReport[]
}

/** Which deployments count for `deployment` and `soak`: those of `services`, each only in the environments it deploys to. */
export interface DeploymentScope {
  services?: readonly string[]
  /** Service → the environments it has deploy settings for; a service missing here counts everywhere. */
  deploysTo?: Readonly<Record<string, readonly string[]>>
}
