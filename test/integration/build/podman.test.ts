/**
 * PodmanBuilder against real components: podman with private vfs storage and chroot isolation,
 * pushing to Debian's docker-registry behind htpasswd auth with the login in a temporary auth
 * file. Images start FROM scratch or from a shell copied off this machine, so nothing comes from
 * the network.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { withAuthFile } from '../../../shared/src/build/auth-file.js'
import { buildService } from '../../../shared/src/build/service.js'
import { BuilderError, PodmanBuilder, type BuildRequest } from '../../../shared/src/builders/index.js'
import { loadManifest } from '../../../shared/src/config/index.js'
import { RegistryClient } from '../../../shared/src/registry/index.js'
import { copyPrograms, describeWithEngine, podmanStorage, type PodmanStorage } from '../../support/engines.js'
import { gitEnv, RepoFixture } from '../../support/git-fixtures.js'
import { describeWithRegistry, pullImage, startRegistry, type TestRegistry } from '../../support/registry.js'

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined }

describeWithRegistry('podman builds', () => {
  describeWithEngine('podman', 'PodmanBuilder (vfs, chroot) with a registry behind a login', () => {
    let registry: TestRegistry
    let storage: PodmanStorage
    let podman: PodmanBuilder
    let work: string

    beforeAll(async () => {
      registry = await startRegistry({ auth: true })
      storage = await podmanStorage()
      podman = new PodmanBuilder({ root: storage.root, runroot: storage.runroot, tmpdir: storage.tmpdir })
      work = await mkdtemp(join(tmpdir(), 'flotilla-podman-test-'))
    })
    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true })
      await storage?.remove()
      await registry?.stop()
    })

    const registryClient = () => new RegistryClient({ registry: registry.host, credentials: registry.credentials })

    /** A build context holding `files`, one directory per test. */
    async function context(name: string, files: Record<string, string>): Promise<string> {
      const dir = join(work, name)
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true })
        await writeFile(join(dir, path), content)
      }
      return dir
    }

    function request(dir: string, repository: string, tags: readonly string[], overrides: Partial<BuildRequest> = {}): BuildRequest {
      return {
        context: dir,
        dockerfile: join(dir, 'Dockerfile'),
        tags: tags.map((tag) => `${registry.host}/${repository}:${tag}`),
        buildArgs: {},
        labels: {},
        platforms: [],
        push: true,
        ...overrides
      }
    }

    /** Builds with the registry login in a temporary auth file, as buildService does. */
    const buildWithLogin = (buildRequest: BuildRequest) =>
      withAuthFile(registry.host, registry.credentials, (authFile) => podman.build({ ...buildRequest, ...(authFile === undefined ? {} : { authFile }) }))

    /** The image config's labels and the uncompressed layers of `repository:tag`, read back from the registry. */
    async function pulled(repository: string, tag: string): Promise<{ labels: Record<string, string>; layers: string }> {
      const image = await pullImage(registry, repository, tag)
      const config = JSON.parse(image.config.toString('utf8')) as { config: { Labels?: Record<string, string> } }
      return { labels: config.config.Labels ?? {}, layers: image.layers.map((layer) => layer.toString('latin1')).join('') }
    }

    it('builds a multi-stage image with a build arg and pushes every tag, labels included, with the login from an auth file', async () => {
      const dir = await context('multi-stage', {
        'app.txt': 'made in the first stage\n',
        Dockerfile: [
          'FROM scratch AS assets',
          'COPY app.txt /app.txt',
          'FROM scratch',
          'ARG GREETING=unset',
          'COPY --from=assets /app.txt /srv/app.txt',
          'LABEL greeting=$GREETING',
          ''
        ].join('\n')
      })
      const labels = { 'org.opencontainers.image.revision': '0123456789abcdef', 'org.opencontainers.image.title': 'web' }
      const result = await buildWithLogin(request(dir, 'team/web', ['v1', 'latest'], { buildArgs: { GREETING: 'hello' }, labels }))

      expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect((await registryClient().headManifest('team/web', 'v1'))?.digest).toBe(result.digest)
      expect((await registryClient().headManifest('team/web', 'latest'))?.digest).toBe(result.digest)
      const image = await pulled('team/web', 'v1')
      expect(image.labels).toMatchObject({ ...labels, greeting: 'hello' })
      expect(image.layers).toContain('srv/app.txt')
      expect(image.layers).toContain('made in the first stage')
    })

    it('runs RUN steps with chroot isolation', async () => {
      const dir = await context('run-step', { Dockerfile: 'FROM scratch\nCOPY rootfs/ /\nRUN echo "ran in the build" > /ran.txt\n' })
      await copyPrograms(join(dir, 'rootfs'))
      const result = await buildWithLogin(request(dir, 'team/run', ['v1']))

      expect((await registryClient().headManifest('team/run', 'v1'))?.digest).toBe(result.digest)
      expect((await pulled('team/run', 'v1')).layers).toContain('ran in the build')
    })

    it('fails to push without a login, with podman push named and its output kept, and the registry has no tag', async () => {
      const dir = await context('no-login', { 'app.txt': 'no login\n', Dockerfile: 'FROM scratch\nCOPY app.txt /app.txt\n' })
      const error = await podman.build(request(dir, 'team/denied', ['v1'])).catch((caught: unknown) => caught)

      expect(error).toBeInstanceOf(BuilderError)
      expect((error as BuilderError).message).toMatch(/^podman push failed/)
      expect((error as BuilderError).output).toMatch(/authentication required|unauthorized/i)
      expect(await registryClient().tagExists('team/denied', 'v1')).toBe(false)
    })

    describe('through buildService', () => {
      let repo: RepoFixture
      beforeAll(async () => {
        repo = await RepoFixture.create()
        await repo.commit(
          {
            write: {
              'flotilla.yml': `version: 1\nregistry: ${registry.host}/shop\nservices:\n  cart: { path: services/cart }\n`,
              'services/cart/Dockerfile': 'FROM scratch\nCOPY app.txt /app.txt\n',
              'services/cart/app.txt': 'cart v1\n'
            }
          },
          'the shop'
        )
      })
      afterAll(() => repo?.cleanup())

      const build = async (branch: string) =>
        buildService({
          root: repo.work,
          manifest: await loadManifest(repo.work),
          service: 'cart',
          tagContext: { branch, defaultBranch: 'main' },
          push: true,
          builder: podman,
          credentials: registry.credentials,
          log: quiet,
          env: gitEnv
        })

      it('builds and pushes, then a second run with unchanged inputs builds nothing and tags the same digest', async () => {
        const first = await build('main')
        expect(first).toMatchObject({ skipped: false, pushed: true, builder: 'podman' })
        expect((await registryClient().headManifest('shop/cart', `inputs-${first.hash}`))?.digest).toBe(first.digest)
        const revision = (await pulled('shop/cart', `inputs-${first.hash}`)).labels['org.opencontainers.image.revision']
        expect(revision).toBe(await repo.sha())

        const second = await build('feature/podman')
        expect(second).toMatchObject({ skipped: true, hash: first.hash, digest: first.digest })
        expect(second.builder).toBeUndefined()
        expect((await registryClient().headManifest('shop/cart', 'feature-podman'))?.digest).toBe(first.digest)
      })
    })
  })
})
