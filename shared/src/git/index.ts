import { mkdir } from 'node:fs/promises'
import { exec, type ExecResult } from '../exec/index.js'
import { parseNameStatusZ } from '../changes/parse.js'
import type { ChangedFile } from '../changes/types.js'

export interface GitOptions {
  /** The repository's working directory. */
  cwd: string
  /** The remote to fetch from; `origin` by default. */
  remote?: string
  /** Environment for every git process (the current one by default). */
  env?: NodeJS.ProcessEnv
  /** Receives one line per notable step (fetches, fallbacks). */
  log?: (line: string) => void
  /** Aborting it kills the git process that is running (a cancelled deploy); later ones fail at once. */
  signal?: AbortSignal
}

export interface FetchOptions {
  /** `--depth=<n>`: history truncated to n commits from each fetched tip. */
  depth?: number
  /** `--deepen=<n>`: n more commits below the current shallow boundary. */
  deepen?: number
  /** `--unshallow`: the complete history of what is fetched. */
  unshallow?: boolean
}

export interface PushResult {
  ok: boolean
  /** What git printed: porcelain ref lines (`!\trefs/heads/main:refs/heads/main\t[rejected] (fetch first)`) and hints. */
  output: string
}

export interface RemoteTag {
  /** The tag's name without `refs/tags/`. */
  name: string
  /** The commit the tag points at (peeled through annotated tag objects). */
  sha: string
}

/**
 * The few git operations change detection needs, each one child process run from an argv array.
 * Configuration is passed per command (`-c`), never written to global or repository config.
 */
export class Git {
  readonly cwd: string
  readonly remote: string
  private readonly env: NodeJS.ProcessEnv
  private readonly log: (line: string) => void
  private readonly signal?: AbortSignal

  constructor(options: GitOptions) {
    this.cwd = options.cwd
    this.remote = options.remote ?? 'origin'
    // A prompt for credentials would hang a CI job until its timeout.
    this.env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' }
    this.log = options.log ?? (() => undefined)
    this.signal = options.signal
    assertArgument(this.remote)
  }

  /** True when the commit's object is present locally. */
  async hasCommit(sha: string): Promise<boolean> {
    assertArgument(sha)
    const result = await this.run(['cat-file', '-e', `${sha}^{commit}`], true)
    return result.exitCode === 0
  }

  /** The commit sha a local ref, sha or revision expression names; undefined when it names none. */
  async resolve(ref: string): Promise<string | undefined> {
    assertArgument(ref)
    const result = await this.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], true)
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : undefined
  }

  async isShallow(): Promise<boolean> {
    const result = await this.run(['rev-parse', '--is-shallow-repository'])
    return result.stdout.toString('utf8').trim() === 'true'
  }

  /**
   * Fetches shas or refspecs from the remote, without tags or submodules. Returns false instead
   * of throwing when the remote refuses (an unknown or unreachable sha, no remote, no network),
   * since every caller has a fallback for that.
   */
  async fetch(refspecs: readonly string[], options: FetchOptions = {}): Promise<boolean> {
    refspecs.forEach(assertArgument)
    const request: string[] = []
    if (options.depth !== undefined) request.push(`--depth=${options.depth}`)
    if (options.deepen !== undefined) request.push(`--deepen=${options.deepen}`)
    if (options.unshallow) request.push('--unshallow')
    request.push(this.remote, ...refspecs)
    const args = ['-c', 'protocol.version=2', 'fetch', '--quiet', '--no-tags', '--no-recurse-submodules', ...request]
    const result = await this.run(args, true)
    if (result.exitCode !== 0) {
      this.log(`git fetch ${request.join(' ')} failed: ${lastLine(result.stderr)}`)
      return false
    }
    this.log(`git fetch ${request.join(' ')}`)
    return true
  }

  /** The sha `git fetch` last wrote to FETCH_HEAD. */
  async fetchedHead(): Promise<string | undefined> {
    return this.resolve('FETCH_HEAD')
  }

  /** The best common ancestor of two commits, or undefined when local history holds none. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    assertArgument(a)
    assertArgument(b)
    const result = await this.run(['merge-base', a, b], true)
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : undefined
  }

  /** Those of `shas` whose commits are present locally, in one `git cat-file --batch-check`. */
  async presentCommits(shas: readonly string[]): Promise<Set<string>> {
    shas.forEach(assertArgument)
    if (shas.length === 0) return new Set()
    const result = await exec(['git', 'cat-file', '--batch-check=%(objectname) %(objecttype)'], {
      cwd: this.cwd,
      env: this.env,
      input: shas.map((sha) => `${sha}^{commit}\n`).join(''),
      ...(this.signal === undefined ? {} : { signal: this.signal })
    })
    const present = new Set<string>()
    const lines = result.stdout.toString('utf8').split('\n')
    shas.forEach((sha, index) => {
      if (/^[0-9a-f]+ commit$/.test(lines[index] ?? '')) present.add(sha)
    })
    return present
  }

  /** A best common ancestor of all the commits (`git merge-base --octopus`), or undefined when they share none. */
  async octopusMergeBase(shas: readonly string[]): Promise<string | undefined> {
    shas.forEach(assertArgument)
    if (shas.length === 0) return undefined
    if (shas.length === 1) return shas[0]
    const result = await this.run(['merge-base', '--octopus', ...shas], true)
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : undefined
  }

  /**
   * The commits reachable from `heads` and not from `exclude`, each with its parents, committer
   * time and the paths it changed (`git log --no-renames --name-only -z`: a rename lists both
   * paths; a merge lists none, its changes belong to the commits it merged).
   */
  async commitLog(heads: readonly string[], exclude: readonly string[] = []): Promise<LoggedCommit[]> {
    heads.forEach(assertArgument)
    exclude.forEach(assertArgument)
    if (heads.length === 0) return []
    const result = await this.run(['log', '--no-renames', '--name-only', '-z', '--format=%x1e%H %ct %P', ...heads, ...(exclude.length > 0 ? ['--not', ...exclude] : []), '--'])
    return parseCommitLog(result.stdout.toString('utf8'))
  }

  /** True when `ancestor` is reachable from `descendant` in local history. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    assertArgument(ancestor)
    assertArgument(descendant)
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], true)
    if (result.exitCode > 1) throw new Error(`git merge-base --is-ancestor: ${lastLine(result.stderr)}`)
    return result.exitCode === 0
  }

  /**
   * The files that differ between two commits' trees. Comparing two trees needs both commits but
   * none of the history between them, so it works in a depth-1 clone.
   */
  async diff(base: string, head: string): Promise<ChangedFile[]> {
    assertArgument(base)
    assertArgument(head)
    const result = await this.run([
      'diff',
      '--no-ext-diff',
      '--no-textconv',
      '--no-color',
      '--no-relative',
      '--name-status',
      '-z',
      '-M',
      base,
      head,
      '--'
    ])
    return parseNameStatusZ(result.stdout)
  }

  /** Every tag on the remote, with the commit it points at (`git ls-remote --tags`). */
  async remoteTags(): Promise<RemoteTag[]> {
    const result = await this.run(['ls-remote', '--tags', this.remote])
    return parseLsRemoteTags(result.stdout.toString('utf8'))
  }

  /** The checked-out branch's short name; undefined on a detached HEAD. */
  async currentBranch(): Promise<string | undefined> {
    const result = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], true)
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : undefined
  }

  /**
   * Clones one branch of `url` into `dir` (created if missing, and empty) with history cut to
   * `depth` commits and no tags; returns a Git working in the clone.
   */
  static async cloneBranch(
    url: string,
    dir: string,
    options: Omit<GitOptions, 'cwd'> & { branch: string; depth: number }
  ): Promise<Git> {
    assertArgument(options.branch)
    await mkdir(dir, { recursive: true })
    const git = new Git({ ...options, cwd: dir })
    await git.run([
      'clone',
      '--quiet',
      '--no-tags',
      '--single-branch',
      `--depth=${options.depth}`,
      '--origin',
      git.remote,
      '--branch',
      options.branch,
      '--',
      url,
      '.'
    ])
    return git
  }

  /** Stages `paths` and commits them as `author` (also the committer), skipping hooks; returns the new commit. */
  async commit(paths: readonly string[], message: string, author: { name: string; email: string }): Promise<string> {
    await this.run(['add', '--', ...paths])
    await this.run([
      '-c',
      `user.name=${author.name}`,
      '-c',
      `user.email=${author.email}`,
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--quiet',
      '--no-verify',
      '--message',
      message
    ])
    return (await this.resolve('HEAD'))!
  }

  /**
   * Pushes `refspec` to the remote. A refusal is not thrown: the caller reads `output` (git's
   * porcelain lines and hints) to tell a lost race, worth retrying, from anything else.
   * `forceWithLease` overwrites `ref` only while the remote still has it at `expected` (absent when undefined).
   */
  async push(refspec: string, options: { forceWithLease?: { ref: string; expected?: string } } = {}): Promise<PushResult> {
    assertArgument(refspec)
    const lease = options.forceWithLease
    const args = ['push', '--porcelain', '--no-verify']
    if (lease) args.push(`--force-with-lease=${lease.ref}:${lease.expected ?? ''}`)
    const result = await this.run([...args, this.remote, refspec], true)
    return { ok: result.exitCode === 0, output: `${result.stdout.toString('utf8')}${result.stderr}`.trim() }
  }

  /** Moves the current branch, index and work tree to `revision`, dropping local changes. */
  async resetHard(revision: string): Promise<void> {
    assertArgument(revision)
    await this.run(['reset', '--quiet', '--hard', revision])
  }

  /** The commit a branch of the remote points at (`git ls-remote`); undefined when the branch does not exist. */
  async remoteBranchSha(branch: string): Promise<string | undefined> {
    assertArgument(branch)
    const result = await this.run(['ls-remote', '--heads', this.remote, `refs/heads/${branch}`])
    const line = result.stdout.toString('utf8').split('\n').find((entry) => entry.endsWith(`\trefs/heads/${branch}`))
    return line?.split('\t')[0]
  }

  private run(args: readonly string[], allowFailure = false): Promise<ExecResult> {
    return exec(['git', '-c', 'core.quotepath=off', ...args], { cwd: this.cwd, env: this.env, allowFailure, ...(this.signal === undefined ? {} : { signal: this.signal }) })
  }
}

export interface LoggedCommit {
  sha: string
  parents: string[]
  /** Committer time, milliseconds since the epoch. */
  time: number
  files: string[]
}

const LOG_HEADER = /^\x1e([0-9a-f]{40,64}) (\d+)((?: [0-9a-f]{40,64})*)$/

/**
 * Parses `git log -z --name-only --format=%x1e%H %ct %P`: each commit is a header field
 * (`\x1e<sha> <time> <parents>`), then its paths, NUL-separated, the first after a newline.
 * Paths may hold any byte but NUL, so a field is a header only when it has exactly that form.
 */
export function parseCommitLog(output: string): LoggedCommit[] {
  const commits: LoggedCommit[] = []
  let current: LoggedCommit | undefined
  for (const field of output.split('\0')) {
    const header = LOG_HEADER.exec(field)
    if (header !== null) {
      current = { sha: header[1], time: Number(header[2]) * 1000, parents: header[3].trim() === '' ? [] : header[3].trim().split(' '), files: [] }
      commits.push(current)
      continue
    }
    const path = field.startsWith('\n') ? field.slice(1) : field
    if (current !== undefined && path !== '') current.files.push(path)
  }
  return commits
}

/**
 * Parses `git ls-remote --tags` output. An annotated tag appears twice, as the tag object and
 * peeled (`^{}`) to its commit; the peeled line wins, so every tag maps to a commit.
 */
export function parseLsRemoteTags(output: string): RemoteTag[] {
  const tags = new Map<string, string>()
  const peeled = new Set<string>()
  for (const line of output.split('\n')) {
    const match = /^([0-9a-f]+)\trefs\/tags\/(.+?)(\^\{\})?$/.exec(line)
    if (!match) continue
    const [, sha, name, peel] = match
    if (peel) {
      tags.set(name, sha)
      peeled.add(name)
    } else if (!peeled.has(name)) {
      tags.set(name, sha)
    }
  }
  return [...tags].map(([name, sha]) => ({ name, sha }))
}

/** Values from payloads and inputs must never be read by git as options. */
function assertArgument(value: string): void {
  if (value === '' || value.startsWith('-')) {
    throw new Error(`refusing ${JSON.stringify(value)} as a git revision or remote`)
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? ''
}
