/**
 * The committed gate bundle, run as the runner runs it, against the fake GitHub API: checks and
 * soak measured from the API, the decision in outputs, report file and job summary, and the
 * `flotilla/gate <environment>` status on the commit.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { parse } from 'yaml'
import { Inputs, Outputs } from '../../actions/gate/src/constants.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { repositoryRoot, runBundle, type BundleRun } from '../support/action-runner.js'
import { startMetricsServer, type MetricsServer } from '../support/metrics-server.js'
import { describeWithPrometheus, startPrometheus, type TestPrometheus } from '../support/prometheus.js'

const SHA = 'c'.repeat(40)
const MANIFEST = `version: 1
services:
  cart: { path: services/cart }
environments:
  staging:
    gate:
      timeout: 1m
      checks: { names: [build], wait: 3s, interval: 1s }
      soak: { duration: 1s, interval: 1s, count: 5, inconclusive_limit: 4, consecutive_success_limit: 1 }
  production:
    requires: [staging]
  metrics:
    gate:
      prometheus_address: http://127.0.0.1:9
      prometheus:
        error-rate:
          query: sum(rate(app_errors_total[4s])) / sum(rate(app_requests_total[4s]))
          success: result < 0.05
          interval: 1s
          count: 3
`

let workspace: string
let github: FakeGitHub
let apiUrl: string

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'flotilla-gate-'))
  await mkdir(join(workspace, 'services/cart'), { recursive: true })
  await writeFile(join(workspace, 'flotilla.yml'), MANIFEST)
})
afterAll(async () => {
  await rm(workspace, { recursive: true, force: true })
})

beforeEach(async () => {
  github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
  apiUrl = await github.start()
})
afterEach(async () => {
  await github.stop()
  expect(github.violations).toEqual([])
})

function gateAction(inputs: Record<string, string>): Promise<BundleRun> {
  return runBundle('gate', {
    workspace,
    inputs: { token: 'ghs_contracttoken', status: 'commit-status', 'dry-run': 'false', fail: 'true', 'fail-on-inconclusive': 'true', ...inputs },
    env: {
      GITHUB_REPOSITORY: 'acme-shop/shop',
      GITHUB_SHA: SHA,
      GITHUB_API_URL: apiUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_EVENT_NAME: 'push'
    }
  })
}

const RUN_URL = 'https://github.com/acme-shop/shop/actions/runs/4242'

describe('gate bundle through the runner contract', () => {
  it('action.yml declares exactly the input and output names the code uses', () => {
    const action = parse(readFileSync(join(repositoryRoot, 'actions/gate/action.yml'), 'utf8'))
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort())
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort())
  })

  it('passes a green, soaked commit: outputs, report, summary, and a success status on the commit', async () => {
    github.addCheckRun({ sha: SHA, name: 'build' })
    const deployment = github.addDeployment({ environment: 'staging', sha: SHA, statuses: ['in_progress', 'success'] })
    deployment.payload = { service: 'cart', image: 'ghcr.io/acme-shop/cart:1' }

    const run = await gateAction({ environment: 'staging', services: '["cart"]' })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.decision).toBe('pass')
    expect(run.outputs.summary).toBe('All 2 blocking criteria passed.')

    const report = JSON.parse(run.runnerTempFiles[basename(run.outputs['report-file'])])
    expect(report).toMatchObject({ environment: 'staging', sha: SHA, decision: 'pass' })
    expect(report.criteria.map((criterion: { name: string; phase: string }) => [criterion.name, criterion.phase])).toEqual([
      ['checks', 'successful'],
      ['soak', 'successful']
    ])
    expect(report.criteria[0].measurements).toEqual([expect.objectContaining({ attempt: 1, phase: 'successful', message: '1 check green: build' })])

    expect(run.summary).toContain('## ✅ Gate staging: pass')
    expect(run.summary).toContain('| checks | successful |')
    expect(run.summary).toContain('### soak: successful')
    for (const criterion of report.criteria) {
      for (const measurement of criterion.measurements) expect(run.summary).toContain(`| ${measurement.timestamp} | ${measurement.attempt} | ${measurement.phase} |`)
    }

    const statuses = github.requestsTo('repos/create-commit-status')
    expect(statuses.map((request) => request.path)).toEqual([`repos/acme-shop/shop/statuses/${SHA}`, `repos/acme-shop/shop/statuses/${SHA}`].map((path) => expect.stringContaining(path)))
    expect(statuses.map((request) => request.body)).toEqual([
      { state: 'pending', context: 'flotilla/gate staging', description: 'measuring 2 criteria', target_url: RUN_URL },
      { state: 'success', context: 'flotilla/gate staging', description: 'pass: All 2 blocking criteria passed.', target_url: RUN_URL }
    ])
  })

  it('a red check fails the step and the status, with the reason', async () => {
    github.addCheckRun({ sha: SHA, name: 'build', conclusion: 'failure' })
    github.addDeployment({ environment: 'staging', sha: SHA, statuses: ['success'] })

    const run = await gateAction({ environment: 'staging' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.decision).toBe('fail')
    const reason = 'checks failed: failed (1) > failureLimit (0): failing: build (failure).'
    expect(run.outputs.summary).toBe(reason)
    expect(run.annotations.at(-1)).toMatchObject({ level: 'error', message: `gate staging: fail: ${reason}` })
    expect(github.requestsTo('repos/create-commit-status').at(-1)?.body).toMatchObject({ state: 'failure', description: `fail: ${reason}` })
  })

  it('an inconclusive gate passes the step with fail-on-inconclusive false, and a check run says action_required', async () => {
    // production requires staging, so its soak counts from the commit's staging deployment.
    github.addDeployment({ environment: 'staging', sha: SHA, statuses: ['success'] })

    // production declares no gate: the input alone gives it one.
    const run = await gateAction({ environment: 'production', gate: 'soak: 1h', status: 'check-run', 'fail-on-inconclusive': 'false' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.decision).toBe('inconclusive')
    expect(github.requestsTo('repos/create-commit-status')).toEqual([])
    expect(github.requestsTo('checks/create').map((request) => request.body)).toEqual([expect.objectContaining({ name: 'flotilla/gate production', status: 'in_progress', head_sha: SHA, details_url: RUN_URL })])
    const update = github.requestsTo('checks/update')[0].body as { conclusion: string; output: { title: string; summary: string } }
    expect(update.conclusion).toBe('action_required')
    expect(update.output.title).toMatch(/^inconclusive: soak was inconclusive: inconclusive \(1\) > inconclusiveLimit \(0\): deployed \d+s ago/)
    expect(update.output.summary).toContain('## ⚠️ Gate production: inconclusive')
  })

  it('an unknown environment fails before measuring, naming the close match', async () => {
    const run = await gateAction({ environment: 'stagin' })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.at(-1)?.message).toBe('environment "stagin" is not in flotilla.yml (did you mean "staging"?)')
    expect(github.requestsTo('repos/create-commit-status')).toEqual([])
  })
})

describeWithPrometheus('gate bundle against a real Prometheus', () => {
  let service: MetricsServer
  let prometheus: TestPrometheus

  beforeAll(async () => {
    service = await startMetricsServer({ main: { requestsPerSecond: 100, errorsPerSecond: 1 } })
    prometheus = await startPrometheus({ target: service.target })
    // Enough scrapes for the 4 s rate window.
    await new Promise((resolve) => setTimeout(resolve, 3000))
  })
  afterAll(async () => {
    await prometheus.stop()
    await service.stop()
  })

  it('measures the error rate at the prometheus-address given, charts it, and passes', async () => {
    const run = await gateAction({ environment: 'metrics', 'prometheus-address': prometheus.address })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.decision).toBe('pass')
    const report = JSON.parse(run.runnerTempFiles[basename(run.outputs['report-file'])])
    const values: number[] = report.criteria[0].measurements.map((measurement: { value: number }) => measurement.value)
    expect(values).toHaveLength(3)
    for (const value of values) expect(value).toBeCloseTo(0.01, 2)
    expect(run.summary).toContain('xychart-beta')
    expect(github.requestsTo('repos/create-commit-status').at(-1)?.body).toMatchObject({ state: 'success', context: 'flotilla/gate metrics' })
  })
})
