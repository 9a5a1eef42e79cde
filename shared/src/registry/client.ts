import { createHash } from 'node:crypto'
import { digestProblem, DOCKER_HUB, isRepositoryPath, isTag } from '../image/reference.js'
import type { Logger } from '../log/index.js'
import { basicAuthorization, parseAuthenticateChallenge, type RegistryCredentials } from './auth.js'
import { MANIFEST_MEDIA_TYPES } from './media-types.js'
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from './retry.js'

export interface RegistryClientOptions {
  /** Registry host with optional port, as in an image reference: `ghcr.io`, `127.0.0.1:5000`. */
  registry: string
  /** Speak plain http. Defaults to true for loopback registries (as Docker does) and false otherwise. */
  insecure?: boolean
  credentials?: RegistryCredentials
  log?: Logger
  /** Further attempts after a network error, a 5xx or a 429; default 3. */
  retries?: number
  /** First backoff delay in milliseconds, doubled per attempt, with jitter; default 500. */
  retryBaseMs?: number
  /** Per-attempt time limit in milliseconds; default 30 000. */
  timeoutMs?: number
  fetch?: typeof fetch
  /** Receives every bearer token as soon as it arrives, so the caller can mask it before anything logs. */
  onSecret?: (secret: string) => void
}

export interface ManifestDescriptor {
  /** The registry's content digest of the manifest bytes, `sha256:…`. */
  digest: string
  mediaType: string
  size: number
}

export interface Manifest extends ManifestDescriptor {
  bytes: Buffer
}

/** A registry answered with an error or could not be reached. Messages never hold credentials or tokens. */
export class RegistryError extends Error {
  constructor(
    message: string,
    /** The HTTP status when the registry answered. */
    readonly status?: number
  ) {
    super(message)
    this.name = 'RegistryError'
  }
}

export class RegistryAuthError extends RegistryError {
  constructor(message: string, status?: number) {
    super(message, status)
    this.name = 'RegistryAuthError'
  }
}

type Access = 'pull' | 'push'

interface Attempt {
  method: string
  url: string
  headers: Record<string, string>
  body?: Uint8Array
}

const DEFAULT_RETRIES = 3
const DEFAULT_RETRY_BASE_MS = 500
const DEFAULT_TIMEOUT_MS = 30_000
const QUIET: Logger = { info: () => undefined, warn: () => undefined, debug: () => undefined }
/** Docker Hub's API lives on another host than the name images carry. */
const DOCKER_HUB_API = 'registry-1.docker.io'

/**
 * A client for the OCI distribution API, limited to what tagging and skipping builds need:
 * reading manifests and putting them under new tags.
 *
 * Authentication follows the registry's lead: requests go out anonymously until a 401 names a
 * scheme; `Basic` gets the credentials, `Bearer` (GHCR, Docker Hub) gets a token from the realm,
 * fetched with the credentials when there are any and cached per repository scope.
 */
export class RegistryClient {
  readonly registry: string
  private readonly baseUrl: string
  private readonly credentials: RegistryCredentials | undefined
  private readonly log: Logger
  private readonly retries: number
  private readonly retryBaseMs: number
  private readonly timeoutMs: number
  private readonly fetch: typeof fetch
  private readonly onSecret: (secret: string) => void
  /** Set once the registry has asked for basic auth, so later requests carry it from the start. */
  private usesBasicAuth = false
  private readonly tokens = new Map<string, string>()

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry
    const host = options.registry === DOCKER_HUB ? DOCKER_HUB_API : options.registry
    const insecure = options.insecure ?? isLoopback(host)
    this.baseUrl = `${insecure ? 'http' : 'https'}://${host}`
    this.credentials = options.credentials
    this.log = options.log ?? QUIET
    this.retries = options.retries ?? DEFAULT_RETRIES
    this.retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.fetch = options.fetch ?? fetch
    this.onSecret = options.onSecret ?? (() => undefined)
  }

  /** The manifest's digest, media type and size, or undefined when the registry has no such tag or digest. */
  async headManifest(repository: string, reference: string): Promise<ManifestDescriptor | undefined> {
    const response = await this.manifestRequest('HEAD', repository, reference)
    if (response.status === 404) return undefined
    if (!response.ok) throw await this.failure(response, 'HEAD', repository, reference)
    const digest = response.headers.get('docker-content-digest')
    // Without the header only the bytes tell the digest.
    if (digest === null) {
      const { digest: computed, mediaType, size } = await this.getManifest(repository, reference)
      return { digest: computed, mediaType, size }
    }
    if (isDigest(reference) && digest !== reference) throw this.digestMismatch(repository, reference, digest)
    return { digest, mediaType: contentType(response), size: Number(response.headers.get('content-length') ?? 0) }
  }

  /** The manifest's exact bytes, checked against the digest the registry reports and the one asked for. */
  async getManifest(repository: string, reference: string): Promise<Manifest> {
    const response = await this.manifestRequest('GET', repository, reference)
    if (response.status === 404) {
      await response.body?.cancel()
      throw new RegistryError(`manifest ${name(repository, reference)} not found on ${this.registry}`, 404)
    }
    if (!response.ok) throw await this.failure(response, 'GET', repository, reference)
    const bytes = Buffer.from(await response.arrayBuffer())
    const computed = sha256Digest(bytes)
    const digest = response.headers.get('docker-content-digest') ?? computed
    if (digest.startsWith('sha256:') && digest !== computed) throw this.digestMismatch(repository, reference, digest)
    if (isDigest(reference) && reference !== digest) throw this.digestMismatch(repository, reference, digest)
    return { digest, mediaType: contentType(response) || mediaTypeField(bytes), size: bytes.length, bytes }
  }

  /** Stores `bytes` under `tag` (or a digest) and returns the digest the registry gives them. */
  async putManifest(repository: string, tag: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const response = await this.request('PUT', repository, manifestPath(repository, tag), 'push', {
      headers: { 'content-type': mediaType },
      body: bytes
    })
    if (!response.ok) throw await this.failure(response, 'PUT', repository, tag)
    await response.body?.cancel()
    const computed = sha256Digest(bytes)
    const digest = response.headers.get('docker-content-digest') ?? computed
    if (digest !== computed) throw this.digestMismatch(repository, tag, digest)
    return digest
  }

  /**
   * Puts the manifest stored at `digest` under `tag` as well, byte for byte, so the tag names the
   * very image the digest does; returns that digest.
   */
  async addTag(repository: string, digest: string, tag: string): Promise<string> {
    const problem = digestProblem(digest)
    if (problem !== undefined) throw new RegistryError(`cannot tag ${repository} with ${tag}: ${problem}`)
    const manifest = await this.getManifest(repository, digest)
    const stored = await this.putManifest(repository, tag, manifest.bytes, manifest.mediaType)
    if (stored !== digest) throw this.digestMismatch(repository, tag, stored)
    return stored
  }

  async tagExists(repository: string, tag: string): Promise<boolean> {
    return (await this.headManifest(repository, tag)) !== undefined
  }

  private manifestRequest(method: 'HEAD' | 'GET', repository: string, reference: string): Promise<Response> {
    return this.request(method, repository, manifestPath(repository, reference), 'pull', {
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') }
    })
  }

  /** One API request with authentication: anonymous or cached first, then once more after answering a 401's challenge. */
  private async request(
    method: string,
    repository: string,
    path: string,
    access: Access,
    init: { headers: Record<string, string>; body?: Uint8Array }
  ): Promise<Response> {
    const scope = `repository:${repository}:${access === 'push' ? 'pull,push' : 'pull'}`
    const attempt = (authorization: string | undefined): Attempt => ({
      method,
      url: `${this.baseUrl}${path}`,
      headers: authorization === undefined ? init.headers : { ...init.headers, authorization },
      body: init.body
    })
    const first = await this.send(attempt(this.cachedAuthorization(scope)))
    if (first.status !== 401) return first
    await first.body?.cancel()
    const authorization = await this.authenticate(first.headers.get('www-authenticate'), scope)
    const second = await this.send(attempt(authorization))
    if (second.status === 401) {
      await second.body?.cancel()
      this.tokens.delete(scope)
      throw this.authFailed(401)
    }
    return second
  }

  private cachedAuthorization(scope: string): string | undefined {
    if (this.usesBasicAuth && this.credentials !== undefined) return basicAuthorization(this.credentials)
    const token = this.tokens.get(scope)
    return token === undefined ? undefined : `Bearer ${token}`
  }

  /** The `Authorization` value that answers the challenge. */
  private async authenticate(header: string | null, scope: string): Promise<string> {
    const challenge = header === null ? undefined : parseAuthenticateChallenge(header)
    if (challenge === undefined) throw new RegistryAuthError(`${this.registry} answered 401 without an authentication challenge`, 401)
    if (challenge.scheme === 'basic') {
      if (this.credentials === undefined) throw this.authFailed(401)
      this.usesBasicAuth = true
      return basicAuthorization(this.credentials)
    }
    if (challenge.scheme === 'bearer') {
      const token = await this.fetchToken(challenge.params, scope)
      this.onSecret(token)
      this.tokens.set(scope, token)
      return `Bearer ${token}`
    }
    throw new RegistryAuthError(`${this.registry} asks for ${challenge.scheme} authentication, which is not supported`, 401)
  }

  /** A token from the challenge's realm for the scope the registry named and the one this request needs. */
  private async fetchToken(params: Record<string, string>, scope: string): Promise<string> {
    if (params.realm === undefined) throw new RegistryAuthError(`${this.registry} sent a bearer challenge without a realm`, 401)
    let url: URL
    try {
      url = new URL(params.realm)
    } catch {
      throw new RegistryAuthError(`${this.registry} sent a bearer challenge with an invalid realm`, 401)
    }
    if (params.service !== undefined) url.searchParams.set('service', params.service)
    for (const wanted of new Set([params.scope, scope])) {
      if (wanted !== undefined) url.searchParams.append('scope', wanted)
    }
    const headers: Record<string, string> =
      this.credentials === undefined ? {} : { authorization: basicAuthorization(this.credentials) }
    const response = await this.send({ method: 'GET', url: url.toString(), headers })
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw this.authFailed(response.status)
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new RegistryAuthError(`the token service of ${this.registry} (${url.origin}) answered ${response.status}`, response.status)
    }
    let body: unknown
    try {
      body = await response.json()
    } catch {
      throw new RegistryAuthError(`the token service of ${this.registry} (${url.origin}) did not answer JSON`)
    }
    const token = isRecord(body) ? (body.token ?? body.access_token) : undefined
    if (typeof token !== 'string' || token === '') {
      throw new RegistryAuthError(`the token service of ${this.registry} (${url.origin}) returned no token`)
    }
    return token
  }

  /** Sends one request, retrying network errors, 5xx and 429 with bounded exponential backoff. */
  private async send(attempt: Attempt): Promise<Response> {
    const attempts = this.retries + 1
    const target = `${attempt.method} ${new URL(attempt.url).pathname}`
    for (let number = 1; ; number++) {
      const result = await this.fetchOnce(attempt)
      if ('response' in result && !isRetryableStatus(result.response.status)) return result.response
      const last = number === attempts
      let outcome: string
      let requestedDelay = 0
      if ('response' in result) {
        const { response } = result
        if (last) {
          const detail = await errorDetail(response)
          const message = `${this.registry} answered ${response.status} to ${target} after ${attempts} attempts${detail}`
          throw new RegistryError(message, response.status)
        }
        await response.body?.cancel()
        outcome = `answered ${response.status}`
        requestedDelay = retryAfterMs(response.headers.get('retry-after')) ?? 0
      } else {
        const cause = networkCause(result.error)
        if (last) throw new RegistryError(`cannot reach registry ${this.registry}: ${cause} (${target}, ${attempts} attempts)`)
        outcome = `could not be reached (${cause})`
      }
      const delay = Math.max(requestedDelay, backoffDelayMs(number, this.retryBaseMs))
      this.log.warn(`${this.registry} ${outcome} to ${target}; retrying in ${delay} ms (attempt ${number + 1} of ${attempts})`)
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }

  private async fetchOnce(attempt: Attempt): Promise<{ response: Response } | { error: unknown }> {
    try {
      const response = await this.fetch(attempt.url, {
        method: attempt.method,
        headers: attempt.headers,
        body: attempt.body,
        signal: AbortSignal.timeout(this.timeoutMs)
      })
      this.log.debug(`${this.registry}: ${attempt.method} ${new URL(attempt.url).pathname} → ${response.status}`)
      return { response }
    } catch (error) {
      return { error }
    }
  }

  private async failure(response: Response, method: string, repository: string, reference: string): Promise<RegistryError> {
    const detail = method === 'HEAD' ? '' : await errorDetail(response)
    const message = `${this.registry} answered ${response.status} to ${method} manifest ${name(repository, reference)}${detail}`
    return response.status === 403 ? new RegistryAuthError(message, 403) : new RegistryError(message, response.status)
  }

  private authFailed(status: number): RegistryAuthError {
    const why = this.credentials === undefined ? ': it requires credentials and none were given' : ''
    return new RegistryAuthError(`authentication to ${this.registry} failed${why}`, status)
  }

  private digestMismatch(repository: string, reference: string, digest: string): RegistryError {
    return new RegistryError(`${this.registry} gave digest ${digest} for ${name(repository, reference)}, which does not match its content`)
  }
}

function manifestPath(repository: string, reference: string): string {
  if (!isRepositoryPath(repository)) throw new RegistryError(`invalid repository path ${JSON.stringify(repository)}`)
  if (!isTag(reference) && digestProblem(reference) !== undefined) {
    throw new RegistryError(`invalid tag or digest ${JSON.stringify(reference)} for ${repository}`)
  }
  return `/v2/${repository}/manifests/${reference}`
}

function name(repository: string, reference: string): string {
  return `${repository}${isDigest(reference) ? '@' : ':'}${reference}`
}

function isDigest(reference: string): boolean {
  return reference.includes(':')
}

function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function contentType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0].trim()
}

function mediaTypeField(bytes: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'))
    return isRecord(parsed) && typeof parsed.mediaType === 'string' ? parsed.mediaType : ''
  } catch {
    return ''
  }
}

/** The registry's own explanation (`errors[].code: message` in the distribution spec), prefixed for a message. */
async function errorDetail(response: Response): Promise<string> {
  let body: unknown
  try {
    body = JSON.parse(await response.text())
  } catch {
    return ''
  }
  const errors = isRecord(body) && Array.isArray(body.errors) ? body.errors : []
  const parts = errors
    .filter(isRecord)
    .map((error) => [error.code, error.message].filter((part) => typeof part === 'string' && part !== '').join(': '))
    .filter((part) => part !== '')
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`
}

/** The underlying reason fetch failed (`connect ECONNREFUSED …`), not its generic "fetch failed". */
function networkCause(error: unknown): string {
  // Fields, not `instanceof`: fetch's errors may come from another realm (a vm context, a bundle).
  const { name, message, cause } = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>
  if (name === 'TimeoutError') return 'timed out'
  const causeMessage = typeof cause === 'object' && cause !== null ? (cause as Record<string, unknown>).message : undefined
  if (typeof causeMessage === 'string' && causeMessage !== '') return causeMessage
  return typeof message === 'string' ? message : String(error)
}

/** Loopback registries (a local `registry:2`, a test's) speak plain http, as Docker assumes. */
function isLoopback(host: string): boolean {
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '')
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
