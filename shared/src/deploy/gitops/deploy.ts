import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { isAbsolute, join, normalize, posix, sep } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { outsideMessage, resolveInside } from '../../containment/index.js'
import { Git } from '../../git/index.js'
import type { Logger } from '../../log/index.js'
import type { EditResult } from '../edits/index.js'
import { withGitAuthorization } from './credentials.js'
import { isLostRace, retryDelayMs } from './push-outcome.js'
import { kustomizeRenderCheck, type ManifestCheck } from './render.js'

export interface GitOpsDeployOptions {
  /** The deploy repository, e.g. `https://github.com/acme/deploy.git` (no credentials in it). */
  repoUrl: string
  /** The branch the environment is synced from. */
  branch: string
  /** Sent as an `http.extraheader`; the caller masks it and `basicCredential(token)`. */
  token?: string
  /** The file to edit, relative to the repository root. */
  file: string
  /** A pure edit of the file's text; applied again on the new tip after a lost push race. */
  edit: (text: string) => EditResult
  /** The commit message for an edit (see `commitMessage`), which knows the previous image. */
  message: (edit: EditResult) => string
  author: { name: string; email: string }
  /** A directory for the clone (e.g. RUNNER_TEMP); the clone is removed afterwards. */
  workdir: string
  /**
   * `mode: pull-request`: push the commit to this bot branch (see `pullRequestBranch`) instead
   * of `branch`, replacing what the bot pushed there before (force-with-lease, that branch only).
   */
  pullRequestBranch?: string
  /** Push attempts before giving up on a branch that keeps moving; 5 by default. */
  maxAttempts?: number
  /** Jitter window for the first retry, doubling per attempt; 1000 ms by default. */
  jitterMs?: number
  /** Checks the edited checkout before the commit; `kustomizeRenderCheck()` by default. */
  check?: ManifestCheck
  log?: Logger
  /** A cancelled deploy stops before its next commit or push (a git command under way finishes). */
  signal?: AbortSignal
  /** The environment of every git process; the current one by default. */
  env?: NodeJS.ProcessEnv
}

export interface GitOpsDeployResult {
  /** False when the file already named the image: nothing was committed or pushed. */
  changed: boolean
  /** The image the file named before, as the edit read it. */
  previous?: string
  /** The commit pushed, when `changed`. */
  pushedCommit?: string
  /** The branch pushed to (or that would have been): `branch`, or `pullRequestBranch` in pull-request mode. */
  branch: string
  /** Push attempts used (1 when the first push landed). */
  attempts: number
}

/** A gitops deploy that cannot go ahead; nothing was pushed. */
export class GitOpsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GitOpsError'
  }
}

const SILENT: Logger = { info: () => undefined, warn: () => undefined, debug: () => undefined }

/**
 * Clone (shallow, one branch), edit one file, commit, push. A push that loses a race with
 * another deploy is retried on the new tip: fetch it, reset to it and apply the edit again to
 * the new text, so concurrent deploys of different services all land without merges or force
 * pushes. An edit that changes nothing ends the deploy without a commit.
 */
export async function deployGitOps(options: GitOpsDeployOptions): Promise<GitOpsDeployResult> {
  const log = options.log ?? SILENT
  const maxAttempts = options.maxAttempts ?? 5
  const check = options.check ?? kustomizeRenderCheck({ env: options.env })
  const target = options.pullRequestBranch ?? options.branch
  const env = options.token === undefined ? options.env : withGitAuthorization(options.env ?? process.env, options.token)
  assertRelative(options.file)

  await mkdir(options.workdir, { recursive: true })
  const dir = await mkdtemp(join(options.workdir, 'gitops-'))
  try {
    // The signal reaches every git process: a cancelled job kills a clone, fetch or push in flight.
    const signal = options.signal === undefined ? {} : { signal: options.signal }
    const git = await Git.cloneBranch(options.repoUrl, dir, { branch: options.branch, depth: 1, env, log: (line) => log.debug(line), ...signal }).catch((error) => {
      if (options.signal?.aborted) throw new GitOpsError(`the deploy was cancelled; nothing was pushed to ${target}`)
      throw new GitOpsError(`cannot clone branch ${options.branch} of ${options.repoUrl}: ${(error as Error).message}`)
    })
    for (let attempt = 1; ; attempt++) {
      // Resolved on every attempt: the new tip may have moved a link.
      const { path, real } = insideCheckout(dir, options.file)
      if (attempt === 1 && path !== posix.normalize(options.file)) log.info(`${options.file} is a symbolic link: editing ${path}, the file it points to`)
      const result = options.edit(await readFile(real, 'utf8'))
      if (!result.changed) {
        log.info(`${options.file} on ${options.branch} already names the image; nothing to push`)
        return { changed: false, ...previousOf(result), branch: target, attempts: attempt }
      }
      await writeFile(real, result.text)
      await check({ repoDir: dir, file: options.file })
      if (options.signal?.aborted) throw new GitOpsError(`the deploy was cancelled; nothing was pushed to ${target}`)
      const commit = await git.commit([path], options.message(result), options.author)
      const lease = options.pullRequestBranch === undefined ? undefined : { ref: `refs/heads/${target}`, expected: await git.remoteBranchSha(target) }
      const push = await git.push(`HEAD:refs/heads/${target}`, lease ? { forceWithLease: lease } : {})
      if (!push.ok && options.signal?.aborted) {
        // git updates the remote ref atomically at the very end: killed, it either landed whole or not at all.
        throw new GitOpsError(`the deploy was cancelled during git push to ${target}; the push was stopped, and ${target} has ${commit.slice(0, 12)} only if it had already landed`)
      }
      if (push.ok) {
        log.info(`pushed ${commit.slice(0, 12)} to ${target} (attempt ${attempt})`)
        return { changed: true, ...previousOf(result), pushedCommit: commit, branch: target, attempts: attempt }
      }
      if (!isLostRace(push.output)) throw new GitOpsError(`git push to ${target} was refused: ${lastLines(push.output)}`)
      if (attempt >= maxAttempts) {
        throw new GitOpsError(`git push to ${target} kept losing races with other pushes; gave up after ${maxAttempts} attempts`)
      }
      const delay = retryDelayMs(attempt, options.jitterMs ?? 1000)
      log.info(`push to ${target} lost a race (${lastLines(push.output, 1)}); re-applying on the new tip of ${options.branch} in ${delay} ms`)
      await sleep(delay)
      if (!(await git.fetch([`refs/heads/${options.branch}`], { depth: 1 }))) {
        throw new GitOpsError(`cannot fetch the new tip of ${options.branch} from ${options.repoUrl}`)
      }
      await git.resetHard((await git.fetchedHead())!)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function previousOf(result: EditResult): { previous?: string } {
  return result.previous === undefined ? {} : { previous: result.previous }
}

function assertRelative(file: string): void {
  const normalised = normalize(file)
  if (file === '' || isAbsolute(file) || normalised === '..' || normalised.startsWith(`..${sep}`)) {
    throw new GitOpsError(`deploy file ${JSON.stringify(file)} must be a path inside the deploy repository`)
  }
}

/**
 * The file to edit, every symbolic link followed: its real path, and the same relative to the
 * checkout (what is staged). A link out of the work tree, or into `.git`, is refused.
 */
function insideCheckout(dir: string, file: string): { path: string; real: string } {
  const resolution = resolveInside(dir, file)
  if (resolution.kind === 'outside') throw new GitOpsError(outsideMessage(file, resolution, 'deploy repository'))
  if (resolution.kind === 'missing' || resolution.isDirectory) throw new GitOpsError(`deploy file ${file} does not exist in the deploy repository`)
  if (resolution.path === '.git' || resolution.path.startsWith('.git/')) {
    throw new GitOpsError(`deploy file ${JSON.stringify(file)} resolves into the deploy repository's .git directory`)
  }
  return { path: resolution.path, real: resolution.real }
}

function lastLines(output: string, count = 3): string {
  return output.split('\n').filter((line) => line.trim() !== '').slice(-count).join(' / ')
}
