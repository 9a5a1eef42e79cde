import { spawn, type ChildProcess } from 'node:child_process'

/** What a finished child process left behind. */
export interface ExecResult {
  exitCode: number
  /** Raw bytes: git output may hold any file name, so decoding is the caller's choice. */
  stdout: Buffer
  stderr: string
  /** True when the process was killed at its timeout. */
  timedOut: boolean
  /** True when `signal` aborted it (its process group was killed). */
  cancelled?: boolean
  /** True when a process outside its group still held its output after it ended (see OUTPUT_GRACE_MS). */
  outputHeld?: boolean
}

/**
 * How long the output pipes are read after the program itself has ended (exited, or been killed
 * at its timeout or cancellation). Whatever its group left running is killed with it; only a
 * process that left the group (`setsid`, a double-forked daemon) can still hold the pipes, and
 * it would hold the step open for as long as it lives. After the grace the pipes are closed on
 * our side, the result is the program's own, and `outputHeld` says what happened.
 */
export const OUTPUT_GRACE_MS = 2_000

/** What to tell a reader when `outputHeld`: `what` is the command, as in "the test command". */
export function outputHeldMessage(what: string): string {
  return `a background process (one started with setsid, or a daemon) kept the output open after ${what} ended; Flotilla stopped reading ${OUTPUT_GRACE_MS / 1000}s later, took the command's own result, and left that process running`
}

export interface ExecOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Milliseconds before the whole process group is killed; none by default. */
  timeoutMs?: number
  /** Bytes written to the child's stdin, then closed. */
  input?: string | Buffer
  /** Resolve (instead of reject) when the exit code is non-zero. */
  allowFailure?: boolean
  /** Aborting it kills the whole process group, as a timeout does (a cancelled workflow). */
  signal?: AbortSignal
}

export class ExecError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: ExecResult
  ) {
    const detail = result.cancelled ? 'was cancelled' : result.timedOut ? 'timed out' : `exited with ${result.exitCode}`
    // The program and its subcommand (`git fetch`) say what failed; the rest of argv is left
    // out of the message, which may end up in logs.
    const output = result.stderr.trim() || result.stdout.toString('utf8').trim()
    super(`${commandName(argv)} ${detail}: ${output.split('\n').slice(-3).join(' / ')}`)
    this.name = 'ExecError'
  }
}

/**
 * Global options that take a separate value, per program: they come before the subcommand
 * (`git -c user.name=x commit`, `buildah --root /r bud`), so naming what failed skips them.
 */
const GLOBAL_OPTIONS_WITH_VALUE: Record<string, ReadonlySet<string>> = {
  git: new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--config-env', '--exec-path', '--super-prefix']),
  docker: new Set(['-c', '--context', '-H', '--host', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']),
  buildah: new Set(['--root', '--runroot', '--storage-driver', '--storage-opt', '--registries-conf', '--userns-uid-map', '--userns-gid-map', '--log-level', '--cgroup-manager']),
  podman: new Set(['--root', '--runroot', '--storage-driver', '--storage-opt', '--tmpdir', '--url', '--connection', '-c', '--log-level', '--cgroup-manager', '--network-cmd-path']),
  kubectl: new Set(['--kubeconfig', '--context', '--cluster', '--user', '-n', '--namespace', '-s', '--server', '--token'])
}

/**
 * What ran, for messages: the program and its subcommand (`git commit` for
 * `git -c user.name=x commit …`), global options and their values left out, for the programs
 * Flotilla runs with global options; the program and its first argument for any other.
 */
export function commandName(argv: readonly string[]): string {
  const program = argv[0] ?? ''
  const withValue = GLOBAL_OPTIONS_WITH_VALUE[program.split('/').pop() ?? program]
  if (withValue === undefined) return argv.slice(0, 2).join(' ')
  for (let index = 1; index < argv.length; index++) {
    const arg = argv[index]
    if (withValue.has(arg)) index++
    else if (!arg.startsWith('-')) return `${program} ${arg}`
  }
  return program
}

/**
 * Runs a program from an argv array, never through a shell, so file names, branch names and
 * other inputs cannot be interpreted as commands. The child leads its own process group, which a
 * timeout kills whole (children included).
 */
export function exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  if (argv.length === 0) throw new Error('exec: empty argv')
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe']
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    let cancelled = false
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    superviseChild(child, {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      onTimeout: () => (timedOut = true),
      onAbort: () => (cancelled = true),
      onError: reject,
      onEnd: (exitCode, outputHeld) => {
        const result: ExecResult = {
          exitCode,
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
          ...(cancelled ? { cancelled } : {}),
          ...(outputHeld ? { outputHeld } : {})
        }
        if (result.exitCode !== 0 && !options.allowFailure) reject(new ExecError(argv, result))
        else resolve(result)
      }
    })
    child.stdin.on('error', () => undefined) // a child that exits early closes its stdin
    child.stdin.end(options.input ?? '')
  })
}

interface Supervision {
  timeoutMs?: number
  signal?: AbortSignal
  /** Kill what is left of the child's process group when it exits (a test's forgotten server). */
  killGroupOnExit?: boolean
  onTimeout(): void
  onAbort(): void
  onError(error: Error): void
  /** Once: the program's own exit code, and whether its output was still held open after OUTPUT_GRACE_MS. */
  onEnd(exitCode: number, outputHeld: boolean): void
}

/**
 * Watches a child spawned with `detached: true` and piped output: kills its group at the
 * deadline or when `signal` aborts, and ends when its output is closed, or OUTPUT_GRACE_MS after
 * the child itself exited, whichever comes first. The deadline and the abort stop counting at
 * the child's exit: a program that has ended cannot time out afterwards.
 */
function superviseChild(child: ChildProcess, supervision: Supervision): void {
  const endDeadline = deadline(child, supervision.timeoutMs, supervision.onTimeout)
  const endAbort = killOnAbort(child, supervision.signal, supervision.onAbort)
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let grace: NodeJS.Timeout | undefined
  let outputHeld = false
  child.on('error', (error) => {
    endDeadline()
    endAbort()
    clearTimeout(grace)
    supervision.onError(error)
  })
  child.on('exit', (code, signal) => {
    exit = { code, signal }
    endDeadline()
    endAbort()
    // Only the group: the leader's own pid is already reaped and may belong to someone else now.
    if (supervision.killGroupOnExit && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // no process of the group is left
      }
    }
    grace = setTimeout(() => {
      // Reading stops here; the process holding the pipes is out of our group and keeps running.
      outputHeld = true
      for (const stream of [child.stdout, child.stderr]) stream?.destroy()
    }, OUTPUT_GRACE_MS)
  })
  child.on('close', (code, signal) => {
    clearTimeout(grace)
    const ended = exit ?? { code, signal }
    supervision.onEnd(exitCodeOf(ended.code, ended.signal), outputHeld)
  })
}

/** Kills the child's process group after `ms`, when given; returns what ends the wait once it has exited. */
function deadline(child: ChildProcess, ms: number | undefined, onExpiry: () => void): () => void {
  if (ms === undefined) return () => undefined
  const timer = setTimeout(() => {
    onExpiry()
    killTree(child.pid)
  }, ms)
  return () => clearTimeout(timer)
}

/** Kills the child's process group when `signal` aborts (at once if it already has); returns what stops listening. */
function killOnAbort(child: ChildProcess, signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (signal === undefined) return () => undefined
  const abort = (): void => {
    onAbort()
    killTree(child.pid)
  }
  if (signal.aborted) abort()
  else signal.addEventListener('abort', abort, { once: true })
  return () => signal.removeEventListener('abort', abort)
}

/** The exit code, or 128 for a child killed by a signal (which signal is not kept). */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? (signal ? 128 : 1)
}

/** Kills a process group led by `pid` (spawned with `detached: true`). */
export function killTree(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

export interface StreamOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Milliseconds before the whole process group is killed; none by default. */
  timeoutMs?: number
  /** Aborting it kills the whole process group, as a timeout does (a cancelled workflow). */
  signal?: AbortSignal
  /** Receives stdout and stderr as they arrive, in arrival order. */
  onOutput(chunk: Buffer, stream: 'stdout' | 'stderr'): void
}

/** How a streamed child process ended; its output went to `onOutput`. */
export interface StreamResult {
  exitCode: number
  timedOut: boolean
  /** True when `signal` aborted it. */
  cancelled: boolean
  /**
   * True when a process that left the command's process group (`setsid`, a daemon) still held its
   * output OUTPUT_GRACE_MS after the command ended: reading stopped there, and it was left running.
   */
  outputHeld: boolean
}

/**
 * Runs a long program (a test suite, a deploy command) from an argv array, handing its output
 * over as it comes instead of collecting it. The child leads its own process group: a timeout or
 * an abort kills the group whole, and so does the leader's exit, since a background process left
 * holding the output pipes would otherwise keep the run open forever. A process out of the
 * group's reach (`setsid`) holds them at most OUTPUT_GRACE_MS longer (`outputHeld`).
 */
export function execStreaming(argv: readonly string[], options: StreamOptions): Promise<StreamResult> {
  if (argv.length === 0) throw new Error('execStreaming: empty argv')
  const { signal } = options
  if (signal?.aborted) return Promise.resolve({ exitCode: 130, timedOut: false, cancelled: true, outputHeld: false })
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let timedOut = false
    let cancelled = false
    child.stdout.on('data', (chunk: Buffer) => options.onOutput(chunk, 'stdout'))
    child.stderr.on('data', (chunk: Buffer) => options.onOutput(chunk, 'stderr'))
    superviseChild(child, {
      timeoutMs: options.timeoutMs,
      signal,
      killGroupOnExit: true,
      onTimeout: () => (timedOut = true),
      onAbort: () => (cancelled = true),
      onError: reject,
      onEnd: (exitCode, outputHeld) => resolve({ exitCode, timedOut, cancelled, outputHeld })
    })
  })
}
