import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exec } from '../../../shared/src/exec/index.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const MEMORY_BUDGET_BYTES = 150 * 1024 * 1024
const TARGET_BYTES = 100 * 1024 * 1024
const CASES_PER_SUITE = 1000

interface Generated {
  tests: number
  failed: number
  skipped: number
}

/**
 * Writes a JUnit report of about `targetBytes` as a stream: suites of passing cases with a
 * failure and a skip now and then, and a chatty `system-out` per suite, as real reports have.
 */
async function writeLargeReport(file: string, targetBytes: number): Promise<Generated> {
  const out = createWriteStream(file)
  const counts: Generated = { tests: 0, failed: 0, skipped: 0 }
  const log = `${'2024-05-02T12:00:00Z INFO request served in 3 ms — ok ✓\n'.repeat(40)}`
  let written = 0
  const write = async (text: string) => {
    written += Buffer.byteLength(text)
    if (!out.write(text)) await once(out, 'drain')
  }
  await write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="load" tests="0">\n')
  for (let suite = 0; written < targetBytes; suite += 1) {
    const cases: string[] = [`<testsuite name="com.acme.load.Suite${suite}" tests="${CASES_PER_SUITE}">\n`]
    for (let i = 0; i < CASES_PER_SUITE; i += 1) {
      const name = `case ${suite}.${i} handles the request`
      counts.tests += 1
      if (i === 500) {
        counts.failed += 1
        cases.push(`  <testcase classname="com.acme.load.Suite${suite}" name="${name}" time="0.002"><failure message="expected 200, got 503"><![CDATA[AssertionError: expected 200, got 503\n    at Object.<anonymous> (/repo/test/load.test.js:${suite + 1}:7)]]></failure></testcase>\n`)
      } else if (i === 900) {
        counts.skipped += 1
        cases.push(`  <testcase classname="com.acme.load.Suite${suite}" name="${name}" time="0"><skipped message="not on CI"/></testcase>\n`)
      } else {
        cases.push(`  <testcase classname="com.acme.load.Suite${suite}" name="${name}" time="0.001"/>\n`)
      }
    }
    cases.push(`  <system-out><![CDATA[${log}]]></system-out>\n</testsuite>\n`)
    await write(cases.join(''))
  }
  await write('</testsuites>\n')
  out.end()
  await once(out, 'close')
  return counts
}

describe('a 100 MB report', () => {
  let dir: string
  let bundle: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-report-memory-'))
    // The child runs plain JavaScript, so the parser is bundled once, as the actions ship it.
    await exec([join(root, 'node_modules/.bin/ncc'), 'build', 'shared/src/testing/reports/index.ts', '-o', join(dir, 'bundle'), '--quiet'], {
      cwd: root,
      timeoutMs: 120_000
    })
    bundle = join(dir, 'bundle', 'index.js')
  }, 150_000)

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('parses in a bounded amount of memory to the exact totals', async () => {
    const report = join(dir, 'large.xml')
    const generated = await writeLargeReport(report, TARGET_BYTES)
    expect((await stat(report)).size).toBeGreaterThanOrEqual(TARGET_BYTES)

    const child = await exec(['node', join(root, 'test/support/parse-report-child.mjs'), bundle, report], { timeoutMs: 120_000 })
    const result = JSON.parse(child.stdout.toString('utf8'))

    expect(result.totals).toMatchObject({
      tests: generated.tests,
      passed: generated.tests - generated.failed - generated.skipped,
      failed: generated.failed,
      errors: 0,
      skipped: generated.skipped,
      flaky: 0
    })
    expect(result.keptFailures + result.omittedFailures).toBe(generated.failed)
    expect(result.peakRssBytes).toBeLessThan(MEMORY_BUDGET_BYTES)
  }, 180_000)
})
