/**
 * Real git repositories for tests, laid out the way GitHub Actions sees them.
 *
 *   const repo = await RepoFixture.create()        // bare origin (default branch main) + work clone
 *   const first = await repo.commit({ write: { 'src/cart/a.ts': 'x' } })
 *   await repo.push('main')
 *   await repo.switchTo('feature', { create: true })
 *   const head = await repo.commit({ rename: { 'src/cart/a.ts': 'src/cart/b.ts' } })
 *   await repo.push('feature')
 *   const pr = await repo.pullRequest(7, { base: 'main', head: 'feature' })   // refs/pull/7/{head,merge}
 *   const { dir, sha } = await repo.checkout({ pullRequest: 7 })             // like actions/checkout, depth 1
 *   const payload = pullRequestPayload({ number: 7, base: { ref: 'main', sha: pr.baseSha }, head: { ref: 'feature', sha: head } })
 *   const context = eventContext('pull_request', payload, { sha, ref: 'refs/pull/7/merge' })
 *   await repo.cleanup()
 *
 * Exports:
 * - `gitEnv`: the environment every fixture git process runs with (fixed identity, no user or
 *   system config, no inherited GIT_* variables); pass it to `new Git({ cwd, env: gitEnv })`.
 * - `runGit(cwd, args)`: runs git there with `gitEnv`, returns stdout without the final newline.
 * - `RepoFixture`: `create()`, `root`, `origin` (bare repo path), `url` (file:// URL of origin),
 *   `work` (authoring clone), `commit(changes, message?, { date? })`, `importCommits(commits)`, `switchTo(branch, { create?, from? })`,
 *   `push(branch, { force? })`, `tag(name, { sha?, annotated? })`, `pullRequest(n, { base, head })`,
 *   `forgetUnreachable()`, `checkout(target)`, `sha(revision?)`, `cleanup()`.
 * - Event payloads with the fields GitHub sends and Flotilla reads: `pushPayload`,
 *   `pullRequestPayload`, `mergeGroupPayload`, `workflowDispatchPayload`; `writeEventPayload(dir,
 *   payload)` writes one to a file for GITHUB_EVENT_PATH; `eventContext(...)` builds the
 *   `EventContext` change detection reads; `ZERO_SHA`, `REPOSITORY`.
 *
 * The origin mimics GitHub's upload-pack: any commit reachable from a ref can be fetched by sha,
 * unreachable ones cannot (after `forgetUnreachable()` removes them).
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import type { EventContext } from '../../shared/src/changes/types.js'

export const ZERO_SHA = '0000000000000000000000000000000000000000'
export const REPOSITORY = { owner: 'acme', repo: 'shop' }

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Flotilla Test',
  GIT_AUTHOR_EMAIL: 'test@flotilla.invalid',
  GIT_COMMITTER_NAME: 'Flotilla Test',
  GIT_COMMITTER_EMAIL: 'test@flotilla.invalid'
}

/** The inherited environment without GIT_* variables (which could point git at another repository), plus a fixed identity and no user or system config. */
export const gitEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_'))),
  ...IDENTITY,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0'
}

/** Runs `git <args>` in `cwd` with `gitEnv`; rejects on a non-zero exit. */
export async function runGit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = gitEnv): Promise<string> {
  const result = await exec(['git', ...args], { cwd, env })
  return result.stdout.toString('utf8').replace(/\n$/, '')
}

/** What one commit does to the work tree. Paths are repository-relative and taken literally. */
export interface FileChanges {
  /** Path → content (created or overwritten). */
  write?: Record<string, string>
  remove?: string[]
  /** Old path → new path. */
  rename?: Record<string, string>
}

/** Where `checkout` points HEAD, mirroring actions/checkout's ref handling. */
export type CheckoutTarget =
  | { branch: string; sha?: string }
  | { pullRequest: number }
  | { tag: string }
  | { sha: string }

export interface Checkout {
  dir: string
  /** The commit checked out (GITHUB_SHA). */
  sha: string
}

export interface PullRequestRefs {
  number: number
  baseSha: string
  headSha: string
  /** The test merge commit GitHub keeps at refs/pull/<n>/merge. */
  mergeSha: string
}

export class RepoFixture {
  private commits = 0
  private checkouts = 0

  private constructor(
    /** Temp directory holding every repository of this fixture. */
    readonly root: string,
    /** The bare repository playing GitHub. */
    readonly origin: string,
    readonly url: string,
    /** A clone where tests author commits, starting on an unborn `main`. */
    readonly work: string
  ) {}

  static async create(): Promise<RepoFixture> {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-git-'))
    const origin = join(root, 'origin.git')
    const work = join(root, 'work')
    const url = `file://${origin}`
    await runGit(root, ['init', '--quiet', '--bare', '--initial-branch=main', origin])
    await runGit(origin, ['config', 'uploadpack.allowReachableSHA1InWant', 'true'])
    await runGit(origin, ['config', 'uploadpack.allowAnySHA1InWant', 'false'])
    await runGit(root, ['init', '--quiet', '--initial-branch=main', work])
    await runGit(work, ['remote', 'add', 'origin', url])
    return new RepoFixture(root, origin, url, work)
  }

  /**
   * Applies the changes in the work clone and commits them on its current branch; returns the sha.
   * The author and committer date is `date` when given, else one minute after the previous commit's.
   */
  async commit(changes: FileChanges, message = `commit ${this.commits + 1}`, options: { date?: Date } = {}): Promise<string> {
    for (const [path, content] of Object.entries(changes.write ?? {})) {
      await mkdir(dirname(join(this.work, path)), { recursive: true })
      await writeFile(join(this.work, path), content)
    }
    for (const path of changes.remove ?? []) await rm(join(this.work, path))
    for (const [from, to] of Object.entries(changes.rename ?? {})) {
      await mkdir(dirname(join(this.work, to)), { recursive: true })
      await rename(join(this.work, from), join(this.work, to))
    }
    await runGit(this.work, ['add', '--all'])
    // One minute per commit keeps shas deterministic while giving history a believable order.
    const date = (options.date ?? new Date(Date.UTC(2024, 0, 1) + (this.commits + 1) * 60_000)).toISOString()
    this.commits++
    const env = { ...gitEnv, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
    await runGit(this.work, ['commit', '--quiet', '--message', message], env)
    return this.sha()
  }

  /**
   * Appends many commits to the work clone's current branch in one `git fast-import` (a year of
   * history in a second), then checks the last one out and pushes the branch; returns their shas
   * in order. Each commit writes `write` (paths → content) on top of the previous tree.
   */
  async importCommits(commits: ReadonlyArray<{ write: Record<string, string>; message: string; date: Date }>, branch = 'main'): Promise<string[]> {
    if (commits.length === 0) return []
    const parent = (await exec(['git', 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: this.work, env: gitEnv, allowFailure: true })).stdout.toString('utf8').trim()
    const chunks: Buffer[] = []
    const data = (text: string): void => {
      const bytes = Buffer.from(text)
      chunks.push(Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n'))
    }
    commits.forEach((commit, index) => {
      const seconds = Math.floor(commit.date.getTime() / 1000)
      chunks.push(Buffer.from(`commit refs/heads/${branch}\nmark :${index + 1}\ncommitter ${IDENTITY.GIT_COMMITTER_NAME} <${IDENTITY.GIT_COMMITTER_EMAIL}> ${seconds} +0000\n`))
      data(commit.message)
      if (index === 0 && parent !== '') chunks.push(Buffer.from(`from ${parent}\n`))
      for (const [path, content] of Object.entries(commit.write)) {
        chunks.push(Buffer.from(`M 100644 inline ${path}\n`))
        data(content)
      }
      chunks.push(Buffer.from('\n'))
    })
    const marks = join(this.root, `marks-${++this.checkouts}`)
    await exec(['git', 'fast-import', '--quiet', `--export-marks=${marks}`], { cwd: this.work, env: gitEnv, input: Buffer.concat(chunks) })
    const { readFile } = await import('node:fs/promises')
    const byMark = new Map((await readFile(marks, 'utf8')).trim().split('\n').map((line) => [Number(line.slice(1, line.indexOf(' '))), line.slice(line.indexOf(' ') + 1)] as const))
    this.commits += commits.length
    await runGit(this.work, ['reset', '--quiet', '--hard', `refs/heads/${branch}`])
    await this.push(branch)
    return commits.map((_, index) => byMark.get(index + 1)!)
  }

  /**
   * Switches the work clone to `branch`. With `create`, the branch is created, or reset if it
   * exists, at `from` (default: the current commit), which is how tests rewrite history.
   */
  async switchTo(branch: string, options: { create?: boolean; from?: string } = {}): Promise<void> {
    const args = options.create ? ['switch', '--quiet', '--force-create', branch] : ['switch', '--quiet', branch]
    if (options.from !== undefined) args.push(options.from)
    await runGit(this.work, args)
  }

  /** Pushes the work clone's `branch` to the origin's branch of the same name; returns its sha. */
  async push(branch: string, options: { force?: boolean } = {}): Promise<string> {
    const spec = `${options.force ? '+' : ''}refs/heads/${branch}:refs/heads/${branch}`
    await runGit(this.work, ['push', '--quiet', 'origin', spec])
    return this.sha(`refs/heads/${branch}`)
  }

  /** Creates a tag (annotated when asked) at `sha` (default HEAD) and pushes it; returns the tagged commit. */
  async tag(name: string, options: { sha?: string; annotated?: boolean } = {}): Promise<string> {
    const target = options.sha ?? (await this.sha())
    const args = options.annotated ? ['tag', '--annotate', '--message', name, name, target] : ['tag', name, target]
    await runGit(this.work, args)
    await runGit(this.work, ['push', '--quiet', 'origin', `refs/tags/${name}:refs/tags/${name}`])
    return target
  }

  /**
   * Publishes pull request `number` the way GitHub does: refs/pull/<n>/head at the head branch and
   * refs/pull/<n>/merge at a test merge of head into base. Both branches are work-clone branches.
   */
  async pullRequest(number: number, branches: { base: string; head: string }): Promise<PullRequestRefs> {
    const baseSha = await this.sha(`refs/heads/${branches.base}`)
    const headSha = await this.sha(`refs/heads/${branches.head}`)
    const tree = (await runGit(this.work, ['merge-tree', '--write-tree', baseSha, headSha])).split('\n')[0]
    const message = `Merge ${headSha} into ${baseSha}`
    const mergeSha = await runGit(this.work, ['commit-tree', tree, '-p', baseSha, '-p', headSha, '-m', message])
    await runGit(this.work, [
      'push',
      '--quiet',
      '--force',
      'origin',
      `${headSha}:refs/pull/${number}/head`,
      `${mergeSha}:refs/pull/${number}/merge`
    ])
    return { number, baseSha, headSha, mergeSha }
  }

  /** Deletes from the origin every object no ref reaches, as GitHub eventually does after a force push. */
  async forgetUnreachable(): Promise<void> {
    await runGit(this.origin, ['reflog', 'expire', '--expire=now', '--all'])
    await runGit(this.origin, ['gc', '--quiet', '--prune=now'])
  }

  /**
   * A new clone holding what actions/checkout v4 leaves with `fetch-depth: 1`: one commit, no
   * tags, `origin` pointing at the fixture's origin. Branches get a local branch at the commit,
   * pull requests and shas a detached HEAD (pull requests at refs/pull/<n>/merge).
   */
  async checkout(target: CheckoutTarget): Promise<Checkout> {
    const dir = join(this.root, `checkout-${++this.checkouts}`)
    await runGit(this.root, ['init', '--quiet', dir])
    await runGit(dir, ['remote', 'add', 'origin', this.url])
    const [refspec, checkoutArgs] = await this.checkoutPlan(target)
    await runGit(dir, [
      '-c',
      'protocol.version=2',
      'fetch',
      '--quiet',
      '--no-tags',
      '--prune',
      '--no-recurse-submodules',
      '--depth=1',
      'origin',
      refspec
    ])
    await runGit(dir, ['checkout', '--quiet', '--force', ...checkoutArgs])
    return { dir, sha: await runGit(dir, ['rev-parse', 'HEAD']) }
  }

  /** The commit a revision names in the work clone (HEAD by default). */
  async sha(revision = 'HEAD'): Promise<string> {
    return runGit(this.work, ['rev-parse', '--verify', `${revision}^{commit}`])
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true })
  }

  private async checkoutPlan(target: CheckoutTarget): Promise<[refspec: string, checkout: string[]]> {
    if ('pullRequest' in target) {
      const ref = `refs/remotes/pull/${target.pullRequest}/merge`
      return [`+refs/pull/${target.pullRequest}/merge:${ref}`, [ref]]
    }
    if ('tag' in target) {
      return [`+refs/tags/${target.tag}:refs/tags/${target.tag}`, [`refs/tags/${target.tag}`]]
    }
    if ('branch' in target) {
      const sha = target.sha ?? (await runGit(this.origin, ['rev-parse', `refs/heads/${target.branch}`]))
      const ref = `refs/remotes/origin/${target.branch}`
      return [`+${sha}:${ref}`, ['-B', target.branch, ref]]
    }
    return [target.sha, [target.sha]]
  }
}

interface RepositoryPayload {
  id: number
  name: string
  full_name: string
  owner: { login: string }
  default_branch: string
  private: boolean
}

function repositoryPayload(defaultBranch = 'main'): RepositoryPayload {
  return {
    id: 1296269,
    name: REPOSITORY.repo,
    full_name: `${REPOSITORY.owner}/${REPOSITORY.repo}`,
    owner: { login: REPOSITORY.owner },
    default_branch: defaultBranch,
    private: false
  }
}

const SENDER = { login: 'octocat', id: 1, type: 'User' }

/** A `push` event. `before` is ZERO_SHA for a new branch or tag. */
export function pushPayload(options: {
  ref: string
  before: string
  after: string
  forced?: boolean
  defaultBranch?: string
}): Record<string, any> {
  const created = options.before === ZERO_SHA
  const deleted = options.after === ZERO_SHA
  return {
    ref: options.ref,
    before: options.before,
    after: options.after,
    base_ref: null,
    created,
    deleted,
    forced: options.forced ?? false,
    compare: `https://github.com/${REPOSITORY.owner}/${REPOSITORY.repo}/compare/${options.before.slice(0, 12)}...${options.after.slice(0, 12)}`,
    commits: [],
    head_commit: deleted ? null : { id: options.after, tree_id: '', distinct: true, message: 'change' },
    repository: repositoryPayload(options.defaultBranch),
    pusher: { name: SENDER.login, email: 'octocat@github.invalid' },
    sender: SENDER
  }
}

/** A `pull_request` (or `pull_request_target`) event. */
export function pullRequestPayload(options: {
  number: number
  base: { ref: string; sha: string }
  head: { ref: string; sha: string }
  changedFiles?: number
  action?: string
  defaultBranch?: string
}): Record<string, any> {
  const repository = repositoryPayload(options.defaultBranch)
  return {
    action: options.action ?? 'synchronize',
    number: options.number,
    pull_request: {
      number: options.number,
      state: 'open',
      draft: false,
      title: `Pull request ${options.number}`,
      user: SENDER,
      base: { label: `${REPOSITORY.owner}:${options.base.ref}`, ref: options.base.ref, sha: options.base.sha, repo: repository },
      head: { label: `${REPOSITORY.owner}:${options.head.ref}`, ref: options.head.ref, sha: options.head.sha, repo: repository },
      merged: false,
      mergeable: null,
      merge_commit_sha: null,
      commits: 1,
      changed_files: options.changedFiles ?? 0,
      additions: 0,
      deletions: 0
    },
    repository,
    sender: SENDER
  }
}

/** A `merge_group` event (`checks_requested`) for a queue on `baseRef`. */
export function mergeGroupPayload(options: {
  baseSha: string
  headSha: string
  baseRef?: string
  defaultBranch?: string
}): Record<string, any> {
  const baseRef = options.baseRef ?? 'refs/heads/main'
  return {
    action: 'checks_requested',
    merge_group: {
      head_sha: options.headSha,
      head_ref: `refs/heads/gh-readonly-queue/${baseRef.replace(/^refs\/heads\//, '')}/pr-1-${options.baseSha}`,
      base_sha: options.baseSha,
      base_ref: baseRef,
      head_commit: { id: options.headSha, tree_id: '', message: 'Merge queue' }
    },
    repository: repositoryPayload(options.defaultBranch),
    sender: SENDER
  }
}

/** A `workflow_dispatch` event with its inputs. */
export function workflowDispatchPayload(options: {
  ref: string
  inputs?: Record<string, string>
  workflow?: string
  defaultBranch?: string
}): Record<string, any> {
  return {
    inputs: options.inputs ?? {},
    ref: options.ref,
    workflow: options.workflow ?? '.github/workflows/ci.yml',
    repository: repositoryPayload(options.defaultBranch),
    sender: SENDER
  }
}

/** Writes `payload` as `event.json` in `dir` and returns its path (for GITHUB_EVENT_PATH). */
export async function writeEventPayload(dir: string, payload: Record<string, any>): Promise<string> {
  const path = join(dir, 'event.json')
  await mkdir(dir, { recursive: true })
  await writeFile(path, JSON.stringify(payload, null, 2))
  return path
}

/** The `EventContext` a runner would derive from GITHUB_* variables and the payload. */
export function eventContext(
  eventName: string,
  payload: Record<string, any>,
  fields: { sha: string; ref: string; workflowRef?: string; runId?: number }
): EventContext {
  return {
    eventName,
    sha: fields.sha,
    ref: fields.ref,
    payload,
    repository: REPOSITORY,
    defaultBranch: payload.repository?.default_branch,
    workflowRef: fields.workflowRef ?? `${REPOSITORY.owner}/${REPOSITORY.repo}/.github/workflows/ci.yml@${fields.ref}`,
    runId: fields.runId ?? 1000
  }
}
