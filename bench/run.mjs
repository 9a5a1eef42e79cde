#!/usr/bin/env node
// `npm run bench`: prints every performance figure of DESIGN §9 beside its baseline or target,
// measured in this one run. A slow figure is reported, never fatal: the exit code is non-zero only
// when the benchmark itself cannot run.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadFixture } from './fixture.mjs'
import { BASE_IMAGE, missingEngines, startLocalEngines } from '../scripts/local-engines.mjs'

const root = new URL('..', import.meta.url).pathname
const benchDir = join(root, '.bench')
const DETECT_TARGET_MS = 1500
const SPEEDUP_TARGET = 5
const COLD_START_TARGET_MS = 300
const DETECT_RUNS = 3
const COLD_START_RUNS = 5
const CHILD_TIMEOUT_MS = 120_000
/** GitHub's cap on one job's outputs, counted as UTF-16. */
const JOB_OUTPUTS_LIMIT_BYTES = 1024 * 1024

/** Runs `node <args>` (argv array, no shell) and returns its result with the wall time. */
function runNode(args, options = {}) {
  const start = performance.now()
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: CHILD_TIMEOUT_MS,
    ...options
  })
  return { ...result, ms: performance.now() - start }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const ms = (value) => `${Math.round(value)} ms`
const lastLine = (text) => (text ?? '').trim().split('\n').pop() || 'no output'

function inProcessFigures(fixtureFile) {
  const out = join(benchDir, 'plan-bench')
  const ncc = join(root, 'node_modules', '.bin', 'ncc')
  const build = spawnSync(ncc, ['build', join('bench', 'plan-bench.ts'), '-o', out, '--quiet', '--transpile-only'], {
    cwd: root,
    encoding: 'utf8'
  })
  if (build.status !== 0) throw new Error(`could not bundle bench/plan-bench.ts: ${build.stderr || build.error}`)
  const run = runNode([join(out, 'index.js'), fixtureFile])
  if (run.status !== 0) throw new Error(`bench/plan-bench.ts failed: ${run.stderr || run.error}`)
  return JSON.parse(run.stdout)
}

/** (a) `flotilla plan` end to end in the generated repository, when the CLI bundle exists. */
function detectFigure(fixture, inProcess) {
  const cli = join(root, 'dist', 'cli', 'index.js')
  const figure = { name: 'detect end to end (CLI plan, 50,000 files)', baseline: `target < ${ms(DETECT_TARGET_MS)}` }
  if (!existsSync(cli)) return { ...figure, value: 'unavailable', verdict: 'n/a', notes: ['dist/cli/index.js is not built'] }
  const args = [cli, 'plan', '--base', fixture.base, '--head', fixture.head, '--json']
  const runs = []
  for (let i = 0; i < DETECT_RUNS; i++) {
    const run = runNode(args, { cwd: fixture.repo, env: cleanEnv() })
    if (run.status !== 0) {
      const why = run.error ? String(run.error) : `exit ${run.status}: ${lastLine(run.stderr)}`
      return { ...figure, value: 'failed', verdict: 'error', notes: [`flotilla plan ${why}`] }
    }
    runs.push(run)
  }
  const notes = []
  try {
    const document = JSON.parse(runs[0].stdout)
    if (document.changedFiles !== fixture.files.length) {
      notes.push(`CLI saw ${document.changedFiles} changed files, the fixture changed ${fixture.files.length}`)
    }
    const same = Array.isArray(document.services) && document.services.join('\n') === inProcess.selected.join('\n')
    if (!same) notes.push('CLI selected other services than computePlan on the fixture manifest')
  } catch {
    notes.push('CLI output is not JSON')
  }
  const value = median(runs.map((run) => run.ms))
  return { ...figure, value: ms(value), verdict: value < DETECT_TARGET_MS ? 'ok' : 'SLOW', notes }
}

/** An environment without the caller's runner variables, so bundles see only what we pass. */
function cleanEnv(extra = {}) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('INPUT_') && !key.startsWith('GITHUB_') && !key.startsWith('RUNNER_')) env[key] = value
  }
  return { ...env, ...extra }
}

/** (d) every bundle's cold start: `--help` for the CLI, an empty-input run for actions. */
function bundleFigures() {
  const dist = join(root, 'dist')
  const names = existsSync(dist)
    ? readdirSync(dist).filter((name) => existsSync(join(dist, name, 'index.js'))).sort()
    : []
  if (names.length === 0) {
    return [{ name: 'bundle cold start', value: 'unavailable', baseline: `target < ${ms(COLD_START_TARGET_MS)}`, verdict: 'n/a', notes: ['no dist/*/index.js built'] }]
  }
  const figures = []
  for (const name of names) {
    const bundle = join(dist, name, 'index.js')
    const sandbox = mkdtempSync(join(tmpdir(), `flotilla-bench-${name}-`))
    try {
      const runnerFiles = {
        GITHUB_OUTPUT: join(sandbox, 'output'),
        GITHUB_STEP_SUMMARY: join(sandbox, 'summary'),
        GITHUB_WORKSPACE: sandbox,
        RUNNER_TEMP: sandbox
      }
      const args = name === 'cli' ? [bundle, '--help'] : [bundle]
      const env = name === 'cli' ? cleanEnv() : cleanEnv(runnerFiles)
      const runs = Array.from({ length: COLD_START_RUNS }, () => runNode(args, { cwd: sandbox, env, timeout: 10_000 }))
      const value = median(runs.map((run) => run.ms))
      const timedOut = runs.some((run) => run.error)
      figures.push({
        name: `${name}: cold start (${name === 'cli' ? '--help' : 'empty inputs'})`,
        value: timedOut ? 'timed out' : ms(value),
        baseline: `target < ${ms(COLD_START_TARGET_MS)}`,
        verdict: timedOut ? 'error' : value < COLD_START_TARGET_MS ? 'ok' : 'SLOW',
        notes: []
      })
      figures.push({
        name: `${name}: bundle size`,
        value: `${(statSync(bundle).size / 1024).toFixed(1)} KiB`,
        baseline: '(reported)',
        verdict: '',
        notes: []
      })
    } finally {
      rmSync(sandbox, { recursive: true, force: true })
    }
  }
  return figures
}

/**
 * (e) the input-hash skip: the example's four images built and pushed with buildah, then the
 * same command again with nothing changed, which must rebuild nothing.
 */
async function buildFigures() {
  const cli = join(root, 'dist', 'cli', 'index.js')
  const missing = missingEngines()
  if (missing !== undefined || !existsSync(cli)) {
    const why = missing === undefined ? 'no dist/cli/index.js built' : `${missing.join(' and ')} not installed`
    return [{ name: 'build: example images, first run vs no-change rerun', value: 'unavailable', baseline: '', verdict: 'n/a', notes: [why] }]
  }
  const engines = await startLocalEngines()
  const repo = mkdtempSync(join(tmpdir(), 'flotilla-bench-build-'))
  try {
    cpSync(join(root, 'examples', 'shop'), repo, { recursive: true })
    const identity = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' }
    for (const args of [['init', '--quiet', '--initial-branch=main'], ['add', '-A'], ['commit', '--quiet', '-m', 'shop']]) {
      const git = spawnSync('git', args, { cwd: repo, env: { ...process.env, ...identity } })
      if (git.status !== 0) throw new Error(`git ${args[0]} failed`)
    }
    const args = [cli, 'build', '--push', '--builder', 'buildah', '--registry', `${engines.registry}/shop`, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--json']
    const build = () => {
      const run = runNode(args, { cwd: repo, env: engines.env })
      if (run.status !== 0) throw new Error(`flotilla build failed: ${lastLine(run.stderr)}`)
      return { ms: run.ms, images: JSON.parse(run.stdout).images }
    }
    const first = build()
    const second = build()
    const rebuilt = second.images.filter((image) => !image.skipped).map((image) => image.service)
    return [
      { name: `build: ${first.images.length} example images, first run (buildah, push)`, value: ms(first.ms), baseline: '(reported)', verdict: '', notes: [] },
      {
        name: 'build: the same, nothing changed (input-hash skip)',
        value: ms(second.ms),
        baseline: `first run ${ms(first.ms)}`,
        verdict: rebuilt.length === 0 ? 'rebuilt nothing' : 'REBUILT',
        notes: rebuilt.length === 0 ? [] : [`rebuilt ${rebuilt.join(', ')}`]
      }
    ]
  } finally {
    rmSync(repo, { recursive: true, force: true })
    engines.stop()
  }
}

function printTable(figures) {
  const header = { name: 'figure', value: 'value', baseline: 'baseline / target', verdict: 'verdict' }
  const rows = [header, ...figures]
  const width = (key) => Math.max(...rows.map((row) => String(row[key]).length))
  const widths = { name: width('name'), value: width('value'), baseline: width('baseline') }
  const line = (row) =>
    `${row.name.padEnd(widths.name)}  ${String(row.value).padStart(widths.value)}  ${row.baseline.padEnd(widths.baseline)}  ${row.verdict}`
  console.log(line(header))
  console.log('-'.repeat(line(header).length + 4))
  for (const figure of figures) console.log(line(figure))
  const notes = figures.flatMap((figure) => figure.notes.map((note) => `  - ${figure.name}: ${note}`))
  if (notes.length > 0) console.log(`\nnotes:\n${notes.join('\n')}`)
}

/**
 * What pipeline.yml's plan job passes to later jobs (services, service-shards, any-changed,
 * promotion) for the fixture's selection, beside GitHub's 1 MB cap and the full shards it avoids.
 */
function planOutputsFigure(fixture) {
  const cli = join(root, 'dist', 'cli', 'index.js')
  const figure = { name: 'pipeline.yml plan job outputs (UTF-16)', baseline: `GitHub limit ${Math.round(JOB_OUTPUTS_LIMIT_BYTES / 1024)} KiB` }
  if (!existsSync(cli)) return { ...figure, value: 'unavailable', verdict: 'n/a', notes: ['dist/cli/index.js is not built'] }
  const run = runNode([cli, 'plan', '--base', fixture.base, '--head', fixture.head, '--json'], { cwd: fixture.repo, env: cleanEnv() })
  if (run.status !== 0) return { ...figure, value: 'failed', verdict: 'error', notes: [`flotilla plan exit ${run.status}: ${lastLine(run.stderr)}`] }
  const document = JSON.parse(run.stdout)
  const bytes = [JSON.stringify(document.services), JSON.stringify(document.serviceShards), String(document.anyChanged), JSON.stringify(document.promotion)].reduce((sum, text) => sum + text.length * 2, 0)
  const fullShards = JSON.stringify(document.shards).length * 2
  return {
    ...figure,
    name: `${figure.name}, ${document.services.length} services`,
    value: `${(bytes / 1024).toFixed(1)} KiB`,
    verdict: bytes < JOB_OUTPUTS_LIMIT_BYTES ? 'ok' : 'OVER',
    notes: [`whole matrix entries instead of names would add ${(fullShards / 1024).toFixed(1)} KiB`]
  }
}

async function main() {
  const started = performance.now()
  const { fixture, generated } = loadFixture(benchDir)
  const fixtureSeconds = ((performance.now() - started) / 1000).toFixed(1)
  const serviceCount = Object.keys(fixture.manifest.services).length
  console.log(
    `fixture: ${fixture.repo} (${serviceCount} services, ${fixture.files.length} changed files; ` +
      `${generated ? `generated in ${fixtureSeconds} s` : 'reused'})\n`
  )

  const inProcess = inProcessFigures(join(benchDir, 'fixture.json'))
  const speedup = inProcess.naiveMs / inProcess.planMs
  const figures = [
    detectFigure(fixture, inProcess),
    planOutputsFigure(fixture),
    {
      name: `computePlan in process (median of 5; ${inProcess.selected.length} services, ${inProcess.shards} shards)`,
      value: ms(inProcess.planMs),
      baseline: `naive glob loop ${ms(inProcess.naiveMs)}`,
      verdict: inProcess.sameSelection ? 'same selection' : 'MISMATCH',
      notes: inProcess.sameSelection ? [] : ['computePlan and the naive loop selected different services']
    },
    {
      name: 'speed-up over the per-file × per-service loop',
      value: `${speedup.toFixed(1)}×`,
      baseline: `target ≥ ${SPEEDUP_TARGET}×`,
      verdict: speedup >= SPEEDUP_TARGET ? 'ok' : 'SLOW',
      notes: []
    },
    ...bundleFigures(),
    ...(await buildFigures())
  ]
  printTable(figures)
}

try {
  await main()
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : error}`)
  process.exit(1)
}
