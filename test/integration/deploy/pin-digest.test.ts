/**
 * Pinning tags against a real registry (docker-registry), open and behind htpasswd: the digest
 * the lookup finds is the one the registry stored, a missing tag says so, and logins come from
 * the same sources build-image uses.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pinServiceDeploy, registryTagDigestLookup, type ServiceDeploy, type TaggedImage } from '../../../shared/src/deploy/index.js'
import { parseImageReference } from '../../../shared/src/image/reference.js'
import type { Logger } from '../../../shared/src/log/index.js'
import { resolveCredentials } from '../../../shared/src/registry/index.js'
import { describeWithRegistry, pushImage, startFlakyProxy, startRegistry, TEST_CREDENTIALS, type PushedManifest, type TestRegistry } from '../../support/registry.js'

const SHA = 'e'.repeat(40)
const quiet: Logger = { info: () => undefined, warn: () => undefined, debug: () => undefined }
const quickRetries = { retries: 2, retryBaseMs: 5 }
const tagged = (image: string): TaggedImage => parseImageReference(image) as TaggedImage

function productionDeploy(image: string): ServiceDeploy {
  return {
    request: { service: 'cart', environment: 'production', image, sha: SHA },
    target: { target: 'command', command: ['true'], shell: false, timeoutSeconds: 60, env: {} },
    production: true,
    transient: false
  }
}

describeWithRegistry('pinning a tag to its digest through the registry', () => {
  let open: TestRegistry
  let guarded: TestRegistry
  let cart: PushedManifest
  let pay: PushedManifest
  let dockerConfig: string

  beforeAll(async () => {
    ;[open, guarded] = await Promise.all([startRegistry(), startRegistry({ auth: true })])
    ;[cart, pay] = await Promise.all([pushImage(open, 'team/cart', `git-${SHA}`), pushImage(guarded, 'team/pay', 'v1')])
    dockerConfig = await mkdtemp(join(tmpdir(), 'flotilla-docker-config-'))
    const auth = Buffer.from(`${TEST_CREDENTIALS.username}:${TEST_CREDENTIALS.password}`).toString('base64')
    await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [guarded.host]: { auth } } }))
  })

  afterAll(async () => {
    await Promise.all([open?.stop(), guarded?.stop(), dockerConfig && rm(dockerConfig, { recursive: true, force: true })])
  })

  it('pins a production deploy by tag to the digest the registry stored', async () => {
    const image = `${open.host}/team/cart:git-${SHA}`
    const lookup = registryTagDigestLookup({ credentials: async () => undefined })
    const pinned = await pinServiceDeploy(productionDeploy(image), 'auto', lookup, quiet)
    expect(pinned.request).toMatchObject({ image: `${image}@${cart.digest}`, digest: cart.digest })
  })

  it('says a tag the registry does not hold is not in the registry, in a repository it has or not', async () => {
    const lookup = registryTagDigestLookup({ credentials: async () => undefined })
    await expect(lookup.digestOf(tagged(`${open.host}/team/cart:git-missing`))).rejects.toThrow(`${open.host}/team/cart:git-missing is not in the registry`)
    await expect(lookup.digestOf(tagged(`${open.host}/team/nothing:v1`))).rejects.toThrow(`${open.host}/team/nothing:v1 is not in the registry`)
    await expect(pinServiceDeploy(productionDeploy(`${open.host}/team/cart:git-missing`), 'auto', lookup, quiet)).rejects.toThrow(
      `production is a production environment, never deployed by a movable tag: cannot pin ${open.host}/team/cart:git-missing to a digest: ${open.host}/team/cart:git-missing is not in the registry`
    )
  })

  it('logs in to a registry behind htpasswd with the docker config login, and says when there is none', async () => {
    const image = tagged(`${guarded.host}/team/pay:v1`)
    const fromDockerConfig = registryTagDigestLookup({ credentials: (registry) => resolveCredentials({ registry, env: { DOCKER_CONFIG: dockerConfig } }) })
    expect(await fromDockerConfig.digestOf(image)).toBe(pay.digest)
    const anonymous = registryTagDigestLookup({ credentials: async () => undefined })
    await expect(anonymous.digestOf(image)).rejects.toThrow(`authentication to ${guarded.host} failed: it requires credentials and none were given`)
  })

  it('retries a failing registry a bounded number of times', async () => {
    const proxy = await startFlakyProxy(open.host, 100)
    try {
      const lookup = registryTagDigestLookup({ credentials: async () => undefined, client: quickRetries })
      await expect(lookup.digestOf(tagged(`${proxy.host}/team/cart:git-${SHA}`))).rejects.toThrow(
        `${proxy.host} answered 500 to HEAD /v2/team/cart/manifests/git-${SHA} after 3 attempts`
      )
      expect(proxy.requests()).toBe(3)
    } finally {
      await proxy.stop()
    }
  })
})
