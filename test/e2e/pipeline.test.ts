/**
 * `.github/workflows/pipeline.yml` executed end to end on the example shop: real git (a bare
 * origin, depth-1 checkouts), real image builds with buildah pushed to a local registry, the
 * services' real tests, gitops deploys to a local bare repository, the production gate against a
 * real Prometheus scraping the example's catalog, and Deployments and statuses in the fake GitHub API.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, parseDocument } from 'yaml'
import { exec } from '../../shared/src/exec/index.js'
import { exampleFiles, repositoryRoot } from '../support/action-runner.js'
import { describeWithEngine } from '../support/engines.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { pushPayload, runGit, RepoFixture, writeEventPayload } from '../support/git-fixtures.js'
import { describeWithPrometheus, startPrometheus, type TestPrometheus } from '../support/prometheus.js'
import { startRegistry, type TestRegistry } from '../support/registry.js'
import { runWorkflow, type Workflow, type WorkflowRun } from '../support/workflow-runner.js'

/** The example's Dockerfiles take BASE_IMAGE; this machine cannot pull node or python images. */
const BASE_IMAGE = 'localhost/flotilla-demo-base:latest'
const SERVICES = ['users', 'orders', 'catalog', 'cart']
const JOBS = ['plan', 'build', 'test', 'deploy-first', 'gate', 'deploy-second']
const OVERLAY = (environment: string): string =>
  `# ${environment} overlay: Argo CD syncs this directory\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n`

describeWithEngine('buildah', 'pipeline.yml end to end (buildah, registry, gitops, gate)', () => {
  describeWithPrometheus('the example shop pushed to main', () => {
    let dir: string
    let registry: TestRegistry
    let storageConf: string
    let catalog: ChildProcess
    let traffic: NodeJS.Timeout
    let prometheus: TestPrometheus
    let github: FakeGitHub
    let apiUrl: string
    let repo: RepoFixture
    let deployRepo: string
    let workflow: Workflow
    let runs = 0
    /** The commit the first scenario shipped users at; the second must leave it there. */
    let usersSha: string

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'flotilla-e2e-'))
      workflow = parse(await readFile(join(repositoryRoot, '.github', 'workflows', 'pipeline.yml'), 'utf8')) as Workflow
      registry = await startRegistry()
      storageConf = await buildahStoreWithBaseImage(dir)
      const files = await exampleFiles()
      ;({ catalog, traffic, prometheus } = await stagingCatalog(dir, files))
      github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
      apiUrl = await github.start()
      deployRepo = await seedDeployRepository(dir)
      repo = await RepoFixture.create()
      await repo.commit({ write: { ...files, 'flotilla.yml': localManifest(files['flotilla.yml'], registry.host, prometheus.address) } }, 'the example shop')
      await repo.push('main')
    }, 120_000)
    afterAll(async () => {
      clearInterval(traffic)
      await prometheus?.stop()
      catalog?.kill('SIGTERM')
      await github?.stop()
      await registry?.stop()
      await repo?.cleanup()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    /** Commits and pushes the change to main, then runs the pipeline for that push. */
    async function pushAndRun(write: Record<string, string>): Promise<{ sha: string; run: WorkflowRun }> {
      const before = await repo.sha()
      await repo.commit({ write })
      const sha = await repo.push('main')
      const event = pushPayload({ ref: 'refs/heads/main', before, after: sha })
      const eventPath = await writeEventPayload(join(dir, `event-${++runs}`), event)
      const runId = String(100 + runs)
      const run = await runWorkflow(workflow, {
        inputs: { builder: 'buildah' },
        github: { sha, ref: 'refs/heads/main', repository: 'acme-shop/shop', repository_owner: 'acme-shop', event_name: 'push', event, token: 'ghs_e2etoken', run_id: runId, api_url: apiUrl, server_url: `file://${join(dir, 'server')}` },
        env: {
          GITHUB_EVENT_NAME: 'push',
          GITHUB_EVENT_PATH: eventPath,
          GITHUB_SHA: sha,
          GITHUB_REF: 'refs/heads/main',
          GITHUB_REF_NAME: 'main',
          GITHUB_REPOSITORY: 'acme-shop/shop',
          GITHUB_REPOSITORY_OWNER: 'acme-shop',
          GITHUB_ACTOR: 'octocat',
          GITHUB_API_URL: apiUrl,
          GITHUB_SERVER_URL: `file://${join(dir, 'server')}`,
          GITHUB_RUN_ID: runId,
          CONTAINERS_STORAGE_CONF: storageConf
        },
        checkout: async () => (await repo.checkout({ branch: 'main', sha })).dir
      })
      return { sha, run }
    }

    const servicesOf = (run: WorkflowRun, job: string): unknown[] => run.jobs[job].runs.map((entry) => entry.matrix.service)
    const failures = (run: WorkflowRun): string[] =>
      Object.entries(run.jobs).flatMap(([job, result]) =>
        result.runs.flatMap((entry) => entry.steps.filter((step) => step.result === 'failure').map((step) => `${job} ${String(entry.matrix.service ?? '')} ${step.uses}: ${step.bundle?.stdout.slice(-1500)} ${step.bundle?.stderr.slice(-1500)}`))
      )
    /** The overlay's `images:` on the deploy repository's main, as image name → tag. */
    const overlayImages = async (environment: string): Promise<Record<string, string>> => {
      const overlay = parse(await runGit(deployRepo, ['show', `main:envs/${environment}/kustomization.yaml`])) as { images?: Array<{ name: string; newTag: string }> }
      return Object.fromEntries((overlay.images ?? []).map((image) => [image.name, image.newTag]))
    }
    const deploymentsOf = (sha: string): string[][] =>
      github.state.deployments.filter((deployment) => deployment.sha === sha).map((deployment) => [String((deployment.payload as Record<string, unknown>).service), deployment.environment])

    it('a change in users builds, tests and deploys users alone, to staging then through the gate to production', async () => {
      const store = 'services/users/app/store.py'
      const { sha, run } = await pushAndRun({ [store]: `${(await exampleFiles())[store]}\n# users: a change of its own\n` })

      expect(failures(run)).toEqual([])
      expect(JOBS.map((job) => run.jobs[job].result)).toEqual(JOBS.map(() => 'success'))
      expect(JSON.parse(run.jobs.plan.outputs.services)).toEqual(['users'])
      for (const job of ['build', 'test', 'deploy-first', 'deploy-second']) expect(servicesOf(run, job)).toEqual(['users'])
      expect([run.jobs['deploy-first'].runs[0].environment, run.jobs['deploy-second'].runs[0].environment]).toEqual(['staging', 'production'])
      expect(run.jobs.gate.outputs.decision).toBe('pass')

      for (const environment of ['staging', 'production']) {
        expect(await overlayImages(environment)).toEqual({ [`${registry.host}/acme-shop/users`]: `git-${sha}` })
      }
      usersSha = sha
      expect(deploymentsOf(sha)).toEqual([['users', 'staging'], ['users', 'production']])
      const gateStatus = github.requestsTo('repos/create-commit-status').filter((request) => request.path.endsWith(`/statuses/${sha}`))
      expect(gateStatus.map((request) => request.body)).toEqual([
        expect.objectContaining({ state: 'pending', context: 'flotilla/gate production' }),
        expect.objectContaining({ state: 'success', context: 'flotilla/gate production' })
      ])
      expect(github.violations).toEqual([])
    }, 300_000)

    it('a change in the shared money library takes catalog and cart, its dependents, through; users and orders stay', async () => {
      const money = 'libs/money/src/index.js'
      const { sha, run } = await pushAndRun({ [money]: `${(await exampleFiles())[money]}\n// money: a change every dependent must ship\n` })

      expect(failures(run)).toEqual([])
      expect(JOBS.map((job) => run.jobs[job].result)).toEqual(JOBS.map(() => 'success'))
      expect(JSON.parse(run.jobs.plan.outputs.services).sort()).toEqual(['cart', 'catalog'])
      for (const job of ['build', 'test', 'deploy-first', 'deploy-second']) expect(servicesOf(run, job).sort()).toEqual(['cart', 'catalog'])

      for (const environment of ['staging', 'production']) {
        expect(await overlayImages(environment)).toEqual({
          [`${registry.host}/acme-shop/users`]: `git-${usersSha}`,
          [`${registry.host}/acme-shop/catalog`]: `git-${sha}`,
          [`${registry.host}/acme-shop/cart`]: `git-${sha}`
        })
      }
      expect(deploymentsOf(sha).sort()).toEqual([['cart', 'production'], ['cart', 'staging'], ['catalog', 'production'], ['catalog', 'staging']])
      expect(github.violations).toEqual([])
    }, 300_000)
  })
})

/**
 * The example's manifest pointed at this machine: images go to the test registry and build from
 * the empty local base image, and the production gate asks the test Prometheus.
 */
function localManifest(text: string, registryHost: string, prometheusAddress: string): string {
  const manifest = parseDocument(text)
  manifest.set('registry', `${registryHost}/acme-shop`)
  for (const service of SERVICES) manifest.setIn(['services', service, 'image', 'build_args'], { BASE_IMAGE })
  manifest.setIn(['environments', 'production', 'gate', 'prometheus_address'], prometheusAddress)
  return manifest.toString()
}

/** A private vfs store (CONTAINERS_STORAGE_CONF) holding the empty base image; returns the conf path. */
async function buildahStoreWithBaseImage(dir: string): Promise<string> {
  const storage = join(dir, 'buildah')
  const conf = join(storage, 'storage.conf')
  await mkdir(storage, { recursive: true })
  await writeFile(conf, `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/root"\n`)
  const buildah = async (...args: string[]): Promise<string> =>
    (await exec(['buildah', ...args], { env: { ...process.env, CONTAINERS_STORAGE_CONF: conf } })).stdout.toString('utf8').trim()
  const container = await buildah('from', '--quiet', 'scratch')
  await buildah('commit', '--quiet', container, BASE_IMAGE)
  await buildah('rm', container)
  return conf
}

/** The example's catalog serving steady traffic, as staging would, and a Prometheus scraping it. */
async function stagingCatalog(dir: string, files: Record<string, string>): Promise<{ catalog: ChildProcess; traffic: NodeJS.Timeout; prometheus: TestPrometheus }> {
  const shop = join(dir, 'staging-shop')
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(shop, path, '..'), { recursive: true })
    await writeFile(join(shop, path), content)
  }
  const catalog = spawn('node', ['services/catalog/src/server.js'], { cwd: shop, env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    catalog.once('exit', (code) => reject(new Error(`catalog exited with ${code}`)))
    catalog.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString())
      if (match) resolve(match[1])
    })
  })
  const traffic = setInterval(() => void fetch(`${url}/products`).then((response) => response.arrayBuffer(), () => undefined), 50)
  const prometheus = await startPrometheus({ target: new URL(url).host })
  return { catalog, traffic, prometheus }
}

/** `acme-shop/deploy` under the fake server directory, with a staging and a production overlay. */
async function seedDeployRepository(dir: string): Promise<string> {
  const origin = join(dir, 'server', 'acme-shop', 'deploy.git')
  const seed = join(dir, 'deploy-seed')
  for (const environment of ['staging', 'production']) {
    await mkdir(join(seed, 'envs', environment), { recursive: true })
    await writeFile(join(seed, 'envs', environment, 'kustomization.yaml'), OVERLAY(environment))
  }
  await runGit(dir, ['init', '--quiet', '--bare', '--initial-branch=main', origin])
  await runGit(dir, ['init', '--quiet', '--initial-branch=main', seed])
  await runGit(seed, ['add', '--all'])
  await runGit(seed, ['commit', '--quiet', '--message', 'overlays'])
  await runGit(seed, ['push', '--quiet', origin, 'main'])
  return origin
}
