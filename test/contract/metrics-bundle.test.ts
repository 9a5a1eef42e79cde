/**
 * The committed metrics bundle and the CLI bundle, run as a runner and a person run them, on a
 * generated delivery history served by the fake API: both give the numbers the generator's own
 * ground truth gives, the same JSON and the same Prometheus file; the job summary renders
 * (markdown-it) to a table per environment and Mermaid charts; promtool accepts the exposition.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import MarkdownIt from 'markdown-it'
import { exec } from '../../shared/src/exec/index.js'
import { Inputs, Outputs } from '../../actions/metrics/src/constants.js'
import { generateHistory, type GeneratedHistory } from '../support/delivery-history.js'
import { expectedRows, productRow } from '../support/delivery-truth.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { repositoryRoot, runBundle, runNodeScript, type BundleRun } from '../support/action-runner.js'
import { gitEnv } from '../support/git-fixtures.js'
import { itWithProgram } from '../support/tools.js'

const DAY = 86_400_000
const START = Date.UTC(2024, 2, 4) // a Monday
const WEEKS = 8
const SINCE = new Date(START + 14 * DAY).toISOString()
const UNTIL = new Date(START + WEEKS * 7 * DAY).toISOString()

let history: GeneratedHistory
let fake: FakeGitHub
let apiUrl: string
let dir: string
let action: BundleRun
let cli: { exitCode: number; stdout: Buffer; stderr: string }
let cliPrometheus: string

beforeAll(async () => {
  history = await generateHistory({ seed: 11, start: START, weeks: WEEKS })
  fake = new FakeGitHub({ owner: 'acme', repo: 'shop' })
  history.writeTo(fake)
  apiUrl = await fake.start()
  dir = await mkdtemp(join(tmpdir(), 'flotilla-metrics-'))
  const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: apiUrl }

  action = await runBundle('metrics', {
    workspace: history.repo.work,
    inputs: { [Inputs.Since]: SINCE, [Inputs.Until]: UNTIL, [Inputs.MaxRequests]: '100000', [Inputs.PrometheusFile]: join(dir, 'action.prom'), [Inputs.CacheFile]: join(dir, 'action-cache.json'), [Inputs.Token]: 'token' },
    env
  })
  cli = await runNodeScript(
    join(repositoryRoot, 'dist', 'cli', 'index.js'),
    ['metrics', '--json', '--since', SINCE, '--until', UNTIL, '--max-requests', '100000', '--prometheus', join(dir, 'cli.prom'), '--cache', join(dir, 'cli-cache.json')],
    { cwd: history.repo.work, env: { ...gitEnv, ...env, GITHUB_TOKEN: 'token' } }
  )
  cliPrometheus = await readFile(join(dir, 'cli.prom'), 'utf8')
}, 300_000)

afterAll(async () => {
  await fake?.stop()
  await history?.repo.cleanup()
  await rm(dir, { recursive: true, force: true })
})

describe('flotilla metrics and the metrics action', () => {
  it('succeed without a request GitHub would refuse', () => {
    expect(action.stderr).toBe('')
    expect(action.annotations).toEqual([])
    expect(action.exitCode).toBe(0)
    expect(cli.stderr).toBe('')
    expect(cli.exitCode).toBe(0)
    expect(fake.violations).toEqual([])
  })

  it('give the numbers of the generator’s ground truth, and the same JSON', () => {
    const fromCli = JSON.parse(cli.stdout.toString('utf8'))
    const fromAction = JSON.parse(action.runnerTempFiles['flotilla-metrics.json'])
    expect(action.outputs[Outputs.ReportFile]).toMatch(/flotilla-metrics\.json$/)
    expect(fromAction.environments).toEqual(fromCli.environments)
    expect(fromAction.window).toEqual(fromCli.window)
    expect(fromAction.skipped).toEqual(fromCli.skipped)
    for (const environment of fromCli.environments) {
      const expected = expectedRows(history.truth, environment.environment, Date.parse(SINCE), Date.parse(UNTIL))
      expect(environment.services.map(productRow)).toEqual(expected.map((row) => ({ ...row, perDay: expect.closeTo(row.perDay, 9), leadSum: expect.closeTo(row.leadSum, 6) })))
    }
    const production = fromCli.environments.find((environment: any) => environment.environment === 'production')
    expect(action.outputs[Outputs.Summary]).toContain(`production: ${production.total.deployments} deployments`)
  })

  it('write the same Prometheus exposition', async () => {
    expect(await readFile(join(dir, 'action.prom'), 'utf8')).toBe(cliPrometheus)
    expect(cliPrometheus).toMatch(/^flotilla_dora_deployments\{environment="production",service="cart"\} \d+$/m)
    expect(cliPrometheus).toMatch(/^flotilla_dora_lead_time_seconds\{environment="staging",service="catalog",quantile="0.9"\} \d+/m)
  })

  itWithProgram('promtool', 'prometheus', 'whose format promtool accepts, lint included', async (promtool) => {
    const result = await exec([promtool, 'check', 'metrics'], { input: cliPrometheus, allowFailure: true })
    expect({ exitCode: result.exitCode, output: `${result.stdout.toString('utf8')}${result.stderr}`.trim() }).toEqual({ exitCode: 0, output: '' })
  })

  it('leave a job summary that renders to a table per environment and Mermaid trend charts', () => {
    const html = new MarkdownIt().render(action.summary)
    const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((match) => match[1])
    expect(tables).toHaveLength(3)
    const headings = [...html.matchAll(/<h3>(.*?)<\/h3>/g)].map((match) => match[1])
    expect(headings).toEqual(['qa', 'staging', 'production'])
    const production = tables[2]
    expect([...production.matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((match) => match[1])).toEqual([
      'service',
      'deployments',
      'per week',
      'lead time p50',
      'lead time p90',
      'change failure rate',
      'time to restore p50',
      'unrestored'
    ])
    const rows = [...production.matchAll(/<tr>\s*<td[^>]*>(.*?)<\/td>/g)].map((match) => match[1])
    expect(rows).toEqual(['cart', 'catalog', 'checkout', 'payments', 'search', 'ledger', '<strong>all services</strong>'])
    const charts = [...html.matchAll(/<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g)].map((match) => match[1])
    expect(charts).toHaveLength(6)
    for (const chart of charts) {
      expect(chart).toMatch(/^xychart-beta\n {4}title &quot;.+&quot;\n {4}x-axis \[&quot;W\d\d&quot;(, &quot;W\d\d&quot;)*\]\n {4}y-axis &quot;\w+&quot;\n/)
    }
    // One x-axis label per ISO week of the window, and as many values per series.
    const weeks = JSON.parse(cli.stdout.toString('utf8')).window.weeks.length
    for (const chart of charts) {
      for (const series of chart.matchAll(/(?:bar|line) \[(.*?)\]/g)) expect(series[1].split(', ')).toHaveLength(weeks)
    }
  })
})
