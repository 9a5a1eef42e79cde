import { afterEach, describe, expect, test } from '@jest/globals'
import { loadManifest } from '../../../shared/src/config/index.js'
import { makeRepo, problemsOf, removeRepo, yaml } from './repo.js'

const roots: string[] = []
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeRepo))
})

async function repo(files: Record<string, string>): Promise<string> {
  const root = await makeRepo(files)
  roots.push(root)
  return root
}

const packageJson = (name: string, dependencies: Record<string, string> = {}, devDependencies: Record<string, string> = {}) =>
  JSON.stringify({ name, dependencies, devDependencies })

describe('discovery without a manifest', () => {
  test('takes services from docker-compose build contexts', async () => {
    const root = await repo({
      'docker-compose.yml': yaml`
        x-build: &defaults
          target: runtime
        services:
          web:
            build: ./web
          api:
            build:
              context: backend/api
              dockerfile: docker/Dockerfile.api
              args: [NODE_VERSION=20, FROM_ENV]
              <<: *defaults
          worker:
            build: { context: ., args: { MODE: worker } }
          db:
            image: postgres:16
          remote:
            build: https://github.com/acme/tool.git
      `,
      'web/': '',
      'backend/api/': ''
    })

    const manifest = await loadManifest(root)

    expect(manifest.source).toBe('discovered (docker-compose.yml)')
    expect(Object.keys(manifest.services)).toEqual(['web', 'api', 'worker'])
    expect(manifest.services.web).toMatchObject({ path: 'web', patterns: ['web/**'], image: { name: 'web', context: 'web', dockerfile: 'web/Dockerfile' } })
    expect(manifest.services.api.image).toEqual({
      name: 'api',
      context: 'backend/api',
      dockerfile: 'backend/api/docker/Dockerfile.api',
      buildArgs: { NODE_VERSION: '20' },
      platforms: ['linux/amd64'],
      target: 'runtime'
    })
    expect(manifest.services.worker).toMatchObject({ path: '.', patterns: ['**'], image: { buildArgs: { MODE: 'worker' } } })
  })

  test('reads compose services that share their build settings through many merge keys', async () => {
    const services = Array.from({ length: 300 }, (_, i) => `  web-${i}:\n    build:\n      <<: *defaults\n      context: web\n`)
    const root = await repo({ 'docker-compose.yml': `x-build: &defaults\n  target: runtime\n  context: ignored\nservices:\n${services.join('')}`, 'web/': '' })
    const manifest = await loadManifest(root)
    expect(Object.keys(manifest.services)).toHaveLength(300)
    expect(manifest.services['web-299'].image).toMatchObject({ context: 'web', target: 'runtime' })
  })

  test('refuses compose service names that cannot become image names', async () => {
    const root = await repo({ 'compose.yaml': 'services:\n  web_:\n    build: web\n  api:\n    build: web\n', 'web/': '' })
    expect(await problemsOf(loadManifest(root))).toEqual([
      {
        file: 'compose.yaml',
        line: 2,
        column: 3,
        keyPath: 'services.web_',
        message:
          'compose service "web_" is not a valid service name: it ends with "_"; a service name becomes its image\'s name ' +
          '(<registry>/<service>): lowercase letters and digits, separated by ".", "_", "__" or dashes; or write a flotilla.yml'
      }
    ])
  })

  test('reports a compose build context that leaves the repository at its place in the compose file', async () => {
    const root = await repo({ 'compose.yaml': 'services:\n  web:\n    build: ../elsewhere\n' })
    expect(await problemsOf(loadManifest(root))).toEqual([
      { file: 'compose.yaml', line: 3, column: 5, keyPath: 'services.web.path', message: '"../elsewhere" escapes the repository' }
    ])
  })

  test('falls back to services/*, apps/* and src/* directories holding a Dockerfile', async () => {
    const root = await repo({
      'docker-compose.yml': 'services:\n  db: { image: postgres }\n',
      'services/cart/Dockerfile': 'FROM scratch',
      'services/readme/notes.md': '',
      'apps/web/Dockerfile': 'FROM scratch',
      'src/lib/index.ts': ''
    })

    const manifest = await loadManifest(root)

    expect(manifest.source).toBe('discovered (services/*/Dockerfile, apps/*/Dockerfile)')
    expect(Object.keys(manifest.services)).toEqual(['cart', 'web'])
    expect(manifest.services.web).toMatchObject({ path: 'apps/web', image: { context: 'apps/web', dockerfile: 'apps/web/Dockerfile' } })
  })

  test('refuses two directories that would become the same service', async () => {
    const root = await repo({ 'services/api/Dockerfile': '', 'apps/api/Dockerfile': '' })
    const problems = await problemsOf(loadManifest(root))
    expect(problems).toEqual([
      {
        file: 'apps/api/Dockerfile',
        line: 0,
        column: 0,
        keyPath: 'services.api',
        message: '"services/api" and "apps/api" would both be service "api"; write a flotilla.yml to name them'
      }
    ])
  })

  test('says so when there is neither a manifest nor anything to discover', async () => {
    const root = await repo({ 'README.md': '# empty', 'services/docs/index.md': '' })
    const problems = await problemsOf(loadManifest(root))
    expect(problems).toHaveLength(1)
    expect(problems[0].message).toMatch(/^no flotilla\.yml and nothing to discover/)
  })
})

describe('dependencies inferred from workspaces', () => {
  test('npm workspaces: a service depends on the workspace packages it names, transitively through new libraries', async () => {
    const root = await repo({
      'package.json': JSON.stringify({ private: true, workspaces: ['services/*', 'packages/*'] }),
      'services/cart/Dockerfile': '',
      'services/cart/package.json': packageJson('@acme/cart', { '@acme/ui': 'workspace:*', react: '^18' }, { '@acme/catalog': '*' }),
      'services/catalog/Dockerfile': '',
      'services/catalog/package.json': packageJson('@acme/catalog'),
      'packages/ui/package.json': packageJson('@acme/ui', { '@acme/tokens': '*' }),
      'packages/tokens/package.json': packageJson('@acme/tokens'),
      'packages/unused/package.json': packageJson('@acme/unused')
    })

    const manifest = await loadManifest(root)

    expect(manifest.services.cart.dependsOn).toEqual(['ui', 'catalog'])
    expect(manifest.services.catalog.dependsOn).toEqual([])
    expect(manifest.libraries).toEqual({
      ui: { name: 'ui', patterns: ['packages/ui/**'], dependsOn: ['tokens'] },
      tokens: { name: 'tokens', patterns: ['packages/tokens/**'], dependsOn: [] }
    })
  })

  test('pnpm-workspace.yaml and yarn { packages } are read too, exclusions included', async () => {
    const files = {
      'apps/web/Dockerfile': '',
      'apps/web/package.json': packageJson('web', { 'design-system': '*', legacy: '*' }),
      'libs/design-system/package.json': packageJson('design-system'),
      'libs/legacy/package.json': packageJson('legacy')
    }
    const pnpm = await repo({ ...files, 'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n  - "libs/**"\n  - "!libs/legacy"\n' })
    const yarn = await repo({ ...files, 'package.json': JSON.stringify({ workspaces: { packages: ['apps/*', 'libs/*', '!libs/legacy'] } }) })

    for (const root of [pnpm, yarn]) {
      const manifest = await loadManifest(root)
      expect(manifest.services.web.dependsOn).toEqual(['design-system'])
      expect(Object.keys(manifest.libraries)).toEqual(['design-system'])
    }
  })

  test('in a manifest, declared depends_on wins and inferred edges fill in only where none is declared', async () => {
    const root = await repo({
      'package.json': JSON.stringify({ workspaces: ['services/*', 'packages/*'] }),
      'services/cart/package.json': packageJson('cart', { protos: '*' }),
      'services/shop/package.json': packageJson('shop', { protos: '*', cart: '*' }),
      'packages/protos/package.json': packageJson('protos'),
      'flotilla.yml': yaml`
        version: 1
        libraries:
          contracts: { path: packages/protos }
        services:
          cart: { path: services/cart, depends_on: [] }
          shop: { path: services/shop }
      `
    })

    const manifest = await loadManifest(root)

    expect(manifest.services.cart.dependsOn).toEqual([])
    expect(manifest.services.shop.dependsOn).toEqual(['contracts', 'cart'])
    expect(Object.keys(manifest.libraries)).toEqual(['contracts'])
  })

  test('an inferred cycle is accepted, unlike a declared one, and named in a notice at the package.json that closes it', async () => {
    const root = await repo({
      'package.json': JSON.stringify({ workspaces: ['services/*'] }),
      'services/a/Dockerfile': '',
      'services/a/package.json': packageJson('a', { b: '*' }),
      'services/b/Dockerfile': '',
      'services/b/package.json': packageJson('b', { a: '*' })
    })
    const manifest = await loadManifest(root)
    expect([manifest.services.a.dependsOn, manifest.services.b.dependsOn]).toEqual([['b'], ['a']])
    expect(manifest.notices?.map((notice) => notice.file)).toEqual(['services/a/package.json'])
  })
})
