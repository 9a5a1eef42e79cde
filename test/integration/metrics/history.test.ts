import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadManifest } from '../../../shared/src/config/index.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import { collectMetrics, metricsScope, type MetricsDocument } from '../../../shared/src/metrics/index.js'
import { generateHistory, type GeneratedHistory } from '../../support/delivery-history.js'
import { expectedRows, productRow } from '../../support/delivery-truth.js'
import { FakeGitHub } from '../../support/fake-github/index.js'

const DAY = 86_400_000
const START = Date.UTC(2024, 0, 1) // a Monday

describe('delivery metrics of a generated history, served by the fake API', () => {
  let history: GeneratedHistory
  let fake: FakeGitHub
  let baseUrl: string
  let dir: string
  const since = START + 14 * DAY

  beforeAll(async () => {
    history = await generateHistory({ seed: 7, start: START, weeks: 10 })
    fake = new FakeGitHub({ owner: 'acme', repo: 'shop' })
    history.writeTo(fake)
    baseUrl = await fake.start()
    dir = await mkdtemp(join(tmpdir(), 'metrics-'))
  }, 120_000)

  afterAll(async () => {
    await fake.stop()
    await history.repo.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  const run = async (cacheFile: string, maxRequests = 100_000, root = history.repo.work): Promise<MetricsDocument> => {
    const manifest = await loadManifest(root)
    return collectMetrics({
      root,
      manifest,
      scope: metricsScope(manifest),
      github: { client: createGitHubClient({ token: 't', baseUrl, retryBaseMs: 1 }), owner: 'acme', repo: 'shop' },
      since,
      until: history.end,
      lookbackMs: 90 * DAY,
      rollbackWindowMs: 7 * DAY,
      gateStatus: 'commit-status',
      maxRequests,
      cacheFile,
      now: history.end
    })
  }

  let first: MetricsDocument

  it('equals the computation from the generator’s own ground truth, for every service and environment', async () => {
    const document = (first = await run(join(dir, 'cache.json')))
    expect(fake.violations).toEqual([])
    expect(document.environments.map((environment) => environment.environment)).toEqual(['qa', 'staging', 'production'])
    for (const environment of document.environments) {
      const expected = expectedRows(history.truth, environment.environment, since, history.end)
      expect(environment.services.map(productRow)).toEqual(expected.map((row) => ({ ...row, perDay: expect.closeTo(row.perDay, 9), leadSum: expect.closeTo(row.leadSum, 6) })))
    }
    expect(document.skipped).toEqual({ ...history.truth.skipped, statusesUnknown: 0 })
    // The history is rich enough to mean something.
    const production = document.environments[2]
    expect(production.total.changeFailures).toBeGreaterThan(3)
    expect(production.total.leadTime.count).toBeGreaterThan(50)
    expect(production.services.find((row) => row.service === 'ledger')).toBeDefined()
    expect(document.environments[0].services).toEqual([expect.objectContaining({ service: 'dormant', deployments: 0, attempts: 0 })])
    const kinds = new Set(document.environments.flatMap((environment) => environment.services.flatMap((row) => row.failures.map((failure) => failure.kind))))
    expect([...kinds].sort()).toEqual(['failed', 'failure-status', 'gate', 'rolled-back'])
  }, 120_000)

  it('reads again only what can still change, with its ETag, and gives the same numbers', async () => {
    const before = fake.requests.length
    const again = await run(join(dir, 'cache.json'))
    const requests = fake.requests.slice(before)
    expect(again.environments).toEqual(first.environments)
    // One listing page meets the cache. Only what can still change is asked again, each with its
    // ETag, and GitHub answers 304 Not Modified: the deployment still in progress, and the gate of
    // a recent commit no gate has judged yet (a re-run deploy skipped its gate).
    expect(requests[0]).toMatchObject({ operationId: 'repos/list-deployments', status: 200 })
    expect(requests.slice(1).map((request) => [request.operationId, request.status, request.headers['if-none-match']])).toEqual([
      ['repos/list-deployment-statuses', 304, expect.stringMatching(/^W\/"/)],
      ...requests.slice(2).map(() => ['repos/get-combined-status-for-ref', 304, expect.stringMatching(/^W\/"/)])
    ])
    expect(again.source.requests).toEqual({ deploymentPages: 1, deploymentStatuses: 1, gates: requests.length - 2, compares: 0, notModified: requests.length - 1, total: requests.length })
    expect(requests.length).toBeLessThan(8)
  }, 120_000)

  it('stops at its request budget, says what it left, and the next run completes the numbers', async () => {
    const cacheFile = join(dir, 'budget.json')
    const short = await run(cacheFile, 40)
    expect(short.source.requests.total).toBe(40)
    expect(short.incomplete).toEqual({ listing: false, statuses: expect.any(Number), gates: expect.any(Number), compares: 0 })
    expect(short.skipped.statusesUnknown).toBe(short.incomplete!.statuses)
    expect(short.warnings).toContainEqual(expect.stringContaining('the request budget (40) ran out'))
    const rest = await run(cacheFile)
    expect(rest.incomplete).toBeUndefined()
    expect(rest.environments).toEqual(first.environments)
  }, 120_000)

  it('deepens a depth-1 checkout to the whole history first, for the same numbers', async () => {
    const { dir: checkout } = await history.repo.checkout({ branch: 'main' })
    const shallow = await run(join(dir, 'shallow.json'), 100_000, checkout)
    expect(shallow.environments).toEqual(first.environments)
    expect(shallow.source.rangesFromCompare).toBe(0)
  }, 120_000)
})
