/**
 * What a year of history for 200 services costs in GitHub API requests, counted by the fake API:
 * the first run stays within its budget and says what it left; the runs after it read on from the
 * cache until the history is complete; a week later one run costs a few dozen requests.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadManifest } from '../../../shared/src/config/index.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import { collectMetrics, metricsScope, type MetricsDocument } from '../../../shared/src/metrics/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'
import { RepoFixture } from '../../support/git-fixtures.js'

const SERVICES = Array.from({ length: 200 }, (_, index) => `svc-${String(index).padStart(3, '0')}`)
const MINUTE = 60_000
const DAY = 86_400_000
const START = Date.UTC(2023, 0, 2) // a Monday
const YEAR_END = START + 52 * 7 * DAY
const CHANGED_PER_PUSH = 4

const MANIFEST = `version: 1
services:
${SERVICES.map((name) => `  ${name}:\n    path: src/${name}\n    deploy:\n      staging: { target: command, command: ["true"] }\n      production: { target: command, command: ["true"] }\n`).join('')}environments:
  staging: {}
  production:
    requires: [staging]
    gate: { soak: 10m }
`

const iso = (time: number): string => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')

describe('a year of history for 200 services', () => {
  let repo: RepoFixture
  let fake: FakeGitHub
  let baseUrl: string
  let dir: string
  let pushes = 0

  /** One push per workday from `from` for `days`: a commit changing four services, deployed to staging, gated, deployed to production. */
  const deliver = async (from: number, days: number): Promise<void> => {
    const commits: Array<{ write: Record<string, string>; message: string; date: Date }> = []
    const plans: Array<{ time: number; services: string[] }> = []
    for (let day = 0; day < days; day++) {
      const time = from + day * DAY + 9 * 60 * MINUTE
      if ([0, 6].includes(new Date(time).getUTCDay())) continue
      const services = Array.from({ length: CHANGED_PER_PUSH }, (_, k) => SERVICES[(pushes * 7 + k * 53) % SERVICES.length])
      commits.push({ write: Object.fromEntries(services.map((service) => [`src/${service}/change.txt`, `${pushes}\n`])), message: `push ${pushes}`, date: new Date(time) })
      plans.push({ time, services })
      pushes++
    }
    const shas = await repo.importCommits(commits)
    plans.forEach(({ time, services }, index) => {
      const sha = shas[index]
      for (const service of services) {
        const payload = { service, image: `ghcr.io/acme/${service}:git-${sha}` }
        fake.addDeployment({ environment: 'staging', sha, payload, createdAt: iso(time + 10 * MINUTE), statuses: [{ state: 'in_progress', at: iso(time + 10 * MINUTE) }, { state: 'success', at: iso(time + 15 * MINUTE) }] })
      }
      fake.addCommitStatus({ sha, context: 'flotilla/gate production', state: 'success', createdAt: iso(time + 30 * MINUTE) })
      for (const service of services) {
        const payload = { service, image: `ghcr.io/acme/${service}:git-${sha}` }
        fake.addDeployment({ environment: 'production', sha, payload, createdAt: iso(time + 40 * MINUTE), statuses: [{ state: 'in_progress', at: iso(time + 40 * MINUTE) }, { state: 'success', at: iso(time + 45 * MINUTE) }] })
      }
    })
  }

  beforeAll(async () => {
    repo = await RepoFixture.create()
    await repo.importCommits([{ write: { 'flotilla.yml': MANIFEST, ...Object.fromEntries(SERVICES.map((service) => [`src/${service}/main.txt`, '0\n'])) }, message: 'services', date: new Date(START - DAY) }])
    fake = new FakeGitHub({ owner: 'acme', repo: 'shop' })
    baseUrl = await fake.start()
    dir = await mkdtemp(join(tmpdir(), 'metrics-scale-'))
    await deliver(START, 52 * 7)
  }, 120_000)

  afterAll(async () => {
    await fake.stop()
    await repo.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  const run = async (until: number): Promise<MetricsDocument> => {
    const manifest = await loadManifest(repo.work)
    return collectMetrics({
      root: repo.work,
      manifest,
      scope: metricsScope(manifest),
      github: { client: createGitHubClient({ token: 't', baseUrl, retryBaseMs: 1 }), owner: 'acme', repo: 'shop' },
      since: until - 365 * DAY,
      until,
      lookbackMs: 90 * DAY,
      rollbackWindowMs: 7 * DAY,
      gateStatus: 'commit-status',
      maxRequests: 800,
      cacheFile: join(dir, 'cache.json'),
      now: until
    })
  }

  it('is read within GITHUB_TOKEN’s hourly 1,000 requests per run, completely after a few runs, and a week later for a few dozen', async () => {
    const deployments = fake.state.deployments.length
    const cold: MetricsDocument[] = []
    do cold.push(await run(YEAR_END))
    while (cold.at(-1)!.incomplete !== undefined && cold.length < 10)
    const coldRequests = cold.map((document) => document.source.requests.total)
    // Every run stays within its budget, and says what it left for the next.
    for (const document of cold) expect(document.source.requests.total).toBeLessThanOrEqual(800)
    expect(cold[0].incomplete).toEqual(expect.objectContaining({ statuses: expect.any(Number) }))
    expect(cold[0].warnings.join('\n')).toContain('the request budget (800) ran out')
    expect(cold.at(-1)!.incomplete).toBeUndefined()
    expect(fake.requests.length).toBe(coldRequests.reduce((sum, count) => sum + count, 0))
    // Statuses once per deployment, a combined status once per gated commit, 100 deployments a page.
    const total = cold.reduce((sum, document) => sum + document.source.requests.deploymentStatuses, 0)
    expect(total).toBe(deployments)
    const complete = cold.at(-1)!
    expect(complete.environments.map((environment) => environment.total.deployments)).toEqual([deployments / 2, deployments / 2])
    expect(complete.skipped.statusesUnknown).toBe(0)

    // A week later: five more pushes.
    await deliver(YEAR_END, 7)
    const before = fake.requests.length
    const weekLater = await run(YEAR_END + 7 * DAY)
    const weekly = fake.requests.length - before
    expect(weekLater.incomplete).toBeUndefined()
    expect(weekly).toBe(weekLater.source.requests.total)
    expect(weekLater.source.requests.deploymentStatuses).toBe(5 * CHANGED_PER_PUSH * 2)
    expect(weekly).toBeLessThan(60)
    expect(fake.violations).toEqual([])
    process.stdout.write(
      `metrics requests, 200 services, one year (${deployments} deployments, ${pushes - 5} gated commits): first runs ${coldRequests.join(' + ')} = ${before} requests; a week later (40 deployments, 5 commits): ${weekly}\n`
    )
  }, 600_000)
})
