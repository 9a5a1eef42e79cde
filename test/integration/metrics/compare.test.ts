/**
 * Deployed commits local git does not have: their ranges come from the compare API (paged,
 * cached for good), and each of their commits counts for every service.
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

const DAY = 86_400_000
const START = Date.UTC(2024, 5, 3)
const iso = (time: number): string => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')
const sha = (n: number): string => `${n}`.padStart(2, '0').repeat(20)

describe('ranges local git lacks', () => {
  let repo: RepoFixture
  let fake: FakeGitHub
  let baseUrl: string
  let dir: string

  beforeAll(async () => {
    // A repository that holds the manifest and none of the deployed commits (they were force-pushed away).
    repo = await RepoFixture.create()
    await repo.commit({ write: { 'src/cart/main.txt': '0\n', 'flotilla.yml': 'version: 1\nservices:\n  cart:\n    path: src/cart\n    deploy:\n      staging: { target: command, command: ["true"] }\nenvironments:\n  staging: {}\n' } })
    await repo.push('main')
    fake = new FakeGitHub({ owner: 'acme', repo: 'shop' })
    const deploy = (commit: string, at: number): void => {
      fake.addDeployment({ environment: 'staging', sha: commit, payload: { service: 'cart', image: `cart:${commit}` }, createdAt: iso(at), statuses: [{ state: 'in_progress', at: iso(at) }, { state: 'success', at: iso(at + 60_000) }] })
    }
    deploy(sha(1), START + DAY)
    deploy(sha(5), START + 3 * DAY)
    // 150 commits between them: two pages of the compare API.
    const commits = Array.from({ length: 150 }, (_, index) => ({
      sha: index === 149 ? sha(5) : (index + 100).toString(16).padStart(40, 'a'),
      parents: [index === 0 ? sha(1) : (index + 99).toString(16).padStart(40, 'a')],
      date: iso(START + 2 * DAY + index * 60_000)
    }))
    fake.setCompare(sha(1), sha(5), ['src/cart/a.txt'], { commits })
    baseUrl = await fake.start()
    dir = await mkdtemp(join(tmpdir(), 'metrics-compare-'))
  })

  afterAll(async () => {
    await fake.stop()
    await repo.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  const run = async (): Promise<MetricsDocument> => {
    const manifest = await loadManifest(repo.work)
    return collectMetrics({
      root: repo.work,
      manifest,
      scope: metricsScope(manifest),
      github: { client: createGitHubClient({ token: 't', baseUrl, retryBaseMs: 1 }), owner: 'acme', repo: 'shop' },
      since: START,
      until: START + 7 * DAY,
      lookbackMs: DAY,
      rollbackWindowMs: DAY,
      gateStatus: 'commit-status',
      maxRequests: 100,
      cacheFile: join(dir, 'cache.json'),
      now: START + 7 * DAY
    })
  }

  it('reads them from the compare API, page by page, once', async () => {
    const document = await run()
    expect(fake.violations).toEqual([])
    const cart = document.environments[0].services[0]
    const deployedAt = START + 3 * DAY + 60_000
    expect(cart.leadTime.count).toBe(150)
    expect(cart.leadTime.p90Seconds).toBe((deployedAt - (START + 2 * DAY + 15 * 60_000)) / 1000)
    expect(document.source.rangesFromCompare).toBe(1)
    expect(fake.requestsTo('repos/compare-commits-with-basehead').map((request) => request.query)).toEqual([
      { per_page: '100', page: '1' },
      { per_page: '100', page: '2' }
    ])
    expect(document.warnings).toContainEqual(expect.stringContaining('read with the compare API, where each of their commits counts for every service'))

    const again = await run()
    expect(again.environments).toEqual(document.environments)
    expect(fake.requestsTo('repos/compare-commits-with-basehead')).toHaveLength(2)
    expect(again.source.requests.compares).toBe(0)
  }, 60_000)
})
