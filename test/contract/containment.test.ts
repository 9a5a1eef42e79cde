/**
 * Containment through the committed CLI bundle: every path Flotilla reads, writes or deletes
 * from a manifest value or a glob is resolved and must stay inside its root. Committed symbolic
 * links (in a real git repository) that point out of the repository are refused with an error
 * naming the link, and nothing outside is touched; links that stay inside are followed to the
 * real file.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { describeWithEngine } from '../support/engines.js'
import { gitEnv, RepoFixture, runGit } from '../support/git-fixtures.js'
import { repositoryRoot } from '../support/action-runner.js'

const cli = join(repositoryRoot, 'dist', 'cli', 'index.js')

async function flotilla(args: string[], cwd: string, env: NodeJS.ProcessEnv = gitEnv) {
  const result = await exec(['node', cli, ...args], { cwd, env, allowFailure: true, timeoutMs: 180_000 })
  return { code: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr }
}

/** A directory outside every repository, holding files that must survive. */
async function outsideDirectory(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-outside-'))
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content)
  return dir
}

/** A repository whose first commit holds `write` and `links` (path → target) as symbolic links. */
async function repositoryWithLinks(write: Record<string, string>, links: Record<string, string>): Promise<RepoFixture> {
  const repo = await RepoFixture.create()
  for (const [path, target] of Object.entries(links)) {
    await mkdir(join(repo.work, path, '..'), { recursive: true })
    await symlink(target, join(repo.work, path))
  }
  await repo.commit({ write })
  return repo
}

describe('flotilla test: report patterns', () => {
  let repo: RepoFixture
  let outside: string
  const victims = { 'keep.xml': '<testsuite tests="1"><testcase name="outside"/></testsuite>\n', passwd: 'root:x:0:0::/root:/bin/sh\n' }

  beforeAll(async () => {
    outside = await outsideDirectory(victims)
    repo = await repositoryWithLinks(
      {
        'flotilla.yml': [
          'version: 1',
          'services:',
          '  linked:',
          '    path: svc',
          '    test:',
          '      command: [sh, -c, "exit 0"]',
          '      reports: ["reports/*.xml"]',
          '  passwd:',
          '    path: svc',
          '    test:',
          '      command: [sh, -c, "exit 0"]',
          '      reports: ["reports/passwd"]',
          ''
        ].join('\n'),
        // The command itself swaps a link in where its reports go, then fails, so the retry deletes again.
        'flotilla.late.yml': [
          'version: 1',
          'services:',
          '  late:',
          '    path: late',
          '    test:',
          `      command: [sh, -c, "ln -sfn ${outside} reports; exit 1"]`,
          '      reports: ["reports/*.xml"]',
          '      retries: 1',
          ''
        ].join('\n'),
        'svc/README.md': 'a service\n',
        'late/README.md': 'a service\n'
      },
      { 'svc/reports': outside }
    )
  })
  afterAll(async () => {
    await repo.cleanup()
    await rm(outside, { recursive: true, force: true })
  })

  const survivors = async () => ({ keep: await readFile(join(outside, 'keep.xml'), 'utf8'), passwd: await readFile(join(outside, 'passwd'), 'utf8') })

  it('refuses a committed link out of the repository before the run, naming it, and deletes nothing there', async () => {
    for (const service of ['linked', 'passwd']) {
      const { code, stderr } = await flotilla(['test', service], repo.work)
      expect(code).toBe(1)
      expect(stderr).toMatch(/flotilla\.yml:\d+:\d+/)
      expect(stderr).toContain(`through the symbolic link svc/reports (pointing to ${outside})`)
      expect(await survivors()).toEqual({ keep: victims['keep.xml'], passwd: victims.passwd })
    }
  })

  it('refuses a link the test command makes, when reading its reports and before deleting them again', async () => {
    const { code, stdout, stderr } = await flotilla(['test', 'late', '--manifest', 'flotilla.late.yml'], repo.work)
    expect(code).toBe(1)
    expect(`${stdout}\n${stderr}`).toContain(`through the symbolic link late/reports (pointing to ${outside})`)
    expect(await survivors()).toEqual({ keep: victims['keep.xml'], passwd: victims.passwd })
  })
})

describe('flotilla validate, plan and build: image context and Dockerfile', () => {
  let repo: RepoFixture
  let outside: string

  beforeAll(async () => {
    outside = await outsideDirectory({ Dockerfile: 'FROM scratch\nCOPY secret.txt /\n', 'secret.txt': 'outside the repository\n' })
    repo = await repositoryWithLinks(
      {
        'flotilla.yml': [
          'version: 1',
          'services:',
          '  context:',
          '    path: svc',
          '    image: { context: ctx }',
          '  dockerfile:',
          '    path: svc',
          '    image: { dockerfile: linked.Dockerfile }',
          ''
        ].join('\n'),
        'svc/Dockerfile': 'FROM scratch\n'
      },
      { ctx: outside, 'svc/linked.Dockerfile': join(outside, 'Dockerfile') }
    )
  })
  afterAll(async () => {
    await repo.cleanup()
    await rm(outside, { recursive: true, force: true })
  })

  it('validate names the link at the file, line and key', async () => {
    const { code, stdout } = await flotilla(['validate', '--json'], repo.work)
    expect(code).toBe(1)
    const problems = JSON.parse(stdout).problems.map((problem: { line: number; column: number; keyPath: string; message: string }) => problem)
    expect(problems).toEqual([
      expect.objectContaining({
        line: 5,
        keyPath: 'services.context.image.context',
        message: `"ctx" leads outside the repository through the symbolic link ctx (pointing to ${outside})`
      }),
      expect.objectContaining({
        line: 8,
        keyPath: 'services.dockerfile.image.dockerfile',
        message: `"svc/linked.Dockerfile" leads outside the repository through the symbolic link svc/linked.Dockerfile (pointing to ${join(outside, 'Dockerfile')})`
      })
    ])
  })

  it('plan and build refuse the manifest the same way and build nothing', async () => {
    for (const args of [['plan'], ['build', 'context', '--builder', 'buildah']]) {
      const { code, stderr } = await flotilla(args, repo.work)
      expect(code).toBe(1)
      expect(stderr).toMatch(/flotilla\.yml:5:\d+: services\.context\.image\.context: .*through the symbolic link ctx/)
    }
  })
})

describeWithEngine('buildah', 'flotilla build: a context linked inside the repository', () => {
  let repo: RepoFixture
  let storage: string

  beforeAll(async () => {
    repo = await repositoryWithLinks(
      {
        'flotilla.yml': 'version: 1\nservices:\n  web:\n    path: svc\n    image: { context: build, dockerfile: Dockerfile }\n',
        'svc/README.md': 'the service\n',
        'shared/web/Dockerfile': 'FROM scratch\nCOPY app.txt /app.txt\n',
        'shared/web/app.txt': 'v1\n'
      },
      { build: 'shared/web' }
    )
    storage = await mkdtemp(join(tmpdir(), 'flotilla-containment-storage-'))
    await writeFile(join(storage, 'storage.conf'), `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/root"\n`)
  })
  afterAll(async () => {
    await repo?.cleanup()
    if (storage) await rm(storage, { recursive: true, force: true })
  })

  const build = async () => {
    const { code, stdout, stderr } = await flotilla(['build', 'web', '--builder', 'buildah', '--json'], repo.work, {
      ...gitEnv,
      CONTAINERS_STORAGE_CONF: join(storage, 'storage.conf')
    })
    expect([code, stderr]).toEqual([0, expect.any(String)])
    return JSON.parse(stdout).images[0].hash as string
  }

  it('builds from the real directory, and a change there changes the input hash', async () => {
    const before = await build()
    await repo.commit({ write: { 'shared/web/app.txt': 'v2\n' } })
    expect(await build()).not.toBe(before)
  }, 300_000)
})

describe('flotilla deploy: a gitops file that is a symbolic link', () => {
  let dir: string
  let repo: RepoFixture
  let origin: string
  let outside: string
  const kustomization = (tag: string) =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\nimages:\n  - name: registry.invalid/shop/web\n    newTag: "${tag}"\n`
  const deployment = (tag: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.invalid/shop/web:${tag}\n`

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-containment-deploy-'))
    outside = await outsideDirectory({ 'kustomization.yaml': kustomization('0.0.1') })
    origin = join(dir, 'server', 'acme', 'deploy.git')
    const seed = join(dir, 'seed')
    for (const env of ['base', 'staging', 'production']) await mkdir(join(seed, 'envs', env), { recursive: true })
    // Plain manifests: staging's is a link to the shared one (kustomize itself refuses a linked kustomization.yaml).
    await writeFile(join(seed, 'envs', 'base', 'web.yaml'), deployment('1.0.0'))
    await symlink('../base/web.yaml', join(seed, 'envs', 'staging', 'web.yaml'))
    await symlink(join(outside, 'kustomization.yaml'), join(seed, 'envs', 'production', 'kustomization.yaml'))
    await runGit(dir, ['init', '--quiet', '--bare', '--initial-branch=main', origin])
    await runGit(dir, ['init', '--quiet', '--initial-branch=main', seed])
    await runGit(seed, ['add', '--all'])
    await runGit(seed, ['commit', '--quiet', '--message', 'overlays'])
    await runGit(seed, ['push', '--quiet', origin, 'main'])

    repo = await RepoFixture.create()
    await repo.commit({
      write: {
        'flotilla.yml': [
          'version: 1',
          'services:',
          '  web:',
          '    path: svc',
          '    deploy:',
          '      staging: { target: gitops, repo: acme/deploy, file: envs/staging/web.yaml }',
          '      production: { target: gitops, repo: acme/deploy, file: envs/production/kustomization.yaml }',
          ''
        ].join('\n'),
        'svc/README.md': 'the service\n'
      }
    })
  })
  afterAll(async () => {
    await repo.cleanup()
    await rm(dir, { recursive: true, force: true })
    await rm(outside, { recursive: true, force: true })
  })

  const deploy = (environment: string, tag: string) =>
    flotilla(['deploy', 'web', '-v', '--env', environment, '--image', `registry.invalid/shop/web:${tag}`, '--pin-digest', 'false'], repo.work, {
      ...gitEnv,
      GITHUB_SERVER_URL: `file://${join(dir, 'server')}`,
      GITHUB_TOKEN: '',
      GITOPS_TOKEN: ''
    })
  const tip = () => runGit(origin, ['rev-parse', 'refs/heads/main'])

  it('edits and commits the file the link points to, and leaves the link a link', async () => {
    const before = await tip()
    const { code, stderr } = await deploy('staging', '2.0.0')
    expect([code, stderr]).toEqual([0, expect.stringContaining('envs/staging/web.yaml is a symbolic link: editing envs/base/web.yaml, the file it points to')])
    expect(await runGit(origin, ['diff', '--name-only', before, 'main'])).toBe('envs/base/web.yaml')
    expect(await runGit(origin, ['show', 'main:envs/base/web.yaml'])).toBe(deployment('2.0.0').trimEnd())
    expect(await runGit(origin, ['ls-tree', 'main', 'envs/staging/web.yaml'])).toMatch(/^120000 blob /)
  })

  it('refuses a link out of the deploy repository, naming it, and pushes nothing', async () => {
    const before = await tip()
    const { code, stdout, stderr } = await deploy('production', '2.0.0')
    expect(code).toBe(1)
    expect(`${stdout}${stderr}`).toContain(`"envs/production/kustomization.yaml" leads outside the deploy repository through the symbolic link envs/production/kustomization.yaml (pointing to ${join(outside, 'kustomization.yaml')})`)
    expect(await tip()).toBe(before)
    expect(await readFile(join(outside, 'kustomization.yaml'), 'utf8')).toBe(kustomization('0.0.1'))
    expect(existsSync(join(outside, 'kustomization.yaml'))).toBe(true)
    expect(await readlink(join(dir, 'seed', 'envs', 'production', 'kustomization.yaml'))).toBe(join(outside, 'kustomization.yaml'))
  })
})
