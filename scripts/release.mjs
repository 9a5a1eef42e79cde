#!/usr/bin/env node
// `node scripts/release.mjs X.Y.Z [--push]`: cuts a release from a clean main. It rebuilds the
// bundles and refuses when dist/ differs from the commit (a release must ship what was reviewed),
// sets package.json's version, tags vX.Y.Z (annotated) and moves the major tag vX to it. Without
// --push nothing leaves the machine; the commands to publish are printed instead.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const version = args.find((arg) => !arg.startsWith('--'))
const push = args.includes('--push')

function fail(message) {
  console.error(`release: ${message}`)
  process.exit(1)
}

function run(argv, { allowFailure = false } = {}) {
  const result = spawnSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8' })
  if (result.status !== 0 && !allowFailure) fail(`${argv.slice(0, 2).join(' ')} failed: ${(result.stderr || result.stdout).trim()}`)
  return result
}
const git = (...argv) => run(['git', ...argv]).stdout.trim()

if (!version || !/^\d+\.\d+\.\d+$/.test(version)) fail('usage: node scripts/release.mjs X.Y.Z [--push]')
const tag = `v${version}`
const major = `v${version.split('.')[0]}`

if (git('status', '--porcelain') !== '') fail('the working tree has uncommitted changes')
if (run(['git', 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}`], { allowFailure: true }).status === 0) fail(`${tag} exists already`)

console.log('rebuilding dist/ …')
run(['node', join(root, 'scripts', 'build.mjs')])
if (git('status', '--porcelain', '--', 'dist') !== '') {
  run(['git', 'checkout', '--', 'dist'])
  run(['git', 'clean', '-fdq', '--', 'dist'])
  fail('dist/ differs from a fresh build of this commit: run npm run build, commit dist/, then release')
}

const packageFile = join(root, 'package.json')
const packageJson = JSON.parse(readFileSync(packageFile, 'utf8'))
if (packageJson.version !== version) {
  packageJson.version = version
  writeFileSync(packageFile, JSON.stringify(packageJson, null, 2) + '\n')
  // The CLI prints the version, so its bundle changes with it.
  run(['node', join(root, 'scripts', 'build.mjs'), 'cli'])
  git('add', 'package.json', 'dist/cli')
  git('commit', '--quiet', '-m', `Release ${tag}`)
}
git('tag', '--annotate', tag, '--message', `Flotilla ${tag}`)
git('tag', '--force', major, `${tag}^{commit}`)
console.log(`tagged ${tag} and moved ${major} to ${git('rev-parse', '--short', `${tag}^{commit}`)}`)

if (push) {
  git('push', 'origin', 'HEAD', tag)
  git('push', '--force', 'origin', `refs/tags/${major}`)
  console.log(`pushed ${tag} and ${major}`)
} else {
  console.log(`to publish: git push origin HEAD ${tag} && git push --force origin refs/tags/${major}`)
}
