/**
 * Plain data the delivery metrics are computed from, and the report they give. Times are
 * milliseconds since the epoch (UTC) throughout; durations in the report are seconds.
 */

/** GitHub's deployment status states. */
export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success'

export interface StatusFact {
  /** GitHub's id: statuses written in the same second keep their order by it. */
  id: number
  state: DeploymentState
  at: number
  description: string
}

/** One GitHub Deployment as the metrics read it. */
export interface DeploymentFact {
  id: number
  sha: string
  environment: string
  createdAt: number
  /** The service in a Flotilla deployment's payload; undefined for a deployment Flotilla did not make. */
  service?: string
  /** Every status, oldest first; undefined when they were not read (the request budget ran out). */
  statuses?: StatusFact[]
}

/** The latest `flotilla/gate <environment>` verdict on a commit. */
export interface GateFact {
  sha: string
  /** The environment the gate guards (promotion into it). */
  environment: string
  state: 'success' | 'failure' | 'error' | 'pending'
  at: number
}

/** A commit of the history the deployments shipped. */
export interface CommitFact {
  parents: string[]
  /** Committer time. */
  time: number
  /**
   * The services the commit changes (their files, the libraries and services they depend on, or
   * a global file), as change detection routes them; undefined when its files are not known (a
   * commit listed by the compare API), when it counts for every service.
   */
  services?: string[]
}

/** Which services and environments are measured, and how environments follow each other. */
export interface MetricsScope {
  environments: Array<{
    name: string
    /** Services with deploy settings for the environment (the rows of its table). */
    services: string[]
    /** Environments with a gate that require this one directly: their failed gate on a commit fails this environment's deployment of it. */
    gatedBy: string[]
  }>
  /** Every environment the manifest declares, measured or not (deployments elsewhere are counted as skipped). */
  known: string[]
  /** The services measured, in manifest order. */
  services: string[]
  /** Every service the manifest declares (deployments of others are counted as skipped). */
  knownServices: string[]
}

export interface MetricsInput {
  deployments: DeploymentFact[]
  gates: GateFact[]
  commits: ReadonlyMap<string, CommitFact>
  scope: MetricsScope
  /** The window measured, [since, until). Deployments before it still set what later ones shipped. */
  since: number
  until: number
  /** How soon after a deployment a redeploy of an earlier version counts as its rollback. */
  rollbackWindowMs: number
}

/** Why a deployment counts as a change failure. */
export type FailureKind = 'failed' | 'failure-status' | 'rolled-back' | 'gate'

export interface ChangeFailure {
  deploymentId: number
  sha: string
  kind: FailureKind
  /** When the failure began: the failure status, the bad version's success (rolled back), or the failed gate. */
  at: string
  /** The successful deployment that restored the service, and when. */
  restoredBy?: number
  restoredAt?: string
  restoreSeconds?: number
  /** The gated environment, for `gate`. */
  gate?: string
}

export interface Distribution {
  /** How many values (commits for lead time, restored failures for time to restore). */
  count: number
  /** Nearest-rank percentiles, seconds; absent without values. */
  medianSeconds?: number
  p90Seconds?: number
  /** Sum of the values, seconds (for Prometheus summaries). */
  sumSeconds: number
}

export interface Figures {
  /** Successful deployments that changed the version (redeploys of the running version excluded). */
  deployments: number
  perDay: number
  perWeek: number
  /** Deployments that reached a final state: successful ones and failed ones (the change failure rate's denominator). */
  attempts: number
  changeFailures: number
  /** changeFailures / attempts; absent without attempts. */
  changeFailureRate?: number
  /** Commit → deployment success, for every commit first shipped by a deployment in the window. */
  leadTime: Distribution
  /** Change failure → next successful deployment that changed the version. */
  timeToRestore: Distribution & { unrestored: number }
  /** Successful deployments of the version already running (re-runs): neither deployments nor attempts. */
  redeploys: number
  /** Cancelled deployments (`error` status "cancelled…", as Flotilla writes it): not counted. */
  cancelled: number
  /** Deployments with no final status yet: not counted. */
  inProgress: number
}

export interface WeekFigures {
  /** ISO 8601 week, e.g. `2024-W07`. */
  week: string
  /** Monday 00:00 UTC of the week (the window's start for a first, partial week). */
  start: string
  deployments: number
  attempts: number
  changeFailures: number
  changeFailureRate?: number
  leadTimeMedianSeconds?: number
  timeToRestoreMedianSeconds?: number
}

export interface ServiceMetrics extends Figures {
  service: string
  environment: string
  weeks: WeekFigures[]
  failures: ChangeFailure[]
}

export interface EnvironmentMetrics {
  environment: string
  /** Every service of the environment together. */
  total: Figures & { weeks: WeekFigures[] }
  services: ServiceMetrics[]
}

export interface SkippedDeployments {
  /** Deployments another tool made (no Flotilla payload). */
  notFlotilla: number
  /** Flotilla deployments to environments the manifest does not declare. */
  otherEnvironment: number
  /** Flotilla deployments of services the manifest does not declare. */
  otherService: number
  /** Deployments whose statuses were not read (the request budget ran out). */
  statusesUnknown: number
}

export interface MetricsReport {
  window: { since: string; until: string; days: number; weeks: string[] }
  environments: EnvironmentMetrics[]
  skipped: SkippedDeployments
}
