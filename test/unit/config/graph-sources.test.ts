import { afterEach, describe, expect, test } from '@jest/globals'
import { symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { loadManifest, type Manifest } from '../../../shared/src/config/index.js'
import { readGoDirectives } from '../../../shared/src/config/graph-sources/go.js'
import { readGradleBuild, readGradleSettings } from '../../../shared/src/config/graph-sources/gradle.js'
import { tomlKeyPosition } from '../../../shared/src/config/graph-sources/cargo.js'
import { readNpmWorkspace } from '../../../shared/src/config/graph-sources/npm.js'
import { jsonLocator } from '../../../shared/src/config/graph-sources/text.js'
import type { RepositoryFiles } from '../../../shared/src/config/graph-sources/types.js'
import { repositoryRoot } from '../../support/action-runner.js'
import { makeRepo, problemsOf, removeRepo, yaml } from './repo.js'

const fixture = (tool: string) => join(repositoryRoot, 'test', 'fixtures', 'graphs', tool)
const roots: string[] = []
async function repo(files: Record<string, string>): Promise<string> {
  const root = await makeRepo(files)
  roots.push(root)
  return root
}
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeRepo))
})

/** Every library and service with its dependencies, for a compact comparison. */
function graphOf(manifest: Manifest): Record<string, string[]> {
  return Object.fromEntries([...Object.values(manifest.libraries), ...Object.values(manifest.services)].map((node) => [node.name, node.dependsOn]))
}

const notices = (manifest: Manifest) => (manifest.notices ?? []).map((notice) => `${notice.file}:${notice.line}:${notice.column}: ${notice.message}`)

describe('graph sources on fixtures written with each tool\'s conventions', () => {
  test('Go: go.work modules, requires resolved through the workspace and through go.mod replace to a local path', async () => {
    const manifest = await loadManifest(fixture('go'))
    expect(graphOf(manifest)).toEqual({ auth: [], money: [], api: ['auth'], worker: ['auth', 'money'], billing: ['money'] })
    expect(manifest.libraries.money.patterns).toEqual(['libs/money/**'])
    expect(manifest.notices).toBeUndefined()
  })

  test('Cargo: workspace members minus exclude, path, workspace = true and renamed dependencies, a dev-dependency cycle accepted', async () => {
    const manifest = await loadManifest(fixture('cargo'))
    expect(graphOf(manifest)).toEqual({
      'shop-money': ['shop-core', 'shop-testkit'],
      'shop-testkit': ['shop-money'],
      'shop-core': [],
      api: ['shop-money', 'shop-testkit', 'shop-core'],
      ledger: ['shop-core', 'shop-testkit']
    })
    expect(notices(manifest)).toEqual([
      'crates/money/Cargo.toml:11:1: dependency cycle among inferred dependencies, accepted: shop-money -> shop-testkit -> shop-money (a change to any of them selects them all). ' +
        'shop-money -> shop-testkit at crates/money/Cargo.toml:11:1 ([dev-dependencies]); shop-testkit -> shop-money at crates/testkit/Cargo.toml:7:1 ([dependencies])'
    ])
  })

  test('Nx: implicitDependencies by name, tag and exclusion, package.json dependencies between projects, names as Nx gives them', async () => {
    const manifest = await loadManifest(fixture('nx'))
    expect(graphOf(manifest)).toEqual({ 'design-tokens': [], ui: [], analytics: [], storefront: ['design-tokens'], admin: ['ui', 'analytics'] })
  })

  test('Maven: modules followed down, dependencies by groupId:artifactId with ${project.groupId} and properties, not dependencyManagement', async () => {
    const manifest = await loadManifest(fixture('maven'))
    expect(graphOf(manifest)).toEqual({ money: [], testing: ['money'], orders: ['money'], catalog: ['testing'] })
  })

  test('Gradle: literal includes and projectDir, project(…) and projects.x in dependencies blocks; computed ones said and left out', async () => {
    const manifest = await loadManifest(fixture('gradle'))
    expect(graphOf(manifest)).toEqual({ money: ['testing'], testing: ['money'], orders: ['money', 'testing'], catalog: ['money'] })
    expect(manifest.libraries.testing.patterns).toEqual(['testing-support/**'])
    expect(notices(manifest).map((notice) => notice.replace(/: .*/s, ''))).toEqual(['settings.gradle.kts:13:1', 'services/catalog/build.gradle:10:20', 'libs/money/build.gradle.kts:8:24'])
  })

  test('Cargo: a root [patch] path stands in for a version-only dependency everywhere', async () => {
    const root = await repo({
      'Cargo.toml': '[workspace]\nmembers = ["services/*"]\n\n[patch.crates-io]\nshop-util = { path = "vendor/util" }\n',
      'vendor/util/Cargo.toml': '[package]\nname = "shop-util"\nversion = "1.0.0"\n',
      'services/api/Dockerfile': '',
      'services/api/Cargo.toml': '[package]\nname = "api"\n\n[dependencies]\nshop-util = "1"\nserde = "1"\n'
    })
    const manifest = await loadManifest(root)
    expect(graphOf(manifest)).toEqual({ 'shop-util': [], api: ['shop-util'] })
  })

  test('dev_dependencies: false leaves out devDependencies, dev-dependencies, test scope and test configurations', async () => {
    const withoutDev = async (tool: string, manifest: string) => {
      const root = await repo({})
      const { cp } = await import('node:fs/promises')
      await cp(fixture(tool), root, { recursive: true })
      const { writeFile } = await import('node:fs/promises')
      await writeFile(join(root, 'flotilla.yml'), manifest)
      return loadManifest(root)
    }
    const cargo = await withoutDev('cargo', yaml`
      version: 1
      workspaces: { dev_dependencies: false }
      services:
        api: { path: services/api }
        ledger: { path: services/ledger }
    `)
    expect(graphOf(cargo)).toEqual({ 'shop-money': ['shop-core'], 'shop-core': [], api: ['shop-money', 'shop-core'], ledger: ['shop-core'] })
    expect(cargo.notices).toBeUndefined()
    const gradle = await withoutDev('gradle', yaml`
      version: 1
      workspaces: { dev_dependencies: false }
      services:
        orders: { path: services/orders }
    `)
    expect(graphOf(gradle)).toEqual({ money: [], orders: ['money'] })
  })
})

describe('npm workspaces', () => {
  const pkg = (name: string, sections: Record<string, Record<string, string>> = {}) => JSON.stringify({ name, version: '1.0.0', ...sections }, null, 2)

  test('dependencies, devDependencies, optionalDependencies and peerDependencies are all edges', async () => {
    const root = await repo({
      'package.json': JSON.stringify({ workspaces: ['apps/*', 'packages/*'] }),
      'apps/web/Dockerfile': '',
      'apps/web/package.json': pkg('web', {
        dependencies: { run: '*', react: '^18' },
        devDependencies: { dev: '*' },
        optionalDependencies: { optional: '*' },
        peerDependencies: { peer: '*' }
      }),
      ...Object.fromEntries(['run', 'dev', 'optional', 'peer'].map((name) => [`packages/${name}/package.json`, pkg(name)]))
    })
    expect((await loadManifest(root)).services.web.dependsOn).toEqual(['run', 'dev', 'optional', 'peer'])
  })

  test('an inferred cycle is accepted and named once, with the package.json lines that make it', async () => {
    const root = await repo({
      'package.json': JSON.stringify({ workspaces: ['services/*'] }),
      'services/a/Dockerfile': '',
      'services/a/package.json': pkg('a', { dependencies: { b: '*' } }),
      'services/b/Dockerfile': '',
      'services/b/package.json': pkg('b', { devDependencies: { a: '*' } })
    })
    const manifest = await loadManifest(root)
    expect(graphOf(manifest)).toEqual({ a: ['b'], b: ['a'] })
    expect(notices(manifest)).toEqual([
      'services/a/package.json:5:5: dependency cycle among inferred dependencies, accepted: a -> b -> a (a change to any of them selects them all). ' +
        'a -> b at services/a/package.json:5:5 (dependencies); b -> a at services/b/package.json:5:5 (devDependencies)'
    ])
  })

  test('a cycle a hand-written depends_on closes with an inferred edge is accepted; one written wholly by hand is an error at its depends_on', async () => {
    const files = {
      'package.json': JSON.stringify({ workspaces: ['services/*'] }),
      'services/a/package.json': pkg('a', { dependencies: { b: '*' } }),
      'services/b/package.json': pkg('b')
    }
    const mixed = await repo({ ...files, 'flotilla.yml': yaml`
      version: 1
      services:
        a: { path: services/a }
        b: { path: services/b, depends_on: [a] }
    ` })
    expect(notices(await loadManifest(mixed))).toEqual([
      'services/a/package.json:5:5: dependency cycle among inferred dependencies, accepted: a -> b -> a (a change to any of them selects them all). ' +
        'a -> b at services/a/package.json:5:5 (dependencies); b -> a at flotilla.yml:4:39 (depends_on)'
    ])
    const declared = await repo({ ...files, 'flotilla.yml': yaml`
      version: 1
      services:
        a: { path: services/a, depends_on: [b] }
        b: { path: services/b, depends_on: [a] }
    ` })
    expect(await problemsOf(loadManifest(declared))).toEqual([
      { file: 'flotilla.yml', line: 3, column: 38, keyPath: 'services.a.depends_on', message: 'dependency cycle: a -> b -> a' }
    ])
  })

  test('an invalid package.json is a problem at its line and column', async () => {
    const root = await repo({
      'package.json': JSON.stringify({ workspaces: ['services/*'] }),
      'services/a/Dockerfile': '',
      'services/a/package.json': '{\n  "name": "a",\n  "dependencies": { "b": "*", }\n}\n'
    })
    expect(await problemsOf(loadManifest(root))).toEqual([
      { file: 'services/a/package.json', line: 3, column: 31, keyPath: '', message: 'not valid JSON (PropertyNameExpected); needed to infer workspace dependencies' }
    ])
  })

  test('nothing is read when every library and service declares depends_on', async () => {
    const root = await repo({
      'package.json': '{ not json',
      'services/a/package.json': '{ not json either',
      'flotilla.yml': yaml`
        version: 1
        services:
          a: { path: services/a, depends_on: [] }
      `
    })
    expect((await loadManifest(root)).services.a.dependsOn).toEqual([])
  })

  test('package.json files are read concurrently, a bounded number at a time', async () => {
    let reading = 0
    let most = 0
    const members = Array.from({ length: 100 }, (_, i) => `packages/p${i}`)
    const files: RepositoryFiles = {
      async read(path) {
        reading++
        most = Math.max(most, reading)
        await new Promise((resolve) => setImmediate(resolve))
        reading--
        if (path === 'package.json') return JSON.stringify({ workspaces: ['packages/*'] })
        const index = Number(/p(\d+)/.exec(path)?.[1])
        return Number.isNaN(index) ? undefined : JSON.stringify({ name: `p${index}`, dependencies: index > 0 ? { [`p${index - 1}`]: '*' } : {} })
      },
      async list(path) {
        return path === 'packages' ? { directories: members.map((member) => member.slice('packages/'.length)), files: [] } : { directories: [], files: [] }
      }
    }
    const result = await readNpmWorkspace({ files, starts: [] })
    expect(result.packages).toHaveLength(100)
    expect(result.packages[99].dependencies.map((dependency) => dependency.directory)).toEqual(['packages/p98'])
    expect(most).toBeGreaterThan(1)
    expect(most).toBeLessThanOrEqual(32)
  })
})

describe('containment', () => {
  test('a go.mod replace, a Cargo path or a Maven module leaving the repository is left out with a notice', async () => {
    const root = await repo({
      'services/api/Dockerfile': '',
      'services/api/go.mod': 'module example.com/api\n\nrequire example.com/evil v0.0.0\n\nreplace example.com/evil => ../../../outside\n',
      'services/api/Cargo.toml': '[package]\nname = "api"\n\n[dependencies]\nevil = { path = "../../../outside" }\n',
      'pom.xml': '<project><groupId>g</groupId><artifactId>root</artifactId><modules><module>../outside</module></modules></project>'
    })
    const manifest = await loadManifest(root)
    expect(manifest.services.api.dependsOn).toEqual([])
    expect(notices(manifest)).toEqual([
      'services/api/go.mod:5:9: replace example.com/evil => ../../../outside leads outside the repository; no dependency is inferred from it',
      'services/api/Cargo.toml:5:1: the path of "evil" leads outside the repository; no dependency is inferred from it',
      'pom.xml:1:68: module "../outside" leads outside the repository; left out'
    ])
  })

  test('a package.json reached through a symbolic link out of the repository is not read', async () => {
    const outside = await repo({ 'package.json': JSON.stringify({ name: 'secret', dependencies: { web: '*' } }) })
    const root = await repo({
      'package.json': JSON.stringify({ workspaces: ['apps/*', 'packages/*'] }),
      'apps/web/Dockerfile': '',
      'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { secret: '*' } }),
      'packages/linked/': ''
    })
    await symlink(join(outside, 'package.json'), join(root, 'packages/linked/package.json'))
    const manifest = await loadManifest(root)
    expect(manifest.services.web.dependsOn).toEqual([])
    expect(notices(manifest)).toEqual(['packages/linked/package.json:0:0: leads outside the repository through a symbolic link; not read'])
  })

  test('a workspace directory that is a symbolic link out of the repository is not listed', async () => {
    const outside = await repo({ 'secret/package.json': JSON.stringify({ name: 'secret' }) })
    const root = await repo({
      'package.json': JSON.stringify({ workspaces: ['apps/*', 'packages/*'] }),
      'apps/web/Dockerfile': '',
      'apps/web/package.json': JSON.stringify({ name: 'web', dependencies: { secret: '*' } })
    })
    await symlink(outside, join(root, 'packages'))
    const manifest = await loadManifest(root)
    expect(manifest.services.web.dependsOn).toEqual([])
    expect(notices(manifest)).toEqual(['packages:0:0: leads outside the repository through a symbolic link; not read'])
  })
})

describe('files that cannot be read as their tool reads them', () => {
  test('invalid TOML and XML are problems at their position; an XML entity declaration is refused', async () => {
    const root = await repo({
      'services/a/Dockerfile': '',
      'services/a/Cargo.toml': '[package]\nname = "a"\n[dependencies\n',
      'services/b/Dockerfile': '',
      'services/b/pom.xml': '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x "xx">]>\n<project/>\n',
      'services/c/Dockerfile': '',
      'services/c/pom.xml': '<project>\n  <artifactId>c</artifactId>\n</projec>\n'
    })
    const problems = await problemsOf(loadManifest(root))
    expect(problems.map((problem) => `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`)).toEqual([
      'services/a/Cargo.toml:3:14: not valid TOML (illegal character in key); needed to infer Cargo dependencies',
      expect.stringMatching(/^services\/b\/pom\.xml:2:\d+: not valid XML \(entity declarations are refused/),
      expect.stringMatching(/^services\/c\/pom\.xml:3:\d+: not valid XML \(.*\); needed to infer Maven module dependencies$/)
    ])
  })
})

describe('readers of the line grammars', () => {
  test('go.mod and go.work: single directives, blocks, comments and quoted paths', () => {
    const directives = readGoDirectives(['module "example.com/a" // the module', '', 'require (', '\texample.com/b v1.0.0 // indirect', '\t`example.com/c` v0.1.0', ')', 'replace example.com/b v1.0.0 => ../b', 'use ./x'].join('\n'))
    expect(directives).toEqual([
      { verb: 'module', args: ['example.com/a'], line: 1, column: 8 },
      { verb: 'require', args: ['example.com/b', 'v1.0.0'], line: 4, column: 2 },
      { verb: 'require', args: ['example.com/c', 'v0.1.0'], line: 5, column: 2 },
      { verb: 'replace', args: ['example.com/b', 'v1.0.0', '=>', '../b'], line: 7, column: 9 },
      { verb: 'use', args: ['./x'], line: 8, column: 5 }
    ])
  })

  test('Gradle settings: Groovy and Kotlin includes, parents included, projectDir forms, computed ones noted', () => {
    const settings = readGradleSettings(
      [
        "include ':app', 'libs:core' // a comment with include(':nope')",
        '/* include(":commented") */',
        'include(":tools:lint")',
        "project(':app').projectDir = new File(settingsDir, 'application')",
        'project(":tools:lint").projectDir = file(someDir)',
        'includeFlat("sibling")',
        'listOf("x").forEach { include(it) }'
      ].join('\n'),
      'settings.gradle'
    )
    expect(Object.fromEntries(settings.projects)).toEqual({ ':app': 'application', ':libs': 'libs', ':libs:core': 'libs/core', ':tools': 'tools', ':tools:lint': 'tools/lint' })
    expect(settings.notices.map((notice) => `${notice.line}:${notice.column}: ${notice.message}`)).toEqual([
      '5:1: a projectDir that is computed is not statically readable; that project keeps its default directory',
      "6:13: includeFlat 'sibling' is a directory beside the repository; left out",
      '7:23: include with computed arguments is not statically readable; those projects are left out'
    ])
  })

  test('Gradle builds: project references by configuration, named paths, accessors, nested blocks; buildscript and strings ignored', () => {
    const references = readGradleBuild(
      [
        'buildscript { dependencies { classpath(project(":ignored")) } }',
        'dependencies {',
        '    implementation(project(":a")) { exclude(group = "x") }',
        "    testImplementation project(path: ':b', configuration: 'testFixtures')",
        '    api(',
        '        project(":c")',
        '    )',
        '    "implementation"("not a project(\\":d\\")")',
        '    androidTestImplementation(projects.featureFlags.core)',
        '    implementation(project("$name"))',
        '}',
        'kotlin { sourceSets { commonMain.dependencies { implementation(project(":shared")) } } }'
      ].join('\n')
    )
    expect(references.map(({ path, accessor, configuration }) => ({ path, accessor, configuration }))).toEqual([
      { path: ':a', accessor: undefined, configuration: 'implementation' },
      { path: ':b', accessor: undefined, configuration: 'testImplementation' },
      { path: ':c', accessor: undefined, configuration: 'api' },
      { path: undefined, accessor: 'featureFlags.core', configuration: 'androidTestImplementation' },
      { path: undefined, accessor: undefined, configuration: 'implementation' },
      { path: ':shared', accessor: undefined, configuration: 'implementation' }
    ])
  })

  test('positions in TOML and JSON files, where no parser keeps them', () => {
    const toml = '[package]\nname = "a"\n\n[target.\'cfg(unix)\'.dependencies]\n"b" = { path = "../b" }\n\n[dev-dependencies.c]\npath = "../c"\n'
    expect(tomlKeyPosition(toml, 'target.cfg(unix).dependencies', 'b')).toEqual({ line: 5, column: 1 })
    expect(tomlKeyPosition(toml, 'dev-dependencies', 'c')).toEqual({ line: 7, column: 1 })
    const json = '{\n  "description": "uses \\"b\\" and devDependencies",\n  "devDependencies": {\n    "a": "1",\n    "b": "*"\n  },\n  "implicitDependencies": ["b"]\n}\n'
    const locate = jsonLocator(json)
    expect(locate('devDependencies', 'b')).toEqual({ line: 5, column: 5 })
    expect(locate('implicitDependencies', 'b', false)).toEqual({ line: 7, column: 28 })
    expect(locate('dependencies', 'b')).toEqual({ line: 1, column: 1 })
  })
})
