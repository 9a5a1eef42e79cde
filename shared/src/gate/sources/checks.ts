/**
 * The `checks` criterion: check runs and commit statuses on the commit. Pending or missing
 * checks are inconclusive, and failed on the criterion's last poll (docs/gate.md).
 */
import type { GitHubClient } from '../../github/index.js'
import type { ChecksCriterion, Observation } from '../types.js'
import { gateContext, type CommitTarget } from './github.js'

export type CheckState = 'success' | 'failure' | 'pending'

/** One check run or commit status context, reduced to what the gate needs. */
export interface CheckResult {
  name: string
  state: CheckState
  /** GitHub's own word for it: `neutral`, `timed_out`, `in_progress`, `error`, … */
  detail: string
}

const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped'])

/** A pure verdict over the checks found on the commit. */
export function judgeChecks(found: readonly CheckResult[], options: { names?: readonly string[]; lastAttempt: boolean }): Observation {
  const byName = new Map<string, CheckResult>()
  for (const check of found) {
    const known = byName.get(check.name)
    // A name used by both a check run and a status is only as good as its worse half.
    if (known === undefined || rank(check.state) > rank(known.state)) byName.set(check.name, check)
  }
  const required = options.names ?? [...byName.keys()].sort()
  const failing = required.map((name) => byName.get(name)).filter((check): check is CheckResult => check?.state === 'failure')
  if (failing.length > 0) return { phase: 'failed', value: failing.length, message: `failing: ${list(failing)}` }
  const missing = required.filter((name) => !byName.has(name))
  const pending = required.map((name) => byName.get(name)).filter((check): check is CheckResult => check?.state === 'pending')
  const waiting = [...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []), ...(pending.length > 0 ? [`pending: ${list(pending)}`] : [])]
  if (required.length === 0) waiting.push('no check runs or commit statuses on the commit yet')
  if (waiting.length > 0) {
    const message = waiting.join('; ')
    return options.lastAttempt ? { phase: 'failed', message: `still ${message} when the wait ended` } : { phase: 'inconclusive', message }
  }
  return { phase: 'successful', value: required.length, message: `${required.length} ${required.length === 1 ? 'check' : 'checks'} green: ${required.join(', ')}` }
}

function rank(state: CheckState): number {
  return state === 'failure' ? 2 : state === 'pending' ? 1 : 0
}

function list(checks: readonly CheckResult[]): string {
  return checks.map((check) => `${check.name} (${check.detail})`).join(', ')
}

/**
 * The latest check run per name and the latest status per context on the commit, except the
 * gate's own `flotilla/gate <environment>` (other environments' gates are checks like any other).
 */
export async function fetchChecks(client: GitHubClient, target: CommitTarget, environment: string): Promise<CheckResult[]> {
  const own = gateContext(environment)
  const { owner, repo, sha } = target
  const runs = await client.paginate(client.rest.checks.listForRef, { owner, repo, ref: sha, filter: 'latest', per_page: 100 })
  const statuses = await client.paginate(client.rest.repos.listCommitStatusesForRef, { owner, repo, ref: sha, per_page: 100 })
  const results: CheckResult[] = runs.map((run) => {
    if (run.status !== 'completed') return { name: run.name, state: 'pending', detail: run.status }
    const conclusion = run.conclusion ?? 'unknown'
    return { name: run.name, state: PASSING_CONCLUSIONS.has(conclusion) ? 'success' : 'failure', detail: conclusion }
  })
  const seen = new Set<string>()
  // Newest first: the first status of a context is its current one.
  for (const status of statuses) {
    if (seen.has(status.context)) continue
    seen.add(status.context)
    const state: CheckState = status.state === 'success' ? 'success' : status.state === 'pending' ? 'pending' : 'failure'
    results.push({ name: status.context, state, detail: status.state })
  }
  return results.filter((result) => result.name !== own)
}

export async function measureChecks(client: GitHubClient, target: CommitTarget, environment: string, criterion: Pick<ChecksCriterion, 'names' | 'evaluation'>, attempt: number): Promise<Observation> {
  const found = await fetchChecks(client, target, environment)
  return judgeChecks(found, { ...(criterion.names === undefined ? {} : { names: criterion.names }), lastAttempt: attempt >= criterion.evaluation.count })
}
