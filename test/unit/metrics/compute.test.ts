import { describe, expect, it } from '@jest/globals'
import { computeMetrics, deploymentOutcome, flotillaService, isoWeek, percentile, type CommitFact, type DeploymentFact, type GateFact, type MetricsScope, type StatusFact } from '../../../shared/src/metrics/index.js'
import { metricsPrometheus, metricsSummary } from '../../../shared/src/metrics/render.js'

const H = 3_600_000
const DAY = 24 * H
const T0 = Date.UTC(2024, 0, 1) // Monday
const sha = (n: number): string => String(n).padStart(40, '0')

let ids = 1
const status = (state: StatusFact['state'], at: number, description = ''): StatusFact => ({ id: ids++, state, at, description })
const deployment = (service: string, environment: string, commit: number, at: number, states: Array<StatusFact['state'] | [StatusFact['state'], number, string?]>): DeploymentFact => ({
  id: ids++,
  sha: sha(commit),
  environment,
  createdAt: at,
  service,
  statuses: [status('in_progress', at), ...states.map((entry) => (Array.isArray(entry) ? status(entry[0], entry[1], entry[2]) : status(entry, at + 60_000)))]
})

/** A linear history: commit n at T0 + n hours, changing `services[n]` (every service when absent). */
function linear(count: number, services: Record<number, string[]> = {}): Map<string, CommitFact> {
  const commits = new Map<string, CommitFact>()
  for (let n = 1; n <= count; n++) commits.set(sha(n), { parents: n === 1 ? [] : [sha(n - 1)], time: T0 + n * H, ...(services[n] === undefined ? {} : { services: services[n] }) })
  return commits
}

const SCOPE: MetricsScope = {
  environments: [
    { name: 'staging', services: ['cart', 'catalog'], gatedBy: ['production'] },
    { name: 'production', services: ['cart', 'catalog'], gatedBy: [] }
  ],
  known: ['staging', 'production'],
  services: ['cart', 'catalog'],
  knownServices: ['cart', 'catalog']
}

function measure(deployments: DeploymentFact[], options: { commits?: Map<string, CommitFact>; gates?: GateFact[]; since?: number; until?: number } = {}) {
  return computeMetrics({
    deployments,
    gates: options.gates ?? [],
    commits: options.commits ?? linear(20),
    scope: SCOPE,
    since: options.since ?? T0,
    until: options.until ?? T0 + 14 * DAY,
    rollbackWindowMs: 7 * DAY
  })
}

const row = (report: ReturnType<typeof measure>, environment: string, service: string) =>
  report.environments.find((entry) => entry.environment === environment)!.services.find((entry) => entry.service === service)!

describe('deploymentOutcome', () => {
  it('a success stays a success when GitHub marks it inactive later', () => {
    expect(deploymentOutcome([status('in_progress', 1), status('success', 2), status('inactive', 9)])).toEqual({ kind: 'success', successAt: 2 })
  })
  it('a failure written after the success makes it a change failure at that time', () => {
    expect(deploymentOutcome([status('success', 2), status('failure', 5)])).toEqual({ kind: 'success', successAt: 2, failureAt: 5 })
  })
  it('Flotilla’s cancelled deploy is cancelled, not failed; any other error fails', () => {
    expect(deploymentOutcome([status('in_progress', 1), status('error', 2, 'cancelled and rolled back: cart:1 runs again')]).kind).toBe('cancelled')
    expect(deploymentOutcome([status('in_progress', 1), status('error', 2, 'kubectl exploded')])).toEqual({ kind: 'failed', failureAt: 2 })
  })
  it('without a final status it is in progress', () => {
    expect(deploymentOutcome([status('queued', 1), status('in_progress', 2)]).kind).toBe('in-progress')
  })
})

describe('flotillaService', () => {
  it('recognises Flotilla’s payload, as an object or as the JSON string GitHub may return', () => {
    expect(flotillaService('deploy', { service: 'cart', image: 'ghcr.io/acme/cart:1' })).toBe('cart')
    expect(flotillaService('deploy', '{"service":"cart","image":"x:1"}')).toBe('cart')
    expect(flotillaService('deploy', {})).toBeUndefined()
    expect(flotillaService('deploy:migrations', { service: 'cart', image: 'x:1' })).toBeUndefined()
    expect(flotillaService('deploy', 'not json')).toBeUndefined()
  })
})

describe('percentile and isoWeek', () => {
  it('nearest rank: always one of the values', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2)
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9)
    expect(percentile([7], 0.9)).toBe(7)
    expect(percentile([], 0.5)).toBeUndefined()
  })
  it('ISO weeks across year ends', () => {
    expect(isoWeek(Date.UTC(2020, 11, 31))).toBe('2020-W53')
    expect(isoWeek(Date.UTC(2021, 0, 3))).toBe('2020-W53')
    expect(isoWeek(Date.UTC(2021, 0, 4))).toBe('2021-W01')
    expect(isoWeek(Date.UTC(2024, 11, 30))).toBe('2025-W01')
    expect(isoWeek(Date.UTC(2024, 0, 7, 23, 59))).toBe('2024-W01')
  })
})

describe('computeMetrics', () => {
  it('counts every commit a deployment first shipped that changes the service, none for the first deployment', () => {
    const commits = linear(6, { 2: ['cart'], 3: ['catalog'], 4: ['cart', 'catalog'], 5: [] })
    const report = measure([deployment('cart', 'staging', 1, T0 + DAY, ['success']), deployment('cart', 'staging', 6, T0 + 2 * DAY, ['success'])], { commits })
    const cart = row(report, 'staging', 'cart')
    // Commit 2 (cart), 4 (both) and 6 (unrouted: every service) — not 3 (catalog) or 5 (nothing).
    const deployedAt = T0 + 2 * DAY + 60_000
    expect(cart.leadTime.count).toBe(3)
    expect(cart.leadTime.sumSeconds).toBe(((deployedAt - (T0 + 2 * H)) + (deployedAt - (T0 + 4 * H)) + (deployedAt - (T0 + 6 * H))) / 1000)
    expect(cart.leadTime.medianSeconds).toBe((deployedAt - (T0 + 4 * H)) / 1000)
    expect(cart.deployments).toBe(2)
  })

  it('a redeploy of the running version is neither a deployment nor an attempt; a rollback fails the deployment it undoes', () => {
    const report = measure([
      deployment('cart', 'production', 2, T0 + DAY, ['success']),
      deployment('cart', 'production', 2, T0 + DAY + H, ['success']), // re-run
      deployment('cart', 'production', 5, T0 + 2 * DAY, ['success']),
      deployment('cart', 'production', 2, T0 + 2 * DAY + 3 * H, ['success']), // rollback
      deployment('cart', 'production', 8, T0 + 3 * DAY, ['success'])
    ])
    const cart = row(report, 'production', 'cart')
    expect(cart).toMatchObject({ deployments: 4, attempts: 4, redeploys: 1, changeFailures: 1 })
    expect(cart.failures).toEqual([
      expect.objectContaining({ sha: sha(5), kind: 'rolled-back', restoreSeconds: (3 * H) / 1000 })
    ])
    // The rollback ships nothing; the next deployment ships 6–8, not 3–5 again.
    expect(cart.leadTime.count).toBe(3 + 3)
  })

  it('a redeploy of an earlier version after the rollback window is not a rollback', () => {
    const report = measure([
      deployment('cart', 'production', 2, T0, ['success']),
      deployment('cart', 'production', 5, T0 + DAY, ['success']),
      deployment('cart', 'production', 2, T0 + 9 * DAY, ['success'])
    ])
    expect(row(report, 'production', 'cart').changeFailures).toBe(0)
  })

  it('a failed gate of a later environment fails the deployments of that commit, restored by the next version', () => {
    const gates: GateFact[] = [
      { sha: sha(4), environment: 'production', state: 'failure', at: T0 + DAY + 2 * H },
      // A verdict older than the deployment does not judge it.
      { sha: sha(6), environment: 'production', state: 'failure', at: T0 + 2 * DAY - H }
    ]
    const report = measure(
      [
        deployment('cart', 'staging', 1, T0, ['success']),
        deployment('cart', 'staging', 4, T0 + DAY, ['success']),
        deployment('catalog', 'staging', 4, T0 + DAY, ['success']),
        deployment('cart', 'staging', 6, T0 + 2 * DAY, ['success'])
      ],
      { gates }
    )
    const cart = row(report, 'staging', 'cart')
    expect(cart.failures).toEqual([expect.objectContaining({ sha: sha(4), kind: 'gate', gate: 'production', restoreSeconds: (2 * DAY + 60_000 - (DAY + 2 * H)) / 1000 })])
    const catalog = row(report, 'staging', 'catalog')
    expect(catalog.failures).toEqual([expect.not.objectContaining({ restoredAt: expect.anything() })])
    expect(catalog.timeToRestore.unrestored).toBe(1)
  })

  it('a failed deploy restored by its re-run; cancelled and in-progress deployments are counted apart', () => {
    const report = measure([
      deployment('cart', 'staging', 1, T0, ['success']),
      deployment('cart', 'staging', 3, T0 + DAY, [['failure', T0 + DAY + 600_000]]),
      deployment('cart', 'staging', 3, T0 + DAY + 2 * H, ['success']),
      deployment('cart', 'staging', 5, T0 + 3 * DAY, [['error', T0 + 3 * DAY + 60_000, 'cancelled']]),
      deployment('cart', 'staging', 7, T0 + 4 * DAY, [])
    ])
    const cart = row(report, 'staging', 'cart')
    expect(cart).toMatchObject({ deployments: 2, attempts: 3, changeFailures: 1, cancelled: 1, inProgress: 1 })
    expect(cart.changeFailureRate).toBeCloseTo(1 / 3)
    expect(cart.timeToRestore.medianSeconds).toBe((2 * H + 60_000 - 600_000) / 1000)
  })

  it('counts what it skips, and a service that never deploys gets a row of zeros', () => {
    const report = measure([
      { ...deployment('cart', 'staging', 1, T0, ['success']), service: undefined },
      deployment('cart', 'preview-7', 1, T0, ['success']),
      deployment('legacy', 'staging', 1, T0, ['success']),
      { ...deployment('cart', 'staging', 2, T0, ['success']), statuses: undefined }
    ])
    expect(report.skipped).toEqual({ notFlotilla: 1, otherEnvironment: 1, otherService: 1, statusesUnknown: 1 })
    expect(row(report, 'production', 'catalog')).toMatchObject({ deployments: 0, attempts: 0, leadTime: { count: 0, sumSeconds: 0 } })
    expect(row(report, 'production', 'catalog').changeFailureRate).toBeUndefined()
  })

  it('weeks are the ISO weeks of the window, each deployment in the week of its success', () => {
    const report = measure([deployment('cart', 'staging', 1, T0, ['success']), deployment('cart', 'staging', 3, T0 + 8 * DAY, ['success'])], { since: T0 + 2 * DAY, until: T0 + 10 * DAY })
    expect(report.window.weeks).toEqual(['2024-W01', '2024-W02'])
    expect(row(report, 'staging', 'cart').weeks.map((week) => [week.week, week.start, week.deployments])).toEqual([
      ['2024-W01', new Date(T0 + 2 * DAY).toISOString(), 0],
      ['2024-W02', new Date(T0 + 7 * DAY).toISOString(), 1]
    ])
  })

  it('escapes what a summary table and an exposition cannot hold', () => {
    const report = measure([])
    const document = { ...report, repository: 'acme/shop', source: { requests: { deploymentPages: 0, deploymentStatuses: 0, gates: 0, compares: 0, notModified: 0, total: 0 }, commitsFromGit: 0, rangesFromCompare: 0 }, warnings: ['a | b'] }
    expect(metricsSummary(document)).toContain('> ⚠️ a \\| b')
    const odd = { ...document, environments: [{ ...document.environments[0], services: [{ ...document.environments[0].services[0], service: 'we"ird\\' }] }] }
    expect(metricsPrometheus(odd)).toContain('flotilla_dora_deployments{environment="staging",service="we\\"ird\\\\"} 0')
  })
})
