/**
 * `flotilla build` from the committed CLI bundle, with real buildah (vfs, chroot, private storage)
 * and a real registry: the first run builds and pushes, the second finds its input hash in the
 * registry and builds nothing.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { RegistryClient } from '../../shared/src/registry/index.js'
import { describeWithEngine } from '../support/engines.js'
import { gitEnv, RepoFixture } from '../support/git-fixtures.js'
import { startRegistry, type TestRegistry } from '../support/registry.js'
import { repositoryRoot } from '../support/action-runner.js'

describeWithEngine('buildah', 'flotilla build (CLI bundle, buildah, registry)', () => {
  let registry: TestRegistry
  let repo: RepoFixture
  let storage: string

  beforeAll(async () => {
    registry = await startRegistry()
    repo = await RepoFixture.create()
    await repo.commit({
      write: {
        'flotilla.yml': `version: 1\nregistry: ${registry.host}/shop\nservices:\n  users: { path: services/users }\n`,
        'services/users/Dockerfile': 'FROM scratch\nCOPY app.txt /app.txt\n',
        'services/users/app.txt': 'users v1\n'
      }
    })
    storage = await mkdtemp(join(tmpdir(), 'flotilla-cli-storage-'))
    // buildah reads its store from this file: the test never touches the machine's image store.
    await writeFile(
      join(storage, 'storage.conf'),
      `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/root"\n`
    )
  })
  afterAll(async () => {
    await repo?.cleanup()
    await registry?.stop()
    if (storage) await rm(storage, { recursive: true, force: true })
  })

  const build = async () => {
    const result = await exec(['node', join(repositoryRoot, 'dist', 'cli', 'index.js'), 'build', 'users', '--push', '--builder', 'buildah', '--json'], {
      cwd: repo.work,
      env: { ...gitEnv, CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf') },
      allowFailure: true,
      timeoutMs: 180_000
    })
    return { code: result.exitCode, document: JSON.parse(result.stdout.toString('utf8')), stderr: result.stderr }
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
})
