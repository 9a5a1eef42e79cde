/**
 * The four DORA keys per service and environment, from plain data: Flotilla's deployments with
 * their statuses, the gate verdicts on commits, and the commit history they shipped. Pure: the
 * same input always gives the same report. The definitions are in docs/metrics.md.
 */
import type {
  ChangeFailure,
  CommitFact,
  DeploymentFact,
  Distribution,
  EnvironmentMetrics,
  FailureKind,
  Figures,
  GateFact,
  MetricsInput,
  MetricsReport,
  MetricsScope,
  ServiceMetrics,
  SkippedDeployments,
  StatusFact,
  WeekFigures
} from './types.js'

const DAY_MS = 86_400_000
const WEEK_MS = 7 * DAY_MS

/** How Flotilla words the final `error` status of a cancelled deploy (`cancelled`, `cancelled and rolled back: …`). */
const CANCELLED = /^cancelled\b/i

export type OutcomeKind = 'success' | 'failed' | 'cancelled' | 'in-progress'

export interface Outcome {
  kind: OutcomeKind
  /** The first `success` status. */
  successAt?: number
  /** The first `failure` (or non-cancelling `error`) status: the failed deploy's, or one written after its success. */
  failureAt?: number
}

/**
 * What a deployment's statuses say. The first `success` makes it successful (an `inactive`
 * added when a later deployment replaces it changes nothing); a `failure` or `error` after it
 * makes it a change failure too. Without a success, a `failure` or `error` fails it, unless the
 * `error` says it was cancelled; with no final status it is still in progress.
 */
export function deploymentOutcome(statuses: readonly StatusFact[]): Outcome {
  const ordered = [...statuses].sort((a, b) => a.at - b.at || a.id - b.id)
  const cancelling = (status: StatusFact): boolean => status.state === 'error' && CANCELLED.test(status.description.trim())
  const success = ordered.find((status) => status.state === 'success')
  const failures = ordered.filter((status) => (status.state === 'failure' || status.state === 'error') && !cancelling(status))
  if (success !== undefined) {
    const after = failures.find((status) => status.at > success.at || (status.at === success.at && status.id > success.id))
    return after === undefined ? { kind: 'success', successAt: success.at } : { kind: 'success', successAt: success.at, failureAt: after.at }
  }
  if (failures.length > 0) return { kind: 'failed', failureAt: failures[0].at }
  if (ordered.some(cancelling)) return { kind: 'cancelled' }
  return { kind: 'in-progress' }
}

/** A deployment Flotilla made: `task: deploy` and a payload naming the service and image (see docs/deploy.md). */
export function flotillaService(task: string | undefined, payload: unknown): string | undefined {
  if (task !== 'deploy') return undefined
  let value = payload
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { service, image } = value as { service?: unknown; image?: unknown }
  return typeof service === 'string' && service !== '' && typeof image === 'string' ? service : undefined
}

/** Nearest-rank percentile (`p` in (0, 1]) of ascending values: always one of the values. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined
  return sorted[Math.max(Math.ceil(p * sorted.length), 1) - 1]
}

/** ISO 8601 week of a time (UTC): `2024-W07`. */
export function isoWeek(time: number): string {
  const date = new Date(time)
  const day = (date.getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  const thursday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) + (3 - day) * DAY_MS
  const year = new Date(thursday).getUTCFullYear()
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MS)
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** Monday 00:00 UTC of the week holding `time`. */
function weekStart(time: number): number {
  const date = new Date(time)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - ((date.getUTCDay() + 6) % 7) * DAY_MS
}

/** The ISO weeks a window touches, each with its start (clipped to the window). */
export function windowWeeks(since: number, until: number): Array<{ week: string; start: number }> {
  const weeks: Array<{ week: string; start: number }> = []
  for (let start = weekStart(since); start < until; start += WEEK_MS) weeks.push({ week: isoWeek(start), start: Math.max(start, since) })
  return weeks
}

/** One counted deployment of a service to an environment: successful (it changed the version) or failed. */
interface Counted {
  fact: DeploymentFact
  success: boolean
  /** Its success, or its failure for a failed deployment. */
  at: number
  leadTimes: number[]
  /** Every reason it is a change failure, earliest first once sorted. */
  reasons: Array<{ kind: FailureKind; start: number; gate?: string }>
}

interface PairHistory {
  counted: Counted[]
  /** Successful redeploys of the running version, by success time. */
  redeploys: number[]
  cancelled: number[]
  inProgress: number[]
}

/**
 * Which successful deployments ship which commits: a commit counts for the deployment whose
 * sha first reaches it, among the service's successful deployments to the environment in time
 * order; commits reachable from an earlier one's sha were shipped already. The first successful
 * deployment of the history has no earlier one to measure from: what it reaches is marked
 * shipped, not counted.
 */
class ShippedCommits {
  private readonly shipped = new Set<string>()

  constructor(private readonly commits: ReadonlyMap<string, CommitFact>) {}

  /** Marks everything `sha` reaches as shipped; returns the commits that were not yet. */
  ship(sha: string): CommitFact[] {
    const found: CommitFact[] = []
    const stack = [sha]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (this.shipped.has(next)) continue
      const commit = this.commits.get(next)
      // Outside the history read (older than every deployment measured): shipped long ago.
      if (commit === undefined) continue
      this.shipped.add(next)
      found.push(commit)
      for (const parent of commit.parents) if (!this.shipped.has(parent)) stack.push(parent)
    }
    return found
  }
}

function pairHistory(
  service: string,
  deployments: readonly DeploymentFact[],
  gatedBy: readonly string[],
  gates: ReadonlyMap<string, GateFact>,
  commits: ReadonlyMap<string, CommitFact>,
  rollbackWindowMs: number
): PairHistory {
  const history: PairHistory = { counted: [], redeploys: [], cancelled: [], inProgress: [] }
  const ordered: Array<{ fact: DeploymentFact; outcome: Outcome; at: number }> = []
  for (const fact of deployments) {
    const outcome = deploymentOutcome(fact.statuses ?? [])
    if (outcome.kind === 'cancelled') history.cancelled.push(fact.createdAt)
    else if (outcome.kind === 'in-progress') history.inProgress.push(fact.createdAt)
    else ordered.push({ fact, outcome, at: outcome.kind === 'success' ? outcome.successAt! : outcome.failureAt! })
  }
  ordered.sort((a, b) => a.at - b.at || a.fact.id - b.fact.id)

  const shipped = new ShippedCommits(commits)
  const deployedBefore = new Set<string>()
  let previous: Counted | undefined
  let first = true
  for (const { fact, outcome, at } of ordered) {
    if (outcome.kind === 'failed') {
      history.counted.push({ fact, success: false, at, leadTimes: [], reasons: [{ kind: 'failed', start: at }] })
      continue
    }
    if (previous !== undefined && fact.sha === previous.fact.sha) {
      history.redeploys.push(at)
      continue
    }
    const entry: Counted = { fact, success: true, at, leadTimes: [], reasons: [] }
    if (previous !== undefined && deployedBefore.has(fact.sha) && at - previous.at <= rollbackWindowMs) {
      previous.reasons.push({ kind: 'rolled-back', start: previous.at })
    }
    const reached = shipped.ship(fact.sha)
    if (!first) {
      for (const commit of reached) {
        if (commit.services === undefined || commit.services.includes(service)) entry.leadTimes.push(Math.max(at - commit.time, 0))
      }
    }
    first = false
    if (outcome.failureAt !== undefined) entry.reasons.push({ kind: 'failure-status', start: outcome.failureAt })
    for (const environment of gatedBy) {
      const gate = gates.get(gateKey(fact.sha, environment))
      if (gate?.state === 'failure' && gate.at >= at) entry.reasons.push({ kind: 'gate', start: gate.at, gate: environment })
    }
    deployedBefore.add(fact.sha)
    previous = entry
    history.counted.push(entry)
  }
  return history
}

function gateKey(sha: string, environment: string): string {
  return `${sha}\u0000${environment}`
}

/** The change failure of a counted deployment (its earliest reason) and what restored it. */
function changeFailure(entry: Counted, successes: readonly Counted[], until: number): ChangeFailure | undefined {
  if (entry.reasons.length === 0) return undefined
  const reason = [...entry.reasons].sort((a, b) => a.start - b.start)[0]
  const restoring = successes.find((success) => success.at > reason.start && success.at < until)
  return {
    deploymentId: entry.fact.id,
    sha: entry.fact.sha,
    kind: reason.kind,
    at: iso(reason.start),
    ...(reason.gate === undefined ? {} : { gate: reason.gate }),
    ...(restoring === undefined
      ? {}
      : { restoredBy: restoring.fact.id, restoredAt: iso(restoring.at), restoreSeconds: (restoring.at - reason.start) / 1000 })
  }
}

interface Measured {
  entries: Counted[]
  failures: Map<Counted, ChangeFailure>
  redeploys: number
  cancelled: number
  inProgress: number
}

function distribution(valuesMs: number[]): Distribution {
  const sorted = [...valuesMs].sort((a, b) => a - b).map((value) => value / 1000)
  const median = percentile(sorted, 0.5)
  const p90 = percentile(sorted, 0.9)
  return {
    count: sorted.length,
    ...(median === undefined ? {} : { medianSeconds: median }),
    ...(p90 === undefined ? {} : { p90Seconds: p90 }),
    sumSeconds: sorted.reduce((sum, value) => sum + value, 0)
  }
}

function figures(measured: Measured, days: number): Figures {
  const successes = measured.entries.filter((entry) => entry.success)
  const failures = [...measured.failures.values()]
  const restored = failures.filter((failure) => failure.restoreSeconds !== undefined).map((failure) => failure.restoreSeconds! * 1000)
  const attempts = measured.entries.length
  return {
    deployments: successes.length,
    perDay: days > 0 ? successes.length / days : 0,
    perWeek: days > 0 ? successes.length / (days / 7) : 0,
    attempts,
    changeFailures: failures.length,
    ...(attempts === 0 ? {} : { changeFailureRate: failures.length / attempts }),
    leadTime: distribution(successes.flatMap((entry) => entry.leadTimes)),
    timeToRestore: { ...distribution(restored), unrestored: failures.length - restored.length },
    redeploys: measured.redeploys,
    cancelled: measured.cancelled,
    inProgress: measured.inProgress
  }
}

function weekly(measured: Measured, weeks: ReadonlyArray<{ week: string; start: number }>): WeekFigures[] {
  return weeks.map(({ week, start }) => {
    const entries = measured.entries.filter((entry) => isoWeek(entry.at) === week)
    const inWeek: Measured = { entries, failures: new Map(entries.flatMap((entry) => (measured.failures.has(entry) ? [[entry, measured.failures.get(entry)!]] : []))), redeploys: 0, cancelled: 0, inProgress: 0 }
    const figuresOfWeek = figures(inWeek, 7)
    return {
      week,
      start: iso(start),
      deployments: figuresOfWeek.deployments,
      attempts: figuresOfWeek.attempts,
      changeFailures: figuresOfWeek.changeFailures,
      ...(figuresOfWeek.changeFailureRate === undefined ? {} : { changeFailureRate: figuresOfWeek.changeFailureRate }),
      ...(figuresOfWeek.leadTime.medianSeconds === undefined ? {} : { leadTimeMedianSeconds: figuresOfWeek.leadTime.medianSeconds }),
      ...(figuresOfWeek.timeToRestore.medianSeconds === undefined ? {} : { timeToRestoreMedianSeconds: figuresOfWeek.timeToRestore.medianSeconds })
    }
  })
}

function merge(parts: readonly Measured[]): Measured {
  return {
    entries: parts.flatMap((part) => part.entries),
    failures: new Map(parts.flatMap((part) => [...part.failures])),
    redeploys: parts.reduce((sum, part) => sum + part.redeploys, 0),
    cancelled: parts.reduce((sum, part) => sum + part.cancelled, 0),
    inProgress: parts.reduce((sum, part) => sum + part.inProgress, 0)
  }
}

/** Sorts deployments into the scope's (environment, service) pairs, counting those left out. */
function classify(deployments: readonly DeploymentFact[], scope: MetricsScope): { pairs: Map<string, DeploymentFact[]>; skipped: SkippedDeployments } {
  const skipped: SkippedDeployments = { notFlotilla: 0, otherEnvironment: 0, otherService: 0, statusesUnknown: 0 }
  const measured = new Set(scope.environments.map((environment) => environment.name))
  const known = new Set(scope.known)
  const knownServices = new Set(scope.knownServices)
  const services = new Set(scope.services)
  const pairs = new Map<string, DeploymentFact[]>()
  for (const deployment of deployments) {
    if (deployment.service === undefined) skipped.notFlotilla++
    else if (!known.has(deployment.environment)) skipped.otherEnvironment++
    else if (!knownServices.has(deployment.service)) skipped.otherService++
    else if (!measured.has(deployment.environment) || !services.has(deployment.service)) continue
    else if (deployment.statuses === undefined) skipped.statusesUnknown++
    else {
      const key = pairKey(deployment.environment, deployment.service)
      const list = pairs.get(key)
      if (list === undefined) pairs.set(key, [deployment])
      else list.push(deployment)
    }
  }
  return { pairs, skipped }
}

function pairKey(environment: string, service: string): string {
  return `${environment}\u0000${service}`
}

/** The four keys for every (environment, service) of the scope, over the window and per ISO week. */
export function computeMetrics(input: MetricsInput): MetricsReport {
  const { scope, since, until } = input
  const days = (until - since) / DAY_MS
  const weeks = windowWeeks(since, until)
  const inWindow = (time: number): boolean => time >= since && time < until
  const gates = latestGates(input.gates)
  const { pairs, skipped } = classify(input.deployments, scope)

  const environments: EnvironmentMetrics[] = scope.environments.map((environment) => {
    const deployed = scope.services.filter((service) => pairs.has(pairKey(environment.name, service)))
    const rows = scope.services.filter((service) => environment.services.includes(service) || deployed.includes(service))
    const parts = rows.map((service) => {
      const history = pairHistory(service, pairs.get(pairKey(environment.name, service)) ?? [], environment.gatedBy, gates, input.commits, input.rollbackWindowMs)
      const successes = history.counted.filter((entry) => entry.success)
      const entries = history.counted.filter((entry) => inWindow(entry.at))
      const failures = new Map<Counted, ChangeFailure>()
      for (const entry of entries) {
        const failure = changeFailure(entry, successes, until)
        if (failure !== undefined) failures.set(entry, failure)
      }
      const measured: Measured = {
        entries,
        failures,
        redeploys: history.redeploys.filter(inWindow).length,
        cancelled: history.cancelled.filter(inWindow).length,
        inProgress: history.inProgress.filter(inWindow).length
      }
      return { service, measured }
    })
    const services: ServiceMetrics[] = parts.map(({ service, measured }) => ({
      service,
      environment: environment.name,
      ...figures(measured, days),
      weeks: weekly(measured, weeks),
      failures: [...measured.failures.values()].sort((a, b) => a.at.localeCompare(b.at) || a.deploymentId - b.deploymentId)
    }))
    const all = merge(parts.map((part) => part.measured))
    return { environment: environment.name, total: { ...figures(all, days), weeks: weekly(all, weeks) }, services }
  })

  return {
    window: { since: iso(since), until: iso(until), days, weeks: weeks.map((week) => week.week) },
    environments,
    skipped
  }
}

/** The latest final-or-pending gate verdict per (commit, environment). */
function latestGates(gates: readonly GateFact[]): Map<string, GateFact> {
  const latest = new Map<string, GateFact>()
  for (const gate of gates) {
    const key = gateKey(gate.sha, gate.environment)
    const known = latest.get(key)
    if (known === undefined || gate.at >= known.at) latest.set(key, gate)
  }
  return latest
}

/**
 * The commits the lead times need: every successful deployment's sha (heads), and per
 * (environment, service) the first one of the history (whose ancestors were shipped before it,
 * so history older than all of them is never read).
 */
export function commitsWanted(deployments: readonly DeploymentFact[], scope: MetricsScope): { heads: string[]; firsts: string[] } {
  const { pairs } = classify(deployments, scope)
  const heads = new Set<string>()
  const firsts = new Set<string>()
  for (const list of pairs.values()) {
    const successes = list
      .map((fact) => ({ fact, outcome: deploymentOutcome(fact.statuses ?? []) }))
      .filter(({ outcome }) => outcome.kind === 'success')
      .sort((a, b) => a.outcome.successAt! - b.outcome.successAt! || a.fact.id - b.fact.id)
    if (successes.length === 0) continue
    firsts.add(successes[0].fact.sha)
    for (const { fact } of successes) heads.add(fact.sha)
  }
  return { heads: [...heads].sort(), firsts: [...firsts].sort() }
}

/**
 * Every (previous sha, sha) range a successful deployment shipped, for history that local git
 * cannot give (the compare API lists `base..head`).
 */
export function shippedRanges(deployments: readonly DeploymentFact[], scope: MetricsScope): Array<{ base: string; head: string }> {
  const { pairs } = classify(deployments, scope)
  const ranges = new Map<string, { base: string; head: string }>()
  for (const list of pairs.values()) {
    const successes = list
      .map((fact) => ({ fact, outcome: deploymentOutcome(fact.statuses ?? []) }))
      .filter(({ outcome }) => outcome.kind === 'success')
      .sort((a, b) => a.outcome.successAt! - b.outcome.successAt! || a.fact.id - b.fact.id)
    for (let i = 1; i < successes.length; i++) {
      const base = successes[i - 1].fact.sha
      const head = successes[i].fact.sha
      if (base !== head) ranges.set(`${base}..${head}`, { base, head })
    }
  }
  return [...ranges.values()]
}

function iso(time: number): string {
  return new Date(time).toISOString()
}
