#!/usr/bin/env node
// `npm run demo`: the embedded example monorepo (examples/shop) as a real git repository with a
// few commits, planned by the committed CLI bundle. Needs only git and Node: no `npm ci`.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BASE_IMAGE, missingEngines, startLocalEngines } from './local-engines.mjs'

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'dist', 'cli', 'index.js')
const repo = join(mkdtempSync(join(tmpdir(), 'flotilla-demo-')), 'shop')
const identity = { GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' }

function run(argv, { capture = false, env = process.env } = {}) {
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: repo,
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
const git = (...args) => run(['git', ...args], { capture: true })
const edit = (file, change) => writeFileSync(join(repo, file), change(readFileSync(join(repo, file), 'utf8')))
const step = (n, text) => console.log(`\n\x1b[1m[${n}/6] ${text}\x1b[0m`)

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
    run(build, { env: engines.env })
  } finally {
    engines.stop()
  }
}

console.log(`\nThe demo repository stays at ${repo}: try \`node ${cli} plan -C ${repo}\` or \`node ${cli} test -C ${repo} users\`.`)
console.log('Not in this demo yet: deploy and gate (see the README\'s status).')
