// In-process half of `npm run bench`: times computePlan (prefix routing + dependency closure) on the
// fixture's 50,000 changed paths against a per-file × per-owner glob loop on the same data, and
// checks both select the same services. bench/run.mjs bundles this file with ncc and reads the
// JSON it prints.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import picomatch from 'picomatch'
import type { ChangedFile, ChangeSet } from '../shared/src/changes/types.js'
import type { Manifest } from '../shared/src/config/types.js'
import { dependentsClosure } from '../shared/src/graph/index.js'
import { computePlan } from '../shared/src/plan/index.js'

interface Fixture {
  base: string
  head: string
  manifest: Manifest
  files: ChangedFile[]
}

const PLAN_RUNS = 5

/** The loop a first implementation would write: every path against every owner's globs. */
function naiveSelection(manifest: Manifest, files: readonly ChangedFile[]): string[] {
  const owners = [...Object.values(manifest.libraries), ...Object.values(manifest.services)].map((owner) => ({
    name: owner.name,
    patterns: owner.patterns.map((pattern) => {
      const negated = pattern.startsWith('!')
      return { negated, regex: picomatch.makeRe(negated ? pattern.slice(1) : pattern, { dot: true }) }
    })
  }))
  const changed = new Set<string>()
  for (const file of files) {
    for (const path of file.previousPath === undefined ? [file.path] : [file.path, file.previousPath]) {
      for (const owner of owners) {
        let selected = false
        for (const pattern of owner.patterns) if (pattern.regex.test(path)) selected = !pattern.negated
        if (selected) changed.add(owner.name)
      }
    }
  }
  const edges = new Map<string, string[]>()
  for (const owner of [...Object.values(manifest.libraries), ...Object.values(manifest.services)]) edges.set(owner.name, owner.dependsOn)
  const dependents = dependentsClosure(edges)
  const selected = new Set<string>()
  for (const owner of changed) {
    if (owner in manifest.services) selected.add(owner)
    for (const dependent of dependents.get(owner) ?? []) if (dependent in manifest.services) selected.add(dependent)
  }
  return Object.keys(manifest.services).filter((name) => selected.has(name))
}

function time<T>(work: () => T): { ms: number; result: T } {
  const start = performance.now()
  const result = work()
  return { ms: performance.now() - start, result }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Fixture
const changes: ChangeSet = {
  base: fixture.base,
  head: fixture.head,
  all: false,
  files: fixture.files,
  reason: 'bench: base..head',
  source: 'git',
  warnings: []
}

const planRuns = Array.from({ length: PLAN_RUNS }, () => time(() => computePlan(fixture.manifest, changes)))
const plan = planRuns[0].result
const naive = time(() => naiveSelection(fixture.manifest, fixture.files))
const planned = plan.services.map((service) => service.name)

process.stdout.write(
  JSON.stringify({
    planMs: median(planRuns.map((run) => run.ms)),
    planFirstRunMs: planRuns[0].ms,
    naiveMs: naive.ms,
    selected: planned,
    shards: plan.shards.length,
    sameSelection: planned.length === naive.result.length && planned.every((name, i) => name === naive.result[i])
  }) + '\n'
)
