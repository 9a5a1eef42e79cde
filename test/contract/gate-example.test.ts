/**
 * The example's own production gate, run by the committed gate bundle: the example's catalog
 * service answers traffic, a real Prometheus scrapes its /metrics, and the gate declared in
 * examples/shop/flotilla.yml decides, publishing `flotilla/gate production` to the fake GitHub API.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { FakeGitHub } from '../support/fake-github/index.js'
import { repositoryRoot, runBundle } from '../support/action-runner.js'
import { describeWithPrometheus, startPrometheus, type TestPrometheus } from '../support/prometheus.js'

const SHA = 'd'.repeat(40)

describeWithPrometheus("the example's production gate (catalog, real Prometheus, gate bundle)", () => {
  let dir: string
  let catalog: ChildProcess
  let catalogUrl: string
  let traffic: NodeJS.Timeout
  let prometheus: TestPrometheus
  let github: FakeGitHub
  let apiUrl: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-gate-example-'))
    await cp(join(repositoryRoot, 'examples', 'shop'), dir, { recursive: true, filter: (source) => !/\/(reports|__pycache__)$/.test(source) })
    catalog = spawn('node', ['services/catalog/src/server.js'], { cwd: dir, env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] })
    catalogUrl = await new Promise<string>((resolve, reject) => {
      catalog.once('exit', (code) => reject(new Error(`catalog exited with ${code}`)))
      catalog.stdout!.on('data', (chunk: Buffer) => {
        const match = /listening on (http:\/\/\S+)/.exec(chunk.toString())
        if (match) resolve(match[1])
      })
    })
    // Steady traffic, as staging would see: the gate's rate() needs answers to count.
    traffic = setInterval(() => void fetch(`${catalogUrl}/products`).then((response) => response.arrayBuffer(), () => undefined), 50)
    prometheus = await startPrometheus({ target: new URL(catalogUrl).host })
    github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
    apiUrl = await github.start()
  }, 60_000)
  afterAll(async () => {
    clearInterval(traffic)
    await prometheus?.stop()
    catalog?.kill('SIGTERM')
    await github?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('passes a healthy staging, shows every measurement, and sets the status on the commit', async () => {
    const run = await runBundle('gate', {
      workspace: dir,
      inputs: { environment: 'production', 'prometheus-address': prometheus.address, token: 'ghs_gatetoken', status: 'commit-status' },
      env: { GITHUB_REPOSITORY: 'acme-shop/shop', GITHUB_SHA: SHA, GITHUB_API_URL: apiUrl, GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '77', GITHUB_EVENT_NAME: 'push' }
    })

    expect([run.exitCode, run.stderr]).toEqual([0, ''])
    expect(run.outputs.decision).toBe('pass')
    const report = JSON.parse(run.runnerTempFiles[basename(run.outputs['report-file'])])
    const [criterion] = report.criteria
    expect(criterion).toMatchObject({ name: 'prometheus.catalog-errors', phase: 'successful' })
    expect(criterion.measurements.filter((measurement: { phase: string }) => measurement.phase === 'successful').length).toBeGreaterThanOrEqual(1)
    for (const measurement of criterion.measurements) {
      expect(run.summary).toContain(measurement.timestamp.slice(11, 19))
    }
    const statuses = github.requestsTo('repos/create-commit-status')
    expect(statuses.at(-1)?.path).toContain(`/statuses/${SHA}`)
    expect(statuses.at(-1)?.body).toMatchObject({ state: 'success', context: 'flotilla/gate production' })
    expect(github.violations).toEqual([])
  }, 120_000)
})
