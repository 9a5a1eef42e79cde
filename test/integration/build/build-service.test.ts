/**
 * `buildService` against real components: git repositories made by fixtures, Debian's
 * docker-registry behind htpasswd auth, and real builders (buildah with vfs + chroot, and a
 * dockerd the test starts). Dockerfiles start FROM scratch, so nothing comes from the network.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { hashServiceInputs } from '../../../shared/src/build/inputs.js'
import { buildService, type BuildServiceOptions } from '../../../shared/src/build/service.js'
import { BuildahBuilder, BuilderError, DockerBuilder, type ImageBuilder } from '../../../shared/src/builders/index.js'
import { loadManifest } from '../../../shared/src/config/index.js'
import type { Logger } from '../../../shared/src/log/index.js'
import { RegistryAuthError, RegistryClient } from '../../../shared/src/registry/index.js'
import { secretsToMask } from '../../../shared/src/registry/auth.js'
import { buildahStorage, describeWithEngine, startDockerd, type BuildahStorage, type TestDockerd } from '../../support/engines.js'
import { gitEnv, RepoFixture } from '../../support/git-fixtures.js'
import { describeWithRegistry, startFlakyProxy, startRegistry, unusedLoopbackHost, type TestRegistry } from '../../support/registry.js'

const DOCKERFILE = 'FROM scratch\nCOPY app.txt /app.txt\n'

function shopFiles(registry: string): Record<string, string> {
  return {
    'flotilla.yml': [
      'version: 1',
      `registry: ${registry}/shop`,
      'libraries:',
      '  money: { paths: ["libs/money/**"] }',
      'services:',
      '  cart: { path: services/cart, depends_on: [money] }',
      '  users: { path: services/users }',
      '  broken: { path: services/broken }',
      ''
    ].join('\n'),
    'libs/money/money.txt': 'cents\n',
    'services/cart/Dockerfile': DOCKERFILE,
    'services/cart/app.txt': 'cart v1\n',
    'services/users/Dockerfile': DOCKERFILE,
    'services/users/app.txt': 'users v1\n',
    'services/broken/Dockerfile': 'FROM scratch\nCOPY missing-file.txt /missing-file.txt\n'
  }
}

/** Everything logged, to assert that no secret reached any log line. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m), debug: (m) => lines.push(m) }
}

describeWithRegistry('buildService', () => {
  let registry: TestRegistry
  let repo: RepoFixture

  beforeAll(async () => {
    registry = await startRegistry({ auth: true })
    repo = await RepoFixture.create()
    await repo.commit({ write: shopFiles(registry.host) }, 'the shop')
  })
  afterAll(async () => {
    await repo?.cleanup()
    await registry?.stop()
  })

  async function build(service: string, builder: ImageBuilder, overrides: Partial<BuildServiceOptions> = {}) {
    return buildService({
      root: repo.work,
      manifest: await loadManifest(repo.work),
      service,
      tagContext: { branch: 'main', defaultBranch: 'main' },
      push: true,
      builder,
      credentials: registry.credentials,
      registryOptions: { retries: 2, retryBaseMs: 10 },
      log: capturingLogger(),
      env: gitEnv,
      ...overrides
    })
  }

  const registryClient = () => new RegistryClient({ registry: registry.host, credentials: registry.credentials })

  describe('input hash', () => {
    const hashOf = async (service: string) =>
      (await hashServiceInputs({ root: repo.work, manifest: await loadManifest(repo.work), service, env: gitEnv })).hash

    it('changes when a library the service depends on changes, not when another service does', async () => {
      const cart = await hashOf('cart')
      const users = await hashOf('users')
      await repo.commit({ write: { 'libs/money/money.txt': 'cents and euros\n' } }, 'money changes')
      expect(await hashOf('cart')).not.toBe(cart)
      expect(await hashOf('users')).toBe(users)
      const cartAfterMoney = await hashOf('cart')
      await repo.commit({ write: { 'services/users/app.txt': 'users v2\n' } }, 'users changes')
      expect(await hashOf('cart')).toBe(cartAfterMoney)
      expect(await hashOf('users')).not.toBe(users)
    })

    it('lists uncommitted input changes, which the build must not file under the hash', async () => {
      const manifest = await loadManifest(repo.work)
      await repo.commit({ write: { 'services/users/app.txt': 'users v3\n' } }, 'users v3')
      const { writeFile } = await import('node:fs/promises')
      await writeFile(`${repo.work}/services/users/app.txt`, 'edited, not committed\n')
      try {
        const inputs = await hashServiceInputs({ root: repo.work, manifest, service: 'users', env: gitEnv })
        expect(inputs.uncommitted).toEqual(['services/users/app.txt'])
      } finally {
        await writeFile(`${repo.work}/services/users/app.txt`, 'users v3\n')
      }
    })
  })

  describeWithEngine('buildah', 'with buildah (vfs, chroot)', () => {
    let storage: BuildahStorage
    let buildah: BuildahBuilder
    beforeAll(async () => {
      storage = await buildahStorage()
      buildah = new BuildahBuilder({ root: storage.root, runroot: storage.runroot })
    })
    afterAll(() => storage?.remove())

    it('builds and pushes, then a second run with no change builds nothing, adds the new tags and reports the same digest', async () => {
      const first = await build('cart', buildah)
      expect(first).toMatchObject({ skipped: false, pushed: true, builder: 'buildah' })
      expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(first.imageRef).toBe(`${registry.host}/shop/cart@${first.digest}`)
      const head = await registryClient().headManifest('shop/cart', `inputs-${first.hash}`)
      expect(head?.digest).toBe(first.digest)

      const second = await build('cart', buildah, { tagContext: { branch: 'feature/Fix_$(id)#1', defaultBranch: 'main' } })
      expect(second).toMatchObject({ skipped: true, hash: first.hash, digest: first.digest })
      expect(second.builder).toBeUndefined()
      expect(second.tags).toContain('feature-fix_-id-1')
      const branchTag = await registryClient().headManifest('shop/cart', 'feature-fix_-id-1')
      expect(branchTag?.digest).toBe(first.digest)
    })

    it('rebuilds after a library change and skips after a change to another service', async () => {
      const before = await build('cart', buildah)
      await repo.commit({ write: { 'libs/money/money.txt': `cents ${Date.now()}\n` } }, 'money again')
      const afterLibrary = await build('cart', buildah)
      expect(afterLibrary.skipped).toBe(false)
      expect(afterLibrary.hash).not.toBe(before.hash)
      await repo.commit({ write: { 'services/users/app.txt': `users ${Date.now()}\n` } }, 'users again')
      const afterOtherService = await build('cart', buildah)
      expect(afterOtherService).toMatchObject({ skipped: true, hash: afterLibrary.hash, digest: afterLibrary.digest })
    })

    it('fails on a broken Dockerfile with the builder output, and pushes no tag', async () => {
      const error = await build('broken', buildah).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(BuilderError)
      expect((error as BuilderError).output).toMatch(/missing-file\.txt/)
      const sha = await repo.sha()
      expect(await registryClient().tagExists('shop/broken', `sha-${sha.slice(0, 7)}`)).toBe(false)
    })

    it('refuses a wrong password with a clear error that holds neither the password nor its base64', async () => {
      const log = capturingLogger()
      const wrong = { username: 'flotilla', password: 'wrong-password-123' }
      await repo.commit({ write: { 'services/users/app.txt': `users ${Date.now()}\n` } }, 'users for auth')
      const error = (await build('users', buildah, { credentials: wrong, log }).catch((caught: unknown) => caught)) as Error
      expect(error).toBeInstanceOf(RegistryAuthError)
      expect(error.message).toMatch(/401|credentials|denied|authentication/i)
      const everything = [error.message, error.stack ?? '', ...log.lines].join('\n')
      for (const secret of secretsToMask(wrong)) expect(everything).not.toContain(secret)
    })

    it('retries a registry answering 500 before it answers, and fails clearly when the registry is down', async () => {
      const pushed = await build('cart', buildah)
      const proxy = await startFlakyProxy(registry.host, 2)
      try {
        const throughProxy = await build('cart', buildah, { image: `${proxy.host}/shop/cart` })
        expect(throughProxy).toMatchObject({ skipped: true, digest: pushed.digest })
        expect(proxy.requests()).toBeGreaterThan(2)
      } finally {
        await proxy.stop()
      }
      const down = await unusedLoopbackHost()
      await expect(build('cart', buildah, { image: `${down}/shop/cart` })).rejects.toThrow(new RegExp(`cannot reach registry ${down}.*3 attempts`))
    })
  })

  describeWithEngine('dockerd', 'with a real dockerd (legacy docker build)', () => {
    let daemon: TestDockerd
    beforeAll(async () => {
      daemon = await startDockerd({ insecureRegistries: [registry.host] })
    }, 60_000)
    afterAll(() => daemon?.stop(), 60_000)

    it('builds and pushes, and the second run skips with the same digest', async () => {
      await repo.commit({ write: { 'services/users/app.txt': `users for docker ${Date.now()}\n` } }, 'users for docker')
      const docker = new DockerBuilder({ env: daemon.env })
      expect(await docker.available()).toBe(true)
      const first = await build('users', docker)
      expect(first).toMatchObject({ skipped: false, pushed: true, builder: 'docker' })
      expect((await registryClient().headManifest('shop/users', first.tags[1]))?.digest).toBe(first.digest)
      const second = await build('users', docker, { tagContext: { pullRequest: 12 }, push: true })
      expect(second).toMatchObject({ skipped: true, digest: first.digest })
      expect((await registryClient().headManifest('shop/users', 'pr-12'))?.digest).toBe(first.digest)
    }, 60_000)
  })
})
