#!/usr/bin/env node
// `npm run demo`: the embedded example monorepo (examples/shop) as a real git repository with a
// few commits, planned by the committed CLI bundle. Needs only git and Node: no `npm ci`.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BASE_IMAGE, missingEngines, startLocalEngines, startPrometheus } from './local-engines.mjs'

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'dist', 'cli', 'index.js')
const demoDir = mkdtempSync(join(tmpdir(), 'flotilla-demo-'))
const repo = join(demoDir, 'shop')
const identity = { GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' }

function run(argv, { capture = false, env = process.env, cwd = repo } = {}) {
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env: { ...env, ...identity },
    encoding: 'utf8',
    stdio: capture ? 'pipe' : ['ignore', 'inherit', 'inherit']
  })
  if (result.error) throw result.error
  if (result.status !== 0) {
    if (capture) process.stderr.write(result.stderr)
    throw new Error(`${argv.join(' ')} exited with ${result.status}`)
  }
  return result.stdout
}
/** `run` for a child that must not block the event loop (the demo serves the catalog meanwhile). */
function runAsync(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: repo, env: { ...process.env, ...identity, GITHUB_REPOSITORY: '' }, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited with ${code}`))))
  })
}
const git = (...args) => run(['git', ...args], { capture: true })
const edit = (file, change) => writeFileSync(join(repo, file), change(readFileSync(join(repo, file), 'utf8')))
const step = (n, text) => console.log(`\n\x1b[1m[${n}/8] ${text}\x1b[0m`)

step(1, `the example monorepo, committed to a fresh git repository at ${repo}`)
cpSync(join(root, 'examples', 'shop'), repo, { recursive: true })
git('init', '--quiet', '--initial-branch=main')
git('add', '-A')
git('commit', '--quiet', '-m', 'shop: four services and a shared library')
run(['node', cli, 'validate'])

step(2, 'a feature branch changes the shared money library: everything that depends on it is planned')
git('switch', '--quiet', '-c', 'feature/rounding')
edit('libs/money/src/index.js', (text) => `${text}\n// Banker's rounding is coming; this comment stands in for the change.\n`)
git('commit', '--quiet', '-am', 'money: prepare rounding change')
run(['node', cli, 'plan'])

step(3, 'a sample-data file moves from users into orders: a rename counts for both services')
writeFileSync(join(repo, 'services/users/app/samples.json'), '[{"name": "Ada", "email": "ada@example.com"}]\n')
git('add', 'services/users/app/samples.json')
git('commit', '--quiet', '-m', 'users: sample data')
git('mv', 'services/users/app/samples.json', 'services/orders/app/samples.json')
git('commit', '--quiet', '-m', 'move the sample data to orders')
run(['node', cli, 'plan', '--base', 'HEAD~1'])

step(4, 'the same plan as JSON, as the detect action writes it for the build and test matrix')
const document = JSON.parse(run(['node', cli, 'plan', '--json'], { capture: true }))
console.log(JSON.stringify({ services: document.services, matrix: document.matrix.include.map((entry) => ({ service: entry.service, image: entry.image })) }, null, 2))

step(5, `the planned services' tests, run for real from their flotilla.yml commands: ${document.services.join(', ')}`)
run(['node', cli, 'test', ...document.services])

const missing = missingEngines()
let registryPrefix = 'ghcr.io/acme-shop'
let images = document.services.map((service) => `${service}=${registryPrefix}/${service}:sha-${git('rev-parse', '--short=7', 'HEAD').trim()}`)
if (missing !== undefined) {
  step(6, `image builds: skipped, this machine has no ${missing.join(' and ')} (apt-get install buildah docker-registry)`)
} else {
  step(6, 'their images, built with buildah and pushed to a local registry; then again, with nothing changed')
  // The example's Dockerfiles take BASE_IMAGE; offline, the demo builds on an empty local base.
  const engines = await startLocalEngines()
  try {
    const build = ['node', cli, 'build', ...document.services, '--push', '--builder', 'buildah', '--registry', `${engines.registry}/shop`, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`]
    run(build, { env: engines.env })
    console.log('\n... and the same build once more: every input hash is in the registry, so nothing is rebuilt')
    const again = JSON.parse(run([...build, '--json'], { env: engines.env, capture: true }))
    for (const image of again.images) console.log(`${image.service}: ${image.skipped ? 'skipped' : 'REBUILT'} — ${image.reason}`)
    images = again.images.map((image) => `${image.service}=${image.imageRef}`)
    registryPrefix = `${engines.registry}/shop`
  } finally {
    engines.stop()
  }
}

step(7, 'deploy to staging: the GitOps repository (a local bare repo here) gets one commit per service')
const gitopsServer = join(demoDir, 'git-server')
const deployRepo = join(gitopsServer, 'acme-shop', 'deploy.git')
const deployWork = join(demoDir, 'deploy-work')
mkdirSync(deployRepo, { recursive: true })
run(['git', 'init', '--quiet', '--bare', '--initial-branch=main', deployRepo], { cwd: demoDir })
mkdirSync(join(deployWork, 'envs', 'staging'), { recursive: true })
run(['git', 'init', '--quiet', '--initial-branch=main', deployWork], { cwd: demoDir })
run(['git', 'remote', 'add', 'origin', deployRepo], { cwd: deployWork })
writeFileSync(
  join(deployWork, 'envs', 'staging', 'kustomization.yaml'),
  `# Staging: Argo CD syncs this directory; Flotilla edits only the images below.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: ${registryPrefix}/catalog\n    newTag: "0.9.0" # the last manual release\n`
)
run(['git', 'add', '-A'], { cwd: deployWork })
run(['git', 'commit', '--quiet', '-m', 'staging'], { cwd: deployWork })
run(['git', 'push', '--quiet', '--set-upstream', 'origin', 'main'], { cwd: deployWork })
// Built images are named by digest already; without a build there is no registry to pin tags in.
const pinning = missing === undefined ? [] : ['--pin-digest', 'false']
run(['node', cli, 'deploy', ...document.services, '--env', 'staging', ...pinning, ...images.flatMap((image) => ['--image', image])], {
  env: { ...process.env, GITHUB_SERVER_URL: `file://${gitopsServer}`, GITHUB_TOKEN: '', GITHUB_REPOSITORY: '' }
})
run(['git', 'pull', '--quiet'], { cwd: deployWork })
console.log(`\n${deployRepo}, envs/staging/kustomization.yaml now:\n`)
console.log(readFileSync(join(deployWork, 'envs', 'staging', 'kustomization.yaml'), 'utf8'))
console.log(run(['git', 'log', '--format=%h %s', '-n', String(document.services.length + 1)], { cwd: deployWork, capture: true }))

step(8, 'gate production on staging, with the gate flotilla.yml declares: catalog\'s 5xx rate in Prometheus')
const catalog = spawn('node', ['services/catalog/src/server.js'], { cwd: repo, env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] })
let traffic
let prometheus
try {
  const url = await new Promise((resolve, reject) => {
    catalog.on('exit', (code) => reject(new Error(`catalog exited with ${code}`)))
    catalog.stdout.on('data', (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString())
      if (match) resolve(match[1])
    })
  })
  // Staging's traffic, as the catalog would see it.
  traffic = setInterval(() => fetch(`${url}/products`).then((response) => response.arrayBuffer(), () => undefined), 50)
  prometheus = await startPrometheus(new URL(url).host)
  if (prometheus !== undefined) {
    console.log(`catalog at ${url}, scraped every second by Prometheus at ${prometheus.address}`)
    await runAsync(['node', cli, 'gate', '--env', 'production', '--prometheus-address', prometheus.address])
  } else {
    console.log('Prometheus is not installed (apt-get install prometheus): the gate checks catalog\'s health endpoint instead')
    const gate = `{ prometheus: {}, http: { catalog-health: { url: "${url}/healthz", body: '"status":\\s*"ok"', interval: 1s, count: 3 } } }`
    await runAsync(['node', cli, 'gate', '--env', 'production', '--gate', gate])
  }
} finally {
  clearInterval(traffic)
  prometheus?.stop()
  catalog.kill('SIGTERM')
}

console.log(`\nThe demo repository stays at ${repo}: try \`node ${cli} plan -C ${repo}\` or \`node ${cli} test -C ${repo} users\`.`)
