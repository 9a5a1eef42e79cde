/**
 * Real image builders for tests: Debian's dockerd on a private socket, and buildah and podman
 * with private storage, all with the vfs driver so they need no overlay mounts, bridge or
 * iptables.
 *
 *   describeWithEngine('buildah', 'builds', () => {
 *     let storage: BuildahStorage
 *     beforeAll(async () => { storage = await buildahStorage() })
 *     afterAll(() => storage.remove())
 *     it('…', () => new BuildahBuilder({ root: storage.root, runroot: storage.runroot }).build(…))
 *   })
 *
 *   describeWithEngine('podman', 'builds', () => {
 *     let storage: PodmanStorage
 *     beforeAll(async () => { storage = await podmanStorage() })
 *     afterAll(() => storage.remove())
 *     it('…', () => new PodmanBuilder({ root: storage.root, runroot: storage.runroot, tmpdir: storage.tmpdir }).build(…))
 *   })
 *
 *   const daemon = await startDockerd({ insecureRegistries: [registry.host] })
 *   new DockerBuilder({ env: daemon.env })            // DOCKER_HOST points at the daemon
 *   await daemon.stop()                               // SIGTERM, wait for exit, remove its dirs
 *
 *   await copyPrograms(join(context, 'rootfs'), ['/bin/sh', '/usr/bin/sha256sum'])
 *   // Dockerfile: FROM scratch / COPY rootfs/ / / RUN sha256sum …   (RUN steps with no base image)
 *
 *   await imageArchiveFilesContaining(archive, secret)   // the files of a saved image holding it: [] when none
 *
 * `describeWithEngine` skips loudly outside CI when the engine is missing, and fails under
 * `CI=true`, where every engine test must run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { cliEmbedsBuildKit } from '../../shared/src/builders/docker.js'
import { exec, killTree } from '../../shared/src/exec/index.js'
import { describeWhenAvailable, findOnPath } from './tools.js'

export type Engine = 'dockerd' | 'buildah' | 'podman'

const STARTUP_TIMEOUT_MS = 30_000
const SHUTDOWN_TIMEOUT_MS = 20_000
const POLL_MS = 200

/** The binaries each engine needs: dockerd also needs the docker CLI to talk to it. */
const REQUIRED: Record<Engine, string[]> = { dockerd: ['dockerd', 'docker'], buildah: ['buildah'], podman: ['podman'] }
const PACKAGES: Record<Engine, string> = { dockerd: 'docker.io', buildah: 'buildah', podman: 'podman' }

export function engineMissing(engine: Engine): string | undefined {
  const missing = REQUIRED[engine].filter((program) => findOnPath(program) === undefined)
  if (missing.length > 0) return `${missing.join(' and ')} not installed (apt-get install ${PACKAGES[engine]})`
  if (engine === 'dockerd' && process.getuid?.() !== 0) return 'dockerd needs root'
  return undefined
}

/** `describe` when the engine can run here; otherwise a loud skip, or a failure under CI=true. */
export function describeWithEngine(engine: Engine, name: string, body: () => void): void {
  describeWhenAvailable(engine, engineMissing(engine), name, body)
}

export interface BuildahStorage {
  root: string
  runroot: string
  remove(): Promise<void>
}

/** Private `--root`/`--runroot` directories, so tests never touch the machine's image store. */
export async function buildahStorage(): Promise<BuildahStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-buildah-'))
  return {
    root: join(dir, 'root'),
    runroot: join(dir, 'runroot'),
    remove: () => rm(dir, { recursive: true, force: true })
  }
}

export interface PodmanStorage extends BuildahStorage {
  /** podman's own state (`--tmpdir`), which would otherwise go to /run/libpod. */
  tmpdir: string
}

/** Private `--root`/`--runroot`/`--tmpdir` directories: podman keeps state outside its runroot too. */
export async function podmanStorage(): Promise<PodmanStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-podman-'))
  return {
    root: join(dir, 'root'),
    runroot: join(dir, 'runroot'),
    tmpdir: join(dir, 'tmp'),
    remove: () => rm(dir, { recursive: true, force: true })
  }
}

/**
 * Whether a docker CLI can build with BuildKit: through the buildx component, or built in
 * (CLIs 18.09 to 22, such as Debian's docker.io 20.10 at /usr/bin/docker). Synchronous, so a
 * test file can choose its cases when it is loaded.
 */
export function dockerCliHasBuildKit(binary = 'docker'): boolean {
  const run = (args: string[]) => spawnSync(binary, args, { encoding: 'utf8', timeout: 15_000 })
  if (run(['buildx', 'version']).status === 0) return true
  const version = run(['version', '--format', '{{.Client.Version}}'])
  return cliEmbedsBuildKit((version.stdout ?? '').trim())
}

export interface TestDockerd {
  /** `unix://<tmp>/docker.sock` */
  host: string
  /** The current environment with DOCKER_HOST set to this daemon. */
  env: NodeJS.ProcessEnv
  stop(): Promise<void>
}

/** Starts dockerd with its state in a temp dir and waits until the CLI reaches it. */
export async function startDockerd(options: { insecureRegistries?: readonly string[] } = {}): Promise<TestDockerd> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-dockerd-'))
  const socket = join(dir, 'docker.sock')
  const argv = [
    '--storage-driver', 'vfs',
    '--bridge', 'none',
    '--iptables=false',
    '--ip6tables=false',
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '-H', `unix://${socket}`,
    ...(options.insecureRegistries ?? []).flatMap((registry) => ['--insecure-registry', registry])
  ]
  const child = spawn('dockerd', argv, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
  const log: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')))
  const host = `unix://${socket}`
  const env = { ...process.env, DOCKER_HOST: host }
  const stop = async () => {
    await stopDaemon(child)
    // Once a container has run, dockerd leaves its default network namespace mounted when it
    // exits; the directory cannot be removed (and the mount would leak) until it is unmounted.
    await exec(['umount', join(dir, 'exec', 'netns', 'default')], { allowFailure: true })
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForDaemon(child, env, log)
  } catch (error) {
    await stop()
    throw error
  }
  return { host, env, stop }
}

async function waitForDaemon(child: ChildProcess, env: NodeJS.ProcessEnv, log: string[]): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dockerd exited while starting: ${log.join('').slice(-2000)}`)
    const probe = await exec(['docker', 'version', '--format', '{{.Server.Version}}'], { env, allowFailure: true })
    if (probe.exitCode === 0) return
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  throw new Error(`dockerd did not answer within ${STARTUP_TIMEOUT_MS} ms: ${log.join('').slice(-2000)}`)
}

/** SIGTERM lets dockerd stop its containerd; the group is killed only if it hangs. */
async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => killTree(child.pid), SHUTDOWN_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

/**
 * This machine's programs and the shared libraries they link, each at its own path under
 * `rootfs` (a `/bin/sh` symlink is copied as the file it names): enough for `RUN` steps in an
 * image that starts FROM scratch, with nothing from the network.
 */
export async function copyPrograms(rootfs: string, programs: readonly string[] = ['/bin/sh']): Promise<void> {
  for (const program of programs) {
    const linked = (await exec(['ldd', program])).stdout.toString('utf8')
    const libraries = [...linked.matchAll(/(\/\S+) \(0x/g)].map((match) => match[1])
    for (const path of [program, ...libraries]) {
      await mkdir(dirname(join(rootfs, path)), { recursive: true })
      await copyFile(await realpath(path), join(rootfs, path))
    }
  }
}

/**
 * Builds `tag`, an image of this machine's sh and sha256sum, with buildah into the store `env`
 * selects (CONTAINERS_STORAGE_CONF): a local base image for RUN steps, nothing from the network.
 */
export async function buildahToolsImage(tag: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-tools-image-'))
  try {
    await copyPrograms(join(dir, 'rootfs'), ['/bin/sh', '/usr/bin/sha256sum'])
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\n')
    await exec(['buildah', '--storage-driver', 'vfs', 'bud', '--isolation', 'chroot', '--tag', tag, dir], { env })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * The files of an image archive (`docker save`, `podman save`, `buildah push oci-archive:`) in
 * which `needle` occurs: the archive is unpacked, and every file in it (manifests, the config
 * with its history, each layer) is searched as stored and, when gzip-compressed, uncompressed.
 */
export async function imageArchiveFilesContaining(archive: string, needle: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-image-archive-'))
  try {
    await exec(['tar', '-xf', archive, '-C', dir])
    const found: string[] = []
    const walk = async (path: string): Promise<void> => {
      for (const entry of await readdir(path, { withFileTypes: true })) {
        const child = join(path, entry.name)
        if (entry.isDirectory()) await walk(child)
        else if (entry.isFile()) {
          const bytes = await readFile(child)
          const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b
          if (bytes.includes(needle) || (gzip && gunzipSync(bytes).includes(needle))) found.push(child.slice(dir.length + 1))
        }
      }
    }
    await walk(dir)
    return found
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

