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

  const run = async (cacheFile: string): Promise<MetricsDocument> => {
    const manifest = await loadManifest(history.repo.work)
    return collectMetrics({
      root: history.repo.work,
      manifest,
      scope: metricsScope(manifest),
      github: { client: createGitHubClient({ token: 't', baseUrl, retryBaseMs: 1 }), owner: 'acme', repo: 'shop' },
      since,
      until: history.end,
      lookbackMs: 90 * DAY,
      rollbackWindowMs: 7 * DAY,
      gateStatus: 'commit-status',
      maxRequests: 100_000,
      cacheFile,
      now: history.end
    })
  }

  it('equals the computation from the generator’s own ground truth, for every service and environment', async () => {
    const document = await run(join(dir, 'cache.json'))
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
})
