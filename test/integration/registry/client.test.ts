import { afterAll, beforeAll, expect, it } from '@jest/globals'
import type { Logger } from '../../../shared/src/log/index.js'
import { OCI_INDEX, OCI_MANIFEST } from '../../../shared/src/registry/media-types.js'
import { RegistryAuthError, RegistryClient, RegistryError, type RegistryClientOptions } from '../../../shared/src/registry/client.js'
import {
  describeWithRegistry,
  pushImage,
  pushIndex,
  startFlakyProxy,
  startRegistry,
  TEST_CREDENTIALS,
  unusedLoopbackHost,
  type PushedManifest,
  type TestRegistry
} from '../../support/registry.js'

/** A logger that keeps every line, to assert on what a run would have printed. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warning: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`)
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the promise to reject')
}

const quickRetries: Partial<RegistryClientOptions> = { retries: 2, retryBaseMs: 5 }

describeWithRegistry('registry client against docker-registry', () => {
  let open: TestRegistry
  let guarded: TestRegistry
  let cart: PushedManifest

  beforeAll(async () => {
    ;[open, guarded] = await Promise.all([startRegistry(), startRegistry({ auth: true })])
    cart = await pushImage(open, 'team/cart', 'v1')
  })

  afterAll(async () => {
    await Promise.all([open?.stop(), guarded?.stop()])
  })

  it('reads an OCI manifest by HEAD and GET, with the digest the registry stored', async () => {
    const client = new RegistryClient({ registry: open.host })
    expect(await client.headManifest('team/cart', 'v1')).toEqual({ digest: cart.digest, mediaType: OCI_MANIFEST, size: cart.bytes.length })
    const manifest = await client.getManifest('team/cart', 'v1')
    expect(manifest.bytes.equals(cart.bytes)).toBe(true)
    expect(manifest).toMatchObject({ digest: cart.digest, mediaType: OCI_MANIFEST })
    expect((await client.getManifest('team/cart', cart.digest)).digest).toBe(cart.digest)
  })

  it('asks for multi-platform indexes as they are', async () => {
    const arm = await pushImage(open, 'team/multi', 'arm', 'arm64 build\n')
    const amd = await pushImage(open, 'team/multi', 'amd', 'amd64 build\n')
    const index = await pushIndex(open, 'team/multi', 'v1', [amd, arm])
    const client = new RegistryClient({ registry: open.host })
    expect(await client.headManifest('team/multi', 'v1')).toEqual({ digest: index.digest, mediaType: OCI_INDEX, size: index.bytes.length })
  })

  it('adds a tag to an existing manifest without changing its digest', async () => {
    const client = new RegistryClient({ registry: open.host })
    expect(await client.tagExists('team/cart', 'sha-0123456')).toBe(false)
    expect(await client.addTag('team/cart', cart.digest, 'sha-0123456')).toBe(cart.digest)
    expect(await client.tagExists('team/cart', 'sha-0123456')).toBe(true)
    expect((await client.headManifest('team/cart', 'sha-0123456'))?.digest).toBe(cart.digest)
  })

  it('finds no tag in a repository that does not exist, and says which manifest is missing', async () => {
    const client = new RegistryClient({ registry: open.host })
    expect(await client.tagExists('team/nothing', 'v1')).toBe(false)
    const error = await rejection(client.getManifest('team/cart', 'v9'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.message).toBe(`manifest team/cart:v9 not found on ${open.host}`)
  })

  it('logs in with basic auth when the registry asks for it', async () => {
    const image = await pushImage(guarded, 'team/pay', 'v1')
    const client = new RegistryClient({ registry: guarded.host, credentials: TEST_CREDENTIALS })
    expect((await client.headManifest('team/pay', 'v1'))?.digest).toBe(image.digest)
    expect(await client.addTag('team/pay', image.digest, 'latest')).toBe(image.digest)
  })

  it('fails clearly on a wrong password, with no trace of it in the error or the log', async () => {
    await pushImage(guarded, 'team/pay', 'v1')
    const log = capturingLogger()
    const wrong = { username: TEST_CREDENTIALS.username, password: 'wrong-Pa55word' }
    const client = new RegistryClient({ registry: guarded.host, credentials: wrong, log })
    const error = await rejection(client.headManifest('team/pay', 'v1'))
    expect(error).toBeInstanceOf(RegistryAuthError)
    expect(error.message).toBe(`authentication to ${guarded.host} failed`)

    const secrets = [wrong.password, Buffer.from(`${wrong.username}:${wrong.password}`).toString('base64'), Buffer.from(wrong.password).toString('base64')]
    const output = [error.message, String(error.stack), ...log.lines].join('\n')
    expect(log.lines.length).toBeGreaterThan(0)
    for (const secret of secrets) expect(output).not.toContain(secret)
  })

  it('says credentials are missing when a registry needs them', async () => {
    const client = new RegistryClient({ registry: guarded.host })
    const error = await rejection(client.tagExists('team/pay', 'v1'))
    expect(error.message).toBe(`authentication to ${guarded.host} failed: it requires credentials and none were given`)
  })

  it('gives up on a registry that is down after bounded retries', async () => {
    const host = await unusedLoopbackHost()
    const log = capturingLogger()
    const client = new RegistryClient({ registry: host, log, ...quickRetries })
    const error = await rejection(client.headManifest('team/cart', 'v1'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error.message).toMatch(new RegExp(`^cannot reach registry ${host}: .*ECONNREFUSED.* \\(HEAD /v2/team/cart/manifests/v1, 3 attempts\\)$`))
    expect(log.lines.filter((line) => line.startsWith('warning:'))).toHaveLength(2)
  })

  it('retries a registry answering 500 and succeeds once it answers', async () => {
    const proxy = await startFlakyProxy(open.host, 2)
    try {
      const log = capturingLogger()
      const client = new RegistryClient({ registry: proxy.host, log, ...quickRetries })
      expect((await client.headManifest('team/cart', 'v1'))?.digest).toBe(cart.digest)
      expect(proxy.requests()).toBe(3)
      expect(log.lines.filter((line) => line.includes('answered 500'))).toHaveLength(2)
    } finally {
      await proxy.stop()
    }
  })

  it('stops retrying a registry that keeps answering 500', async () => {
    const proxy = await startFlakyProxy(open.host, 100)
    try {
      const client = new RegistryClient({ registry: proxy.host, ...quickRetries })
      const error = await rejection(client.getManifest('team/cart', 'v1'))
      expect(error.message).toBe(`${proxy.host} answered 500 to GET /v2/team/cart/manifests/v1 after 3 attempts`)
      expect(proxy.requests()).toBe(3)
    } finally {
      await proxy.stop()
    }
  })
})
