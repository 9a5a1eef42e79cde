/**
 * A seeded, synthetic delivery history: a real git repository of a small monorepo whose
 * commits land over weeks, and the GitHub Deployments, deployment statuses and gate statuses a
 * Flotilla pipeline would have written for it (served by the fake API), with the ground truth
 * the generator decided as it went: which commits each deployment first shipped, which
 * deployments failed and why.
 *
 *   const history = await generateHistory({ seed: 7, start: Date.UTC(2024, 0, 1), weeks: 10 })
 *   history.writeTo(fake)            // deployments and statuses, in creation order
 *   history.repo.work                // the repository (flotilla.yml, full history)
 *   history.truth                    // what the generator knows, for an independent computation
 *   await history.repo.cleanup()
 *
 * The pipeline per push: every changed service deploys to staging (some fail, a few are
 * cancelled, some failures are re-run); when all succeeded the production gate judges the
 * commit (sometimes failing it); then the services deploy to production (some fail and are
 * re-run, a few are rolled back to the previous version, re-run needlessly, or marked failed by
 * hand afterwards). Around it: deployments made by other tools, by Flotilla to an environment or
 * of a service flotilla.yml does not declare, a service that never deploys, one that never
 * changes, and a deployment still in progress at the end.
 */
import { RepoFixture } from './git-fixtures.js'
import type { FakeGitHub } from './fake-github/index.js'
import type { DeploymentState } from './fake-github/state.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Deploys to staging and production. */
const PROMOTED = ['cart', 'catalog', 'checkout', 'payments', 'search']
/** Deploys to production only. */
const DIRECT = ['ledger']
/** Changes, but has no deploy settings: never deployed. */
const UNDEPLOYED = ['worker']
/** Deploys to qa only, where nothing is ever deployed. */
const DORMANT = 'dormant'
/** Services that depend on the library. */
const LIBRARY_USERS = ['cart', 'checkout']

export const MANIFEST = `version: 1
registry: ghcr.io/acme
global: [ci/global.yml]
libraries:
  shared-lib: { path: libs/shared }
services:
${[...PROMOTED, ...DIRECT, ...UNDEPLOYED, DORMANT]
  .map((name) => {
    const deploy = PROMOTED.includes(name)
      ? `      staging: { target: command, command: ["true"] }\n      production: { target: command, command: ["true"] }\n`
      : DIRECT.includes(name)
        ? `      production: { target: command, command: ["true"] }\n`
        : name === DORMANT
          ? `      qa: { target: command, command: ["true"] }\n`
          : ''
    const depends = LIBRARY_USERS.includes(name) ? `    depends_on: [shared-lib]\n` : ''
    return `  ${name}:\n    path: src/${name}\n${depends}${deploy === '' ? '' : `    deploy:\n${deploy}`}`
  })
  .join('')}environments:
  qa: {}
  staging: {}
  production:
    requires: [staging]
    production: true
    gate:
      soak: 10m
`

/** What the generator decided about one deployment it recorded. */
export interface TruthDeployment {
  service: string
  environment: string
  sha: string
  createdAt: number
  kind: 'deployed' | 'failed' | 'redeploy' | 'cancelled' | 'in-progress'
  /** Success time (deployed, redeploy) or failure time (failed). */
  at?: number
  /** Commit times of the commits this deployment shipped first (deployed only). */
  shipped: number[]
  /** When it became a change failure, and why; the earliest reason is kept. */
  failure?: { at: number; why: 'failed' | 'rolled back' | 'gate' | 'marked failed' }
}

export interface Truth {
  deployments: TruthDeployment[]
  /** environment → services measured there (with deploy settings). */
  rows: Record<string, string[]>
  skipped: { notFlotilla: number; otherEnvironment: number; otherService: number }
}

interface Recorded {
  createdAt: number
  environment: string
  sha: string
  task: string
  payload: Record<string, unknown>
  statuses: Array<{ state: DeploymentState; at: number; description: string }>
  truth?: TruthDeployment
}

export interface GeneratedHistory {
  repo: RepoFixture
  truth: Truth
  /** When the history ends (after its last event). */
  end: number
  /** Writes the deployments and gate statuses into the fake, in creation order. */
  writeTo(fake: FakeGitHub): void
}

/** mulberry32: a small seeded generator, so a seed always gives the same history. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const iso = (time: number): string => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')

export async function generateHistory(options: { seed: number; start: number; weeks: number }): Promise<GeneratedHistory> {
  const rand = random(options.seed)
  const chance = (p: number): boolean => rand() < p
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]
  const repo = await RepoFixture.create()
  const recorded: Recorded[] = []
  const gateStatuses: Array<{ sha: string; state: 'pending' | 'success' | 'failure'; at: number }> = []
  const truth: Truth = {
    deployments: [],
    rows: { qa: [DORMANT], staging: [...PROMOTED], production: [...PROMOTED, ...DIRECT] },
    skipped: { notFlotilla: 0, otherEnvironment: 0, otherService: 0 }
  }

  // Per (environment, service): commits that changed the service and no successful deployment
  // shipped yet (only after the pair's first deployment: what ran before that is unknown), the
  // running version and its deployment, and the versions it ran before.
  interface Pair {
    pending: Array<{ index: number; time: number }>
    current?: { sha: string; deployment: TruthDeployment }
    previousVersions: string[]
    started: boolean
  }
  const pairs = new Map<string, Pair>()
  const pairOf = (environment: string, service: string): Pair => {
    const key = `${environment}/${service}`
    let pair = pairs.get(key)
    if (pair === undefined) pairs.set(key, (pair = { pending: [], previousVersions: [], started: false }))
    return pair
  }
  const commitIndex = new Map<string, number>()

  const fail = (deployment: TruthDeployment, at: number, why: NonNullable<TruthDeployment['failure']>['why']): void => {
    if (deployment.failure === undefined || at < deployment.failure.at) deployment.failure = { at, why }
  }

  /** Records a deployment of `sha` and its statuses; returns its truth. */
  const deploy = (environment: string, service: string, sha: string, createdAt: number, outcome: 'success' | 'failure' | 'cancelled' | 'in-progress', durationMs: number): TruthDeployment => {
    const pair = pairOf(environment, service)
    const finished = createdAt + durationMs
    const statuses: Recorded['statuses'] = [{ state: 'in_progress', at: createdAt, description: `Deploying ghcr.io/acme/${service}:git-${sha}` }]
    const entry: TruthDeployment = { service, environment, sha, createdAt, kind: 'in-progress', shipped: [] }
    if (outcome === 'success') {
      statuses.push({ state: 'success', at: finished, description: `Deployed ghcr.io/acme/${service}:git-${sha}` })
      entry.at = finished
      if (pair.current?.sha === sha) entry.kind = 'redeploy'
      else {
        entry.kind = 'deployed'
        const index = commitIndex.get(sha)!
        if (pair.started) {
          entry.shipped = pair.pending.filter((commit) => commit.index <= index).map((commit) => commit.time)
          pair.pending = pair.pending.filter((commit) => commit.index > index)
        }
        pair.started = true
        if (pair.current !== undefined) pair.previousVersions.push(pair.current.sha)
        // GitHub's auto_inactive: the deployment this one replaces turns inactive (not in production).
        if (environment !== 'production') {
          const replaced = recorded.find((record) => record.truth === pair.current?.deployment)
          replaced?.statuses.push({ state: 'inactive', at: finished, description: '' })
        }
        pair.current = { sha, deployment: entry }
      }
    } else if (outcome === 'failure') {
      statuses.push({ state: 'failure', at: finished, description: 'rollout did not become ready' })
      entry.kind = 'failed'
      entry.at = finished
      fail(entry, finished, 'failed')
    } else if (outcome === 'cancelled') {
      statuses.push({ state: 'error', at: finished, description: 'cancelled' })
      entry.kind = 'cancelled'
    }
    recorded.push({ createdAt, environment, sha, task: 'deploy', payload: { service, image: `ghcr.io/acme/${service}:git-${sha}` }, statuses, truth: entry })
    truth.deployments.push(entry)
    return entry
  }

  // The first commit holds every service; each deployable service is deployed once before anything
  // is measured (those first deployments ship nothing countable).
  const files: Record<string, string> = { 'flotilla.yml': MANIFEST, 'ci/global.yml': 'v: 0\n', 'libs/shared/lib.txt': '0\n', 'README.md': 'shop\n' }
  for (const service of [...PROMOTED, ...DIRECT, ...UNDEPLOYED, DORMANT]) files[`src/${service}/main.txt`] = '0\n'
  let now = options.start - 2 * DAY
  // Commits are written in one fast-import at the end; until then a commit is named by a placeholder.
  const toImport: Array<{ write: Record<string, string>; message: string; date: Date }> = []
  const commit = (write: Record<string, string>, message: string, time: number): string => {
    toImport.push({ write, message, date: new Date(time) })
    const placeholder = `commit:${toImport.length - 1}`
    commitIndex.set(placeholder, toImport.length - 1)
    return placeholder
  }
  const first = commit(files, 'the shop', now)
  now += HOUR
  for (const service of PROMOTED) deploy('staging', service, first, now, 'success', 5 * MINUTE)
  for (const service of [...PROMOTED, ...DIRECT]) deploy('production', service, first, now + HOUR, 'success', 5 * MINUTE)

  const end = options.start + options.weeks * 7 * DAY
  let commits = 1
  now = options.start
  while (true) {
    // Every event of a push (re-runs, rollbacks) is over within five hours, before the next push.
    now += Math.round((5 + rand() * 14) * 60) * MINUTE
    if (now > end - 6 * HOUR) break
    // A push of one to three commits, minutes apart.
    const changed = new Set<string>()
    let head = ''
    const count = 1 + Math.floor(rand() * 3)
    for (let c = 0; c < count; c++) {
      const time = now + c * 7 * MINUTE
      const kind = rand()
      let touched: string[]
      let paths: string[]
      if (kind < 0.62) {
        const service = pick([...PROMOTED, ...DIRECT, ...UNDEPLOYED])
        touched = [service]
        paths = [`src/${service}/change-${commits}.txt`]
      } else if (kind < 0.72) {
        touched = [...LIBRARY_USERS]
        paths = ['libs/shared/lib.txt']
      } else if (kind < 0.77) {
        touched = [...PROMOTED, ...DIRECT, ...UNDEPLOYED, DORMANT]
        paths = ['ci/global.yml']
      } else if (kind < 0.87) {
        touched = []
        paths = ['README.md']
      } else {
        // Two services in one commit.
        const a = pick(PROMOTED)
        const b = pick([...PROMOTED, ...DIRECT])
        touched = [...new Set([a, b])]
        paths = [`src/${a}/pair-${commits}.txt`, `src/${b}/pair-${commits}.txt`]
      }
      head = commit(Object.fromEntries(paths.map((path) => [path, `${commits}\n`])), `change ${commits}`, time)
      for (const service of touched) {
        changed.add(service)
        for (const environment of ['staging', 'production', 'qa']) {
          const pair = pairs.get(`${environment}/${service}`)
          if (pair?.started) pair.pending.push({ index: commits, time: Math.floor(time / 1000) * 1000 })
        }
      }
      commits++
    }
    now += count * 7 * MINUTE

    // Staging: every changed service that deploys there.
    const staging = PROMOTED.filter((service) => changed.has(service))
    let allStaged = true
    const stagedNow: TruthDeployment[] = []
    for (const service of staging) {
      const roll = rand()
      const outcome = roll < 0.08 ? 'failure' : roll < 0.12 ? 'cancelled' : 'success'
      const entry = deploy('staging', service, head, now + 10 * MINUTE, outcome, 5 * MINUTE)
      if (outcome !== 'success') {
        allStaged = false
        // Half the failed or cancelled deploys are re-run two hours later, and succeed.
        if (chance(0.5)) deploy('staging', service, head, now + 2 * HOUR, 'success', 4 * MINUTE)
      } else stagedNow.push(entry)
    }
    const production = [...PROMOTED, ...DIRECT].filter((service) => changed.has(service))
    if (!allStaged || production.length === 0) continue

    // The production gate judges the commit.
    const gateAt = now + 30 * MINUTE
    gateStatuses.push({ sha: head, state: 'pending', at: gateAt })
    if (chance(0.12)) {
      gateStatuses.push({ sha: head, state: 'failure', at: gateAt + 10 * MINUTE })
      for (const entry of stagedNow) fail(entry, gateAt + 10 * MINUTE, 'gate')
      continue
    }
    gateStatuses.push({ sha: head, state: 'success', at: gateAt + 10 * MINUTE })

    for (const service of production) {
      const pair = pairOf('production', service)
      const before = pair.current
      const createdAt = now + 50 * MINUTE
      if (chance(0.08)) {
        deploy('production', service, head, createdAt, 'failure', 6 * MINUTE)
        deploy('production', service, head, now + 3 * HOUR, 'success', 5 * MINUTE)
        continue
      }
      const entry = deploy('production', service, head, createdAt, 'success', 5 * MINUTE)
      const roll = rand()
      if (roll < 0.05 && before !== undefined) {
        // Rolled back four hours later to the version it replaced.
        fail(entry, entry.at!, 'rolled back')
        deploy('production', service, before.sha, now + 4 * HOUR, 'success', 3 * MINUTE)
      } else if (roll < 0.1) {
        deploy('production', service, head, now + 2 * HOUR, 'success', 3 * MINUTE)
      } else if (roll < 0.13) {
        // Someone marks it failed an hour after it went out.
        const at = entry.at! + HOUR
        recorded.find((record) => record.truth === entry)!.statuses.push({ state: 'failure', at, description: 'error budget burned' })
        fail(entry, at, 'marked failed')
      }
    }
  }

  // Deployments the metrics must not count.
  const last = `commit:${toImport.length - 1}`
  recorded.push({ createdAt: end - 5 * HOUR, environment: 'production', sha: last, task: 'deploy', payload: {}, statuses: [{ state: 'success', at: end - 5 * HOUR + MINUTE, description: '' }] })
  truth.skipped.notFlotilla++
  recorded.push({ createdAt: end - 4 * HOUR, environment: 'preview-7', sha: last, task: 'deploy', payload: { service: 'cart', image: 'ghcr.io/acme/cart:pr-7' }, statuses: [{ state: 'success', at: end - 4 * HOUR + MINUTE, description: '' }] })
  truth.skipped.otherEnvironment++
  recorded.push({ createdAt: end - 3 * HOUR, environment: 'production', sha: last, task: 'deploy', payload: { service: 'legacy', image: 'ghcr.io/acme/legacy:1' }, statuses: [{ state: 'success', at: end - 3 * HOUR + MINUTE, description: '' }] })
  truth.skipped.otherService++
  // Still running when the history ends.
  deploy('staging', 'search', last, end - 2 * HOUR, 'in-progress', 0)

  const shas = await repo.importCommits(toImport)
  const sha = (placeholder: string): string => shas[commitIndex.get(placeholder)!]
  for (const record of recorded) record.sha = sha(record.sha)
  for (const entry of truth.deployments) entry.sha = sha(entry.sha)
  for (const status of gateStatuses) status.sha = sha(status.sha)

  return {
    repo,
    truth,
    end,
    writeTo(fake) {
      const deployments = [...recorded].sort((a, b) => a.createdAt - b.createdAt)
      for (const record of deployments) {
        fake.addDeployment({
          environment: record.environment,
          sha: record.sha,
          task: record.task,
          payload: record.payload,
          createdAt: iso(record.createdAt),
          productionEnvironment: record.environment === 'production',
          statuses: [...record.statuses].sort((a, b) => a.at - b.at).map((status) => ({ state: status.state, at: iso(status.at), description: status.description }))
        })
      }
      for (const status of gateStatuses) fake.addCommitStatus({ sha: status.sha, context: 'flotilla/gate production', state: status.state, createdAt: iso(status.at) })
    }
  }
}
