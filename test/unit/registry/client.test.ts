import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { RegistryAuthError, RegistryClient, RegistryError } from '../../../shared/src/registry/client.js'
import { OCI_MANIFEST } from '../../../shared/src/registry/media-types.js'

const CREDENTIALS = { username: 'octocat', password: 'ghs_tokenSecret' }
const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }))
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`

interface Call {
  method: string
  url: URL
  authorization: string | null
}

/**
 * A registry in the style of GHCR and Docker Hub: manifests need a bearer token, which its
 * `/token` realm issues for the scopes asked, to anyone when `anonymous`, else only with the login.
 */
function tokenRegistry(options: { host?: string; anonymous?: boolean; digestHeader?: string } = {}) {
  const host = options.host ?? 'ghcr.io'
  const calls: Call[] = []
  const grants = new Map<string, string[]>()
  const login = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input))
    const method = init?.method ?? 'GET'
    const authorization = new Headers(init?.headers).get('authorization')
    calls.push({ method, url, authorization })
    if (url.pathname === '/token') {
      if (authorization !== login && !(options.anonymous && authorization === null)) return new Response('{}', { status: 401 })
      const token = `token-${grants.size + 1}`
      grants.set(token, url.searchParams.getAll('scope'))
      return Response.json({ token })
    }
    const repository = url.pathname.replace(/^\/v2\//, '').replace(/\/manifests\/.*$/, '')
    const needed = `repository:${repository}:${method === 'PUT' ? 'pull,push' : 'pull'}`
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined
    const granted = token === undefined ? [] : (grants.get(token) ?? [])
    if (!granted.includes(needed) && !(method !== 'PUT' && granted.includes(`repository:${repository}:pull,push`))) {
      return new Response(null, {
        status: 401,
        headers: { 'www-authenticate': `Bearer realm="https://${host}/token",service="${host}",scope="${needed}"` }
      })
    }
    const digest = options.digestHeader ?? DIGEST
    if (method === 'PUT') return new Response(null, { status: 201, headers: { 'docker-content-digest': digest } })
    return new Response(method === 'HEAD' ? null : MANIFEST, {
      status: 200,
      headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': digest, 'content-length': String(MANIFEST.length) }
    })
  }
  return { fetch: fetch as typeof globalThis.fetch, calls, revokeTokens: () => grants.clear() }
}

describe('RegistryClient with a token registry', () => {
  it('gets a token from the realm with the login, then reuses it for the same repository', async () => {
    const registry = tokenRegistry()
    const tokens: string[] = []
    const client = new RegistryClient({ registry: 'ghcr.io', credentials: CREDENTIALS, fetch: registry.fetch, onSecret: (token) => tokens.push(token) })

    expect(await client.headManifest('acme/cart', 'v1')).toEqual({ digest: DIGEST, mediaType: OCI_MANIFEST, size: MANIFEST.length })
    expect(await client.tagExists('acme/cart', 'v2')).toBe(true)

    expect(registry.calls.map((call) => `${call.method} ${call.url.origin}${call.url.pathname}`)).toEqual([
      'HEAD https://ghcr.io/v2/acme/cart/manifests/v1',
      'GET https://ghcr.io/token',
      'HEAD https://ghcr.io/v2/acme/cart/manifests/v1',
      'HEAD https://ghcr.io/v2/acme/cart/manifests/v2'
    ])
    expect(registry.calls[1].url.searchParams.get('service')).toBe('ghcr.io')
    expect(registry.calls[1].url.searchParams.getAll('scope')).toEqual(['repository:acme/cart:pull'])
    expect(registry.calls[0].authorization).toBeNull()
    expect(registry.calls[3].authorization).toBe('Bearer token-1')
    expect(tokens).toEqual(['token-1'])
  })

  it('asks for a push token to retag, and a separate token per repository', async () => {
    const registry = tokenRegistry()
    const client = new RegistryClient({ registry: 'ghcr.io', credentials: CREDENTIALS, fetch: registry.fetch })
    expect(await client.addTag('acme/cart', DIGEST, 'latest')).toBe(DIGEST)
    await client.headManifest('acme/pay', 'v1')
    const tokenScopes = registry.calls.filter((call) => call.url.pathname === '/token').map((call) => call.url.searchParams.getAll('scope'))
    expect(tokenScopes).toEqual([['repository:acme/cart:pull'], ['repository:acme/cart:pull,push'], ['repository:acme/pay:pull']])
  })

  it('gets an anonymous token when it has no login', async () => {
    const registry = tokenRegistry({ anonymous: true })
    const client = new RegistryClient({ registry: 'ghcr.io', fetch: registry.fetch })
    expect((await client.getManifest('acme/cart', 'v1')).bytes.equals(MANIFEST)).toBe(true)
    expect(registry.calls.find((call) => call.url.pathname === '/token')?.authorization).toBeNull()
  })

  it('fetches a new token when the cached one stops working', async () => {
    const registry = tokenRegistry()
    const client = new RegistryClient({ registry: 'ghcr.io', credentials: CREDENTIALS, fetch: registry.fetch })
    await client.headManifest('acme/cart', 'v1')
    registry.revokeTokens()
    expect(await client.tagExists('acme/cart', 'v1')).toBe(true)
    expect(registry.calls.filter((call) => call.url.pathname === '/token')).toHaveLength(2)
  })

  it('reports a refused login without the password or its base64', async () => {
    const registry = tokenRegistry()
    const wrong = { username: 'octocat', password: 'not-the-token' }
    const client = new RegistryClient({ registry: 'ghcr.io', credentials: wrong, fetch: registry.fetch })
    const error = await client.headManifest('acme/cart', 'v1').catch((caught: Error) => caught)
    expect(error).toBeInstanceOf(RegistryAuthError)
    expect((error as Error).message).toBe('authentication to ghcr.io failed')
    expect((error as Error).message).not.toContain(Buffer.from('octocat:not-the-token').toString('base64'))
  })

  it('talks to Docker Hub through its API host', async () => {
    const registry = tokenRegistry({ host: 'auth.docker.io', anonymous: true })
    const client = new RegistryClient({ registry: 'docker.io', fetch: registry.fetch })
    await client.headManifest('library/nginx', 'latest')
    expect(registry.calls[0].url.origin).toBe('https://registry-1.docker.io')
    expect(registry.calls[1].url.origin).toBe('https://auth.docker.io')
  })
})

describe('RegistryClient checks', () => {
  it('refuses a manifest whose bytes do not match the digest the registry claims', async () => {
    const registry = tokenRegistry({ anonymous: true, digestHeader: `sha256:${'0'.repeat(64)}` })
    const client = new RegistryClient({ registry: 'ghcr.io', fetch: registry.fetch })
    await expect(client.getManifest('acme/cart', 'v1')).rejects.toThrow(RegistryError)
    await expect(client.getManifest('acme/cart', 'v1')).rejects.toThrow(`does not match its content`)
  })

  it('rejects an invalid repository or reference before sending anything', async () => {
    const registry = tokenRegistry({ anonymous: true })
    const client = new RegistryClient({ registry: 'ghcr.io', fetch: registry.fetch })
    await expect(client.headManifest('Acme/Cart', 'v1')).rejects.toThrow('invalid repository path "Acme/Cart"')
    await expect(client.headManifest('acme/cart', '../v1')).rejects.toThrow('invalid tag or digest "../v1" for acme/cart')
    await expect(client.addTag('acme/cart', 'v1', 'latest')).rejects.toThrow('cannot tag acme/cart with latest: digest "v1" must be algorithm:lowercase-hex')
    expect(registry.calls).toEqual([])
  })
})
