/**
 * Workspace graphs as real monorepos have them, end to end through the committed CLI bundle
 * (`flotilla plan --json`): a 150-package npm workspace with devDependency cycles, and the graph
 * sources of Go, Cargo, Nx, Maven and Gradle builds, each on a real git history.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { REPOSITORY, RepoFixture, pushPayload, writeEventPayload } from '../support/git-fixtures.js'
import { repositoryRoot, runBundle } from '../support/action-runner.js'
import { workspaceFixture, type FixturePackage } from '../../bench/workspace-fixture.mjs'

const cli = join(repositoryRoot, 'dist', 'cli', 'index.js')

async function flotilla(args: string[], cwd: string) {
  const result = await exec(['node', cli, ...args], { cwd, allowFailure: true, timeoutMs: 60_000 })
  return { code: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr }
}

interface PlanJson {
  services: string[]
  notices: string[]
  reasons: Record<string, string[]>
}

/** `flotilla plan --json` over one commit; fails the test with the CLI's output when it does not plan. */
async function planCommit(repo: RepoFixture, sha: string, extra: string[] = []): Promise<{ document: PlanJson; stderr: string }> {
  const { code, stdout, stderr } = await flotilla(['plan', '--json', '--base', `${sha}~1`, '--head', sha, ...extra], repo.work)
  // With --json a failure is the document on stdout; shown whole, so a failing test says why.
  expect({ code, output: code === 0 ? '' : `${stdout}${stderr}` }).toEqual({ code: 0, output: '' })
  return { document: JSON.parse(stdout) as PlanJson, stderr }
}

async function fixtureFiles(name: string): Promise<Record<string, string>> {
  const base = join(repositoryRoot, 'test', 'fixtures', 'graphs', name)
  const files: Record<string, string> = {}
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else files[relative(base, path)] = await readFile(path, 'utf8')
    }
  }
  await walk(base)
  return files
}

describe('a 150-package npm workspace with devDependency cycles', () => {
  const fixture = workspaceFixture()
  const byName = new Map(fixture.packages.map((pkg) => [pkg.name, pkg]))
  const apps = fixture.packages.filter((pkg) => pkg.app)
  const serviceName = (pkg: FixturePackage) => pkg.directory.split('/')[1]
  const nodevManifest = [
    'version: 1',
    'workspaces: { dev_dependencies: false }',
    'services:',
    ...apps.map((app) => `  ${serviceName(app)}: { path: ${app.directory} }`)
  ].join('\n')

  /** The workspace packages `pkg` names, computed here from the generator's data, not by Flotilla's graph code. */
  const direct = (pkg: FixturePackage, dev: boolean): FixturePackage[] =>
    [...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies, ...(dev ? pkg.devDependencies : [])].map((name) => byName.get(name)!)
  const reaches = (from: FixturePackage, to: FixturePackage, dev: boolean): boolean => {
    const seen = new Set<FixturePackage>()
    const stack = [from]
    while (stack.length > 0) {
      for (const next of direct(stack.pop()!, dev)) {
        if (next === to) return true
        if (!seen.has(next)) stack.push(next), seen.add(next)
      }
    }
    return false
  }
  /** Apps a change to `changed` selects: the app itself, and every app that reaches it. */
  const expectedServices = (changed: FixturePackage, dev: boolean): string[] =>
    apps.filter((app) => app === changed || reaches(app, changed, dev)).map(serviceName).sort()

  let repo: RepoFixture
  const commits: Array<{ changed: FixturePackage; sha: string }> = []
  beforeAll(async () => {
    repo = await RepoFixture.create()
    await repo.commit({ write: { ...fixture.files, 'flotilla.nodev.yml': nodevManifest } }, 'the workspace')
    // A leaf nothing depends on at run time, a package on a devDependency cycle, a compiler on another, a widely used one, an app.
    for (const name of ['@acme/tsconfig', '@acme/core', '@acme/compiler', '@acme/errors', '@acme/ui-3', '@acme/app-04']) {
      const changed = byName.get(name)!
      commits.push({ changed, sha: await repo.commit({ write: { [`${changed.directory}/src/index.ts`]: `export const name = ${JSON.stringify(name)} // changed\n` } }) })
    }
  })
  afterAll(() => repo.cleanup())

  it('plans every single commit like an independent closure over all four dependency sections, devDependency cycles included', async () => {
    expect(fixture.packages).toHaveLength(150)
    for (const { changed, sha } of commits) {
      const { document } = await planCommit(repo, sha)
      expect({ changed: changed.name, services: [...document.services].sort() }).toEqual({ changed: changed.name, services: expectedServices(changed, true) })
    }
    // The changes exercise development edges: some select more apps with them than without.
    expect(commits.some(({ changed }) => expectedServices(changed, true).length > expectedServices(changed, false).length)).toBe(true)
  })

  it('names each cycle once, in the plan and on stderr, with the package.json lines that close it', async () => {
    const { document, stderr } = await planCommit(repo, commits[1].sha)
    // Groups of packages that reach each other, among those an app reaches, computed independently.
    const reached = fixture.packages.filter((pkg) => pkg.app || apps.some((app) => reaches(app, pkg, true)))
    const groups = new Set<string>()
    for (const pkg of reached) {
      const group = reached.filter((other) => other === pkg || (reaches(pkg, other, true) && reaches(other, pkg, true)))
      if (group.length > 1) groups.add(group.map((member) => member.name).sort().join(' '))
    }
    expect(groups.size).toBeGreaterThanOrEqual(2)
    expect(document.notices).toHaveLength(groups.size)
    for (const notice of document.notices) {
      expect(notice).toMatch(/^packages\/[a-z0-9-]+\/package\.json:\d+:\d+: dependency cycle among inferred dependencies, accepted: /)
      expect(notice).toMatch(/ at packages\/[a-z0-9-]+\/package\.json:\d+:\d+ \(devDependencies\)/)
      expect(stderr.split('\n').filter((line) => line === `notice: ${notice}`)).toHaveLength(1)
    }
    const compiler = document.notices.find((notice) => notice.includes('compiler -> plugin-api'))
    const line = (await readFile(join(repo.work, 'packages/compiler/package.json'), 'utf8')).split('\n').findIndex((text) => text.includes('"@acme/plugin-api"')) + 1
    expect(compiler).toContain(`compiler -> plugin-api at packages/compiler/package.json:${line}:5 (devDependencies)`)
  })

  it('the detect bundle says each cycle once: a notice annotation and a note in the job summary', async () => {
    const { document } = await planCommit(repo, commits[1].sha)
    const event = await writeEventPayload(`${repo.root}/event`, pushPayload({ ref: 'refs/heads/main', before: `${await repo.sha(`${commits[1].sha}~1`)}`, after: commits[1].sha }))
    const run = await runBundle('detect', {
      workspace: repo.work,
      inputs: { token: '' },
      env: { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event, GITHUB_SHA: commits[1].sha, GITHUB_REF: 'refs/heads/main', GITHUB_REPOSITORY: `${REPOSITORY.owner}/${REPOSITORY.repo}` }
    })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.services)).toEqual(document.services)
    expect(run.annotations.filter((annotation) => annotation.level === 'notice').map((annotation) => annotation.message)).toEqual(document.notices)
    expect(run.summary.split('\n').filter((line) => line === '> [!NOTE]')).toHaveLength(document.notices.length)
    expect(run.summary.match(/dependency cycle among inferred dependencies/g)).toHaveLength(document.notices.length)
  })

  it('with workspaces.dev_dependencies: false, devDependencies make no edge and there is no cycle left', async () => {
    for (const { changed, sha } of commits) {
      const { document } = await planCommit(repo, sha, ['--manifest', 'flotilla.nodev.yml'])
      expect({ changed: changed.name, services: [...document.services].sort() }).toEqual({ changed: changed.name, services: expectedServices(changed, false) })
      expect(document.notices).toEqual([])
    }
  })

  it('a depends_on cycle written by hand is still an error at its line, whatever the package.json files say', async () => {
    const manifest = ['version: 1', 'services:', '  app-01:', '    path: apps/app-01', '    depends_on: [app-02]', '  app-02:', '    path: apps/app-02', '    depends_on: [app-01]', ''].join('\n')
    const sha = await repo.commit({ write: { 'flotilla.cycle.yml': manifest } })
    const { code, stdout } = await flotilla(['plan', '--json', '--base', `${sha}~1`, '--head', sha, '--manifest', 'flotilla.cycle.yml'], repo.work)
    expect(code).toBe(1)
    expect(JSON.parse(stdout).problems).toEqual([
      { file: 'flotilla.cycle.yml', line: 5, column: 17, keyPath: 'services.app-01.depends_on', message: 'dependency cycle: app-01 -> app-02 -> app-01' }
    ])
  })
})

/** One fixture written with its tool's conventions, committed, then one commit per change; each plan checked. */
function describeSource(
  tool: string,
  cases: Array<{ change: string; services: string[]; withoutDev?: string[] }>,
  checks: { notices?: RegExp[] } = {}
) {
  describe(`${tool} graph source`, () => {
    let repo: RepoFixture
    const shas: string[] = []
    beforeAll(async () => {
      repo = await RepoFixture.create()
      const files = await fixtureFiles(tool)
      const nodev = files['flotilla.yml'].replace('version: 1\n', 'version: 1\nworkspaces: { dev_dependencies: false }\n')
      await repo.commit({ write: { ...files, 'flotilla.nodev.yml': nodev } }, `the ${tool} build`)
      for (const { change } of cases) shas.push(await repo.commit({ write: { [change]: `${(files[change] ?? '').trimEnd()}\n// changed\n` } }))
    })
    afterAll(() => repo.cleanup())

    it('selects the services that depend on each change, as the build tool sees them', async () => {
      for (const [index, { change, services }] of cases.entries()) {
        const { document } = await planCommit(repo, shas[index])
        expect({ change, services: document.services }).toEqual({ change, services })
      }
    })

    it('leaves development dependencies out when told to', async () => {
      for (const [index, { change, services, withoutDev }] of cases.entries()) {
        const { document } = await planCommit(repo, shas[index], ['--manifest', 'flotilla.nodev.yml'])
        expect({ change, services: document.services }).toEqual({ change, services: withoutDev ?? services })
      }
    })

    it('says what it accepted or left out, once each', async () => {
      const { document } = await planCommit(repo, shas[0])
      expect(document.notices).toHaveLength(checks.notices?.length ?? 0)
      for (const [index, pattern] of (checks.notices ?? []).entries()) expect(document.notices[index]).toMatch(pattern)
    })
  })
}

describeSource('go', [
  { change: 'libs/auth/auth.go', services: ['api', 'worker'] },
  { change: 'libs/money/money.go', services: ['worker', 'billing'] },
  { change: 'services/billing/main.go', services: ['billing'] }
])

describeSource(
  'cargo',
  [
    { change: 'crates/core/src/lib.rs', services: ['api', 'ledger'] },
    { change: 'crates/money/src/lib.rs', services: ['api', 'ledger'], withoutDev: ['api'] },
    { change: 'crates/testkit/src/lib.rs', services: ['api', 'ledger'], withoutDev: [] },
    { change: 'crates/experimental/src/lib.rs', services: [] }
  ],
  {
    notices: [
      /^crates\/money\/Cargo\.toml:11:1: dependency cycle among inferred dependencies, accepted: shop-money -> shop-testkit -> shop-money .* shop-money -> shop-testkit at crates\/money\/Cargo\.toml:11:1 \(\[dev-dependencies\]\); shop-testkit -> shop-money at crates\/testkit\/Cargo\.toml:7:1 \(\[dependencies\]\)$/
    ]
  }
)

describeSource(
  'nx',
  [
    { change: 'libs/design-tokens/src/index.ts', services: ['storefront'] },
    { change: 'libs/legacy-theme/src/index.ts', services: [] },
    { change: 'libs/ui/src/index.ts', services: ['admin'] },
    { change: 'libs/analytics/src/index.ts', services: ['admin'], withoutDev: [] }
  ],
  {}
)

describeSource('maven', [
  { change: 'libs/money/src/main/java/com/acme/shop/money/Money.java', services: ['orders', 'catalog'], withoutDev: ['orders'] },
  { change: 'libs/testing/src/main/java/com/acme/shop/testing/Prices.java', services: ['catalog'], withoutDev: [] },
  { change: 'services/orders/src/main/java/com/acme/shop/orders/Main.java', services: ['orders'] }
])

describeSource(
  'gradle',
  [
    { change: 'libs/money/src/main/kotlin/Money.kt', services: ['orders', 'catalog'] },
    { change: 'testing-support/src/main/kotlin/Prices.kt', services: ['orders', 'catalog'], withoutDev: [] },
    { change: 'services/catalog/src/main/java/Main.java', services: ['catalog'] }
  ],
  {
    notices: [
      /^settings\.gradle\.kts:13:1: include with computed arguments is not statically readable/,
      /^services\/catalog\/build\.gradle:10:20: a project dependency that is computed is not statically readable/,
      /^libs\/money\/build\.gradle\.kts:8:24: dependency cycle among inferred dependencies, accepted: money -> testing -> money/
    ]
  }
)
