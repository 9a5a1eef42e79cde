// Generates the benchmark monorepo: 2,000 services and 20 libraries in a real git repository with
// two commits, the second changing 50,000 files spread over services, libraries and unowned paths.
// The repository, the manifest as the plan sees it and the exact change list are kept under
// `.bench/` and reused while FIXTURE_VERSION is unchanged.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { stringify } from 'yaml'

const FIXTURE_VERSION = 1
const SERVICES = 2000
const LIBRARIES = 20
const CHANGED_FILES = 50_000
const MODIFIED_SERVICES = 1000 // services whose main.go changes
const GROWING_SERVICES = 1200 // services that gain 35 files each
const FILES_PER_GROWING_SERVICE = 35
const CHANGED_LIBRARIES = ['lib-03', 'lib-07']
const FILES_PER_CHANGED_LIBRARY = 1000
const RENAMES = 100
const REGISTRY = 'ghcr.io/acme'

const pad = (n, width) => String(n).padStart(width, '0')
const serviceName = (i) => `svc-${pad(i, 4)}`
const libraryName = (i) => `lib-${pad(i, 2)}`

/** Declared dependencies: every service uses one library, some a second, a few another service. */
function serviceDependencies(i) {
  const dependsOn = [libraryName((i % LIBRARIES) + 1)]
  if (i % 7 === 0) dependsOn.push(libraryName(((i * 3) % LIBRARIES) + 1))
  if (i % 50 === 0) dependsOn.push(serviceName(i - 1))
  return [...new Set(dependsOn)]
}

function libraryDependencies(i) {
  return i === 2 || i === 12 ? [libraryName(i - 1)] : []
}

/** Services with extra `paths`, including a negation, as a platform team would write them. */
const hasExtraPaths = (i) => i % 10 === 0

function manifestYaml() {
  const libraries = {}
  for (let i = 1; i <= LIBRARIES; i++) {
    const entry = { path: `libs/${libraryName(i)}` }
    if (libraryDependencies(i).length > 0) entry.depends_on = libraryDependencies(i)
    libraries[libraryName(i)] = entry
  }
  const services = {}
  for (let i = 1; i <= SERVICES; i++) {
    const name = serviceName(i)
    const entry = { path: `services/${name}`, depends_on: serviceDependencies(i) }
    if (hasExtraPaths(i)) entry.paths = [`!services/${name}/**/*.md`, `shared/config/${name}.yaml`]
    entry.test = { command: ['make', 'test'] }
    services[name] = entry
  }
  return stringify({
    version: 1,
    registry: REGISTRY,
    global: ['.github/workflows/**', 'docker-compose.yml'],
    libraries,
    services
  })
}

/** The manifest as the config loader should produce it from `manifestYaml()`. */
function manifestObject() {
  const libraries = {}
  for (let i = 1; i <= LIBRARIES; i++) {
    const name = libraryName(i)
    libraries[name] = { name, patterns: [`libs/${name}/**`], dependsOn: libraryDependencies(i) }
  }
  const services = {}
  for (let i = 1; i <= SERVICES; i++) {
    const name = serviceName(i)
    const path = `services/${name}`
    services[name] = {
      name,
      path,
      patterns: [`${path}/**`, ...(hasExtraPaths(i) ? [`!${path}/**/*.md`, `shared/config/${name}.yaml`] : [])],
      dependsOn: serviceDependencies(i),
      image: { name: `${REGISTRY}/${name}`, context: path, dockerfile: `${path}/Dockerfile`, buildArgs: {}, platforms: ['linux/amd64'] },
      test: { command: ['make', 'test'], shell: false, reports: [], timeoutSeconds: 600, retries: 0, env: {} },
      deploy: {}
    }
  }
  return {
    version: 1,
    source: 'flotilla.yml',
    registry: REGISTRY,
    global: ['.github/workflows/**', 'docker-compose.yml'],
    libraries,
    services,
    environments: {}
  }
}

function write(root, path, content) {
  const full = join(root, path)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, content)
}

function git(repo, args, env = {}) {
  const result = spawnSync(
    'git',
    ['-c', 'core.fsmonitor=false', '-c', 'core.autocrlf=false', '-c', 'commit.gpgsign=false', '-c', 'user.name=Flotilla Bench', '-c', 'user.email=bench@example.invalid', ...args],
    { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', ...env } }
  )
  if (result.status !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr || result.error}`)
  return result.stdout.trim()
}

function commit(repo, message, date) {
  git(repo, ['add', '-A'])
  git(repo, ['commit', '--quiet', '--no-verify', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date })
  return git(repo, ['rev-parse', 'HEAD'])
}

function generate(benchDir) {
  const repo = join(benchDir, 'repo')
  rmSync(repo, { recursive: true, force: true })
  mkdirSync(repo, { recursive: true })
  git(repo, ['init', '--quiet', '--initial-branch=main'])

  write(repo, 'flotilla.yml', manifestYaml())
  write(repo, 'docker-compose.yml', 'services: {}\n')
  write(repo, '.github/workflows/ci.yml', 'on: push\n')
  for (let i = 1; i <= SERVICES; i++) {
    const name = serviceName(i)
    write(repo, `services/${name}/Dockerfile`, `FROM scratch\nLABEL service=${name}\n`)
    write(repo, `services/${name}/src/main.go`, `package main // ${name}\n`)
    if (hasExtraPaths(i)) write(repo, `shared/config/${name}.yaml`, `name: ${name}\n`)
  }
  for (let i = 1; i <= LIBRARIES; i++) write(repo, `libs/${libraryName(i)}/README.md`, `# ${libraryName(i)}\n`)
  // Files that move from one service to another in the second commit.
  for (let r = 0; r < RENAMES; r++) write(repo, `services/${serviceName(r + 1)}/moving/file-${r}.go`, `package moving // ${r}\n`)
  const base = commit(repo, 'Fleet of 2,000 services', '2024-01-01T00:00:00Z')

  const changes = []
  const add = (path, content = `${path}\n`) => {
    write(repo, path, content)
    changes.push({ path, status: 'added' })
  }
  for (let i = 1; i <= MODIFIED_SERVICES; i++) {
    const path = `services/${serviceName(i)}/src/main.go`
    write(repo, path, `package main // ${serviceName(i)} v2\n`)
    changes.push({ path, status: 'modified' })
  }
  for (let r = 0; r < RENAMES; r++) {
    const previousPath = `services/${serviceName(r + 1)}/moving/file-${r}.go`
    const path = `services/${serviceName(SERVICES - r)}/moved/file-${r}.go`
    rmSync(join(repo, previousPath))
    write(repo, path, `package moving // ${r}\n`)
    changes.push({ path, previousPath, status: 'renamed' })
  }
  // Spread over the fleet; some services gain docs, which the services with a `!**/*.md` exclude.
  for (let s = 0; s < GROWING_SERVICES; s++) {
    const name = serviceName(((s * 7) % SERVICES) + 1)
    for (let f = 0; f < FILES_PER_GROWING_SERVICE; f++) {
      const file = s % 5 === 0 && f < 5 ? `docs/page-${f}.md` : `src/gen/deep/f-${pad(f, 2)}.go`
      add(`services/${name}/${file}`)
    }
  }
  for (const library of CHANGED_LIBRARIES) {
    for (let f = 0; f < FILES_PER_CHANGED_LIBRARY; f++) add(`libs/${library}/pkg/${pad(f % 10, 2)}/file-${f}.go`)
  }
  for (let u = 0; changes.length < CHANGED_FILES; u++) add(`${u % 2 === 0 ? 'docs' : 'tools'}/area-${u % 40}/note ${u}.txt`)
  const head = commit(repo, 'Change 50,000 files', '2024-01-02T00:00:00Z')

  const fixture = { version: FIXTURE_VERSION, repo, base, head, manifest: manifestObject(), files: changes }
  writeFileSync(join(benchDir, 'fixture.json'), JSON.stringify(fixture))
  return fixture
}

/** The fixture under `benchDir`, generated when missing or made by another FIXTURE_VERSION. */
export function loadFixture(benchDir) {
  const file = join(benchDir, 'fixture.json')
  if (existsSync(file)) {
    const fixture = JSON.parse(readFileSync(file, 'utf8'))
    if (fixture.version === FIXTURE_VERSION && existsSync(join(fixture.repo, '.git'))) return { fixture, generated: false }
  }
  return { fixture: generate(benchDir), generated: true }
}
