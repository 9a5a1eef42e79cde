import { afterEach, describe, expect, test } from '@jest/globals'
import { symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { ManifestError, MAX_MANIFEST_FILE_BYTES, loadManifest, validateManifestText } from '../../../shared/src/config/index.js'
import { makeRepo, problemsOf, removeRepo, yaml } from './repo.js'

const roots: string[] = []
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeRepo))
})

async function repo(files: Record<string, string> = {}): Promise<string> {
  const root = await makeRepo(files)
  roots.push(root)
  return root
}

/** Validate `text` as flotilla.yml of a repository holding `files`. */
async function validate(text: string, files: Record<string, string> = { 'src/cart/': '' }) {
  return validateManifestText(text, 'flotilla.yml', await repo(files))
}

describe('a valid manifest', () => {
  test('is loaded with every default filled in and paths normalised', async () => {
    const root = await repo({ 'src/cart/': '', 'src/catalog/': '', 'protos/': '', 'flotilla.yml': yaml`
      version: 1
      registry: GHCR.io/Acme
      global: [".github/workflows/**", "./docker-compose.yml"]
      libraries:
        protos: { path: protos/ }
      services:
        cart:
          path: ./src/cart/
          paths: ["!./src/cart/**/*.md", "shared/cart-config.json"]
          depends_on: [protos, catalog]
          test: { command: ["npm", "test"] }
          deploy:
            staging: { target: gitops, repo: acme/deploy, file: envs/staging/kustomization.yaml }
            production: { target: kubernetes, namespace: shop }
        catalog:
          path: src/catalog
          image: { name: registry.example.com/team/catalog, context: ., dockerfile: src/catalog/Dockerfile.prod, build_args: { NODE: 20, DEBUG: true }, platforms: [linux/amd64, linux/arm64], target: runtime }
          test: { command: "make test | tee log", shell: true, reports: ["reports/*.xml"], timeout: 1h30m, retries: 2, env: { CI: "1" } }
      environments:
        staging: { url: "https://staging.example.com" }
        production: { requires: [staging], gate: { soak: 10m } }
    ` })

    const manifest = await loadManifest(root)

    expect(manifest).toEqual({
      version: 1,
      source: 'flotilla.yml',
      registry: 'GHCR.io/Acme',
      global: ['.github/workflows/**', 'docker-compose.yml'],
      libraries: { protos: { name: 'protos', patterns: ['protos/**'], dependsOn: [] } },
      services: {
        cart: {
          name: 'cart',
          path: 'src/cart',
          patterns: ['src/cart/**', '!src/cart/**/*.md', 'shared/cart-config.json'],
          dependsOn: ['protos', 'catalog'],
          image: { name: 'ghcr.io/acme/cart', context: 'src/cart', dockerfile: 'src/cart/Dockerfile', buildArgs: {}, platforms: ['linux/amd64'] },
          test: { command: ['npm', 'test'], shell: false, reports: [], timeoutSeconds: 600, retries: 0, env: {} },
          deploy: {
            staging: { target: 'gitops', repo: 'acme/deploy', file: 'envs/staging/kustomization.yaml' },
            production: { target: 'kubernetes', namespace: 'shop' }
          }
        },
        catalog: {
          name: 'catalog',
          path: 'src/catalog',
          patterns: ['src/catalog/**'],
          dependsOn: [],
          image: {
            name: 'registry.example.com/team/catalog',
            context: '.',
            dockerfile: 'src/catalog/Dockerfile.prod',
            buildArgs: { NODE: '20', DEBUG: 'true' },
            platforms: ['linux/amd64', 'linux/arm64'],
            target: 'runtime'
          },
          test: { command: ['make test | tee log'], shell: true, reports: ['reports/*.xml'], timeoutSeconds: 5400, retries: 2, env: { CI: '1' } },
          deploy: {}
        }
      },
      environments: {
        staging: { name: 'staging', requires: [], production: false, transient: false, url: 'https://staging.example.com' },
        production: { name: 'production', requires: ['staging'], production: true, transient: false, gate: { soak: '10m' } }
      }
    })
  })

  test('adds environments named only under deploy, production by name unless told otherwise', async () => {
    const manifest = await validate(yaml`
      version: 1
      services:
        cart:
          path: src/cart
          deploy:
            qa: { target: command }
            prod: { target: docker }
            production: { target: docker }
      environments:
        production: { production: false }
    `)
    expect(manifest.environments).toEqual({
      production: { name: 'production', requires: [], production: false, transient: false },
      qa: { name: 'qa', requires: [], production: false, transient: false },
      prod: { name: 'prod', requires: [], production: true, transient: false }
    })
  })

  test('names images after the service alone when there is no registry, and owns everything for a root service', async () => {
    const manifest = await validate('version: 1\nservices:\n  site: { path: . }\n')
    expect(manifest.services.site.image).toMatchObject({ name: 'site', context: '.', dockerfile: 'Dockerfile' })
    expect(manifest.services.site.patterns).toEqual(['**'])
  })

  test('accepts durations as seconds or with h/m/s units', async () => {
    const timeouts = await Promise.all(
      ['45', '90s', '10m', '1h30m', '2h'].map(async (timeout) => {
        const manifest = await validate(`version: 1\nservices:\n  cart: { path: src/cart, test: { command: [make], timeout: ${timeout} } }\n`)
        return manifest.services.cart.test?.timeoutSeconds
      })
    )
    expect(timeouts).toEqual([45, 90, 600, 5400, 7200])
  })

  test('follows YAML aliases for shared values', async () => {
    const manifest = await validate(yaml`
      version: 1
      services:
        cart: { path: src/cart, test: &tests { command: [npm, test], retries: 1 } }
        shop: { path: src/shop, test: *tests }
    `, { 'src/cart/': '', 'src/shop/': '' })
    expect(manifest.services.shop.test).toEqual(manifest.services.cart.test)
    expect(manifest.services.shop.test?.retries).toBe(1)
  })

  test('treats names and keys that JavaScript objects also carry as plain data', async () => {
    const manifest = await validate(yaml`
      version: 1
      services:
        constructor:
          path: src/cart
          image: { build_args: { __proto__: polluted } }
          deploy: { constructor: { target: command } }
    `)
    expect(Object.keys(manifest.services)).toEqual(['constructor'])
    expect(Object.entries(Object.values(manifest.services)[0].image.buildArgs)).toEqual([['__proto__', 'polluted']])
    expect(Object.values(manifest.environments)).toEqual([{ name: 'constructor', requires: [], production: false, transient: false }])
  })

  test('accepts image names with capitals in the registry host, ports and nested paths, and service names with every separator', async () => {
    const manifest = await validate(yaml`
      version: 1
      registry: GHCR.io:443/Acme/Shop
      services:
        a.b: { path: src/cart, image: { name: Ghcr.io/acme/cart } }
        x__y: { path: src/cart, image: { name: "localhost:5000/team/api" } }
        web--api: { path: src/cart, image: { name: "[::1]:5000/a/b__c/d-e.f" } }
        "0": { path: src/cart }
    `)
    expect(Object.fromEntries(Object.values(manifest.services).map((service) => [service.name, service.image.name]))).toEqual({
      'a.b': 'Ghcr.io/acme/cart',
      x__y: 'localhost:5000/team/api',
      'web--api': '[::1]:5000/a/b__c/d-e.f',
      0: 'ghcr.io:443/acme/shop/0'
    })
  })

  test('shares deploy targets and gates through aliases, each a copy of its own', async () => {
    const manifest = await validate(yaml`
      version: 1
      services:
        cart:
          path: src/cart
          deploy: { staging: &deploy { target: gitops, repo: acme/deploy, files: [a.yaml, b.yaml] } }
        shop: { path: src/cart, deploy: { staging: *deploy } }
      environments:
        staging: { gate: &gate { soak: 10m } }
        production: { requires: [staging], gate: *gate }
    `)
    expect(manifest.services.shop.deploy.staging).toEqual({ target: 'gitops', repo: 'acme/deploy', files: ['a.yaml', 'b.yaml'] })
    expect(manifest.services.shop.deploy.staging).not.toBe(manifest.services.cart.deploy.staging)
    expect(manifest.environments.production.gate).toEqual({ soak: '10m' })
  })

  test('a manifest of exactly the size limit is read', async () => {
    const text = 'version: 1\nservices: { cart: { path: src/cart } }\n'
    const root = await repo({ 'src/cart/': '', 'flotilla.yml': text + '#'.repeat(MAX_MANIFEST_FILE_BYTES - text.length - 1) + '\n' })
    expect(Object.keys((await loadManifest(root)).services)).toEqual(['cart'])
  })

  test('is found as flotilla.yaml, or at the file given', async () => {
    const root = await repo({ 'src/cart/': '', 'flotilla.yaml': 'version: 1\nservices: { cart: { path: src/cart } }\n', 'ci/fleet.yml': 'version: 1\n' })
    expect((await loadManifest(root)).source).toBe('flotilla.yaml')
    expect((await loadManifest(root, { file: 'ci/fleet.yml' })).source).toBe('ci/fleet.yml')
    expect(await problemsOf(loadManifest(root, { file: 'ci/missing.yml' }))).toEqual([
      { file: 'ci/missing.yml', line: 0, column: 0, keyPath: '', message: 'manifest file not found' }
    ])
  })
})

describe('problems', () => {
  test('an unknown key is located at the key, with a suggestion when one is close', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      services:
        cart:
          path: src/cart
          depnds_on: []
          dependsOn: []
          colour: blue
    `))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 5, column: 5, keyPath: 'services.cart.depnds_on', message: 'unknown key "depnds_on" (did you mean "depends_on"?)' },
      { file: 'flotilla.yml', line: 6, column: 5, keyPath: 'services.cart.dependsOn', message: 'unknown key "dependsOn" (did you mean "depends_on"?)' },
      { file: 'flotilla.yml', line: 7, column: 5, keyPath: 'services.cart.colour', message: 'unknown key "colour"' }
    ])
  })

  test('a wrong type is located at the value and says what was expected', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      global: docker-compose.yml
      services:
        cart:
          path: src/cart
          test: { command: [npm, test], retries: two, timeout: 10 minutes }
    `))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 2, column: 9, keyPath: 'global', message: 'expected a list of strings, got the string "docker-compose.yml"' },
      { file: 'flotilla.yml', line: 6, column: 44, keyPath: 'services.cart.test.retries', message: 'expected a whole number of 0 or more, got the string "two"' },
      {
        file: 'flotilla.yml',
        line: 6,
        column: 58,
        keyPath: 'services.cart.test.timeout',
        message: 'expected a duration such as 90s, 10m or 1h30m (or a number of seconds), got the string "10 minutes"'
      }
    ])
  })

  test('a missing required key is located at the mapping that lacks it', async () => {
    const problems = await problemsOf(validate('services:\n  cart:\n    paths: [src/cart/**]\n'))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 1, column: 1, keyPath: '', message: 'missing required key "version"' },
      { file: 'flotilla.yml', line: 2, column: 3, keyPath: 'services.cart', message: 'missing required key "path"' }
    ])
  })

  test('a version other than 1 is refused', async () => {
    const problems = await problemsOf(validate('version: 2\n'))
    expect(problems).toEqual([{ file: 'flotilla.yml', line: 1, column: 10, keyPath: 'version', message: 'unsupported version 2; the only version is 1' }])
  })

  test('a service path that is not a directory in the repository', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      services:
        cart: { path: src/cart }
        shop: { path: src/shop }
        notes: { path: README.md }
    `, { 'src/cart/': '', 'README.md': '# hi' }))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 4, column: 17, keyPath: 'services.shop.path', message: 'directory "src/shop" does not exist' },
      { file: 'flotilla.yml', line: 5, column: 18, keyPath: 'services.notes.path', message: '"README.md" is not a directory' }
    ])
  })

  test('a path or pattern that escapes the repository, wherever it is written', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      global: ["../shared/**"]
      libraries:
        protos: { path: /etc }
      services:
        cart:
          path: src/cart
          paths: ["!src/../../secrets/**"]
          image: { context: src/.., dockerfile: ../Dockerfile }
          test: { command: [make], reports: ["../../../junit.xml"] }
        shop:
          path: src/cart
          image: { context: "../.." }
    `))
    expect(problems.map(({ line, column, keyPath, message }) => ({ line, column, keyPath, message }))).toEqual([
      { line: 2, column: 10, keyPath: 'global[0]', message: '"../shared/**" escapes the repository' },
      { line: 4, column: 19, keyPath: 'libraries.protos.path', message: '"/etc" is absolute; paths are relative to the repository root' },
      { line: 8, column: 13, keyPath: 'services.cart.paths[0]', message: '"src/../../secrets/**" escapes the repository' },
      { line: 9, column: 43, keyPath: 'services.cart.image.dockerfile', message: '"../Dockerfile" escapes the repository (it is relative to the build context ".")' },
      { line: 10, column: 40, keyPath: 'services.cart.test.reports[0]', message: '"../../../junit.xml" escapes the repository (report patterns are relative to the service path "src/cart")' },
      { line: 13, column: 23, keyPath: 'services.shop.image.context', message: '"../.." escapes the repository' }
    ])
  })

  test('a service directory that is a symbolic link out of the repository', async () => {
    const outside = await repo({ 'elsewhere/': '' })
    const root = await repo({ 'flotilla.yml': 'version: 1\nservices:\n  cart: { path: src/cart }\n', 'src/': '' })
    await symlink(join(outside, 'elsewhere'), join(root, 'src/cart'))
    const problems = await problemsOf(loadManifest(root))
    expect(problems).toEqual([
      {
        file: 'flotilla.yml',
        line: 3,
        column: 17,
        keyPath: 'services.cart.path',
        message: `"src/cart" leads outside the repository through the symbolic link src/cart (pointing to ${join(outside, 'elsewhere')})`
      }
    ])
  })

  test('a report directory, a build context or a Dockerfile behind a link out, and a linked flotilla.yml', async () => {
    const outside = await repo({ 'elsewhere/Dockerfile': 'FROM scratch\n', 'flotilla.yml': 'version: 1\n' })
    const root = await repo({
      'flotilla.yml': yaml`
        version: 1
        services:
          cart:
            path: src/cart
            image: { context: src/cart/ctx }
            test: { command: [make], reports: ["reports/**/*.xml", "!reports/old/*.xml", "out/junit.xml"] }
      `,
      'src/cart/': ''
    })
    const away = join(outside, 'elsewhere')
    await symlink(away, join(root, 'src/cart/reports'))
    await symlink(away, join(root, 'src/cart/out'))
    await symlink(away, join(root, 'src/cart/ctx'))
    const through = (link: string) => `through the symbolic link ${link} (pointing to ${away})`
    expect((await problemsOf(loadManifest(root))).map(({ line, keyPath, message }) => ({ line, keyPath, message }))).toEqual([
      { line: 5, keyPath: 'services.cart.image.context', message: `"src/cart/ctx" leads outside the repository ${through('src/cart/ctx')}` },
      { line: 6, keyPath: 'services.cart.test.reports[0]', message: `"src/cart/reports" leads outside the repository ${through('src/cart/reports')}` },
      { line: 6, keyPath: 'services.cart.test.reports[2]', message: `"src/cart/out" leads outside the repository ${through('src/cart/out')}` }
    ])

    const linkedManifest = await repo({ 'src/cart/': '' })
    await symlink(join(outside, 'flotilla.yml'), join(linkedManifest, 'flotilla.yml'))
    expect(await problemsOf(loadManifest(linkedManifest))).toEqual([
      expect.objectContaining({ file: 'flotilla.yml', message: `"flotilla.yml" leads outside the repository through the symbolic link flotilla.yml (pointing to ${join(outside, 'flotilla.yml')})` })
    ])
  })

  test('a context and Dockerfile behind links that stay inside become the real paths', async () => {
    const root = await repo({
      'flotilla.yml': 'version: 1\nservices:\n  cart: { path: src/cart, image: { context: build, dockerfile: Dockerfile.link } }\n',
      'src/cart/': '',
      'shared/cart/Dockerfile': 'FROM scratch\n'
    })
    await symlink('shared/cart', join(root, 'build'))
    await symlink('Dockerfile', join(root, 'shared/cart/Dockerfile.link'))
    const manifest = await loadManifest(root)
    expect(manifest.services.cart.image).toMatchObject({ context: 'shared/cart', dockerfile: 'shared/cart/Dockerfile' })
  })

  test('a YAML syntax error is reported at its position, before any schema check', async () => {
    const problems = await problemsOf(validate('version: 1\nservices:\n  cart: { path: src/cart\n  shop: {}\n'))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ file: 'flotilla.yml', line: 4, column: 3, keyPath: '' })
    expect(problems[0].message).toMatch(/^YAML syntax error: /)
  })

  test('a duplicate key is a syntax error at the second occurrence', async () => {
    const problems = await problemsOf(validate('version: 1\nservices: {}\nservices: {}\n'))
    expect(problems).toEqual([{ file: 'flotilla.yml', line: 3, column: 1, keyPath: '', message: 'YAML syntax error: Map keys must be unique' }])
  })

  test('a YAML alias bomb fails at once with a clear message', async () => {
    const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']
    const bomb = [
      'version: 1',
      'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
      ...levels.slice(1).map((level, i) => `${level}: &${level} [${Array(9).fill(`*${levels[i]}`).join(', ')}]`)
    ].join('\n')
    const problems = await problemsOf(validate(bomb))
    // 102 nodes are written; the first *e (66,430 nodes) takes the expanded count past 100,000.
    expect(problems).toEqual([
      {
        file: 'flotilla.yml',
        line: 7,
        column: 8,
        keyPath: '',
        message:
          'YAML aliases expand this document to more than 100000 nodes (10 times the 102 written, at least 100000); ' +
          'refusing a document that looks like an alias bomb ("billion laughs")'
      }
    ])
  })

  test('a manifest one byte over the size limit is refused with its size and the limit, by whatever name it is given', async () => {
    const root = await repo({ 'src/cart/': '', 'ci/fleet.yml': 'version: 1\n' + '#'.repeat(MAX_MANIFEST_FILE_BYTES - 11) + '\n' })
    expect(await problemsOf(loadManifest(root, { file: 'ci/fleet.yml' }))).toEqual([
      {
        file: 'ci/fleet.yml',
        line: 0,
        column: 0,
        keyPath: '',
        message: 'the file is 4.0 MiB (4194305 bytes), over the 4 MiB limit (4194304 bytes) for manifest and workspace files; refusing to read it'
      }
    ])
  })

  test('an alias that names no anchor before it, and an alias inside the value it names', async () => {
    const problems = await problemsOf(validate('version: 1\nglobal: [*later]\nservices: &s { cart: { path: src/cart, paths: *s } }\n'))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 2, column: 10, keyPath: '', message: 'YAML alias *later names no anchor before it (write &later on an earlier value)' },
      { file: 'flotilla.yml', line: 3, column: 47, keyPath: '', message: 'YAML alias *s refers to the value that holds it; a value cannot contain itself' }
    ])
  })

  test('aliases that nest values deeper than the walkers can follow', async () => {
    // A chain of 1,200 anchors, each a list holding the one before; 80,000 written list items keep
    // its expanded size (about 725,000 nodes) under ten times what is written.
    const chain = Array.from({ length: 1200 }, (_, i) => `a${i}: &a${i} [${i === 0 ? 'x' : `*a${i - 1}`}]`)
    const padding = `global: [${Array(80_000).fill('p').join(',')}]`
    const problems = await problemsOf(validate(['version: 1', padding, ...chain, ''].join('\n')))
    // a997's alias, written 3 levels deep, names a list 998 levels deep.
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 1000, column: 14, keyPath: '', message: 'YAML aliases nest values more than 1000 levels deep; refusing the document' }
    ])
  })

  test('depends_on naming an unknown library or service, with a suggestion', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      libraries:
        protos: { paths: ["protos/**"] }
      services:
        cart: { path: src/cart, depends_on: [protso, payments] }
    `))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 5, column: 40, keyPath: 'services.cart.depends_on[0]', message: 'unknown library or service "protso" (did you mean "protos"?)' },
      { file: 'flotilla.yml', line: 5, column: 48, keyPath: 'services.cart.depends_on[1]', message: 'unknown library or service "payments"' }
    ])
  })

  test('a dependency cycle names every step of it', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      libraries:
        protos: { paths: ["protos/**"], depends_on: [cart] }
      services:
        cart: { path: src/cart, depends_on: [shop] }
        shop: { path: src/shop, depends_on: [protos] }
    `, { 'src/cart/': '', 'src/shop/': '' }))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 3, column: 47, keyPath: 'libraries.protos.depends_on', message: 'dependency cycle: protos -> cart -> shop -> protos' }
    ])
  })

  test('a name used for both a library and a service', async () => {
    const problems = await problemsOf(validate('version: 1\nlibraries:\n  cart: {}\nservices:\n  cart: { path: src/cart }\n'))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 5, column: 3, keyPath: 'services.cart', message: '"cart" is both a library and a service; a name may be only one of them' }
    ])
  })

  test('names that cannot become image names', async () => {
    const problems = await problemsOf(validate('version: 1\nservices:\n  Cart: { path: src/cart }\n  _cart: { path: src/cart }\n'))
    expect(problems.map((problem) => [problem.line, problem.column, problem.keyPath])).toEqual([
      [3, 3, 'services.Cart'],
      [4, 3, 'services._cart']
    ])
    expect(problems[0].message).toBe(
      '"Cart" is not a valid service name: it has capital letters; a service name becomes its image\'s name (<registry>/<service>): ' +
        'lowercase letters and digits, separated by ".", "_", "__" or dashes'
    )
    expect(problems[1].message).toMatch(/^"_cart" is not a valid service name: it starts with "_"; /)
  })

  test('requires naming an unknown environment, and an environment cycle', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      environments:
        staging: { requires: [qa] }
        qa: { requires: [production] }
        production: { requires: [stagin, staging] }
    `))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 3, column: 24, keyPath: 'environments.staging.requires', message: 'environment cycle: staging -> qa -> production -> staging' },
      { file: 'flotilla.yml', line: 5, column: 28, keyPath: 'environments.production.requires[0]', message: 'unknown environment "stagin" (did you mean "staging"?)' }
    ])
  })

  test('a test command string without shell: true, and an argv array with it', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      services:
        cart: { path: src/cart, test: { command: "npm test" } }
        shop: { path: src/cart, test: { command: [npm, test], shell: true } }
    `))
    expect(problems).toEqual([
      {
        file: 'flotilla.yml',
        line: 3,
        column: 44,
        keyPath: 'services.cart.test.command',
        message: 'a command string needs `shell: true`; otherwise write it as an argv array, e.g. ["npm", "test"]'
      },
      { file: 'flotilla.yml', line: 4, column: 44, keyPath: 'services.shop.test.command', message: 'with `shell: true` the command is one string for `sh -c`' }
    ])
  })

  test('a deploy target is required and must be a known one; its other keys are left to the deploy stage', async () => {
    const problems = await problemsOf(validate(yaml`
      version: 1
      services:
        cart:
          path: src/cart
          deploy:
            staging: { target: gitop, anything: [1, 2] }
            production: { repo: acme/deploy }
    `))
    expect(problems).toEqual([
      { file: 'flotilla.yml', line: 6, column: 26, keyPath: 'services.cart.deploy.staging.target', message: '"gitop" is not one of gitops, docker, kubernetes, command (did you mean "gitops"?)' },
      { file: 'flotilla.yml', line: 7, column: 7, keyPath: 'services.cart.deploy.production', message: 'missing required key "target"' }
    ])
  })

  test('every problem in the file is reported in one error, one formatted line each', async () => {
    const loading = validate(yaml`
      version: 1
      registry: https://ghcr.io/acme
      services:
        cart:
          path: src/missing
          depends_on: [cart]
          imag: {}
      environments:
        production: { requires: [staging] }
    `)
    const error = await loading.then(() => undefined, (caught: unknown) => caught)
    expect(error).toBeInstanceOf(ManifestError)
    expect((error as ManifestError).message.split('\n')).toEqual([
      'flotilla.yml:2:11: registry: "https://ghcr.io/acme" is not a registry host and optional path, e.g. ghcr.io/acme: it starts with the scheme "https://"; write the host and path alone',
      'flotilla.yml:5:11: services.cart.path: directory "src/missing" does not exist',
      'flotilla.yml:6:17: services.cart.depends_on: dependency cycle: cart -> cart',
      'flotilla.yml:7:5: services.cart.imag: unknown key "imag" (did you mean "image"?)',
      'flotilla.yml:9:28: environments.production.requires[0]: unknown environment "staging"'
    ])
  })
})
