/**
 * `flotilla build` from the committed CLI bundle, with real buildah (vfs, chroot, private storage)
 * and a real registry: the first run builds and pushes, the second finds its input hash in the
 * registry and builds nothing. `--secret NAME` passes an environment variable as a build secret.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { RegistryClient } from '../../shared/src/registry/index.js'
import { buildahToolsImage, describeWithEngine } from '../support/engines.js'
import { gitEnv, RepoFixture } from '../support/git-fixtures.js'
import { pullImage, startRegistry, type TestRegistry } from '../support/registry.js'
import { repositoryRoot } from '../support/action-runner.js'

const SECRET = 'npm_Cl1secretFromTheEnv93'
const TOOLS_IMAGE = 'localhost/flotilla-test/tools:1'

describeWithEngine('buildah', 'flotilla build (CLI bundle, buildah, registry)', () => {
  let registry: TestRegistry
  let repo: RepoFixture
  let storage: string

  beforeAll(async () => {
    registry = await startRegistry()
    repo = await RepoFixture.create()
    await repo.commit({
      write: {
        'flotilla.yml': `version: 1\nregistry: ${registry.host}/shop\nservices:\n  users: { path: services/users }\n  web: { path: services/web }\n`,
        'services/users/Dockerfile': 'FROM scratch\nCOPY app.txt /app.txt\n',
        'services/users/app.txt': 'users v1\n',
        'services/web/Dockerfile': `FROM ${TOOLS_IMAGE}\nRUN --mount=type=secret,id=NPM_TOKEN sha256sum /run/secrets/NPM_TOKEN > /secret.sha256\n`
      }
    })
    storage = await mkdtemp(join(tmpdir(), 'flotilla-cli-storage-'))
    // buildah reads its store from this file: the test never touches the machine's image store.
    await writeFile(
      join(storage, 'storage.conf'),
      `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/root"\n`
    )
    await buildahToolsImage(TOOLS_IMAGE, { ...process.env, CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf') })
  }, 60_000)
  afterAll(async () => {
    await repo?.cleanup()
    await registry?.stop()
    if (storage) await rm(storage, { recursive: true, force: true })
  })

  const cli = async (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
    const result = await exec(['node', join(repositoryRoot, 'dist', 'cli', 'index.js'), ...args], {
      cwd: repo.work,
      env: { ...gitEnv, CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf'), ...env },
      allowFailure: true,
      timeoutMs: 180_000
    })
    return { code: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr }
  }

  const build = async () => {
    const result = await cli(['build', 'users', '--push', '--builder', 'buildah', '--json'])
    return { code: result.code, document: JSON.parse(result.stdout), stderr: result.stderr }
  }

  it('builds and pushes, then skips the unchanged service with the same digest', async () => {
    const first = await build()
    expect([first.code, first.stderr]).toEqual([0, expect.any(String)])
    expect(first.document.builder).toBe('buildah')
    const [built] = first.document.images
    expect(built).toMatchObject({ service: 'users', skipped: false, pushed: true, image: `${registry.host}/shop/users` })
    expect(built.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(built.tags).toEqual(expect.arrayContaining(['main', `inputs-${built.hash}`]))

    const second = await build()
    expect(second.code).toBe(0)
    const [skipped] = second.document.images
    expect(skipped).toMatchObject({ service: 'users', skipped: true, digest: built.digest, hash: built.hash })

    const client = new RegistryClient({ registry: registry.host })
    expect((await client.headManifest('shop/users', 'main'))?.digest).toBe(built.digest)
  })

  it('passes --secret NAME, read from the environment, as a build secret: RUN --mount=type=secret reads it, the pushed image holds it nowhere', async () => {
    const result = await cli(['build', 'web', '--push', '--builder', 'buildah', '--secret', 'NPM_TOKEN'], { NPM_TOKEN: SECRET })
    expect(result.code).toBe(0)
    expect(result.stdout + result.stderr).not.toContain(SECRET)
    const image = await pullImage(registry, 'shop/web', 'main')
    expect(image.layers.some((layer) => layer.includes(createHash('sha256').update(SECRET).digest('hex')))).toBe(true)
    for (const part of [image.manifest, image.config, ...image.layers]) expect(part.includes(SECRET)).toBe(false)
  })

  it('refuses a secret value on the command line, without printing it', async () => {
    const result = await cli(['build', 'web', '--builder', 'buildah', '--secret', `NPM_TOKEN=${SECRET}`])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('--secret NPM_TOKEN=…: give the name only')
    expect(result.stdout + result.stderr).not.toContain(SECRET)
  })
})
