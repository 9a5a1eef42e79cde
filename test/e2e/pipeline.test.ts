/**
 * The reusable workflows executed end to end on the example shop, job graph and shard workflows
 * included: real git (a bare origin, depth-1 checkouts), real image builds with buildah pushed to a
 * local registry, the services' real tests, catalog deployed to staging as a container on a real
 * Docker engine and every production deploy a gitops commit to a local bare repository, the
 * production gate asking a real Prometheus about the catalog that staging deploy started, and
 * Deployments and statuses in the fake GitHub API.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parse, parseDocument } from 'yaml'
import { exec } from '../../shared/src/exec/index.js'
import { exampleFiles, repositoryRoot } from '../support/action-runner.js'
import { describeWithEngine, startDockerd, type TestDockerd } from '../support/engines.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { pullRequestPayload, pushPayload, runGit, RepoFixture, writeEventPayload, type PullRequestRefs } from '../support/git-fixtures.js'
import { describeWithPrometheus, startPrometheus, type TestPrometheus } from '../support/prometheus.js'
import { startRegistry, type TestRegistry } from '../support/registry.js'
import { runWorkflow, type JobRun, type MatrixRun, type Workflow, type WorkflowRun } from '../support/workflow-runner.js'
import { freePort, stopDaemonWithContainers } from '../integration/deploy/server-images.js'

/** The example's Dockerfiles take BASE_IMAGE; this machine cannot pull node or python images. */
const BASE_IMAGE = 'localhost/flotilla-demo-base:latest'
/** catalog runs as a container in staging, so its base holds this machine's node and the libraries it links. */
const NODE_BASE_IMAGE = 'localhost/flotilla-node-base:latest'
const SERVICES = ['users', 'orders', 'catalog', 'cart']
const PIPELINE_JOBS = ['plan', 'build', 'test', 'gate-1', 'deploy-1', 'gate-2', 'deploy-2', 'gate-3', 'deploy-3']
/** Staging has no gate and production has one; the example has no third promotion step. */
const SHIPPED = ['success', 'success', 'success', 'skipped', 'success', 'success', 'success', 'skipped', 'skipped']
const OVERLAY = (environment: string): string =>
  `# ${environment} overlay: Argo CD syncs this directory\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n`

const readWorkflow = async (name: string): Promise<Workflow> =>
  parse(await readFile(join(repositoryRoot, '.github', 'workflows', name), 'utf8')) as Workflow

describeWithEngine('buildah', 'the reusable workflows end to end (buildah, registry, Docker, gitops, gate)', () => {
  describeWithEngine('dockerd', 'on a Docker engine', () => {
    describeWithPrometheus('the example shop', () => {
      let dir: string
      let registry: TestRegistry
      let storageConf: string
      let daemon: TestDockerd
      let catalogPort: number
      let traffic: NodeJS.Timeout
      let prometheus: TestPrometheus
      let github: FakeGitHub
      let apiUrl: string
      let repo: RepoFixture
      let deployRepo: string
      let pipeline: Workflow
      let pullRequest: Workflow
      let runs = 0
      /** What the first scenario shipped to production; later scenarios must leave it there unless they replace it. */
      let shipped: Record<string, { tag: string; digest: string }> = {}

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'flotilla-e2e-'))
        pipeline = await readWorkflow('pipeline.yml')
        pullRequest = await readWorkflow('pull-request.yml')
        registry = await startRegistry()
        storageConf = await buildahStoreWithBaseImages(dir)
        daemon = await startDockerd()
        catalogPort = await freePort()
        // Staging's users: steady traffic at the catalog's address, answered once the pipeline has deployed it.
        traffic = setInterval(() => void fetch(`http://127.0.0.1:${catalogPort}/products`).then((response) => response.arrayBuffer(), () => undefined), 50)
        prometheus = await startPrometheus({ target: `127.0.0.1:${catalogPort}`, targetUp: false })
        github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
        apiUrl = await github.start()
        deployRepo = await seedDeployRepository(dir)
        repo = await RepoFixture.create()
        const files = await exampleFiles()
        const manifest = localManifest(files['flotilla.yml'], { registryHost: registry.host, prometheusAddress: prometheus.address, dockerHost: daemon.host, catalogPort })
        await repo.commit({ write: { ...files, 'flotilla.yml': manifest } }, 'the example shop')
        await repo.push('main')
      }, 300_000)
      afterAll(async () => {
        clearInterval(traffic)
        await prometheus?.stop()
        if (daemon) await stopDaemonWithContainers(daemon, ['catalog_staging', 'catalog_staging_previous'])
        await github?.stop()
        await registry?.stop()
        await repo?.cleanup()
        if (dir) await rm(dir, { recursive: true, force: true })
      }, 120_000)

      /** The runner's environment and `github` context for one event. */
      async function runFor(workflow: Workflow, event: { name: string; payload: Record<string, unknown>; sha: string; ref: string; checkout: () => Promise<string> }): Promise<WorkflowRun> {
        const eventPath = await writeEventPayload(join(dir, `event-${++runs}`), event.payload)
        const runId = String(100 + runs)
        const server = `file://${join(dir, 'server')}`
        return runWorkflow(workflow, {
          inputs: { builder: 'buildah' },
          github: { sha: event.sha, ref: event.ref, repository: 'acme-shop/shop', repository_owner: 'acme-shop', event_name: event.name, event: event.payload, token: 'ghs_e2etoken', run_id: runId, api_url: apiUrl, server_url: server },
          env: {
            GITHUB_EVENT_NAME: event.name,
            GITHUB_EVENT_PATH: eventPath,
            GITHUB_SHA: event.sha,
            GITHUB_REF: event.ref,
            GITHUB_REPOSITORY: 'acme-shop/shop',
            GITHUB_REPOSITORY_OWNER: 'acme-shop',
            GITHUB_ACTOR: 'octocat',
            GITHUB_API_URL: apiUrl,
            GITHUB_SERVER_URL: server,
            GITHUB_RUN_ID: runId,
            CONTAINERS_STORAGE_CONF: storageConf
          },
          checkout: event.checkout
        })
      }

      /** Commits and pushes the change to main, then runs pipeline.yml for that push. */
      async function pushAndRun(write: Record<string, string>, message?: string): Promise<{ sha: string; run: WorkflowRun }> {
        await repo.switchTo('main')
        const before = await repo.sha()
        await repo.commit({ write }, message)
        const sha = await repo.push('main')
        const run = await runFor(pipeline, {
          name: 'push',
          payload: pushPayload({ ref: 'refs/heads/main', before, after: sha }),
          sha,
          ref: 'refs/heads/main',
          checkout: async () => (await repo.checkout({ branch: 'main', sha })).dir
        })
        return { sha, run }
      }

      /** Runs pull-request.yml for the pull request as its refs stand. */
      async function runPullRequest(refs: PullRequestRefs): Promise<WorkflowRun> {
        return runFor(pullRequest, {
          name: 'pull_request',
          payload: pullRequestPayload({ number: refs.number, base: { ref: 'main', sha: refs.baseSha }, head: { ref: 'feature', sha: refs.headSha } }),
          sha: refs.mergeSha,
          ref: `refs/pull/${refs.number}/merge`,
          checkout: async () => (await repo.checkout({ pullRequest: refs.number })).dir
        })
      }

      const results = (run: WorkflowRun, jobs: string[]): string[] => jobs.map((job) => run.jobs[job].result)
      /** The services a job (or the shard workflow it calls) ran for, in order. */
      const servicesOf = (run: WorkflowRun, job: string): unknown[] => entriesOf(run.jobs[job]).map(({ entry }) => entry.matrix.service)
      /** `environment service` for every deploy job that ran, in the order they ran. */
      const deploysOf = (run: WorkflowRun): string[] =>
        PIPELINE_JOBS.filter((job) => job.startsWith('deploy-')).flatMap((job) => entriesOf(run.jobs[job]).map(({ entry }) => `${entry.environment} ${String(entry.matrix.service)}`))
      /** Every failed step, with the end of its output: what a failing test should print. */
      const failures = (run: WorkflowRun): string[] =>
        Object.entries(run.jobs).flatMap(([job, result]) =>
          entriesOf(result).flatMap(({ entry }) =>
            entry.steps
              .filter((step) => step.result === 'failure')
              .map((step) => {
                const output = step.bundle ?? step.script
                return `${job} ${String(entry.matrix.service ?? '')} ${step.uses ?? 'run'}: ${(output?.stdout ?? '').slice(-1500)} ${(output?.stderr ?? '').slice(-1500)}`
              })
          )
        )
      /** The digest each service's build pushed, from the build-image step's outputs. */
      const builtDigests = (run: WorkflowRun): Record<string, string> =>
        Object.fromEntries(
          entriesOf(run.jobs.build).map(({ entry }) => [String(entry.matrix.service), entry.steps.find((step) => step.uses === '$/actions/build-image')?.bundle?.outputs.digest ?? ''])
        )
      /** The overlay's `images:` on the deploy repository's main, as image name → tag and digest. */
      const overlayImages = async (environment: string): Promise<Record<string, { tag: string; digest: string }>> => {
        const overlay = parse(await runGit(deployRepo, ['show', `main:envs/${environment}/kustomization.yaml`])) as { images?: Array<{ name: string; newTag: string; digest: string }> }
        return Object.fromEntries((overlay.images ?? []).map((image) => [image.name.replace(`${registry.host}/acme-shop/`, ''), { tag: image.newTag, digest: image.digest }]))
      }
      const deploymentsOf = (sha: string): string[] =>
        github.state.deployments.filter((deployment) => deployment.sha === sha).map((deployment) => `${deployment.environment} ${String((deployment.payload as Record<string, unknown>).service)}`)
      const gateStatuses = (sha: string): unknown[] =>
        github.requestsTo('repos/create-commit-status').filter((request) => request.path.endsWith(`/statuses/${sha}`)).map((request) => request.body)
      const stagingCatalog = async (): Promise<{ image: string; sha: string }> => {
        const inspect = await exec(['docker', 'container', 'inspect', 'catalog_staging', '--format', '{{.Config.Image}} {{index .Config.Labels "flotilla.sha"}}'], { env: daemon.env })
        const [image, sha] = inspect.stdout.toString('utf8').trim().split(' ')
        return { image, sha }
      }

      it('a change in the shared money library ships catalog and cart: catalog to a staging container, the gate measures it, both reach production by digest', async () => {
        const money = 'libs/money/src/index.js'
        const { sha, run } = await pushAndRun({ [money]: `${(await exampleFiles())[money]}\n// money: a change every dependent must ship\n` })

        expect(failures(run)).toEqual([])
        expect(results(run, PIPELINE_JOBS)).toEqual(SHIPPED)
        expect(JSON.parse(run.jobs.plan.outputs.services)).toEqual(['catalog', 'cart'])
        expect(servicesOf(run, 'build')).toEqual(['catalog', 'cart'])
        expect(servicesOf(run, 'test')).toEqual(['catalog', 'cart'])
        expect(deploysOf(run)).toEqual(['staging catalog', 'staging cart', 'production catalog', 'production cart'])

        // Staging's catalog is the container the pipeline started, pinned to the digest the build pushed.
        const digests = builtDigests(run)
        expect(digests.catalog).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(await stagingCatalog()).toEqual({ image: `${registry.host}/acme-shop/catalog:git-${sha}@${digests.catalog}`, sha })
        const products = await fetch(`http://127.0.0.1:${catalogPort}/products`)
        expect(products.status).toBe(200)

        // The gate measured that container through Prometheus, then production got both by digest.
        expect(gateStatuses(sha)).toEqual([
          expect.objectContaining({ state: 'pending', context: 'flotilla/gate production' }),
          expect.objectContaining({ state: 'success', context: 'flotilla/gate production' })
        ])
        const expected = { catalog: { tag: `git-${sha}`, digest: digests.catalog }, cart: { tag: `git-${sha}`, digest: digests.cart } }
        expect(await overlayImages('production')).toEqual(expected)
        expect(await overlayImages('staging')).toEqual({ cart: expected.cart })
        expect(deploymentsOf(sha)).toEqual(['staging catalog', 'staging cart', 'production catalog', 'production cart'])
        // One deploy of a service to an environment at a time, whichever run it belongs to.
        const groups = entriesOf(run.jobs['deploy-2']).map(({ entry }) => entry.concurrency)
        expect(groups).toEqual(['flotilla-deploy-acme-shop/shop-production-catalog', 'flotilla-deploy-acme-shop/shop-production-cart'])
        expect(github.violations).toEqual([])
        shipped = expected
      }, 600_000)

      it('a change in users ships users alone; catalog and cart stay where they are', async () => {
        const store = 'services/users/app/store.py'
        const { sha, run } = await pushAndRun({ [store]: `${(await exampleFiles())[store]}\n# users: a change of its own\n` })

        expect(failures(run)).toEqual([])
        expect(results(run, PIPELINE_JOBS)).toEqual(SHIPPED)
        for (const job of ['build', 'test']) expect(servicesOf(run, job)).toEqual(['users'])
        expect(deploysOf(run)).toEqual(['staging users', 'production users'])
        const users = { tag: `git-${sha}`, digest: builtDigests(run).users }
        expect(await overlayImages('production')).toEqual({ ...shipped, users })
        expect(deploymentsOf(sha)).toEqual(['staging users', 'production users'])
        expect(github.violations).toEqual([])
        shipped = { ...shipped, users }
      }, 600_000)

      it('pull-request.yml gives one check: green while orders passes its tests, red once a test breaks; nothing is pushed or deployed', async () => {
        await repo.switchTo('feature', { create: true, from: 'main' })
        const server = 'services/orders/app/server.py'
        await repo.commit({ write: { [server]: `${(await exampleFiles())[server]}\n# orders: a reviewed change\n` } })
        await repo.push('feature')
        const green = await runPullRequest(await repo.pullRequest(7, { base: 'main', head: 'feature' }))

        expect(failures(green)).toEqual([])
        expect(results(green, ['plan', 'build', 'test', 'result'])).toEqual(['success', 'success', 'success', 'success'])
        expect(servicesOf(green, 'build')).toEqual(['orders'])
        expect(servicesOf(green, 'test')).toEqual(['orders'])

        const broken = 'services/orders/tests/test_refunds.py'
        await repo.commit({ write: { [broken]: 'import unittest\n\n\nclass RefundTest(unittest.TestCase):\n    def test_refund_is_negative(self):\n        self.assertEqual(-5, 5)\n' } })
        await repo.push('feature')
        const red = await runPullRequest(await repo.pullRequest(7, { base: 'main', head: 'feature' }))

        expect(results(red, ['plan', 'build', 'test', 'result'])).toEqual(['success', 'success', 'failure', 'failure'])
        const tests = entriesOf(red.jobs.test)[0].entry.steps.find((step) => step.uses === '$/actions/run-tests')
        expect(tests?.bundle?.outputs.passed).toBe('false')
        // The summary check ran although a job it needs failed, and said which.
        expect(red.jobs.result.runs[0].steps[0].script?.stdout).toMatch(/plan, build, test: .*failure/s)

        // Built, never pushed: the registry has no orders image at all; nothing was deployed.
        const tags = await fetch(`http://${registry.host}/v2/acme-shop/orders/tags/list`)
        expect(tags.status).toBe(404)
        expect(github.state.deployments.map((deployment) => (deployment.payload as Record<string, unknown>).service)).not.toContain('orders')
        await repo.switchTo('main')
      }, 600_000)

      it('a catalog release that fails under traffic reaches the staging container, and the production gate holds it back', async () => {
        // Passes its tests (a handful of requests), then answers 500 once traffic builds up.
        const app = 'services/catalog/src/app.js'
        const leaky = (await exampleFiles())[app].replace(
          "    if (pathname === '/products') return send(response, 200, products.map(present))",
          "    if (pathname === '/products') return ++served > 40 ? send(response, 500, { error: 'out of memory' }) : send(response, 200, products.map(present))"
        ).replace('  const requests = requestCounter()\n', '  const requests = requestCounter()\n  let served = 0\n')
        expect(leaky).toContain('++served > 40')
        const { sha, run } = await pushAndRun({ [app]: leaky }, 'catalog: cache the product list')

        expect(results(run, PIPELINE_JOBS)).toEqual(['success', 'success', 'success', 'skipped', 'success', 'failure', 'skipped', 'skipped', 'skipped'])
        expect(deploysOf(run)).toEqual(['staging catalog', 'staging cart'])
        expect((await stagingCatalog()).sha).toBe(sha)
        expect(gateStatuses(sha)).toEqual([
          expect.objectContaining({ state: 'pending', context: 'flotilla/gate production' }),
          expect.objectContaining({ state: 'failure', context: 'flotilla/gate production' })
        ])
        const gate = entriesOf(run.jobs['gate-2'])[0].entry.steps.find((step) => step.uses === '$/actions/gate')
        expect(gate?.bundle?.outputs.decision).toBe('fail')
        // Production still runs what the first two scenarios shipped.
        expect(await overlayImages('production')).toEqual(shipped)
        expect(deploymentsOf(sha)).toEqual(['staging catalog', 'staging cart'])
        expect(github.violations).toEqual([])
      }, 600_000)
    })
  })
})

/** Every matrix entry a job ran: its own, or those of the shard workflow it calls, with the calling entry's matrix. */
function entriesOf(job: JobRun): Array<{ caller: Record<string, unknown>; entry: MatrixRun }> {
  return job.runs.flatMap((outer) =>
    outer.workflow === undefined
      ? [{ caller: {}, entry: outer }]
      : Object.values(outer.workflow.jobs).flatMap((inner) => inner.runs.map((entry) => ({ caller: outer.matrix, entry })))
  )
}

/**
 * The example's manifest pointed at this machine: images go to the test registry and build from
 * local base images, catalog's staging deploy is a container on the test Docker engine, and the
 * production gate asks the test Prometheus.
 */
function localManifest(text: string, local: { registryHost: string; prometheusAddress: string; dockerHost: string; catalogPort: number }): string {
  const manifest = parseDocument(text)
  manifest.set('registry', `${local.registryHost}/acme-shop`)
  for (const service of SERVICES) {
    manifest.setIn(['services', service, 'image', 'build_args'], { BASE_IMAGE: service === 'catalog' ? NODE_BASE_IMAGE : BASE_IMAGE })
  }
  const catalog = `http://127.0.0.1:${local.catalogPort}`
  manifest.setIn(
    ['services', 'catalog', 'deploy', 'staging'],
    manifest.createNode({
      target: 'docker',
      host: local.dockerHost,
      network: 'host',
      env: { PORT: String(local.catalogPort), HOST: '127.0.0.1' },
      health: { url: `${catalog}/healthz`, timeout: '60s' },
      url: `${catalog}/`
    })
  )
  manifest.setIn(['environments', 'production', 'gate', 'prometheus_address'], local.prometheusAddress)
  return manifest.toString()
}

/**
 * A private vfs store (CONTAINERS_STORAGE_CONF) holding the two base images: an empty one, and one
 * with this machine's node and the shared libraries it links at their paths. Returns the conf path.
 */
async function buildahStoreWithBaseImages(dir: string): Promise<string> {
  const storage = join(dir, 'buildah')
  const conf = join(storage, 'storage.conf')
  await mkdir(storage, { recursive: true })
  await writeFile(conf, `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/root"\n`)
  const buildah = async (...args: string[]): Promise<string> =>
    (await exec(['buildah', ...args], { env: { ...process.env, CONTAINERS_STORAGE_CONF: conf } })).stdout.toString('utf8').trim()
  const container = await buildah('from', '--quiet', 'scratch')
  await buildah('commit', '--quiet', container, BASE_IMAGE)
  await buildah('rm', container)

  const context = join(dir, 'node-base')
  const node = await realpath(process.execPath)
  const linked = (await exec(['ldd', node])).stdout.toString('utf8')
  const libraries = [...linked.matchAll(/(\/\S+) \(0x/g)].map((match) => match[1])
  for (const file of [node, ...libraries]) {
    const target = join(context, 'rootfs', file === node ? '/usr/local/bin/node' : file)
    await mkdir(dirname(target), { recursive: true })
    await copyFile(await realpath(file), target)
  }
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n')
  await buildah('build', '--quiet', '--isolation', 'chroot', '--tag', NODE_BASE_IMAGE, '--file', join(context, 'Dockerfile'), context)
  await rm(context, { recursive: true, force: true })
  return conf
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
