/**
 * A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) on
 * 127.0.0.1:<free port> with its storage in a temp dir, open or behind htpasswd basic auth.
 *
 *   describeWithRegistry('tagging', () => {
 *     let registry: TestRegistry
 *     beforeAll(async () => { registry = await startRegistry({ auth: true }) })
 *     afterAll(() => registry.stop())
 *     it('…', async () => {
 *       const image = await pushImage(registry, 'team/cart', 'v1')   // a real image, no engine needed
 *     })
 *   })
 *
 * Exports:
 * - `describeWithRegistry(name, body)`: `describe` when the binary is installed; otherwise skips
 *   loudly, except under `CI=true`, where it fails.
 * - `startRegistry({ auth? })` → `TestRegistry` { host, credentials?, stop() }; `TEST_CREDENTIALS`
 *   is the htpasswd login of registries started with `auth: true`.
 * - `pushImage(registry, repository, tag, content?)`: pushes a config blob, a one-file layer
 *   tarball made in-process, and an OCI image manifest; `pushIndex(...)` an OCI index over images.
 * - `pullImage(registry, repository, tag)`: what anyone who can pull gets: the manifest, the
 *   config (labels, history) and every layer, gunzipped.
 * - `startFlakyProxy(targetHost, failures)`: a loopback proxy answering 500 to its first
 *   `failures` requests, then forwarding; `unusedLoopbackHost()`: a host:port nobody listens on.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { killTree } from '../../shared/src/exec/index.js'
import { basicAuthorization, type RegistryCredentials } from '../../shared/src/registry/auth.js'
import { OCI_INDEX, OCI_MANIFEST } from '../../shared/src/registry/media-types.js'
import { describeWhenAvailable, findOnPath } from './tools.js'

export const TEST_CREDENTIALS: RegistryCredentials = { username: 'flotilla', password: 'flotilla-test-password' }

/**
 * bcrypt (cost 4, the minimum, to keep logins fast) of TEST_CREDENTIALS.password, made once with
 * libcrypt's `crypt(3)`: distribution's htpasswd accepts only bcrypt, and a fixed entry spares
 * the tests both the `htpasswd` binary and a bcrypt dependency.
 */
const HTPASSWD = `${TEST_CREDENTIALS.username}:$2b$04$7SUMT6Ddec7NmylAICCyLOnOWAMPBWjYJtCMiquVAFOdZqz2XKKJ6\n`

const STARTUP_TIMEOUT_MS = 15_000
const POLL_MS = 50

/** The installed registry binary, or undefined. */
export const registryBinary: string | undefined = findOnPath('docker-registry')

export interface TestRegistry {
  /** 127.0.0.1:<port>, what image references and `RegistryClient` take. */
  host: string
  /** The login this registry requires, when started with `auth: true`. */
  credentials?: RegistryCredentials
  stop(): Promise<void>
}

/** `describe`, or a loud skip when docker-registry is missing outside CI; in CI a missing binary fails. */
export function describeWithRegistry(name: string, body: () => void): void {
  describeWhenAvailable('docker-registry', registryBinary === undefined ? 'not installed (apt-get install docker-registry)' : undefined, name, body)
}

/** Starts a registry and waits until `/v2/` answers; retries on another port if the chosen one was taken meanwhile. */
export async function startRegistry(options: { auth?: boolean } = {}): Promise<TestRegistry> {
  if (registryBinary === undefined) throw new Error('docker-registry is not installed')
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-registry-'))
  try {
    if (options.auth) await writeFile(join(dir, 'htpasswd'), HTPASSWD)
    for (let tries = 1; ; tries++) {
      const port = await freePort()
      const config = join(dir, 'config.yml')
      await writeFile(config, registryConfig(dir, port, options.auth === true))
      const child = spawn(registryBinary, ['serve', config], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
      const stderr: string[] = []
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
      const host = `127.0.0.1:${port}`
      try {
        await waitUntilServing(child, host, stderr)
      } catch (error) {
        await stopProcess(child)
        if (tries < 3 && stderr.join('').includes('address already in use')) continue
        throw error
      }
      return {
        host,
        ...(options.auth ? { credentials: TEST_CREDENTIALS } : {}),
        stop: async () => {
          await stopProcess(child)
          await rm(dir, { recursive: true, force: true })
        }
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

export interface PushedManifest {
  repository: string
  tag: string
  digest: string
  mediaType: string
  bytes: Buffer
}

/** Pushes a minimal real image: a config blob, one gzipped layer holding `content`, and its OCI manifest. */
export async function pushImage(
  registry: TestRegistry,
  repository: string,
  tag: string,
  content = `${repository}:${tag}\n`
): Promise<PushedManifest> {
  const tar = tarWithOneFile('hello.txt', Buffer.from(content, 'utf8'))
  const layer = gzipSync(tar)
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] }
    })
  )
  await pushBlob(registry, repository, config)
  await pushBlob(registry, repository, layer)
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }]
  }
  return putManifest(registry, repository, tag, OCI_MANIFEST, manifest)
}

/** Pushes an OCI index (a multi-platform image) over images already in `repository`. */
export async function pushIndex(
  registry: TestRegistry,
  repository: string,
  tag: string,
  images: readonly PushedManifest[]
): Promise<PushedManifest> {
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((image, position) => ({
      mediaType: image.mediaType,
      digest: image.digest,
      size: image.bytes.length,
      platform: { architecture: position === 0 ? 'amd64' : 'arm64', os: 'linux' }
    }))
  }
  return putManifest(registry, repository, tag, OCI_INDEX, index)
}

export interface PulledImage {
  manifest: Buffer
  config: Buffer
  /** Each layer as a tar, uncompressed. */
  layers: Buffer[]
}

/** Pulls one single-platform image (OCI or Docker manifest) with the registry's login, as `docker pull` would. */
export async function pullImage(registry: TestRegistry, repository: string, tag: string): Promise<PulledImage> {
  const get = async (path: string, accept?: string): Promise<Buffer> => {
    const headers: Record<string, string> = {
      ...(accept === undefined ? {} : { accept }),
      ...(registry.credentials ? { authorization: basicAuthorization(registry.credentials) } : {})
    }
    const response = await fetch(`http://${registry.host}/v2/${repository}/${path}`, { headers })
    if (response.status !== 200) throw new Error(`GET ${repository}/${path} answered ${response.status}`)
    return Buffer.from(await response.arrayBuffer())
  }
  const manifest = await get(`manifests/${tag}`, `${OCI_MANIFEST}, application/vnd.docker.distribution.manifest.v2+json`)
  const document = JSON.parse(manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] }
  const config = await get(`blobs/${document.config.digest}`)
  const layers = await Promise.all(
    document.layers.map(async (layer) => {
      const bytes = await get(`blobs/${layer.digest}`)
      return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
    })
  )
  return { manifest, config, layers }
}

export interface FlakyProxy {
  host: string
  /** Requests received so far, failed ones included. */
  requests(): number
  stop(): Promise<void>
}

/** A loopback HTTP proxy in front of `targetHost` that answers 500 to its first `failures` requests. */
export async function startFlakyProxy(targetHost: string, failures: number): Promise<FlakyProxy> {
  const [targetName, targetPort] = targetHost.split(':')
  let received = 0
  const server = createServer((incoming, outgoing) => {
    received++
    if (received <= failures) {
      incoming.resume()
      outgoing.writeHead(500, { 'content-type': 'text/plain' }).end('injected failure\n')
      return
    }
    const target = {
      host: targetName,
      port: Number(targetPort),
      method: incoming.method,
      path: incoming.url,
      headers: { ...incoming.headers, host: targetHost }
    }
    const forwarded = httpRequest(target, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(outgoing)
    })
    forwarded.on('error', () => outgoing.writeHead(502).end())
    incoming.pipe(forwarded)
  })
  const port = await listen(server)
  return {
    host: `127.0.0.1:${port}`,
    requests: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A loopback host:port with nothing listening, so connections are refused. */
export async function unusedLoopbackHost(): Promise<string> {
  return `127.0.0.1:${await freePort()}`
}

function registryConfig(dir: string, port: number, auth: boolean): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(dir, 'data'))}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: flotilla-test-only'
  ]
  if (auth) lines.push('auth:', '  htpasswd:', '    realm: flotilla-test', `    path: ${JSON.stringify(join(dir, 'htpasswd'))}`)
  return `${lines.join('\n')}\n`
}

async function waitUntilServing(child: ChildProcess, host: string, stderr: string[]): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited before serving: ${stderr.join('').trim()}`)
    }
    try {
      // Any answer, 401 included, means the API is up.
      const response = await fetch(`http://${host}/v2/`)
      await response.body?.cancel()
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }
  throw new Error(`docker-registry did not answer on ${host} within ${STARTUP_TIMEOUT_MS} ms: ${stderr.join('').trim()}`)
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  killTree(child.pid)
  await exited
}

async function pushBlob(registry: TestRegistry, repository: string, blob: Buffer): Promise<void> {
  const start = await registryFetch(registry, `/v2/${repository}/blobs/uploads/`, { method: 'POST' }, 202)
  const location = new URL(start.headers.get('location') ?? '', `http://${registry.host}`)
  location.searchParams.set('digest', sha256(blob))
  await registryFetch(registry, location.pathname + location.search, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: blob
  }, 201)
}

async function putManifest(
  registry: TestRegistry,
  repository: string,
  tag: string,
  mediaType: string,
  document: object
): Promise<PushedManifest> {
  const bytes = Buffer.from(JSON.stringify(document))
  const response = await registryFetch(registry, `/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: bytes
  }, 201)
  const digest = sha256(bytes)
  if (response.headers.get('docker-content-digest') !== digest) throw new Error(`registry stored ${repository}:${tag} under another digest`)
  return { repository, tag, digest, mediaType, bytes }
}

async function registryFetch(
  registry: TestRegistry,
  path: string,
  init: { method: string; headers?: Record<string, string>; body?: Buffer },
  expected: number
): Promise<Response> {
  const authorization: Record<string, string> = registry.credentials ? { authorization: basicAuthorization(registry.credentials) } : {}
  const response = await fetch(`http://${registry.host}${path}`, { ...init, headers: { ...init.headers, ...authorization } })
  if (response.status !== expected) throw new Error(`${init.method} ${path} answered ${response.status}: ${await response.text()}`)
  await response.body?.cancel()
  return response
}

/** A ustar archive holding one regular file, built by hand so tests need no tar binary. */
function tarWithOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512)
  const field = (offset: number, length: number, value: string) =>
    header.write(value.padEnd(length, '\0').slice(0, length), offset, 'ascii')
  field(0, 100, name)
  field(100, 8, '0000644')
  field(108, 8, '0000000')
  field(116, 8, '0000000')
  field(124, 12, content.length.toString(8).padStart(11, '0'))
  field(136, 12, '00000000000')
  field(148, 8, '        ')
  field(156, 1, '0')
  field(257, 6, 'ustar')
  field(263, 2, '00')
  const checksum = header.reduce((sum, byte) => sum + byte, 0)
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `)
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512)
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)])
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function freePort(): Promise<number> {
  const server = createNetServer()
  return listen(server).then(
    (port) => new Promise<number>((resolve) => server.close(() => resolve(port)))
  )
}

function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : 0)
    })
  })
}
