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
    const endDeadline = deadline(child, options.timeoutMs, () => (timedOut = true))
    const endAbort = killOnAbort(child, options.signal, () => (cancelled = true))
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) => {
      endDeadline()
      endAbort()
      reject(error)
    })
    child.on('close', (code, signal) => {
      endDeadline()
      endAbort()
      const result: ExecResult = {
        exitCode: exitCodeOf(code, signal),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ...(cancelled ? { cancelled } : {})
      }
      if (result.exitCode !== 0 && !options.allowFailure) reject(new ExecError(argv, result))
      else resolve(result)
    })
    child.stdin.on('error', () => undefined) // a child that exits early closes its stdin
    child.stdin.end(options.input ?? '')
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
}

/**
 * Runs a long program (a test suite, a deploy command) from an argv array, handing its output
 * over as it comes instead of collecting it. The child leads its own process group: a timeout or
 * an abort kills the group whole, and so does the leader's exit, since a background process left
 * holding the output pipes would otherwise keep the run open forever.
 */
export function execStreaming(argv: readonly string[], options: StreamOptions): Promise<StreamResult> {
  if (argv.length === 0) throw new Error('execStreaming: empty argv')
  const { signal } = options
  if (signal?.aborted) return Promise.resolve({ exitCode: 130, timedOut: false, cancelled: true })
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let timedOut = false
    let cancelled = false
    const endDeadline = deadline(child, options.timeoutMs, () => (timedOut = true))
    const endAbort = killOnAbort(child, signal, () => (cancelled = true))
    const settle = (): void => {
      endDeadline()
      endAbort()
    }
    child.stdout.on('data', (chunk: Buffer) => options.onOutput(chunk, 'stdout'))
    child.stderr.on('data', (chunk: Buffer) => options.onOutput(chunk, 'stderr'))
    child.on('error', (error) => {
      settle()
      reject(error)
    })
    child.on('exit', () => {
      // Only the group: the leader's own pid is already reaped and may belong to someone else now.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // no process of the group is left
      }
    })
    child.on('close', (code, exitSignal) => {
      settle()
      resolve({ exitCode: exitCodeOf(code, exitSignal), timedOut, cancelled })
    })
  })
}
