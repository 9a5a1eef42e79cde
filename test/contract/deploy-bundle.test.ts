/**
 * The committed deploy bundle, run as the runner runs it, on a copy of the example shop: a gitops
 * deploy to a local bare repository (GITHUB_SERVER_URL points at its directory, so the example's
 * `acme-shop/deploy` resolves to it), recorded as a Deployment in the fake GitHub API, and tags
 * pinned to digests through a real registry behind htpasswd.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { Inputs, Outputs } from '../../actions/deploy/src/constants.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { repositoryRoot, runBundle, type BundleRun } from '../support/action-runner.js'
import { runGit } from '../support/git-fixtures.js'
import { describeWithRegistry, pushImage, startRegistry, TEST_CREDENTIALS, type TestRegistry } from '../support/registry.js'

const SHA = 'c'.repeat(40)
const KUSTOMIZATION = `# staging overlay: Argo CD syncs this directory
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  # bumped by flotilla
  - name: ghcr.io/acme-shop/cart
    newTag: "1.0.0"
`
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      containers:\n        - name: cart\n          image: ghcr.io/acme-shop/cart\n'

/** The command target: one that shows what a deploy command sees, and one slow enough to cancel. */
const COMMAND_MANIFEST = (dir: string): string => `version: 1
services:
  cart:
    path: services/cart
    deploy:
      staging: { target: command, command: [/bin/sh, -c, 'env > ${dir}/command-env.txt'] }
      slow: { target: command, command: [/bin/sh, -c, 'echo started; sleep 30'], timeout: 1m }
environments:
  staging: {}
  slow: { production: true }
`

const TEN = Array.from({ length: 10 }, (_, index) => `svc-${index}`)
const TEN_MANIFEST = `version: 1
services:
${TEN.map((service) => `  ${service}:\n    path: services/${service}\n    deploy:\n      staging: { target: gitops, repo: acme-shop/deploy, file: envs/staging/kustomization.yaml }`).join('\n')}
environments:
  staging: {}
`

let dir: string
let workspace: string
let origin: string
let github: FakeGitHub
let apiUrl: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-deploy-'))
  workspace = join(dir, 'workspace')
  await cp(join(repositoryRoot, 'examples', 'shop'), workspace, { recursive: true, filter: (source) => !/\/(reports|__pycache__|node_modules)$/.test(source) })
  origin = join(dir, 'server', 'acme-shop', 'deploy.git')
  const seed = join(dir, 'seed')
  await mkdir(join(seed, 'envs', 'staging'), { recursive: true })
  await writeFile(join(seed, 'envs', 'staging', 'kustomization.yaml'), KUSTOMIZATION)
  await writeFile(join(seed, 'envs', 'staging', 'deployment.yaml'), DEPLOYMENT)
  await mkdir(join(seed, 'envs', 'production'), { recursive: true })
  await writeFile(join(seed, 'envs', 'production', 'kustomization.yaml'), KUSTOMIZATION.replace('staging overlay', 'production overlay'))
  await writeFile(join(seed, 'envs', 'production', 'deployment.yaml'), DEPLOYMENT)
  await runGit(dir, ['init', '--quiet', '--bare', '--initial-branch=main', origin])
  await runGit(dir, ['init', '--quiet', '--initial-branch=main', seed])
  await runGit(seed, ['add', '--all'])
  await runGit(seed, ['commit', '--quiet', '--message', 'staging overlay'])
  await runGit(seed, ['push', '--quiet', origin, 'main'])
  await writeFile(join(workspace, 'flotilla.command.yml'), COMMAND_MANIFEST(dir))
  await writeFile(join(workspace, 'flotilla.ten.yml'), TEN_MANIFEST)
  for (const service of TEN) await mkdir(join(workspace, 'services', service), { recursive: true })
  github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
  apiUrl = await github.start()
})
afterAll(async () => {
  await github.stop()
  await rm(dir, { recursive: true, force: true })
})

function deployAction(inputs: Record<string, string>): Promise<BundleRun> {
  return runBundle('deploy', {
    workspace,
    inputs: { token: 'ghs_contracttoken', sha: SHA, ...inputs },
    env: {
      // No docker login from the machine running the tests: registry logins come from the inputs.
      DOCKER_CONFIG: join(dir, 'no-docker-config'),
      GITHUB_REPOSITORY: 'acme-shop/shop',
      GITHUB_SHA: SHA,
      GITHUB_API_URL: apiUrl,
      GITHUB_SERVER_URL: `file://${join(dir, 'server')}`,
      GITHUB_RUN_ID: '77'
    }
  })
}

const tip = (): Promise<string> => runGit(origin, ['rev-parse', 'refs/heads/main']).then((text) => text.trim())

describe('deploy bundle through the runner contract', () => {
  it('action.yml declares exactly the input and output names the code uses', () => {
    const action = parse(readFileSync(join(repositoryRoot, 'actions/deploy/action.yml'), 'utf8'))
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort())
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort())
    expect(action.runs).toEqual({ using: 'node24', main: '../../dist/deploy/index.js' })
  })

  it('refuses bad input before anything is pushed or recorded', async () => {
    const before = await tip()
    const unknown = await deployAction({ service: 'cart', environment: 'qa', image: 'ghcr.io/acme-shop/cart:1.1.0' })
    expect(unknown.exitCode).toBe(1)
    expect(unknown.annotations.map((annotation) => annotation.message)).toEqual(['unknown environment "qa" (flotilla.yml has staging, production)'])
    const untagged = await deployAction({ service: 'cart', environment: 'staging', image: 'ghcr.io/acme-shop/cart' })
    expect(untagged.exitCode).toBe(1)
    expect(untagged.annotations[0].message).toBe('image ghcr.io/acme-shop/cart has neither a tag nor a digest: deploy an exact version')
    expect(await tip()).toBe(before)
    expect(github.state.deployments).toEqual([])
  })

  it('pushes the kustomization edit and records a Deployment with statuses', async () => {
    const digest = `sha256:${'d'.repeat(64)}`
    const image = `ghcr.io/acme-shop/cart:1.1.0@${digest}`
    const run = await deployAction({ service: 'cart', environment: 'staging', image })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)

    const pushed = await tip()
    expect(run.outputs).toEqual({
      'deployment-id': String(github.state.deployments[0].id),
      url: 'https://staging.shop.example.com',
      'previous-image': 'ghcr.io/acme-shop/cart:1.0.0',
      'new-image': image,
      digest,
      'pushed-commit': pushed
    })
    // runGit drops the final newline of its output; the file still ends in one.
    expect(await runGit(origin, ['show', `${pushed}:envs/staging/kustomization.yaml`])).toBe(
      KUSTOMIZATION.replace('newTag: "1.0.0"', `newTag: "1.1.0"\n    digest: ${digest}`).trimEnd()
    )
    expect(await runGit(origin, ['log', '-1', '--format=%s', pushed])).toBe(`Deploy cart to staging: ghcr.io/acme-shop/cart:1.0.0 → ${image}`)

    const [deployment] = github.state.deployments
    expect(deployment).toMatchObject({ sha: SHA, environment: 'staging', payload: { service: 'cart', image, digest }, production_environment: false })
    expect(deployment.request).toMatchObject({ required_contexts: [], auto_merge: false })
    expect(deployment.statuses.map((status) => [status.state, status.environment_url, status.log_url])).toEqual([
      ['in_progress', 'https://staging.shop.example.com', `file://${join(dir, 'server')}/acme-shop/shop/actions/runs/77`],
      ['success', 'https://staging.shop.example.com', `file://${join(dir, 'server')}/acme-shop/shop/actions/runs/77`]
    ])
    expect(github.violations).toEqual([])
    expect(run.summary).toContain(`- **cart** → [staging](https://staging.shop.example.com) via gitops: \`ghcr.io/acme-shop/cart:1.0.0\` → \`${image}\` (commit ${pushed.slice(0, 12)})`)
    // The token appears only in the command that masks it.
    expect(run.stdout.split('\n').filter((line) => line.includes('ghs_contracttoken'))).toEqual(['::add-mask::ghs_contracttoken'])
  })

  // The tags deployed from here on are in no registry the test runs, so they are deployed as given.
  it('runs a command target with the deploy in its environment and no token in it', async () => {
    const run = await deployAction({ service: 'cart', environment: 'staging', image: 'ghcr.io/acme-shop/cart:2.0.0', manifest: 'flotilla.command.yml', 'pin-digest': 'false' })
    expect(run.exitCode).toBe(0)
    const env = await readFile(join(dir, 'command-env.txt'), 'utf8')
    expect(env).toContain('FLOTILLA_IMAGE=ghcr.io/acme-shop/cart:2.0.0\n')
    expect(env).toContain(`FLOTILLA_SHA=${SHA}\n`)
    expect(env).not.toContain('ghs_contracttoken')
    expect(github.state.deployments.at(-1)!.statuses.map((status) => status.state)).toEqual(['in_progress', 'success'])
  })

  it('a cancelled step (SIGTERM) kills the command and leaves the deployment in error, not in progress', async () => {
    const runnerTemp = await mkdtemp(join(dir, 'runner-'))
    const child = spawn('node', [join(repositoryRoot, 'dist', 'deploy', 'index.js')], {
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: runnerTemp,
        GITHUB_REPOSITORY: 'acme-shop/shop',
        GITHUB_API_URL: apiUrl,
        INPUT_SERVICE: 'cart',
        INPUT_ENVIRONMENT: 'slow',
        INPUT_IMAGE: 'ghcr.io/acme-shop/cart:2.0.1',
        INPUT_SHA: SHA,
        INPUT_TOKEN: 'ghs_contracttoken',
        INPUT_MANIFEST: 'flotilla.command.yml',
        'INPUT_PIN-DIGEST': 'false'
      }
    })
    let stdout = ''
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('started')) child.kill('SIGTERM')
    })
    expect(await exited).toBe(130)
    const deployment = github.state.deployments.find((candidate) => candidate.environment === 'slow')!
    expect(deployment.production_environment).toBe(true)
    expect(deployment.statuses.map((status) => [status.state, status.description])).toEqual([
      ['in_progress', 'Deploying ghcr.io/acme-shop/cart:2.0.1'],
      ['error', 'cancelled']
    ])
    expect(github.violations).toEqual([])
  })

  it('ten deploy steps at once (ten processes) to one gitops repository all land, in linear history', async () => {
    const before = await tip()
    const runs = await Promise.all(TEN.map((service) => deployAction({ service, environment: 'staging', image: `ghcr.io/acme-shop/${service}:3.0.0`, manifest: 'flotilla.ten.yml', 'pin-digest': 'false' })))
    expect(runs.map((run) => run.exitCode)).toEqual(TEN.map(() => 0))
    const file = await runGit(origin, ['show', 'main:envs/staging/kustomization.yaml'])
    for (const service of TEN) expect(file).toContain(`- name: ghcr.io/acme-shop/${service}\n    newTag: 3.0.0`)
    expect(await runGit(origin, ['rev-list', '--count', `${before}..main`])).toBe('10')
    expect(await runGit(origin, ['rev-list', '--merges', 'main'])).toBe('')
    expect(runs.map((run) => run.outputs['pushed-commit']).sort()).toEqual((await runGit(origin, ['rev-list', `${before}..main`])).split('\n').sort())
    expect(github.violations).toEqual([])
  }, 120_000)
})

describeWithRegistry('deploy bundle pins a tag to its digest', () => {
  let registry: TestRegistry
  const login = { 'registry-username': TEST_CREDENTIALS.username, 'registry-password': TEST_CREDENTIALS.password }
  const productionFile = (commit: string): Promise<string> => runGit(origin, ['show', `${commit}:envs/production/kustomization.yaml`])

  beforeAll(async () => {
    registry = await startRegistry({ auth: true })
  })
  afterAll(async () => {
    await registry?.stop()
  })

  it('deploys a production tag as tag and digest: in the kustomization, the outputs and the Deployment', async () => {
    const tag = `git-${SHA}`
    const pushed = await pushImage(registry, 'acme-shop/cart', tag)
    const image = `${registry.host}/acme-shop/cart:${tag}`
    const run = await deployAction({ service: 'cart', environment: 'production', image, ...login })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)

    const commit = await tip()
    expect(run.outputs).toMatchObject({ 'new-image': `${image}@${pushed.digest}`, digest: pushed.digest, 'pushed-commit': commit })
    const kustomization = parse(await productionFile(commit)) as { images: Array<Record<string, string>> }
    expect(kustomization.images).toContainEqual({ name: `${registry.host}/acme-shop/cart`, newTag: tag, digest: pushed.digest })
    expect(github.state.deployments.at(-1)).toMatchObject({ environment: 'production', payload: { service: 'cart', image: `${image}@${pushed.digest}`, digest: pushed.digest } })
    expect(run.annotations.filter((annotation) => annotation.level === 'warning')).toEqual([])
    // The password appears only in commands that mask it.
    const withPassword = run.stdout.split('\n').filter((line) => line.includes(TEST_CREDENTIALS.password))
    expect(withPassword.length).toBeGreaterThan(0)
    expect(withPassword.every((line) => line === `::add-mask::${TEST_CREDENTIALS.password}`)).toBe(true)
  })

  it('fails a production deploy of a tag the registry does not hold, changing nothing', async () => {
    const before = await tip()
    const deployments = github.state.deployments.length
    const image = `${registry.host}/acme-shop/cart:git-${'f'.repeat(40)}`
    const run = await deployAction({ service: 'cart', environment: 'production', image, ...login })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([
      `production is a production environment, never deployed by a movable tag: cannot pin ${image} to a digest: ${image} is not in the registry`
    ])
    expect(await tip()).toBe(before)
    expect(github.state.deployments).toHaveLength(deployments)
  })
})
