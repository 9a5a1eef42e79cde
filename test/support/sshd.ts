/**
 * A private OpenSSH server in front of a test dockerd, so `DOCKER_HOST=ssh://…` runs for real
 * without touching ~/.ssh, /etc/ssh or the machine's ssh service.
 *
 *   const daemon = await startDockerd()
 *   const sshd = await startSshdForDocker(daemon.host)
 *   await deployToDocker({ …, host: sshd.dockerHost }, request, { env: sshd.clientEnv })
 *   await sshd.stop()                                 // SIGTERM the server, remove its dir
 *
 * `describeWithSshd` skips loudly outside CI when sshd cannot run, and fails under `CI=true`.
 *
 * The server listens on 127.0.0.1 with a fresh host key and accepts one fresh client key for
 * root, whose forced command is `docker system dial-stdio` against the test daemon: whatever the
 * docker CLI asks the "remote" side to run, it reaches that daemon and nothing else. The client
 * side is an `ssh` wrapper first on `clientEnv`'s PATH (the docker CLI runs `ssh` from PATH) that
 * uses only that key and a known_hosts pinning the host key.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { exec, killTree } from '../../shared/src/exec/index.js'
import { describeWhenAvailable, findOnPath } from './tools.js'

const STARTUP_TIMEOUT_MS = 15_000
const SHUTDOWN_TIMEOUT_MS = 10_000

/** The programs the helper runs, with the Debian package of each. */
const PROGRAMS: Record<string, string> = { sshd: 'openssh-server', ssh: 'openssh-client', 'ssh-keygen': 'openssh-client', unshare: 'util-linux', docker: 'docker.io' }

export function sshdMissing(): string | undefined {
  const missing = Object.keys(PROGRAMS).filter((program) => findOnPath(program) === undefined)
  if (missing.length > 0) return `${missing.join(', ')} not installed (apt-get install ${[...new Set(missing.map((program) => PROGRAMS[program]))].join(' ')})`
  if (process.getuid?.() !== 0) return 'sshd needs root'
  return undefined
}

/** `describe` when sshd can run here; otherwise a loud skip, or a failure under CI=true. */
export function describeWithSshd(name: string, body: () => void): void {
  describeWhenAvailable('sshd', sshdMissing(), name, body)
}

export interface TestSshd {
  /** `ssh://root@127.0.0.1:<port>`: a DOCKER_HOST that reaches the test daemon over SSH. */
  dockerHost: string
  port: number
  /** The current environment with the `ssh` wrapper first on PATH. */
  clientEnv: NodeJS.ProcessEnv
  /** The client's private key, so a test can check it never shows in errors or logs. */
  privateKey: string
  stop(): Promise<void>
}

/** Starts sshd forwarding every session to the daemon at `daemonHost` (`unix://…`), and waits until it listens. */
export async function startSshdForDocker(daemonHost: string): Promise<TestSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-sshd-'))
  const port = await freePort()
  const path = (name: string) => join(dir, name)
  await exec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'flotilla-test-host', '-f', path('host_key')])
  await exec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'flotilla-test-client', '-f', path('client_key')])
  const forcedCommand = `${shellQuoted(findOnPath('docker')!)} --host ${shellQuoted(daemonHost)} system dial-stdio`
  const clientPublicKey = (await readFile(path('client_key.pub'), 'utf8')).trim()
  await writeFile(path('authorized_keys'), `command="${forcedCommand.replaceAll('"', '\\"')}",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding ${clientPublicKey}\n`)
  await writeFile(path('known_hosts'), `[127.0.0.1]:${port} ${(await readFile(path('host_key.pub'), 'utf8')).trim()}\n`)
  await writeFile(
    path('sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${path('host_key')}`,
      `AuthorizedKeysFile ${path('authorized_keys')}`,
      'PidFile none',
      'AllowUsers root',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The keys sit under the world-writable temp dir, which strict modes refuse.
      'StrictModes no',
      ''
    ].join('\n')
  )

  const bin = path('bin')
  await mkdir(bin)
  const clientOptions = ['-F', '/dev/null', '-i', path('client_key'), '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', `UserKnownHostsFile=${path('known_hosts')}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes']
  await writeFile(join(bin, 'ssh'), `#!/bin/sh\nexec ${[findOnPath('ssh')!, ...clientOptions].map(shellQuoted).join(' ')} "$@"\n`)
  await chmod(join(bin, 'ssh'), 0o755)

  // As root, sshd insists on its privilege-separation directory /run/sshd. A private mount
  // namespace gets it a tmpfs /run of its own, so nothing is created on the machine. The script
  // is constant; sshd's argv arrives as its arguments.
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tmpfs -o mode=0755 tmpfs /run && mkdir /run/sshd && exec "$@"', 'sshd', findOnPath('sshd')!, '-D', '-e', '-f', path('sshd_config')],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] }
  )
  const log: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')))
  const stop = async (): Promise<void> => {
    await stopServer(child)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitUntilListening(child, log)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    dockerHost: `ssh://root@127.0.0.1:${port}`,
    port,
    clientEnv: { ...process.env, PATH: [bin, process.env.PATH ?? ''].join(delimiter) },
    privateKey: await readFile(path('client_key'), 'utf8'),
    stop
  }
}

/** One word for `sh`, whatever it holds. */
function shellQuoted(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

async function waitUntilListening(child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (!log.join('').includes('Server listening on')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd exited while starting: ${log.join('').slice(-2000)}`)
    if (Date.now() > deadline) throw new Error(`sshd did not listen within ${STARTUP_TIMEOUT_MS} ms: ${log.join('').slice(-2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** SIGTERM to the group ends the listener and any session still open; SIGKILL if one hangs. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  killTree(child.pid, 'SIGTERM')
  const timer = setTimeout(() => killTree(child.pid, 'SIGKILL'), SHUTDOWN_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
