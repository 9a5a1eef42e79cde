import { describe, expect, it } from '@jest/globals'
import type { ChangedFile, ChangeSet } from '../../../shared/src/changes/types.js'
import type { LibraryConfig, Manifest, ServiceConfig } from '../../../shared/src/config/types.js'
import { affectedGraph, computePlan, MATRIX_LIMIT, REASONS_PER_SERVICE } from '../../../shared/src/plan/index.js'

function service(name: string, options: { dependsOn?: string[]; paths?: string[]; test?: string[]; deployTo?: string[] } = {}): ServiceConfig {
  const path = `services/${name}`
  return {
    name,
    path,
    patterns: [`${path}/**`, ...(options.paths ?? [])],
    dependsOn: options.dependsOn ?? [],
    image: { name: `ghcr.io/acme/${name}`, context: path, dockerfile: `${path}/Dockerfile`, buildArgs: {}, platforms: ['linux/amd64', 'linux/arm64'] },
    test:
      options.test === undefined
        ? undefined
        : { command: options.test, shell: false, reports: [], timeoutSeconds: 600, retries: 0, env: {} },
    deploy: Object.fromEntries((options.deployTo ?? []).map((environment) => [environment, { target: 'command' as const, command: ['true'] }]))
  }
}

function library(name: string, dependsOn: string[] = []): LibraryConfig {
  return { name, patterns: [`libs/${name}/**`], dependsOn }
}

function manifestOf(services: ServiceConfig[], libraries: LibraryConfig[] = [], global: string[] = []): Manifest {
  return {
    version: 1,
    source: 'flotilla.yml',
    global,
    libraries: Object.fromEntries(libraries.map((l) => [l.name, l])),
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    environments: {}
  }
}

function changeSet(files: Array<string | ChangedFile>, overrides: Partial<ChangeSet> = {}): ChangeSet {
  return {
    base: 'b'.repeat(40),
    head: 'h'.repeat(40),
    all: false,
    files: files.map((file) => (typeof file === 'string' ? { path: file, status: 'modified' } : file)),
    reason: 'push: before..after',
    source: 'git',
    warnings: [],
    ...overrides
  }
}

const shop = manifestOf(
  [
    service('cart', { dependsOn: ['catalog', 'protos'], paths: ['!services/cart/**/*.md'], test: ['npm', 'test'], deployTo: ['staging', 'production'] }),
    service('catalog', { dependsOn: ['auth'] }),
    service('web', { dependsOn: ['cart'] }),
    service('admin')
  ],
  [library('protos'), library('auth', ['protos']), library('fonts')],
  ['.github/workflows/**', 'docker-compose.yml']
)

const names = (plan: ReturnType<typeof computePlan>): string[] => plan.services.map((s) => s.name)

describe('computePlan', () => {
  it('an empty change set selects nothing', () => {
    const plan = computePlan(shop, changeSet([]))
    expect(plan.services).toEqual([])
    expect(plan.matrix.include).toEqual([])
    expect(plan.shards).toEqual([])
    expect(plan.changedFiles).toBe(0)
  })

  it('a service file selects that service and its dependents, with the file as reason', () => {
    const plan = computePlan(shop, changeSet(['services/cart/src/index.ts']))
    expect(plan.services).toEqual([
      { name: 'cart', reasons: [{ kind: 'file', file: 'services/cart/src/index.ts' }] },
      { name: 'web', reasons: [{ kind: 'dependency', dependency: 'cart', file: 'services/cart/src/index.ts' }] }
    ])
    expect(plan.changedOwners).toEqual(['cart'])
  })

  it('a library change selects exactly the services depending on it, transitively', () => {
    expect(names(computePlan(shop, changeSet(['libs/auth/token.go'])))).toEqual(['cart', 'catalog', 'web'])
    expect(names(computePlan(shop, changeSet(['libs/protos/cart.proto'])))).toEqual(['cart', 'catalog', 'web'])
    expect(names(computePlan(shop, changeSet(['libs/fonts/a.woff'])))).toEqual([])
    const web = computePlan(shop, changeSet(['libs/auth/token.go'])).services.find((s) => s.name === 'web')
    expect(web?.reasons).toEqual([{ kind: 'dependency', dependency: 'auth', file: 'libs/auth/token.go' }])
  })

  it('a rename from one service into another selects both', () => {
    const plan = computePlan(
      shop,
      changeSet([{ path: 'services/admin/moved.ts', previousPath: 'services/catalog/moved.ts', status: 'renamed' }])
    )
    expect(names(plan)).toEqual(['cart', 'catalog', 'web', 'admin'])
    expect(plan.services.find((s) => s.name === 'catalog')?.reasons).toEqual([{ kind: 'file', file: 'services/catalog/moved.ts' }])
    expect(plan.services.find((s) => s.name === 'admin')?.reasons).toEqual([{ kind: 'file', file: 'services/admin/moved.ts' }])
  })

  it('a file excluded by a negated pattern does not select its service', () => {
    expect(names(computePlan(shop, changeSet(['services/cart/docs/README.md'])))).toEqual([])
  })

  it('unowned files select nothing', () => {
    expect(names(computePlan(shop, changeSet(['README.md', 'tools/lint.sh'])))).toEqual([])
  })

  it('a global file selects every service, naming the first such file', () => {
    const plan = computePlan(shop, changeSet(['README.md', 'docker-compose.yml', '.github/workflows/ci.yml']))
    expect(names(plan)).toEqual(['cart', 'catalog', 'web', 'admin'])
    for (const selected of plan.services) expect(selected.reasons).toEqual([{ kind: 'global', file: 'docker-compose.yml' }])
    expect(plan.all).toBe(false)
  })

  it('a change set marked "all" selects everything and says why', () => {
    const plan = computePlan(shop, changeSet([], { all: true, base: undefined, reason: 'no base commit could be found' }))
    expect(names(plan)).toEqual(['cart', 'catalog', 'web', 'admin'])
    expect(plan.services[0].reasons).toEqual([{ kind: 'all', why: 'no base commit could be found' }])
    expect(plan.all).toBe(true)
    expect(plan.base).toBeUndefined()
    expect(plan.baseReason).toBe('no base commit could be found')
  })

  it('a service selected both by its own file and by a dependency keeps both reasons, own files first', () => {
    const plan = computePlan(shop, changeSet(['libs/protos/a.proto', 'services/cart/main.go']))
    expect(plan.services.find((s) => s.name === 'cart')?.reasons).toEqual([
      { kind: 'file', file: 'services/cart/main.go' },
      { kind: 'dependency', dependency: 'protos', file: 'libs/protos/a.proto' }
    ])
  })

  it('keeps a few reasons per service and counts the rest', () => {
    const files = Array.from({ length: 50 }, (_, i) => `services/admin/f${i}.ts`)
    const [admin] = computePlan(shop, changeSet(files)).services
    expect(admin.reasons).toHaveLength(REASONS_PER_SERVICE)
    expect(admin.reasons[0]).toEqual({ kind: 'file', file: 'services/admin/f0.ts' })
    expect(admin.omittedReasons).toBe(50 - REASONS_PER_SERVICE)
  })

  it('builds flat matrix entries ready for fromJSON', () => {
    const plan = computePlan(shop, changeSet(['services/cart/a', 'services/admin/b']))
    expect(plan.matrix.include).toEqual([
      {
        service: 'cart',
        path: 'services/cart',
        image: 'ghcr.io/acme/cart',
        context: 'services/cart',
        dockerfile: 'services/cart/Dockerfile',
        platforms: 'linux/amd64,linux/arm64',
        'test-command': '["npm","test"]'
      },
      expect.objectContaining({ service: 'web', 'test-command': '' }),
      expect.objectContaining({ service: 'admin' })
    ])
    expect(plan.shards).toEqual([plan.matrix])
    expect(plan.warnings).toEqual([])
  })

  it('splits 600 services into 3 shards of at most 256 and warns', () => {
    const many = manifestOf(Array.from({ length: 600 }, (_, i) => service(`svc-${String(i).padStart(3, '0')}`)))
    const plan = computePlan(many, changeSet([], { all: true, warnings: ['deepened the clone twice'] }))
    expect(plan.shards.map((shard) => shard.include.length)).toEqual([MATRIX_LIMIT, MATRIX_LIMIT, 600 - 2 * MATRIX_LIMIT])
    expect(plan.shards.flatMap((shard) => shard.include)).toEqual(plan.matrix.include)
    expect(plan.warnings).toHaveLength(2)
    expect(plan.warnings[0]).toBe('deepened the clone twice')
    expect(plan.warnings[1]).toMatch(/600 services.*3 shards/)
  })
})

describe('affectedGraph', () => {
  it('keeps only the nodes on paths from changed owners to selected services', () => {
    const plan = computePlan(shop, changeSet(['libs/auth/x.go']))
    expect(affectedGraph(shop, plan)).toEqual({
      nodes: [
        { id: 'auth', kind: 'library', changed: true, selected: false },
        { id: 'cart', kind: 'service', changed: false, selected: true },
        { id: 'catalog', kind: 'service', changed: false, selected: true },
        { id: 'web', kind: 'service', changed: false, selected: true }
      ],
      edges: [
        { from: 'catalog', to: 'cart' },
        { from: 'auth', to: 'catalog' },
        { from: 'cart', to: 'web' }
      ]
    })
  })

  it('shows services selected without a changed dependency as lone nodes', () => {
    const plan = computePlan(shop, changeSet(['docker-compose.yml', 'services/web/a']))
    const graph = affectedGraph(shop, plan)
    expect(graph.nodes.map((node) => node.id)).toEqual(['cart', 'catalog', 'web', 'admin'])
    expect(graph.nodes.find((node) => node.id === 'web')).toEqual({ id: 'web', kind: 'service', changed: true, selected: true })
    expect(graph.edges).toEqual([])
  })
})
