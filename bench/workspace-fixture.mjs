// Generates a JavaScript monorepo shaped like the large ones teams run: one npm workspace of
// `apps/*` (services, each with a Dockerfile) and `packages/*` (libraries), depending on each other
// through `dependencies`, `devDependencies`, `optionalDependencies` and `peerDependencies`, with
// the devDependency cycles real tool chains have: every package is tested with `@acme/test-utils`,
// which is built from packages that are themselves tested with it, and a compiler whose tests use
// a bundler that is built with that compiler. Pure and deterministic for a seed: the test suite
// and the benchmark write the same files.

/** Libraries every package uses in development; `test-utils` is built from some of the core ones. */
const TOOLING = ['tsconfig', 'eslint-config', 'test-utils']
const CORE = ['core', 'logger', 'config', 'errors', 'fixtures', 'types']
const CHAIN = ['compiler', 'bundler', 'plugin-api']
const AREAS = ['ui', 'data', 'auth', 'billing', 'search', 'media', 'i18n', 'metrics', 'forms', 'routing', 'cache', 'queue']

/** A small, well-known PRNG (mulberry32): the same seed gives the same repository everywhere. */
function random(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The workspace as data and as files.
 * `packages`: every package (apps included) with its directory and the workspace packages each
 * section names; `files`: repository path → content, ready to write or commit.
 */
export function workspaceFixture({ packages: total = 150, apps: appCount = 12, seed = 13, scope = '@acme' } = {}) {
  const next = random(seed)
  const pick = (list) => list[Math.floor(next() * list.length)]
  const libraryCount = total - appCount
  const libraryNames = [...TOOLING, ...CORE, ...CHAIN]
  for (let i = 0; libraryNames.length < libraryCount; i++) libraryNames.push(`${AREAS[i % AREAS.length]}-${Math.floor(i / AREAS.length) + 1}`)
  libraryNames.length = libraryCount

  const full = (name) => `${scope}/${name}`
  const libraries = libraryNames.map((name) => ({
    name: full(name),
    short: name,
    directory: `packages/${name}`,
    app: false,
    dependencies: [],
    devDependencies: [],
    optionalDependencies: [],
    peerDependencies: []
  }))
  const byShort = new Map(libraries.map((pkg) => [pkg.short, pkg]))
  const add = (pkg, section, target) => {
    if (target !== pkg.name && !pkg[section].includes(target)) pkg[section].push(target)
  }

  // Run-time dependencies only point to earlier libraries: that part of the graph is acyclic.
  libraries.forEach((pkg, index) => {
    const earlier = libraries.slice(TOOLING.length, index).filter((candidate) => !TOOLING.includes(candidate.short))
    if (CORE.includes(pkg.short) || earlier.length === 0) return
    const count = 1 + Math.floor(next() * 3)
    for (let k = 0; k < count; k++) add(pkg, 'dependencies', pick(earlier).name)
  })
  byShort.get('test-utils').dependencies.push(full('core'), full('fixtures'))
  // The compiler's tests run the bundler, which is built with the compiler and its plugin API.
  add(byShort.get('bundler'), 'dependencies', full('compiler'))
  add(byShort.get('plugin-api'), 'dependencies', full('bundler'))
  add(byShort.get('compiler'), 'devDependencies', full('plugin-api'))
  for (const pkg of libraries) {
    if (pkg.short === 'tsconfig') continue
    add(pkg, 'devDependencies', full('tsconfig'))
    if (pkg.short !== 'eslint-config') add(pkg, 'devDependencies', full('eslint-config'))
    // Core packages and a third of the others are tested with the shared test utilities.
    if (CORE.includes(pkg.short) || (!TOOLING.includes(pkg.short) && next() < 0.34)) add(pkg, 'devDependencies', full('test-utils'))
  }
  // UI areas take the design tokens as a peer; some packages use native bindings when present.
  for (const pkg of libraries) {
    if (pkg.short.startsWith('ui-') && pkg.short !== 'ui-1') add(pkg, 'peerDependencies', full('ui-1'))
    if (pkg.short.startsWith('media-')) add(pkg, 'optionalDependencies', full('core'))
  }

  const apps = Array.from({ length: appCount }, (_, i) => {
    const short = `app-${String(i + 1).padStart(2, '0')}`
    const app = { name: full(short), short, directory: `apps/${short}`, app: true, dependencies: [], devDependencies: [], optionalDependencies: [], peerDependencies: [] }
    const areas = libraries.filter((pkg) => !TOOLING.includes(pkg.short) && !CHAIN.includes(pkg.short))
    const count = 2 + Math.floor(next() * 4)
    for (let k = 0; k < count; k++) add(app, 'dependencies', pick(areas).name)
    add(app, 'devDependencies', full('tsconfig'))
    if (i % 3 === 0) add(app, 'devDependencies', full('test-utils'))
    if (i % 4 === 1) add(app, 'devDependencies', full('bundler'))
    return app
  })

  const all = [...apps, ...libraries]
  const files = {
    'package.json': json({ name: `${scope}/monorepo`, private: true, workspaces: ['apps/*', 'packages/*'], devDependencies: { typescript: '^5.9.3' } }),
    'package-lock.json': json({ name: `${scope}/monorepo`, lockfileVersion: 3, requires: true, packages: {} }),
    '.gitignore': 'node_modules/\ndist/\n'
  }
  for (const pkg of all) {
    const external = pkg.app ? { express: '^4.21.0' } : pkg.short.startsWith('ui-') ? { react: '^18.3.1' } : {}
    const section = (names, extra = {}) => ({ ...extra, ...Object.fromEntries(names.map((name) => [name, 'workspace:*'])) })
    const manifest = {
      name: pkg.name,
      version: '1.0.0',
      private: pkg.app,
      type: 'module',
      main: 'dist/index.js',
      scripts: { build: 'tsc -b', test: 'node --test', lint: 'eslint src' },
      dependencies: section(pkg.dependencies, external),
      devDependencies: section(pkg.devDependencies, { typescript: '^5.9.3' })
    }
    if (pkg.optionalDependencies.length > 0) manifest.optionalDependencies = section(pkg.optionalDependencies)
    if (pkg.peerDependencies.length > 0) manifest.peerDependencies = section(pkg.peerDependencies, pkg.short.startsWith('ui-') ? { react: '>=18' } : {})
    files[`${pkg.directory}/package.json`] = json(manifest)
    files[`${pkg.directory}/src/index.ts`] = `export const name = ${JSON.stringify(pkg.name)}\n`
    if (pkg.app) files[`${pkg.directory}/Dockerfile`] = `FROM node:22-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/index.js"]\n`
  }
  return {
    files,
    packages: all.map(({ name, directory, app, dependencies, devDependencies, optionalDependencies, peerDependencies }) => ({
      name,
      directory,
      app,
      dependencies,
      devDependencies,
      optionalDependencies,
      peerDependencies
    }))
  }
}

function json(value) {
  return `${JSON.stringify(value, null, 2)}\n`
}
