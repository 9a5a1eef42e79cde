/**
 * What the committed gate bundle and CLI make of hostile measurements and settings: sample values
 * a real Prometheus writes as `+Inf`, `-Inf` and `NaN`, an address given only on the command line
 * or as the action input, and a catastrophic regular expression for an http body.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { repositoryRoot, runBundle, type BundleRun } from '../support/action-runner.js'
import { startMetricsServer, type MetricsServer } from '../support/metrics-server.js'
import { describeWithPrometheus, startPrometheus, type TestPrometheus } from '../support/prometheus.js'

const SHA = 'e'.repeat(40)
const cli = join(repositoryRoot, 'dist', 'cli', 'index.js')

/** A workspace whose flotilla.yml declares one service and `environments` (YAML lines from line 5 on). */
async function workspaceWith(environments: string[]): Promise<string> {
  const workspace = await mkdtemp(join(tmpdir(), 'flotilla-gate-measurements-'))
  await mkdir(join(workspace, 'services/cart'), { recursive: true })
  await writeFile(join(workspace, 'flotilla.yml'), ['version: 1', 'services:', '  cart: { path: services/cart }', 'environments:', ...environments, ''].join('\n'))
  return workspace
}

function gateAction(workspace: string, inputs: Record<string, string>): Promise<BundleRun> {
  return runBundle('gate', { workspace, inputs: { status: 'none', ...inputs }, env: { GITHUB_SHA: SHA, GITHUB_EVENT_NAME: 'push' } })
}

interface CriterionOutcome {
  name: string
  phase: string
  measurements: Array<{ phase: string; value?: unknown; message: string }>
}

function report(run: BundleRun): { decision: string; criteria: CriterionOutcome[] } {
  return JSON.parse(run.runnerTempFiles[basename(run.outputs['report-file'])])
}

async function flotilla(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await exec(['node', cli, ...args], { allowFailure: true, timeoutMs: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } })
  return { code: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr }
}

const STUCK_LATENCY = 'max(app_request_latency_seconds{track="stuck"})'
const IDLE_ERROR_RATIO = 'sum(rate(app_errors_total{track="idle"}[4s])) / sum(rate(app_requests_total{track="idle"}[4s]))'

/** One environment per case, each with one criterion and `no_data: pass`, so that only a real measurement can fail it. */
const CASES: Array<{ environment: string; criterion: string; value: string; message: string }> = [
  { environment: 'inf-failure', criterion: `query: '${STUCK_LATENCY}', failure: result > 0.5`, value: '+Inf', message: 'result +Inf meets the failure condition "result > 0.5"' },
  { environment: 'inf-success', criterion: `query: '${STUCK_LATENCY}', success: result < 0.5`, value: '+Inf', message: 'result +Inf does not meet the success condition "result < 0.5"' },
  { environment: 'minus-inf', criterion: `query: '-${STUCK_LATENCY}', success: result > -1`, value: '-Inf', message: 'result -Inf does not meet the success condition "result > -1"' },
  { environment: 'nan-ratio', criterion: `query: '${IDLE_ERROR_RATIO}', success: result < 0.05`, value: 'NaN', message: 'result NaN does not meet the success condition "result < 0.05"' },
  { environment: 'nan-scalar', criterion: `query: '0/0', failure: result > 0.05`, value: 'NaN', message: 'result NaN meets the failure condition "result > 0.05"' },
  {
    environment: 'inf-range',
    criterion: `query: '${STUCK_LATENCY}', failure: result > 0.5, range: { lookback: 3s, step: 1s }`,
    value: '+Inf',
    message: 'result +Inf meets the failure condition "result > 0.5"'
  }
]

describeWithPrometheus('the gate against Prometheus values that are not plain numbers', () => {
  let service: MetricsServer
  let prometheus: TestPrometheus
  let workspace: string

  beforeAll(async () => {
    // "stuck" reports an infinite latency; "idle" serves nothing, so its error ratio is 0/0.
    service = await startMetricsServer({
      stuck: { requestsPerSecond: 10, errorsPerSecond: 0, latencySeconds: Infinity },
      idle: { requestsPerSecond: 0, errorsPerSecond: 0 }
    })
    prometheus = await startPrometheus({ target: service.target })
    // Enough scrapes for the 4 s rate window and the 3 s range.
    await new Promise((resolve) => setTimeout(resolve, 4000))
    const measured = (environment: string, criterion: string): string[] => [`  ${environment}:`, '    gate:', `      prometheus_address: ${prometheus.address}`, '      prometheus:', `        value: { ${criterion}, no_data: pass }`]
    workspace = await workspaceWith([
      ...CASES.flatMap(({ environment, criterion }) => measured(environment, criterion)),
      ...measured('empty', `query: 'app_request_latency_seconds{track="none"}', success: result < 0.5`),
      ...['  addressless:', '    gate:', '      prometheus:', '        up: { query: vector(1), success: result == 1 }']
    ])
  })
  afterAll(async () => {
    await prometheus.stop()
    await service.stop()
    await rm(workspace, { recursive: true, force: true })
  })

  it.each(CASES)('$environment: $value is a measured value that fails the gate, not "no data"', async ({ environment, value, message }) => {
    const run = await gateAction(workspace, { environment })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.decision).toBe('fail')
    const [criterion] = report(run).criteria
    expect(criterion).toMatchObject({ name: 'prometheus.value', phase: 'failed' })
    expect(criterion.measurements).toEqual([expect.objectContaining({ phase: 'failed', value, message: expect.stringContaining(message) })])
  })

  it('an empty result is still no data, and follows no_data', async () => {
    const run = await gateAction(workspace, { environment: 'empty' })
    expect(run.exitCode).toBe(0)
    expect(report(run).criteria[0].measurements).toEqual([expect.objectContaining({ phase: 'successful', message: 'the query returned no data (no_data: pass)' })])
  })

  it('flotilla gate --prometheus-address gives the address a gate without one needs', async () => {
    expect((await flotilla(['validate', '-C', workspace])).code).toBe(0)

    const given = await flotilla(['gate', '--env', 'addressless', '--sha', SHA, '--prometheus-address', prometheus.address, '--json', '-C', workspace])
    expect(given.stderr).toBe('')
    expect(given.code).toBe(0)
    expect(JSON.parse(given.stdout)).toMatchObject({ decision: 'pass', criteria: [{ name: 'prometheus.up', phase: 'successful' }] })

    const missing = await flotilla(['gate', '--env', 'addressless', '--sha', SHA, '-C', workspace])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('environments.addressless.gate.prometheus.up: no Prometheus address')
    expect(missing.stderr).toContain('--prometheus-address')
  })

  it('the action input prometheus-address gives the address a gate without one needs', async () => {
    const run = await gateAction(workspace, { environment: 'addressless', 'prometheus-address': prometheus.address })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.decision).toBe('pass')
  })
})

describe('a catastrophic body regex in the gate', () => {
  let server: Server
  let workspace: string

  beforeAll(async () => {
    // ^(a+)+$ against 41 a's and a "!" backtracks for minutes on a backtracking engine.
    server = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`${'a'.repeat(41)}!`))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    workspace = await workspaceWith(['  staging:', '    gate:', '      timeout: 20s', '      http:', `        page: { url: "${url}", body: "^(a+)+$" }`])
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await rm(workspace, { recursive: true, force: true })
  })

  it('is matched in linear time: the gate decides that the body does not match', async () => {
    const run = await gateAction(workspace, { environment: 'staging' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.decision).toBe('fail')
    expect(report(run).criteria[0].measurements).toEqual([expect.objectContaining({ phase: 'failed', message: expect.stringMatching(/answered 200 but the body does not match \/\^\(a\+\)\+\$\/$/) })])
  })

  it('a pattern the linear engine cannot run (a backreference, a lookahead) is a manifest error with its location', async () => {
    const dir = await workspaceWith([
      '  staging:',
      '    gate:',
      '      http:',
      '        echo: { url: "http://127.0.0.1:9/", body: "(a)\\\\1" }',
      '        ahead: { url: "http://127.0.0.1:9/", body: "ok(?=!)" }'
    ])
    try {
      const { code, stdout } = await flotilla(['validate', '--json', '-C', dir])
      expect(code).toBe(1)
      const problems = JSON.parse(stdout).problems.map((problem: { line: number; column: number; keyPath: string; message: string }) => `${problem.line}:${problem.column} ${problem.keyPath}: ${problem.message}`)
      expect(problems).toEqual([
        expect.stringMatching(/^8:51 environments\.staging\.gate\.http\.echo\.body: .*\\1/),
        expect.stringMatching(/^9:52 environments\.staging\.gate\.http\.ahead\.body: .*\(\?=/)
      ])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
