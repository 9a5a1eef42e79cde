/**
 * One metrics run, as the CLI and the action both do it: read the cache, fetch what GitHub has
 * that the cache lacks (within the request budget), read the history from local git (the
 * compare API for what it lacks), compute, and keep the cache.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Manifest } from '../config/types.js'
import { Git } from '../git/index.js'
import type { GitHubClient } from '../github/index.js'
import type { Logger } from '../log/index.js'
import { commitsWanted, computeMetrics, shippedRanges } from './compute.js'
import { compareHistory, emptyCache, fetchDeploymentHistory, reviveCache, type GateStatusKind, type MetricsCache, type RequestCounts } from './fetch.js'
import { localHistory } from './history.js'
import type { CommitFact, MetricsReport, MetricsScope } from './types.js'

const DAY_MS = 86_400_000

/**
 * A time span: `90d`, `12w`, `36h`, `30m` (units may be combined, `1w3d`), in milliseconds;
 * undefined when it is not one.
 */
export function parseSpan(text: string): number | undefined {
  const trimmed = text.trim()
  if (!/^(?:\d+[wdhm])+$/.test(trimmed)) return undefined
  const units: Record<string, number> = { w: 7 * DAY_MS, d: DAY_MS, h: 3_600_000, m: 60_000 }
  let total = 0
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([wdhm])/g)) total += Number(amount) * units[unit]
  return total > 0 ? total : undefined
}

/** `--since`: a span back from `until` (`90d`) or a date or time (`2024-01-01`, ISO 8601). */
export function parseSince(text: string, until: number, what = 'since'): number {
  const span = parseSpan(text)
  if (span !== undefined) return until - span
  return parseInstant(text, what)
}

/** A date (`2024-03-31`, midnight UTC) or an ISO 8601 time with its zone. */
export function parseInstant(text: string, what: string): number {
  const trimmed = text.trim()
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)
  const time = valid ? Date.parse(trimmed) : NaN
  if (Number.isNaN(time)) throw new Error(`${what} must be a span such as 90d, 12w or 36h, or a date such as 2024-01-31 or 2024-01-31T12:00:00Z; got '${text}'`)
  return time
}

export interface MetricsRunOptions {
  /** The repository checkout (for its history). */
  root: string
  manifest: Manifest
  scope: MetricsScope
  github?: { client: GitHubClient; owner: string; repo: string }
  since: number
  until: number
  /** How far before the window deployments are read, so the window's first deployments know what ran before. */
  lookbackMs: number
  rollbackWindowMs: number
  gateStatus: GateStatusKind
  maxRequests: number
  /** The JSON cache between runs; none when undefined. */
  cacheFile?: string
  now?: number
  log?: Logger
  env?: NodeJS.ProcessEnv
}

export interface MetricsDocument extends MetricsReport {
  repository?: string
  /** Where each part came from and what it cost. */
  source: {
    requests: RequestCounts
    /** Commits read from local git; ranges read with the compare API (their commits count for every service). */
    commitsFromGit: number
    rangesFromCompare: number
    cache?: string
  }
  /** Present when the request budget left something unread: the numbers miss it, and the next run reads on. */
  incomplete?: { listing: boolean; statuses: number; gates: number; compares: number }
  warnings: string[]
}

export async function collectMetrics(options: MetricsRunOptions): Promise<MetricsDocument> {
  const { scope, log } = options
  const warnings: string[] = []
  const repository = options.github === undefined ? undefined : `${options.github.owner}/${options.github.repo}`
  const requests: RequestCounts = { deploymentPages: 0, deploymentStatuses: 0, gates: 0, compares: 0, notModified: 0, total: 0 }
  if (options.github === undefined) {
    warnings.push('no GitHub repository (GITHUB_REPOSITORY): there are no deployments to measure')
    return { ...computeMetrics({ deployments: [], gates: [], commits: new Map(), scope, since: options.since, until: options.until, rollbackWindowMs: options.rollbackWindowMs }), source: { requests, commitsFromGit: 0, rangesFromCompare: 0 }, warnings }
  }
  const { client, owner, repo } = options.github
  const cache = options.cacheFile === undefined ? emptyCache(repository!) : await readCache(options.cacheFile, repository!, warnings)

  const measuredEnvironments = new Set(scope.environments.map((environment) => environment.name))
  const measuredServices = new Set(scope.services)
  const gatedBy = new Map(scope.environments.map((environment) => [environment.name, environment.gatedBy]))
  const fetched = await fetchDeploymentHistory({
    client,
    owner,
    repo,
    cache,
    from: options.since - options.lookbackMs,
    until: options.until,
    wanted: (deployment) => deployment.service !== undefined && measuredServices.has(deployment.service) && measuredEnvironments.has(deployment.environment),
    gatedBy,
    gateStatus: options.gateStatus,
    settleMs: options.rollbackWindowMs,
    maxRequests: options.maxRequests,
    now: options.now ?? Date.now(),
    ...(log === undefined ? {} : { log })
  })
  Object.assign(requests, fetched.requests)
  const deployments = fetched.deployments.filter((deployment) => deployment.createdAt < options.until)

  // Lead times: local history first, the compare API for ranges it lacks.
  const git = new Git({ cwd: options.root, ...(options.env === undefined ? {} : { env: options.env }), ...(log === undefined ? {} : { log: (line: string) => log.debug(line) }) })
  const wanted = commitsWanted(deployments, scope)
  let local: Awaited<ReturnType<typeof localHistory>>
  try {
    local = await localHistory(git, options.manifest, wanted, log)
  } catch (error) {
    warnings.push(`local git history could not be read (${(error as Error).message}); the compare API lists the ranges instead`)
    local = { commits: new Map(), missing: wanted.heads }
  }
  const commits = new Map<string, CommitFact>(local.commits)
  const missing = new Set(local.missing)
  const ranges = shippedRanges(deployments, scope).filter((range) => missing.has(range.head) || missing.has(range.base))
  let incompleteCompares = 0
  if (ranges.length > 0) {
    warnings.push(`${ranges.length} deployed range(s) are not in local git history (check out with fetch-depth: 0); read with the compare API, where each of their commits counts for every service`)
    const compared = await compareHistory(client, { owner, repo }, cache, ranges, { maxRequests: options.maxRequests, counts: requests }, log)
    for (const [sha, commit] of compared.commits) if (!commits.has(sha)) commits.set(sha, commit)
    incompleteCompares = compared.unread
  }

  const report = computeMetrics({ deployments, gates: fetched.gates, commits, scope, since: options.since, until: options.until, rollbackWindowMs: options.rollbackWindowMs })
  if (options.cacheFile !== undefined) await writeCache(options.cacheFile, cache)

  const document: MetricsDocument = {
    ...report,
    repository,
    source: { requests, commitsFromGit: local.commits.size, rangesFromCompare: ranges.length, ...(options.cacheFile === undefined ? {} : { cache: options.cacheFile }) },
    warnings
  }
  if (fetched.incomplete !== undefined || incompleteCompares > 0) {
    const incomplete = { ...(fetched.incomplete ?? { listing: false, statuses: 0, gates: 0, compares: 0 }), compares: incompleteCompares }
    document.incomplete = incomplete
    warnings.push(
      `the request budget (${options.maxRequests}) ran out: ${[incomplete.listing ? 'the deployment listing' : '', incomplete.statuses > 0 ? `${incomplete.statuses} deployments' statuses` : '', incomplete.gates > 0 ? `${incomplete.gates} commits' gates` : '', incomplete.compares > 0 ? `${incomplete.compares} comparisons` : ''].filter(Boolean).join(', ')} were not read and are missing from these numbers; the next run reads on from the cache`
    )
  }
  return document
}

async function readCache(file: string, repository: string, warnings: string[]): Promise<MetricsCache> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCache(repository)
    throw error
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    warnings.push(`the cache ${file} is not JSON; starting afresh`)
    return emptyCache(repository)
  }
  const { cache, reason } = reviveCache(value, repository)
  if (reason !== undefined) warnings.push(`the cache ${file} was not used (${reason}); starting afresh`)
  return cache
}

async function writeCache(file: string, cache: MetricsCache): Promise<void> {
  await writeFileAtomically(file, JSON.stringify(cache))
}

/**
 * Written beside itself and renamed over it, so a run that dies half-way never leaves half a
 * file, and a textfile collector never reads one.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, file)
}
