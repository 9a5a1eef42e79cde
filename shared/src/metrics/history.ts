/**
 * The commit history the lead times need, from local git: one `git log` over every deployed
 * commit, down to the common ancestor of each service's first deployment, with each commit's
 * files routed to the services it changes exactly as change detection routes a diff.
 */
import type { Manifest } from '../config/types.js'
import type { Git } from '../git/index.js'
import type { Logger } from '../log/index.js'
import { serviceSelector } from '../plan/index.js'
import type { CommitFact } from './types.js'

export interface LocalHistory {
  commits: Map<string, CommitFact>
  /** Deployed commits local git does not have (and could not fetch): their ranges need the compare API. */
  missing: string[]
}

export async function localHistory(git: Git, manifest: Manifest, wanted: { heads: string[]; firsts: string[] }, log?: Logger): Promise<LocalHistory> {
  const commits = new Map<string, CommitFact>()
  if (wanted.heads.length === 0) return { commits, missing: [] }
  // A shallow clone (actions/checkout's default depth 1) would end the history at its boundary.
  if (await git.isShallow()) {
    log?.info('the repository is shallow: fetching its whole history for the lead times')
    if (!(await git.fetch([], { unshallow: true }))) log?.warn('the history could not be unshallowed; ranges past its boundary use the compare API')
  }
  let present = await git.presentCommits(wanted.heads)
  const absent = wanted.heads.filter((sha) => !present.has(sha))
  if (absent.length > 0 && (await git.fetch(absent))) present = await git.presentCommits(wanted.heads)
  const heads = wanted.heads.filter((sha) => present.has(sha))
  const missing = wanted.heads.filter((sha) => !present.has(sha))
  if (heads.length === 0) return { commits, missing }

  // Everything an earlier deployment shipped is never counted, so history older than the
  // common ancestor of each service's first deployment is not needed.
  const boundary = await git.octopusMergeBase(wanted.firsts.filter((sha) => present.has(sha)))
  const select = serviceSelector(manifest)
  for (const commit of await git.commitLog(heads, boundary === undefined ? [] : [boundary])) {
    const files = commit.files.map((path) => ({ path, status: 'modified' as const }))
    commits.set(commit.sha, { parents: commit.parents, time: commit.time, services: files.length === 0 ? [] : select(files) })
  }
  return { commits, missing }
}
