import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGitHubClient, type GitHubClient } from '../../../shared/src/github/index.js'
import { evaluateGate, parseGateConfig, systemClock, type GateConfig, type GateCriterion } from '../../../shared/src/gate/index.js'
import { createMeasure, MAX_BODY_BYTES, measureDeployments, measureHttp, measureSoak, type CommitTarget } from '../../../shared/src/gate/sources/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'

const SHA = 'a'.repeat(40)
const target: CommitTarget = { owner: 'acme', repo: 'shop', sha: SHA }

function gate(raw: Record<string, unknown>): GateConfig {
  const { gate, problems } = parseGateConfig(raw, 'environments.staging.gate')
  if (gate === undefined) throw new Error(problems.map((problem) => `${problem.keyPath}: ${problem.message}`).join('\n'))
  return gate
}

function runGate(config: GateConfig, github: GitHubClient) {
  return evaluateGate<GateCriterion>({
    criteria: config.criteria,
    timeoutSeconds: config.timeoutSeconds,
    clock: systemClock,
    measure: createMeasure({ environment: 'staging', target, github, clock: systemClock })
  })
}

describe('GitHub sources against the fake GitHub', () => {
  let fake: FakeGitHub
  let github: GitHubClient

  beforeEach(async () => {
    fake = new FakeGitHub({ owner: 'acme', repo: 'shop' })
    github = createGitHubClient({ baseUrl: await fake.start(), retryBaseMs: 1 })
  })

  afterEach(async () => {
    await fake.stop()
    expect(fake.violations).toEqual([])
  })

  test('checks: a pending check run that turns green within the wait passes', async () => {
    const build = fake.addCheckRun({ sha: SHA, name: 'build', status: 'in_progress' })
    fake.addCommitStatus({ sha: SHA, context: 'lint', state: 'success' })
    const running = runGate(gate({ checks: { wait: '3s', interval: '1s' } }), github)
    while (fake.requestsTo('checks/list-for-ref').length === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    build.status = 'completed'
    build.conclusion = 'success'

    const report = await running
    expect(report.decision).toBe('pass')
    const measurements = report.criteria[0].measurements
    expect(measurements[0]).toMatchObject({ phase: 'inconclusive', message: 'pending: build (in_progress)' })
    expect(measurements[measurements.length - 1]).toMatchObject({ phase: 'successful', message: '2 checks green: build, lint' })
  })

  test('checks: a required check that never appears fails on the last poll', async () => {
    fake.addCheckRun({ sha: SHA, name: 'build' })
    const report = await runGate(gate({ checks: { names: ['build', 'e2e'], wait: '2s', interval: '1s' } }), github)
    expect(report.decision).toBe('fail')
    expect(report.criteria[0].measurements.map((measurement) => measurement.phase)).toEqual(['inconclusive', 'inconclusive', 'failed'])
    expect(report.reason).toBe('checks failed: failed (1) > failureLimit (0): still missing: e2e when the wait ended.')
  })

  test("checks: a red commit status fails at once, and the gate's own status is ignored", async () => {
    fake.addCheckRun({ sha: SHA, name: 'build', conclusion: 'skipped' })
    fake.addCheckRun({ sha: SHA, name: 'flotilla/gate staging', status: 'in_progress' })
    fake.addCommitStatus({ sha: SHA, context: 'flotilla/gate staging', state: 'pending' })
    fake.addCommitStatus({ sha: SHA, context: 'flotilla/gate qa', state: 'success' })
    fake.addCommitStatus({ sha: SHA, context: 'security', state: 'success' })
    fake.addCommitStatus({ sha: SHA, context: 'security', state: 'failure' })
    const report = await runGate(gate({ checks: { wait: '10s', interval: '1s' } }), github)
    expect(report.decision).toBe('fail')
    expect(report.criteria[0].measurements).toEqual([expect.objectContaining({ phase: 'failed', message: 'failing: security (failure)' })])
  })

  test("checks: another environment's gate is a check like any other", async () => {
    fake.addCommitStatus({ sha: SHA, context: 'flotilla/gate qa', state: 'success' })
    fake.addCheckRun({ sha: SHA, name: 'flotilla/gate staging', status: 'in_progress' })
    const report = await runGate(gate({ checks: { wait: '10s', interval: '1s' } }), github)
    expect(report.criteria[0].measurements).toEqual([expect.objectContaining({ phase: 'successful', message: '1 check green: flotilla/gate qa' })])
  })

  test('deployment: every listed environment needs a successful deployment of the commit', async () => {
    fake.addDeployment({ environment: 'staging', sha: SHA, statuses: ['in_progress', 'success'] })
    fake.addDeployment({ environment: 'qa', sha: SHA, statuses: ['success', 'failure'] })
    fake.addDeployment({ environment: 'qa', sha: 'b'.repeat(40), statuses: ['success'] })

    await expect(measureDeployments(github, target, { environments: ['staging'] })).resolves.toEqual({ phase: 'successful', message: `${SHA.slice(0, 12)} deployed successfully to staging` })
    await expect(measureDeployments(github, target, { environments: ['staging', 'qa'] })).resolves.toEqual({ phase: 'failed', message: `no successful deployment of ${SHA.slice(0, 12)} to qa` })
  })

  test('deployment with services: each service needs its own successful deployment, told apart by the payload', async () => {
    const cart = fake.addDeployment({ environment: 'staging', sha: SHA, statuses: ['success'] })
    cart.payload = { service: 'cart', image: 'ghcr.io/acme/cart:1' }
    const users = fake.addDeployment({ environment: 'staging', sha: SHA, statuses: ['failure'] })
    users.payload = JSON.stringify({ service: 'users' })

    await expect(measureDeployments(github, target, { environments: ['staging'] }, { services: ['cart'] })).resolves.toMatchObject({ phase: 'successful', message: `${SHA.slice(0, 12)} deployed successfully to staging for cart` })
    await expect(measureDeployments(github, target, { environments: ['staging'] }, { services: ['cart', 'users'] })).resolves.toEqual({ phase: 'failed', message: `no successful deployment of ${SHA.slice(0, 12)} to staging for users` })
    await expect(measureSoak(github, target, ['staging'], { durationSeconds: 1 }, Date.now(), { services: ['users'] })).resolves.toMatchObject({
      phase: 'failed',
      message: 'no successful deployment of this commit to measure a soak from (environment staging for users)'
    })
  })

  test('a service is waited for only where it deploys: one that goes straight to production has no staging deployment to find', async () => {
    fake.addDeployment({ environment: 'staging', sha: SHA, statuses: ['success'] }).payload = { service: 'cart' }
    const scope = { services: ['cart', 'billing'], deploysTo: { cart: ['staging', 'production'], billing: ['production'] } }

    await expect(measureDeployments(github, target, { environments: ['staging'] }, scope)).resolves.toEqual({ phase: 'successful', message: `${SHA.slice(0, 12)} deployed successfully to staging for cart` })
    const billingOnly = { services: ['billing'], deploysTo: { billing: ['production'] } }
    await expect(measureDeployments(github, target, { environments: ['staging'] }, billingOnly)).resolves.toEqual({ phase: 'successful', message: 'none of billing deploys to staging: nothing to wait for' })
    await expect(measureSoak(github, target, ['staging'], { durationSeconds: 600 }, Date.now(), billingOnly)).resolves.toEqual({ phase: 'successful', message: 'none of billing deploys to staging: nothing to wait for' })
  })

  test('soak: counts from the success status of the deployment to the given environments', async () => {
    const deployment = fake.addDeployment({ environment: 'staging', sha: SHA, statuses: ['success'] })
    const deployedAt = Date.parse(deployment.statuses[0].created_at)

    await expect(measureSoak(github, target, ['staging'], { durationSeconds: 600 }, deployedAt + 120_000)).resolves.toMatchObject({ phase: 'inconclusive', value: 120 })
    await expect(measureSoak(github, target, ['staging'], { durationSeconds: 600 }, deployedAt + 600_000)).resolves.toMatchObject({ phase: 'successful', value: 600 })
    await expect(measureSoak(github, target, ['production'], { durationSeconds: 600 }, deployedAt)).resolves.toMatchObject({
      phase: 'failed',
      message: 'no successful deployment of this commit to measure a soak from (environment production)'
    })
  })
})

/** What the endless body handler has written, and whether the client hung up on it. */
let endless = { written: 0, closedByClient: false }

/** `ready` then 64 KiB chunks for ever, as fast as the client reads them, until it hangs up. */
function streamEndlessly(response: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'x')
  response.writeHead(200, { 'content-type': 'text/plain' })
  response.write('ready\n')
  response.on('close', () => (endless.closedByClient = true))
  const pump = (): void => {
    while (!response.destroyed) {
      endless.written += chunk.length
      if (!response.write(chunk)) return void response.once('drain', pump)
    }
  }
  pump()
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20))
}

describe('http source against a local server', () => {
  let server: Server
  let base: string
  let health = { status: 200, body: '{"status": "ok"}' }

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/slow') return setTimeout(() => response.end('late'), 3000)
      if (request.url === '/endless') return streamEndlessly(response)
      response.writeHead(health.status, { 'content-type': 'application/json' }).end(health.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const criterion = (path: string, extra: { body?: string; requestTimeoutSeconds?: number } = {}) => ({ url: `${base}${path}`, status: [200, 204], requestTimeoutSeconds: 5, ...extra })

  test('an accepted status with a matching body is successful', async () => {
    health = { status: 200, body: '{"status": "ok"}' }
    await expect(measureHttp(criterion('/healthz', { body: '"status":\\s*"ok"' }))).resolves.toEqual({
      phase: 'successful',
      value: 200,
      message: `GET ${base}/healthz answered 200 with a body matching /"status":\\s*"ok"/`
    })
  })

  test('another status, or a body that does not match, fails', async () => {
    health = { status: 503, body: 'down' }
    await expect(measureHttp(criterion('/healthz'))).resolves.toEqual({ phase: 'failed', value: 503, message: `GET ${base}/healthz answered 503, expected 200 or 204` })
    health = { status: 200, body: '{"status": "degraded"}' }
    await expect(measureHttp(criterion('/healthz', { body: '"ok"' }))).resolves.toMatchObject({ phase: 'failed', message: `GET ${base}/healthz answered 200 but the body does not match /"ok"/` })
  })

  test('an unreachable URL and a request past its timeout are errors that say so', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))

    await expect(measureHttp({ url: `http://127.0.0.1:${port}/healthz`, status: [200], requestTimeoutSeconds: 5 })).resolves.toEqual({
      phase: 'error',
      message: `GET http://127.0.0.1:${port}/healthz: connect ECONNREFUSED 127.0.0.1:${port}`
    })
    await expect(measureHttp(criterion('/slow', { requestTimeoutSeconds: 1 }))).resolves.toEqual({ phase: 'error', message: `GET ${base}/slow: no answer within 1s` })
  })

  test('reads at most MAX_BODY_BYTES of a body and matches that: a server streaming without end cannot fill memory or hold the gate', async () => {
    endless = { written: 0, closedByClient: false }
    // No requestTimeout here would stop the read: only the cap does.
    await expect(measureHttp(criterion('/endless', { body: '^ready', requestTimeoutSeconds: 600 }))).resolves.toEqual({
      phase: 'successful',
      value: 200,
      message: `GET ${base}/endless answered 200 with a body matching /^ready/ (in its first ${MAX_BODY_BYTES / 1024 / 1024} MiB)`
    })
    await waitFor(() => endless.closedByClient)
    expect(endless.written).toBeLessThan(MAX_BODY_BYTES * 8)
    await expect(measureHttp(criterion('/endless', { body: 'never-sent', requestTimeoutSeconds: 600 }))).resolves.toMatchObject({
      phase: 'failed',
      message: `GET ${base}/endless answered 200 but its first ${MAX_BODY_BYTES / 1024 / 1024} MiB do not match /never-sent/`
    })
  })

  test('N good answers in a row pass through the evaluation settings', async () => {
    health = { status: 200, body: 'ok' }
    const config = gate({ http: { health: { url: `${base}/healthz`, interval: '1s', count: 5, failure_limit: -1, consecutive_success_limit: 2 } } })
    const report = await evaluateGate<GateCriterion>({ criteria: config.criteria, timeoutSeconds: config.timeoutSeconds, clock: systemClock, measure: createMeasure({ environment: 'staging', target, clock: systemClock }) })
    expect(report.decision).toBe('pass')
    expect(report.criteria[0]).toMatchObject({ count: 2, reason: '2 successes in a row reached consecutiveSuccessLimit (2)' })
  })
})
