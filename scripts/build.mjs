#!/usr/bin/env node
// Bundles every entry point with ncc, one build per entry, so each action ships one self-contained
// file. ncc only transpiles (tsconfig.bundle.json): type-checking is `npm test`'s job, over the
// whole project, so one entry's build never fails on another's work in progress.
// The output is deterministic: CI rebuilds and checks `git diff --exit-code dist/`.
import { spawnSync } from 'node:child_process'
import { readdirSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const entries = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(root, 'actions', name, 'src', 'index.ts')))
  .map((name) => ({ name, src: join('actions', name, 'src', 'index.ts') }))
entries.push({ name: 'cli', src: join('cli', 'src', 'index.ts') })

const only = process.argv.slice(2)
for (const { name, src } of entries) {
  if (only.length > 0 && !only.includes(name)) continue
  const out = join('dist', name)
  rmSync(join(root, out), { recursive: true, force: true })
  const ncc = join(root, 'node_modules', '.bin', 'ncc')
  const result = spawnSync(ncc, ['build', src, '-o', out, '--source-map', '--license', 'licenses.txt', '--transpile-only', '--quiet'], {
    cwd: root,
    stdio: 'inherit'
  })
  if (result.status !== 0) {
    console.error(`build failed: ${name}`)
    process.exit(result.status ?? 1)
  }
  console.log(`built ${out}/index.js`)
}
