import type { Git } from '../git/index.js'
import { previousTag, tagFamily } from './tags.js'
import type { ChangeApi, ChangedFile, ChangeSet, DetectRequest, EventContext } from './types.js'

export interface DetectOptions {
  git: Git
  context: EventContext
  request?: DetectRequest
  /** The GitHub API, asked only when local history (and fetching it) cannot answer. */
  api?: ChangeApi
  log?: (line: string) => void
}

/** Deepening steps, in commits, tried before fetching a complete history. */
const DEEPEN_STEPS = [10, 100, 1000]
const COMPARE_CAP = 300
const PULL_REQUEST_FILES_CAP = 3000
const ZERO_SHA = /^0+$/
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

/**
 * Finds the files changed by the event, choosing the base by the event's rule (DESIGN.md §4).
 * When no base can be found it answers `all: true` with the reason, never "the last commit".
 * Local history comes first (fetching what a shallow checkout lacks); the API is asked only for
 * a pull request whose merge base git cannot reach, or for a `since` that names API state.
 */
export async function detectChanges(options: DetectOptions): Promise<ChangeSet> {
  const detection = new Detection(options)
  const { context, request } = options
  if (request?.base !== undefined) return detection.explicitBase(request.base, request.head)
  switch (context.eventName) {
    case 'pull_request':
    case 'pull_request_target':
      return detection.pullRequest()
    case 'push':
      return detection.push()
    case 'merge_group':
      return detection.mergeGroup()
    default:
      return detection.since(request?.since)
  }
}

/** One detection run: the rule for the event, and the fallbacks it took. */
class Detection {
  private readonly git: Git
  private readonly context: EventContext
  private readonly request: DetectRequest
  private readonly api?: ChangeApi
  private readonly log: (line: string) => void
  private readonly warnings: string[] = []

  constructor(options: DetectOptions) {
    this.git = options.git
    this.context = options.context
    this.request = options.request ?? {}
    this.api = options.api
    this.log = options.log ?? (() => undefined)
  }

  async explicitBase(baseRevision: string, headRevision = this.defaultHead()): Promise<ChangeSet> {
    const head = await this.revision(headRevision)
    if (head === undefined) return this.everything(headRevision, `head ${headRevision} was not found locally or on the remote`)
    const base = await this.revision(baseRevision)
    if (base === undefined) return this.everything(head, `base ${baseRevision} was not found locally or on the remote`)
    return this.diff(base, head, `${this.request.baseLabel ?? `base ${baseRevision}`}: ${range(base, head)}`)
  }

  async pullRequest(): Promise<ChangeSet> {
    const { eventName, payload } = this.context
    const pr = payload.pull_request
    const label = `${eventName} #${pr?.number ?? '?'}`
    const baseSha: string | undefined = pr?.base?.sha
    const headSha: string | undefined = pr?.head?.sha
    if (!baseSha || !headSha) {
      return this.everything(this.context.sha, `${label}: the event payload has no base and head sha`)
    }
    const mergeBase = await this.findMergeBase(baseSha, headSha)
    const names = `merge-base(${pr.base.ref ?? short(baseSha)}, ${pr.head.ref ?? short(headSha)})`
    if (mergeBase !== undefined) return this.diff(mergeBase, headSha, `${label}: ${names} ${range(mergeBase, headSha)}`)
    return this.fromApi(label, baseSha, headSha, pr.number, pr.changed_files)
  }

  async push(): Promise<ChangeSet> {
    const { payload } = this.context
    const ref: string = payload.ref ?? this.context.ref
    const head: string = this.context.sha || payload.after
    if (ref.startsWith('refs/tags/')) return this.tag(ref.slice('refs/tags/'.length), head)

    const branch = ref.replace(/^refs\/heads\//, '')
    const before: string | undefined = payload.before
    const label = `${payload.forced ? 'force push' : 'push'} to ${branch}`
    if (!head || ZERO_SHA.test(head)) return this.everything(head, `${label}: the branch was deleted`)
    if (!before || ZERO_SHA.test(before)) {
      if (branch === this.defaultBranch()) {
        return this.everything(head, `push of new default branch ${branch}: there is no earlier commit to compare with`)
      }
      return this.mergeBaseWithDefaultBranch(`push of new branch ${branch}`, branch, head)
    }
    if (await this.ensureCommits([before, head])) {
      return this.diff(before, head, `${label}: before..after ${range(before, head)}`)
    }
    this.warnings.push(`the push's before commit ${short(before)} cannot be fetched (rewritten by a force push?)`)
    if (branch === this.defaultBranch()) {
      return this.everything(head, `${label}: the previous tip ${short(before)} is gone and ${branch} is the default branch`)
    }
    return this.mergeBaseWithDefaultBranch(label, branch, head)
  }

  async mergeGroup(): Promise<ChangeSet> {
    const group = this.context.payload.merge_group
    const base: string | undefined = group?.base_sha
    const head: string = group?.head_sha ?? this.context.sha
    if (!base) return this.everything(head, 'merge_group: the event payload has no base_sha')
    if (!(await this.ensureCommits([base, head]))) {
      return this.everything(head, `merge_group: base ${short(base)} or head ${short(head)} cannot be fetched`)
    }
    return this.diff(base, head, `merge_group: base_sha..head_sha ${range(base, head)}`)
  }

  async since(since: string | undefined): Promise<ChangeSet> {
    const event = this.context.eventName
    const headRevision = this.request.head ?? this.defaultHead()
    const head = await this.revision(headRevision)
    if (head === undefined) return this.everything(headRevision, `${event}: head ${headRevision} was not found locally or on the remote`)
    if (since === undefined || since === '') {
      return this.everything(head, `${event}: no base to compare with (set since to a ref, last-deploy:<environment> or last-success)`)
    }
    const base = await this.sinceCommit(since)
    if (base === undefined) return this.everything(head, `${event}: since ${since} names no commit that can be fetched`)
    if (!(await this.ensureCommits([base]))) {
      return this.everything(head, `${event}: since ${since} resolved to ${short(base)}, which cannot be fetched`)
    }
    return this.diff(base, head, `${event}: since ${since} ${range(base, head)}`)
  }

  private async sinceCommit(since: string): Promise<string | undefined> {
    const environment = /^last-deploy:(.+)$/.exec(since)?.[1]
    if (environment !== undefined) {
      return this.askApi(`successful deployment to ${environment}`, (api) => api.lastDeploymentSha(environment))
    }
    if (since === 'last-success') {
      const workflow = workflowFile(this.context.workflowRef)
      if (workflow === undefined) {
        this.warnings.push('last-success needs the workflow file (GITHUB_WORKFLOW_REF), which is not set')
        return undefined
      }
      const branch = this.context.ref.startsWith('refs/heads/') ? this.context.ref.slice('refs/heads/'.length) : undefined
      return this.askApi(`successful run of ${workflow}${branch ? ` on ${branch}` : ''}`, (api) =>
        api.lastSuccessfulRunSha({ workflow, branch, excludeRunId: this.context.runId })
      )
    }
    return this.revision(since)
  }

  private async askApi(what: string, call: (api: ChangeApi) => Promise<string | undefined>): Promise<string | undefined> {
    if (this.api === undefined) {
      this.warnings.push(`finding the latest ${what} needs the GitHub API, which is not available`)
      return undefined
    }
    try {
      const sha = await call(this.api)
      if (sha === undefined) this.warnings.push(`the GitHub API found no ${what}`)
      else this.log(`latest ${what}: ${sha}`)
      return sha
    } catch (error) {
      this.warnings.push(`the GitHub API failed while looking for the latest ${what}: ${(error as Error).message}`)
      return undefined
    }
  }

  private async tag(name: string, head: string): Promise<ChangeSet> {
    const family = tagFamily(name, this.request.tagPattern)
    let tags
    try {
      tags = await this.git.remoteTags()
    } catch (error) {
      return this.everything(head, `tag ${name}: the remote's tags cannot be listed (${(error as Error).message})`)
    }
    const previous = previousTag(tags, name, family)
    if (previous === undefined) {
      return this.everything(head, `tag ${name}: the first tag matching ${family.pattern}, so there is nothing to compare with`)
    }
    if (!(await this.ensureCommits([previous.sha, head]))) {
      return this.everything(head, `tag ${name}: the previous tag ${previous.name} (${short(previous.sha)}) cannot be fetched`)
    }
    return this.diff(previous.sha, head, `tag ${name}: since previous tag ${previous.name} ${range(previous.sha, head)}`)
  }

  private async mergeBaseWithDefaultBranch(label: string, branch: string, head: string): Promise<ChangeSet> {
    const defaultBranch = this.defaultBranch()
    if (defaultBranch === undefined) {
      return this.everything(head, `${label}: the default branch is unknown, so there is no merge base to compare with`)
    }
    const tracking = `refs/remotes/${this.git.remote}/${defaultBranch}`
    await this.git.fetch([`+refs/heads/${defaultBranch}:${tracking}`], await this.fetchDepth())
    const tip = await this.git.resolve(tracking)
    if (tip === undefined) return this.everything(head, `${label}: the default branch ${defaultBranch} cannot be fetched`)
    const mergeBase = await this.findMergeBase(tip, head)
    if (mergeBase === undefined) {
      return this.everything(head, `${label}: no merge base with the default branch ${defaultBranch}`)
    }
    return this.diff(mergeBase, head, `${label}: merge-base(${defaultBranch}, ${branch}) ${range(mergeBase, head)}`)
  }

  /**
   * The merge base of two commits from a shallow checkout: fetch both tips, then deepen step by
   * step (a merge base is usually a few commits away), then fetch the complete history.
   */
  private async findMergeBase(a: string, b: string): Promise<string | undefined> {
    if (!(await this.ensureCommits([a, b]))) return undefined
    const found = await this.git.mergeBase(a, b)
    if (found !== undefined) return found
    for (const deepen of DEEPEN_STEPS) {
      if (!(await this.git.isShallow())) return undefined
      if (!(await this.git.fetch([a, b], { deepen }))) return undefined
      const deeper = await this.git.mergeBase(a, b)
      if (deeper !== undefined) return deeper
    }
    if (!(await this.git.isShallow())) return undefined
    this.warnings.push(
      `no merge base of ${short(a)} and ${short(b)} within ${DEEPEN_STEPS.at(-1)} commits; fetched their complete history`
    )
    if (!(await this.git.fetch([a, b], { unshallow: true }))) return undefined
    return this.git.mergeBase(a, b)
  }

  private async fromApi(label: string, base: string, head: string, pullNumber?: number, expectedCount?: number): Promise<ChangeSet> {
    if (this.api === undefined) {
      return this.everything(head, `${label}: the merge base is not in git history and the GitHub API is not available`)
    }
    this.warnings.push(`${label}: the merge base of ${short(base)} and ${short(head)} is not in git history; asked the GitHub API`)
    const isComplete = (listing: { files: ChangedFile[]; complete: boolean }): boolean =>
      listing.complete && (expectedCount === undefined || listing.files.length >= expectedCount)
    try {
      const compared = await this.api.compare(base, head)
      if (isComplete(compared)) {
        const mergeBase = compared.mergeBase ?? base
        return this.result(mergeBase, head, compared.files, 'api', `${label}: compare API ${range(mergeBase, head)}`)
      }
      this.warnings.push(`the compare API lists at most ${COMPARE_CAP} files and returned an incomplete list`)
    } catch (error) {
      this.warnings.push(`the compare API failed: ${(error as Error).message}`)
    }
    if (pullNumber !== undefined) {
      try {
        const listed = await this.api.pullRequestFiles(pullNumber, expectedCount)
        if (isComplete(listed)) {
          return this.result(undefined, head, listed.files, 'api', `${label}: pull request files API`)
        }
        this.warnings.push(`the pull request files API lists at most ${PULL_REQUEST_FILES_CAP} files and returned an incomplete list`)
      } catch (error) {
        this.warnings.push(`the pull request files API failed: ${(error as Error).message}`)
      }
    }
    return this.everything(head, `${label}: the changed files cannot be listed completely (not in git history, API listing capped)`)
  }

  /** The commit a ref, tag or sha names, locally or else on the remote. */
  private async revision(revision: string): Promise<string | undefined> {
    const local = await this.git.resolve(revision)
    if (local !== undefined) return local
    if (!(await this.git.fetch([revision], await this.fetchDepth()))) return undefined
    return FULL_SHA.test(revision) ? revision : this.git.fetchedHead()
  }

  /** Fetches whichever of the commits are missing; false when some cannot be fetched. */
  private async ensureCommits(shas: readonly string[]): Promise<boolean> {
    const missing: string[] = []
    for (const sha of new Set(shas)) if (!(await this.git.hasCommit(sha))) missing.push(sha)
    if (missing.length === 0) return true
    return this.git.fetch(missing, await this.fetchDepth())
  }

  /** One commit is enough in a shallow clone; a complete clone must not be made shallow. */
  private async fetchDepth(): Promise<{ depth?: number }> {
    return (await this.git.isShallow()) ? { depth: 1 } : {}
  }

  private defaultBranch(): string | undefined {
    return this.context.defaultBranch ?? this.context.payload.repository?.default_branch
  }

  private defaultHead(): string {
    return this.context.sha || 'HEAD'
  }

  private async diff(base: string, head: string, reason: string): Promise<ChangeSet> {
    return this.result(base, head, await this.git.diff(base, head), 'git', reason)
  }

  private result(base: string | undefined, head: string, files: ChangedFile[], source: 'git' | 'api', reason: string): ChangeSet {
    this.log(`${reason}: ${files.length} changed ${files.length === 1 ? 'file' : 'files'}`)
    return { base, head, all: false, files, reason, source, warnings: this.warnings }
  }

  private everything(head: string, why: string): ChangeSet {
    const reason = `${why}; every service is selected`
    this.log(reason)
    return { base: undefined, head, all: true, files: [], reason, source: 'none', warnings: this.warnings }
  }
}

/** `ci.yml` from `acme/shop/.github/workflows/ci.yml@refs/heads/main`. */
function workflowFile(workflowRef: string | undefined): string | undefined {
  const path = workflowRef?.split('@')[0]
  const file = path?.slice(path.lastIndexOf('/') + 1)
  return file || undefined
}

function range(base: string, head: string): string {
  return `${short(base)}..${short(head)}`
}

function short(sha: string): string {
  return FULL_SHA.test(sha) ? sha.slice(0, 7) : sha
}
