/**
 * pipeline.yml's job graph over real plans: the committed detect bundle plans a real repository,
 * and the harness evaluates every `if:`, matrix and shard call as GitHub would. The build, test,
 * deploy and gate steps are recorded instead of run (each has its own bundle tests, and the
 * end-to-end test runs them all for real): what is asserted here is which services and
 * environments the workflow fans out to, past GitHub's 256-job matrix limit and along
 * promotion steps that flotilla.yml defines.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { repositoryRoot, runBundle, type BundleOptions, type BundleRun } from '../support/action-runner.js'
import { pushPayload, RepoFixture, writeEventPayload } from '../support/git-fixtures.js'
import { runWorkflow, type JobRun, type MatrixRun, type Workflow, type WorkflowRun } from '../support/workflow-runner.js'

const PROMOTION_JOBS = ['gate-1', 'deploy-1', 'gate-2', 'deploy-2', 'gate-3', 'deploy-3']

interface Call {
  action: string
  inputs: Record<string, string>
}

const recorded = (outputs: Record<string, string> = {}): BundleRun => ({ exitCode: 0, stdout: '', stderr: '', outputs, summary: '', annotations: [], runnerTempFiles: {} })

/** Every matrix entry a job ran, through the shard workflow it calls. */
function entriesOf(job: JobRun): MatrixRun[] {
  return job.runs.flatMap((outer) => (outer.workflow === undefined ? [outer] : Object.values(outer.workflow.jobs).flatMap((inner) => inner.runs)))
}

describe('pipeline.yml over real plans', () => {
  let repo: RepoFixture | undefined
  afterEach(async () => {
    await repo?.cleanup()
    repo = undefined
  })

  /** A repository with this manifest and one file per service, then a push changing `changed`. */
  async function pushAndRun(
    manifest: string,
    services: string[],
    changed: string[],
    gateDecision: (environment: string) => 'pass' | 'fail' = () => 'pass'
  ): Promise<{ sha: string; run: WorkflowRun; calls: Call[] }> {
    await repo?.cleanup()
    repo = await RepoFixture.create()
    const files = Object.fromEntries(services.map((name) => [`services/${name}/main.go`, `package ${name.replace(/-/g, '')}\n`]))
    await repo.commit({ write: { 'flotilla.yml': manifest, ...files } })
    const before = await repo.push('main')
    await repo.commit({ write: Object.fromEntries(changed.map((path) => [path, 'changed\n'])) })
    const sha = await repo.push('main')
    const event = pushPayload({ ref: 'refs/heads/main', before, after: sha })
    const eventPath = await writeEventPayload(`${repo.root}/event`, event)
    const fixture = repo
    const calls: Call[] = []
    let workspace: string | undefined
    const workflow = parse(await readFile(join(repositoryRoot, '.github', 'workflows', 'pipeline.yml'), 'utf8')) as Workflow
    const run = await runWorkflow(workflow, {
      github: { sha, ref: 'refs/heads/main', repository: 'acme/shop', repository_owner: 'acme', event_name: 'push', event, token: 'ghs_graph' },
      env: { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: eventPath, GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/main', GITHUB_REPOSITORY: 'acme/shop' },
      // One real checkout, for the plan; the recorded steps after it only need a directory.
      checkout: async () => (workspace ??= (await fixture.checkout({ branch: 'main', sha })).dir),
      runAction: async (action: string, options: BundleOptions) => {
        if (action === 'detect') return runBundle(action, options)
        calls.push({ action, inputs: options.inputs ?? {} })
        if (action !== 'gate') return recorded()
        // The gate action fails its step when it decides fail.
        const decision = gateDecision(options.inputs?.environment ?? '')
        return { ...recorded({ decision }), exitCode: decision === 'pass' ? 0 : 1 }
      }
    })
    return { sha, run, calls }
  }

  const deploysOf = (calls: Call[]): string[] => calls.filter((call) => call.action === 'deploy').map((call) => `${call.inputs.environment} ${call.inputs.service}`)
  const results = (run: WorkflowRun, jobs: string[]): string[] => jobs.map((job) => run.jobs[job].result)

  it('fans 600 services out to shards of at most 256: each built, tested and deployed once per environment', async () => {
    const services = Array.from({ length: 600 }, (_, index) => `svc-${String(index).padStart(3, '0')}`)
    const manifest = [
      'version: 1',
      'registry: registry.example/acme',
      'global: [go.work]',
      'services:',
      ...services.map((name) => `  ${name}: { path: services/${name}, deploy: { staging: { target: command, command: [deploy] } } }`),
      'environments:',
      '  staging: {}',
      ''
    ].join('\n')
    const { sha, run, calls } = await pushAndRun(manifest, services, ['go.work'])

    expect(results(run, ['plan', 'build', 'test', ...PROMOTION_JOBS])).toEqual(['success', 'success', 'success', 'skipped', 'success', 'skipped', 'skipped', 'skipped', 'skipped'])
    expect(run.jobs.plan.outputs.matrix).toBeUndefined()
    // Three calls of each shard workflow, none with a matrix past GitHub's limit.
    for (const job of ['build', 'test', 'deploy-1']) {
      expect(run.jobs[job].runs.map((call) => Object.values(call.workflow?.jobs ?? {})[0].runs.length)).toEqual([256, 256, 88])
    }
    const built = calls.filter((call) => call.action === 'build-image').map((call) => call.inputs.service)
    const tested = calls.filter((call) => call.action === 'run-tests').map((call) => call.inputs.services)
    expect(built).toEqual(services)
    expect(tested).toEqual(services)
    expect(deploysOf(calls)).toEqual(services.map((name) => `staging ${name}`))
    // Every deploy names the tag the build pushed; the deploy action finds the image in flotilla.yml and pins it.
    const deploy = entriesOf(run.jobs['deploy-1'])[0].steps.find((step) => step.uses === '$/actions/deploy')
    expect(deploy?.inputs).toMatchObject({ service: 'svc-000', tag: `git-${sha}`, image: '' })
    // Only names cross jobs: the plan's outputs stay far below GitHub's 1 MB per job.
    expect(Object.values(run.jobs.plan.outputs).join('').length * 2).toBeLessThan(100_000)
  }, 180_000)

  it('follows three promotion steps from flotilla.yml; a step that deploys nothing is skipped and the next still runs', async () => {
    const manifest = `version: 1
registry: registry.example/acme
services:
  api:
    path: services/api
    deploy:
      dev: { target: command, command: [deploy] }
      staging: { target: command, command: [deploy] }
      production: { target: command, command: [deploy] }
  billing:
    path: services/billing
    # Billing has no dev or staging of its own: it goes straight to production, behind the gate.
    deploy:
      production: { target: command, command: [deploy] }
environments:
  dev: {}
  staging: { requires: [dev], gate: { soak: 1s } }
  production: { requires: [staging], gate: { soak: 1s } }
`
    const both = await pushAndRun(manifest, ['api', 'billing'], ['services/api/main.go', 'services/billing/main.go'])
    expect(results(both.run, PROMOTION_JOBS)).toEqual(['skipped', 'success', 'success', 'success', 'success', 'success'])
    expect(deploysOf(both.calls)).toEqual(['dev api', 'staging api', 'production api', 'production billing'])
    expect(both.calls.filter((call) => call.action === 'gate').map((call) => call.inputs.environment)).toEqual(['staging', 'production'])
    // Each deploy job carries its environment, so GitHub applies that environment's reviewers and timers.
    expect(entriesOf(both.run.jobs['deploy-3']).map((entry) => entry.environment)).toEqual(['production', 'production'])

    const billing = await pushAndRun(manifest, ['api', 'billing'], ['services/billing/main.go'])
    expect(results(billing.run, PROMOTION_JOBS)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'success', 'success'])
    expect(deploysOf(billing.calls)).toEqual(['production billing'])
  }, 120_000)

  it('stops every later step when a gate fails', async () => {
    const manifest = `version: 1
services:
  api:
    path: services/api
    deploy:
      staging: { target: command, command: [deploy] }
      production: { target: command, command: [deploy] }
environments:
  staging: { gate: { soak: 1s } }
  production: { requires: [staging], gate: { soak: 1s } }
`
    const { run, calls } = await pushAndRun(manifest, ['api'], ['services/api/main.go'], (environment) => (environment === 'staging' ? 'fail' : 'pass'))
    expect(results(run, PROMOTION_JOBS)).toEqual(['failure', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped'])
    expect(deploysOf(calls)).toEqual([])
  }, 120_000)

  it('fails the plan, naming flotilla.yml, when the environments need more promotion steps than the workflow has', async () => {
    const manifest = `version: 1
services:
  api: { path: services/api }
environments:
  dev: {}
  qa: { requires: [dev] }
  staging: { requires: [qa] }
  production: { requires: [staging] }
`
    const { run, calls } = await pushAndRun(manifest, ['api'], ['services/api/main.go'])
    expect(results(run, ['plan', 'build', 'test', ...PROMOTION_JOBS])).toEqual(Array.from({ length: 9 }, (_, index) => (index === 0 ? 'failure' : 'skipped')))
    const plan = run.jobs.plan.runs[0].steps.find((step) => step.uses === '$/actions/detect')
    expect(plan?.bundle?.stdout).toMatch(/flotilla\.yml:8:\d+: environments\.production\.requires: environments need 4 promotion steps \(dev → qa → staging → production\) but this workflow deploys at most 3/)
    expect(calls).toEqual([])
  }, 120_000)
})
