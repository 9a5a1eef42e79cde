/**
 * Reads what the metrics need from GitHub with the retrying, throttled client: the Deployments
 * (newest first, 100 a page), each one's statuses, the gate verdicts on deployed commits, and —
 * only for history local git lacks — comparisons. What can no longer change is kept in a cache
 * (a JSON file the workflow keeps with actions/cache) and never asked for again; what still can
 * is asked with its ETag, and GitHub's 304 answer costs no rate limit. A request budget bounds
 * one run: what it leaves unread is read by the next run, and the report says so.
 */
import { gateContext } from '../gate/sources/github.js'
import type { GitHubClient } from '../github/index.js'
import type { Logger } from '../log/index.js'
import { deploymentOutcome, flotillaService } from './compute.js'
import type { CommitFact, DeploymentFact, DeploymentState, GateFact, StatusFact } from './types.js'

export const CACHE_VERSION = 1
const PER_PAGE = 100

export interface CachedDeployment {
  id: number
  sha: string
  environment: string
  createdAt: number
  service?: string
  /** Present once read; `final` when a success, failure or error is among them, and never read again. */
  statuses?: StatusFact[]
  final?: boolean
  etag?: string
}

export interface CachedGates {
  facts: GateFact[]
  /** Every gate that can judge the commit has its verdict (or the commit has settled): never read again. */
  final: boolean
  etag?: string
}

export interface MetricsCache {
  version: typeof CACHE_VERSION
  repository: string
  deployments: Record<string, CachedDeployment>
  /**
   * Every deployment with an id up to `newestId` created at or after `oldestCreatedAt` is in the
   * cache (deployments are listed newest first, so a walk that meets `newestId` can stop).
   */
  coverage?: { newestId: number; oldestCreatedAt: number }
  /** Keyed `<sha> <environment>` for check runs, `<sha>` for commit statuses. */
  gates: Record<string, CachedGates>
  /** Keyed `<base>..<head>`. */
  compares: Record<string, Array<{ sha: string; parents: string[]; time: number }>>
}

export function emptyCache(repository: string): MetricsCache {
  return { version: CACHE_VERSION, repository, deployments: {}, gates: {}, compares: {} }
}

/** A cache read from a file: one for another repository or version starts afresh. */
export function reviveCache(value: unknown, repository: string): { cache: MetricsCache; reason?: string } {
  const candidate = value as Partial<MetricsCache> | null
  if (typeof candidate !== 'object' || candidate === null || candidate.version !== CACHE_VERSION) return { cache: emptyCache(repository), reason: `not a version ${CACHE_VERSION} metrics cache` }
  if (candidate.repository !== repository) return { cache: emptyCache(repository), reason: `the cache is ${String(candidate.repository)}'s, not ${repository}'s` }
  if (typeof candidate.deployments !== 'object' || typeof candidate.gates !== 'object' || typeof candidate.compares !== 'object') return { cache: emptyCache(repository), reason: 'the cache is incomplete' }
  return { cache: candidate as MetricsCache }
}

export type GateStatusKind = 'commit-status' | 'check-run' | 'none'

export interface FetchOptions {
  client: GitHubClient
  owner: string
  repo: string
  cache: MetricsCache
  /** Deployments created before this are not read (the window's start less the look-back). */
  from: number
  /** The end of the window: gates of commits deployed after it are not read. */
  until: number
  /** Which deployments matter: their statuses are read (others are listed only). */
  wanted: (deployment: CachedDeployment) => boolean
  /** Environments whose deployed commits gated environments judge, and those gated environments. */
  gatedBy: ReadonlyMap<string, readonly string[]>
  gateStatus: GateStatusKind
  /** Once a deployment is this old, a gate that has not judged its commit never will. */
  settleMs: number
  /** At most this many requests (every one counts, 304s included). */
  maxRequests: number
  now: number
  log?: Logger
}

export interface RequestCounts {
  deploymentPages: number
  deploymentStatuses: number
  gates: number
  compares: number
  /** Conditional requests GitHub answered 304 Not Modified (no rate limit spent). */
  notModified: number
  total: number
}

export interface FetchResult {
  deployments: DeploymentFact[]
  gates: GateFact[]
  requests: RequestCounts
  /** What the budget left unread, when it ran out. */
  incomplete?: { listing: boolean; statuses: number; gates: number; compares: number }
}

/** The budget, the counts, and conditional GETs that fall back on the cached answer for a 304. */
class Requests {
  readonly counts: RequestCounts = { deploymentPages: 0, deploymentStatuses: 0, gates: 0, compares: 0, notModified: 0, total: 0 }

  constructor(
    private readonly client: GitHubClient,
    private readonly max: number
  ) {}

  get left(): number {
    return this.max - this.counts.total
  }

  /** GETs `route`; undefined for 304 Not Modified (the caller keeps what it has). */
  async get(kind: Exclude<keyof RequestCounts, 'notModified' | 'total'>, route: string, parameters: Record<string, unknown>, etag?: string): Promise<{ data: any; etag?: string; link?: string } | undefined> {
    this.counts.total++
    this.counts[kind]++
    try {
      const response = await this.client.request(route, { ...parameters, headers: etag === undefined ? {} : { 'if-none-match': etag } })
      return { data: response.data, etag: response.headers.etag, link: response.headers.link }
    } catch (error) {
      if ((error as { status?: unknown }).status === 304) {
        this.counts.notModified++
        return undefined
      }
      throw error
    }
  }
}

/** Reads deployments, statuses and gates into the cache within the budget; returns the facts. */
export async function fetchDeploymentHistory(options: FetchOptions): Promise<FetchResult> {
  const { cache, owner, repo } = options
  const requests = new Requests(options.client, options.maxRequests)
  const incomplete = { listing: false, statuses: 0, gates: 0, compares: 0 }

  incomplete.listing = !(await listDeployments(options, requests))

  // Statuses, newest deployments first: the recent weeks are complete first when the budget is short.
  const needStatuses = Object.values(cache.deployments)
    .filter((deployment) => deployment.createdAt >= options.from && !deployment.final && options.wanted(deployment))
    .sort((a, b) => b.id - a.id)
  for (const deployment of needStatuses) {
    if (requests.left <= 0) {
      incomplete.statuses++
      continue
    }
    await readStatuses(deployment, owner, repo, requests)
  }

  const deployments: DeploymentFact[] = Object.values(cache.deployments)
    .filter((deployment) => deployment.createdAt >= options.from)
    .map((deployment) => ({
      id: deployment.id,
      sha: deployment.sha,
      environment: deployment.environment,
      createdAt: deployment.createdAt,
      ...(deployment.service === undefined ? {} : { service: deployment.service }),
      ...(deployment.statuses === undefined ? {} : { statuses: deployment.statuses })
    }))

  const gates = options.gateStatus === 'none' ? [] : await readGates(options, deployments, requests, incomplete)
  const result: FetchResult = { deployments, gates, requests: requests.counts }
  if (incomplete.listing || incomplete.statuses > 0 || incomplete.gates > 0) result.incomplete = incomplete
  return result
}

/**
 * Pages through the deployments, newest first, until the listing meets what the cache already
 * covers, passes `from`, or ends. Returns false when the budget stopped it first.
 */
async function listDeployments(options: FetchOptions, requests: Requests): Promise<boolean> {
  const { cache } = options
  const coverage = cache.coverage
  let newestId: number | undefined
  let oldest = Infinity
  for (let page = 1; ; page++) {
    if (requests.left <= 0) return false
    const answer = await requests.get('deploymentPages', 'GET /repos/{owner}/{repo}/deployments', { owner: options.owner, repo: options.repo, task: 'deploy', per_page: PER_PAGE, page })
    const listed: any[] = answer?.data ?? []
    for (const raw of listed) {
      const id = Number(raw.id)
      newestId ??= id
      const createdAt = Date.parse(raw.created_at)
      oldest = Math.min(oldest, createdAt)
      if (cache.deployments[id] !== undefined) continue
      const service = flotillaService(raw.task, raw.payload)
      cache.deployments[id] = { id, sha: raw.sha, environment: raw.environment, createdAt, ...(service === undefined ? {} : { service }) }
    }
    const joined = coverage !== undefined && listed.some((raw) => Number(raw.id) <= coverage.newestId) && coverage.oldestCreatedAt <= options.from
    const ended = !/\brel="next"/.test(answer?.link ?? '')
    if (joined || ended || oldest < options.from) {
      const reachedBack = joined ? coverage!.oldestCreatedAt : ended ? 0 : oldest
      if (newestId !== undefined) cache.coverage = { newestId: Math.max(newestId, coverage?.newestId ?? 0), oldestCreatedAt: reachedBack }
      return true
    }
  }
}

async function readStatuses(deployment: CachedDeployment, owner: string, repo: string, requests: Requests): Promise<void> {
  const statuses: StatusFact[] = []
  let etag: string | undefined
  for (let page = 1; ; page++) {
    // Only the first page is asked conditionally: a deployment rarely has more than 100 statuses.
    const answer = await requests.get('deploymentStatuses', 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner, repo, deployment_id: deployment.id, per_page: PER_PAGE, page }, page === 1 ? deployment.etag : undefined)
    if (answer === undefined) return // 304: what the cache holds is still true
    if (page === 1) etag = answer.etag
    for (const raw of answer.data as any[]) statuses.push({ id: Number(raw.id), state: raw.state as DeploymentState, at: Date.parse(raw.created_at), description: raw.description ?? '' })
    if (!/\brel="next"/.test(answer.link ?? '') || requests.left <= 0) break
  }
  statuses.sort((a, b) => a.at - b.at || a.id - b.id)
  const outcome = deploymentOutcome(statuses)
  deployment.statuses = statuses
  deployment.final = outcome.kind !== 'in-progress'
  if (deployment.final) delete deployment.etag
  else if (etag !== undefined) deployment.etag = etag
}

/**
 * The gate verdicts on every commit deployed successfully to an environment a gated one
 * requires: one combined status per commit (or one check-run listing per commit and gate).
 */
async function readGates(options: FetchOptions, deployments: readonly DeploymentFact[], requests: Requests, incomplete: { gates: number }): Promise<GateFact[]> {
  const { cache, owner, repo } = options
  // Per commit: the gated environments that may judge it, and when it was last deployed (to settle).
  const commits = new Map<string, { gates: Set<string>; deployedAt: number }>()
  for (const deployment of deployments) {
    const judges = options.gatedBy.get(deployment.environment)
    if (judges === undefined || judges.length === 0 || deployment.service === undefined || deployment.statuses === undefined) continue
    const outcome = deploymentOutcome(deployment.statuses)
    if (outcome.kind !== 'success' || outcome.successAt! >= options.until) continue
    const entry = commits.get(deployment.sha) ?? { gates: new Set<string>(), deployedAt: 0 }
    for (const gate of judges) entry.gates.add(gate)
    entry.deployedAt = Math.max(entry.deployedAt, outcome.successAt!)
    commits.set(deployment.sha, entry)
  }
  const facts: GateFact[] = []
  // Newest commits first, as for statuses.
  for (const [sha, { gates, deployedAt }] of [...commits].sort((a, b) => b[1].deployedAt - a[1].deployedAt)) {
    const settled = options.now - deployedAt > options.settleMs
    const keys = options.gateStatus === 'check-run' ? [...gates].map((gate) => ({ key: `${sha} ${gate}`, gate })) : [{ key: sha, gate: undefined }]
    for (const { key, gate } of keys) {
      const cached = cache.gates[key]
      if (cached?.final) {
        facts.push(...cached.facts)
        continue
      }
      if (requests.left <= 0) {
        incomplete.gates++
        if (cached !== undefined) facts.push(...cached.facts)
        continue
      }
      const read = gate === undefined ? await readCommitStatuses(sha, gates, owner, repo, requests, cached?.etag) : await readCheckRuns(sha, gate, owner, repo, requests, cached?.etag)
      const known = read === undefined ? (cached?.facts ?? []) : read.facts
      const judged = [...gates].filter((environment) => gate === undefined || environment === gate).every((environment) => known.some((fact) => fact.environment === environment && fact.state !== 'pending'))
      cache.gates[key] = { facts: known, final: judged || settled, ...(read?.etag ?? cached?.etag ? { etag: read?.etag ?? cached?.etag } : {}) }
      if (cache.gates[key].final) delete cache.gates[key].etag
      facts.push(...known)
    }
  }
  return facts
}

async function readCommitStatuses(sha: string, gates: ReadonlySet<string>, owner: string, repo: string, requests: Requests, etag?: string): Promise<{ facts: GateFact[]; etag?: string } | undefined> {
  // The combined status holds the latest status of each context, 100 contexts a page.
  const answer = await requests.get('gates', 'GET /repos/{owner}/{repo}/commits/{ref}/status', { owner, repo, ref: sha, per_page: PER_PAGE }, etag)
  if (answer === undefined) return undefined
  const facts: GateFact[] = []
  for (const environment of gates) {
    const status = (answer.data.statuses as any[]).find((entry) => entry.context === gateContext(environment))
    if (status !== undefined) facts.push({ sha, environment, state: status.state, at: Date.parse(status.updated_at ?? status.created_at) })
  }
  return { facts, etag: answer.etag }
}

async function readCheckRuns(sha: string, environment: string, owner: string, repo: string, requests: Requests, etag?: string): Promise<{ facts: GateFact[]; etag?: string } | undefined> {
  const answer = await requests.get('gates', 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { owner, repo, ref: sha, check_name: gateContext(environment), filter: 'latest', per_page: PER_PAGE }, etag)
  if (answer === undefined) return undefined
  const run = (answer.data.check_runs as any[])[0]
  if (run === undefined) return { facts: [], etag: answer.etag }
  const state: GateFact['state'] = run.status !== 'completed' ? 'pending' : run.conclusion === 'success' ? 'success' : run.conclusion === 'failure' ? 'failure' : 'error'
  return { facts: [{ sha, environment, state, at: Date.parse(run.completed_at ?? run.started_at) }], etag: answer.etag }
}

/**
 * The commits of `base..head` from the compare API, 100 a page, for ranges local git cannot
 * give. Comparisons of two commits never change, so each is cached for good. The API cannot say
 * which files each commit changed, so these commits count for every service.
 */
export async function compareHistory(
  client: GitHubClient,
  target: { owner: string; repo: string },
  cache: MetricsCache,
  ranges: ReadonlyArray<{ base: string; head: string }>,
  budget: { maxRequests: number; counts: RequestCounts },
  log?: Logger
): Promise<{ commits: Map<string, CommitFact>; unread: number }> {
  const requests = new Requests(client, budget.maxRequests - budget.counts.total)
  const commits = new Map<string, CommitFact>()
  let unread = 0
  for (const { base, head } of ranges) {
    const key = `${base}..${head}`
    let listed = cache.compares[key]
    if (listed === undefined) {
      if (requests.left <= 0) {
        unread++
        continue
      }
      try {
        const found: Array<{ sha: string; parents: string[]; time: number }> = []
        let complete = false
        for (let page = 1; requests.left > 0; page++) {
          const answer = await requests.get('compares', 'GET /repos/{owner}/{repo}/compare/{basehead}', { ...target, basehead: `${base}...${head}`, per_page: PER_PAGE, page })
          const data = answer!.data
          for (const commit of data.commits as any[]) found.push({ sha: commit.sha, parents: (commit.parents as any[]).map((parent) => parent.sha), time: Date.parse(commit.commit.committer?.date ?? commit.commit.author?.date) })
          complete = found.length >= data.total_commits || data.commits.length === 0
          if (complete) break
        }
        // Only a whole comparison counts and is kept: one cut short by the budget is asked again next time.
        if (!complete) {
          unread++
          continue
        }
        listed = found
        cache.compares[key] = listed
      } catch (error) {
        log?.warn(`comparing ${base.slice(0, 12)}...${head.slice(0, 12)} failed: ${(error as Error).message}; its commits are not counted`)
        continue
      }
    }
    for (const commit of listed) if (!commits.has(commit.sha)) commits.set(commit.sha, { parents: commit.parents, time: commit.time })
  }
  for (const [kind, count] of Object.entries(requests.counts) as Array<[keyof RequestCounts, number]>) budget.counts[kind] += count
  return { commits, unread }
}
