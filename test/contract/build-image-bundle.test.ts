/**
 * The committed build-image bundle, run as the runner runs it, building with buildah (vfs,
 * chroot, storage in a temp dir via CONTAINERS_STORAGE_CONF) and pushing to a real registry
 * behind htpasswd auth.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { secretsToMask } from '../../shared/src/registry/auth.js'
import { RegistryClient } from '../../shared/src/registry/index.js'
import { runBundle, type BundleRun } from '../support/action-runner.js'
import { buildahToolsImage, describeWithEngine, dockerCliHasBuildKit, startDockerd, type TestDockerd } from '../support/engines.js'
import { RepoFixture } from '../support/git-fixtures.js'
import { describeWithRegistry, pullImage, startRegistry, type TestRegistry } from '../support/registry.js'

const SECRET = 'npm_Hk2pW9bundleSecret77'
const SECRET_SHA256 = createHash('sha256').update(SECRET).digest('hex')
/** A local base image with sh and sha256sum, built into the test's storage (nothing from the network). */
const TOOLS_IMAGE = 'localhost/flotilla-test/tools:1'

/** What the runner would print: `::add-mask::` commands are consumed by it, never shown. */
const shown = (text: string) => text.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n')

describeWithRegistry('build-image bundle', () => {
  describeWithEngine('buildah', 'with buildah', () => {
    let registry: TestRegistry
    let repo: RepoFixture
    let storage: string

    beforeAll(async () => {
      registry = await startRegistry({ auth: true })
      storage = await mkdtemp(join(tmpdir(), 'flotilla-storage-'))
      await writeFile(
        join(storage, 'storage.conf'),
        `[storage]\ndriver = "vfs"\ngraphroot = "${join(storage, 'root')}"\nrunroot = "${join(storage, 'run')}"\n`
      )
      await buildahToolsImage(TOOLS_IMAGE, { ...process.env, CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf') })
      repo = await RepoFixture.create()
      await repo.commit({
        write: {
          'flotilla.yml': [
            'version: 1',
            `registry: ${registry.host}/shop`,
            'services:',
            '  cart: { path: services/cart }',
            '  web: { path: services/web }',
            '  broken: { path: services/broken }',
            ''
          ].join('\n'),
          'services/cart/Dockerfile': 'FROM scratch\nARG NPM_TOKEN\nCOPY app.txt /app.txt\n',
          'services/cart/app.txt': 'cart\n',
          'services/web/Dockerfile': `FROM ${TOOLS_IMAGE}\nRUN --mount=type=secret,id=NPM_TOKEN sha256sum /run/secrets/NPM_TOKEN > /secret.sha256\n`,
          'services/broken/Dockerfile': 'FROM scratch\nCOPY missing-file.txt /missing-file.txt\n'
        }
      })
    }, 60_000)
    afterAll(async () => {
      await repo?.cleanup()
      await registry?.stop()
      if (storage) await rm(storage, { recursive: true, force: true })
    })

    function runBuild(inputs: Record<string, string>, ref = 'refs/heads/main'): Promise<BundleRun> {
      return runBundle('build-image', {
        workspace: repo.work,
        inputs: {
          builder: 'buildah',
          'registry-username': registry.credentials!.username,
          'registry-password': registry.credentials!.password,
          ...inputs
        },
        env: { GITHUB_REF: ref, GITHUB_SHA: '', GITHUB_REPOSITORY: 'acme/shop', CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf') }
      })
    }

    it('pushes, then skips an unchanged service on another branch: new tags, same digest', async () => {
      const first = await runBuild({ service: JSON.stringify({ service: 'cart', path: 'services/cart' }), 'secret-build-args': 'NPM_TOKEN=npm_verysecret' })
      expect(first.stderr).toBe('')
      expect(first.exitCode).toBe(0)
      expect(first.outputs.skipped).toBe('false')
      expect(first.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(first.outputs['image-ref']).toBe(`${registry.host}/shop/cart@${first.outputs.digest}`)
      expect(first.stdout).toContain('::group::Build cart')
      expect(shown(first.stdout)).not.toContain('npm_verysecret')
      expect(first.annotations).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringMatching(/secret-build-args is deprecated: use secrets/) }))
      expect(first.summary).toMatch(/\| cart \| .* built with buildah, pushed/)

      const second = await runBuild({ service: 'cart' }, 'refs/heads/feature/Fix_$(id)#1')
      expect(second.exitCode).toBe(0)
      expect(second.outputs).toMatchObject({ skipped: 'true', digest: first.outputs.digest, hash: first.outputs.hash })
      expect(JSON.parse(second.outputs.tags)).toContain('feature-fix_-id-1')
      expect(second.summary).toMatch(/\| cart \| .* skipped: the registry already has inputs-/)
      const client = new RegistryClient({ registry: registry.host, credentials: registry.credentials })
      expect((await client.headManifest('shop/cart', 'feature-fix_-id-1'))?.digest).toBe(first.outputs.digest)
    })

    it('passes `secrets` as build secrets: RUN --mount=type=secret reads them; the pushed image, log, summary and outputs hold them nowhere', async () => {
      const result = await runBuild({ service: 'web', secrets: `NPM_TOKEN=${SECRET}` })
      expect([result.exitCode, result.stderr]).toEqual([0, ''])
      expect(result.stdout).toContain(`::add-mask::${SECRET}`)
      for (const text of [shown(result.stdout), result.summary, ...Object.values(result.outputs), ...Object.values(result.runnerTempFiles)]) {
        expect(text).not.toContain(SECRET)
      }
      const image = await pullImage(registry, 'shop/web', 'main')
      expect(image.layers.some((layer) => layer.includes(SECRET_SHA256))).toBe(true)
      for (const part of [image.manifest, image.config, ...image.layers]) expect(part.includes(SECRET)).toBe(false)
    })

    it('fails clearly on a wrong password and prints neither it nor its base64', async () => {
      const wrong = { username: registry.credentials!.username, password: 'wrong-password-456' }
      const result = await runBuild({ service: 'broken', 'registry-password': wrong.password })
      expect(result.exitCode).toBe(1)
      expect(result.stdout).toMatch(/::error::.*(401|credentials|authentication)/i)
      for (const secret of secretsToMask(wrong)) {
        expect(shown(result.stdout)).not.toContain(secret)
        expect(shown(result.stderr)).not.toContain(secret)
      }
    })

    it('fails on a broken Dockerfile, shows the builder error in the log group, and pushes no tag', async () => {
      const result = await runBuild({ service: 'broken' })
      expect(result.exitCode).toBe(1)
      const group = result.stdout.slice(result.stdout.indexOf('::group::Build broken'), result.stdout.indexOf('::endgroup::'))
      expect(group).toContain('missing-file.txt')
      expect(result.stdout).toMatch(/::error::buildah bud failed/)
      const client = new RegistryClient({ registry: registry.host, credentials: registry.credentials })
      expect(await client.tagExists('shop/broken', `sha-${(await repo.sha()).slice(0, 7)}`)).toBe(false)
    })
  })

  describeWithEngine('dockerd', 'with docker (legacy builder, a dockerd the test starts)', () => {
    let registry: TestRegistry
    let dockerd: TestDockerd
    let repo: RepoFixture

    beforeAll(async () => {
      registry = await startRegistry({ auth: true })
      dockerd = await startDockerd({ insecureRegistries: [registry.host] })
      repo = await RepoFixture.create()
      await repo.commit({
        write: {
          'flotilla.yml': `version: 1\nregistry: ${registry.host}/shop\nservices:\n  users: { path: services/users }\n  orders: { path: services/orders }\n`,
          'services/users/Dockerfile': 'FROM scratch\nCOPY app.txt /app.txt\n',
          'services/users/app.txt': 'users\n',
          'services/orders/Dockerfile': 'FROM scratch\nARG NPM_TOKEN\nLABEL token=$NPM_TOKEN\nCOPY app.txt /app.txt\n',
          'services/orders/app.txt': 'orders\n'
        }
      })
    }, 120_000)
    afterAll(async () => {
      await repo?.cleanup()
      await dockerd?.stop()
      await registry?.stop()
    })

    const runBuild = (ref: string, inputs: Record<string, string> = {}): Promise<BundleRun> =>
      runBundle('build-image', {
        workspace: repo.work,
        inputs: {
          service: 'users',
          builder: 'docker',
          'registry-username': registry.credentials!.username,
          'registry-password': registry.credentials!.password,
          ...inputs
        },
        env: { GITHUB_REF: ref, GITHUB_SHA: '', GITHUB_REPOSITORY: 'acme/shop', DOCKER_HOST: dockerd.host }
      })

    it('pushes with docker build, then skips the unchanged service with the same digest', async () => {
      const first = await runBuild('refs/heads/main')
      expect([first.exitCode, first.stderr]).toEqual([0, ''])
      expect(first.outputs.skipped).toBe('false')
      expect(first.summary).toMatch(/\| users \| .* built with docker, pushed/)
      const client = new RegistryClient({ registry: registry.host, credentials: registry.credentials })
      // The digest the action reports is the registry's manifest digest, not a local image id.
      expect((await client.headManifest('shop/users', 'main'))?.digest).toBe(first.outputs.digest)

      const second = await runBuild('refs/heads/release')
      expect(second.outputs).toMatchObject({ skipped: 'true', digest: first.outputs.digest })
      expect((await client.headManifest('shop/users', 'release'))?.digest).toBe(first.outputs.digest)
    })

    it('builds secrets with BuildKit where docker has it, else refuses them (the legacy builder would record them) and pushes nothing', async () => {
      // The former input name, which used to make NPM_TOKEN a build arg: the label would have held it.
      const result = await runBuild('refs/heads/main', { service: 'orders', 'secret-build-args': `NPM_TOKEN=${SECRET}` })
      expect(shown(result.stdout)).not.toContain(SECRET)
      expect(result.stderr).not.toContain(SECRET)
      const client = new RegistryClient({ registry: registry.host, credentials: registry.credentials })
      if (dockerCliHasBuildKit()) {
        expect(result.exitCode).toBe(0)
        const image = await pullImage(registry, 'shop/orders', 'main')
        for (const part of [image.manifest, image.config, ...image.layers]) expect(part.includes(SECRET)).toBe(false)
        return
      }
      expect(result.exitCode).toBe(1)
      expect(result.annotations).toContainEqual(
        expect.objectContaining({ level: 'error', message: expect.stringMatching(/build secrets \(NPM_TOKEN\) need BuildKit.*buildah or podman/) })
      )
      expect(await client.tagExists('shop/orders', 'main')).toBe(false)
    })
  })
})
