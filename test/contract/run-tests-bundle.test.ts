/**
 * The committed run-tests bundle, run as the runner runs it, on a copy of the example shop:
 * real Python and Node test runs, annotations at the failing line, outputs, summary, report file,
 * and check runs against the fake GitHub API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { Inputs, Outputs } from '../../actions/run-tests/src/constants.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { repositoryRoot, runBundle, type BundleRun } from '../support/action-runner.js'

let workspace: string
let github: FakeGitHub
let apiUrl: string

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'flotilla-run-tests-'))
  await cp(join(repositoryRoot, 'examples', 'shop'), workspace, {
    recursive: true,
    filter: (source) => !/\/(reports|__pycache__|node_modules)$/.test(source)
  })
  github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
  apiUrl = await github.start()
})
afterAll(async () => {
  await github.stop()
  await rm(workspace, { recursive: true, force: true })
})

function runTestsAction(inputs: Record<string, string>): Promise<BundleRun> {
  return runBundle('run-tests', {
    workspace,
    inputs: { token: 'ghs_contracttoken', parallel: '2', 'check-runs': 'false', 'fail-on-error': 'true', ...inputs },
    env: { GITHUB_REPOSITORY: 'acme-shop/shop', GITHUB_SHA: 'c'.repeat(40), GITHUB_API_URL: apiUrl, GITHUB_EVENT_NAME: 'push' }
  })
}

describe('run-tests bundle through the runner contract', () => {
  it('action.yml declares exactly the input and output names the code uses', () => {
    const action = parse(readFileSync(join(repositoryRoot, 'actions/run-tests/action.yml'), 'utf8'))
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort())
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort())
  })

  it('a detect matrix entry runs that service for real and passes', async () => {
    const run = await runTestsAction({ 'matrix-entry': JSON.stringify({ service: 'users', path: 'services/users' }) })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    const totals = JSON.parse(run.outputs.totals)
    expect(totals.tests).toBeGreaterThan(0)
    expect(totals).toMatchObject({ failed: 0, errors: 0, passed: totals.tests })
    expect(run.stdout).toContain('::group::Tests of users: python3 -m tests.run')
    expect(run.summary).toContain('## Tests: ✅ passed')
    expect(run.annotations).toEqual([])
  })

  it('a failing test fails the step with an annotation at its file and line, and a summary and report file', async () => {
    await writeFile(
      join(workspace, 'services/catalog/test/broken.test.js'),
      "import assert from 'node:assert/strict'\nimport { it } from 'node:test'\n\nit('lists a product twice', () => {\n  assert.deepEqual([1], [1, 1])\n})\n"
    )
    try {
      const run = await runTestsAction({ services: '["catalog", "cart"]' })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      expect(JSON.parse(run.outputs.totals)).toMatchObject({ failed: 1, errors: 0 })

      const failure = run.annotations.find((annotation) => annotation.properties.title === 'catalog: lists a product twice')
      expect(failure).toMatchObject({ level: 'error', properties: { file: 'services/catalog/test/broken.test.js', line: '5' } })
      expect(failure?.message).toContain('Expected values to be strictly deep-equal')
      expect(run.annotations.at(-1)).toMatchObject({ level: 'error', message: 'tests failed: catalog (1 test failed)' })

      // Parallel services share the log, each line prefixed with its service.
      expect(run.stdout).toMatch(/^catalog \| /m)
      expect(run.stdout).toMatch(/^cart {4}\| /m)
      expect(run.summary).toContain('## Tests: ❌ 1 of 2 services failed')
      expect(run.summary).toContain('**catalog** › lists a product twice — failed, `services/catalog/test/broken.test.js:5`')

      const document = JSON.parse(run.runnerTempFiles['flotilla-tests.json'])
      expect(run.outputs['report-file']).toMatch(/flotilla-tests\.json$/)
      expect(document.passed).toBe(false)
      expect(document.services.map((service: any) => [service.service, service.passed])).toEqual([
        ['catalog', false],
        ['cart', true]
      ])
      expect(document.services[0].failures).toEqual([
        expect.objectContaining({ name: 'lists a product twice', file: 'services/catalog/test/broken.test.js', line: 5 })
      ])
    } finally {
      await rm(join(workspace, 'services/catalog/test/broken.test.js'))
    }
  })

  it('with a read-only token the check run is skipped with a notice and the summary is still written', async () => {
    github.handle('checks/create', () => ({
      status: 403,
      body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run', status: '403' }
    }))
    const run = await runTestsAction({ services: 'orders', 'check-runs': 'true' })
    expect(run.exitCode).toBe(0)
    expect(github.requestsTo('checks/create')).toHaveLength(1)
    expect(run.annotations).toEqual([
      expect.objectContaining({ level: 'notice', properties: { title: 'Flotilla check runs skipped' } })
    ])
    expect(run.summary).toContain('## Tests: ✅ passed')
    expect(run.outputs.passed).toBe('true')
  })

  it('bad input fails the step before any test runs', async () => {
    const run = await runTestsAction({ services: 'nope' })
    expect(run.exitCode).toBe(1)
    expect(run.annotations).toEqual([expect.objectContaining({ level: 'error', message: expect.stringContaining("unknown service 'nope'") })])
    expect(run.outputs).toEqual({})
  })
})

describe('run-tests bundle: what a report says is what the step reports', () => {
  let reportsWorkspace: string
  beforeAll(async () => {
    reportsWorkspace = await mkdtemp(join(tmpdir(), 'flotilla-run-tests-reports-'))
    const given: Record<string, string> = {
      // Two tests share a name (mocha's `it` written twice); the first fails, the command exits 0.
      twins:
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="Mocha Tests" tests="2" failures="1">\n' +
        '  <testsuite name="cart totals" tests="2" failures="1">\n' +
        '    <testcase name="cart totals adds tax" classname="adds tax" time="0.004"><failure message="expected 110 to equal 119" type="AssertionError"/></testcase>\n' +
        '    <testcase name="cart totals adds tax" classname="adds tax" time="0.001"/>\n' +
        '  </testsuite>\n</testsuites>\n',
      // GoogleTest writes a DISABLED_ test that never ran as status="notrun" result="suppressed".
      gtest:
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="2" failures="0" disabled="1" errors="0" time="0.002" name="AllTests">\n' +
        '  <testsuite name="PricingTest" tests="2" failures="0" disabled="1" skipped="0" errors="0" time="0.002">\n' +
        '    <testcase name="RoundsHalfEven" status="run" result="completed" time="0.002" classname="PricingTest"/>\n' +
        '    <testcase name="DISABLED_ConvertsCurrency" status="notrun" result="suppressed" time="0" classname="PricingTest"/>\n' +
        '  </testsuite>\n</testsuites>\n'
    }
    const services = Object.keys(given)
      .map((name) => `  ${name}:\n    path: services/${name}\n    test:\n      command: "mkdir -p reports && cp given.xml reports/junit.xml"\n      shell: true\n      reports: [reports/*.xml]\n`)
      .join('')
    await writeFile(join(reportsWorkspace, 'flotilla.yml'), `version: 1\nservices:\n${services}`)
    for (const [name, report] of Object.entries(given)) {
      await mkdir(join(reportsWorkspace, 'services', name), { recursive: true })
      await writeFile(join(reportsWorkspace, 'services', name, 'given.xml'), report)
    }
  })
  afterAll(async () => {
    await rm(reportsWorkspace, { recursive: true, force: true })
  })

  it('a failed test stays failed beside a passing one of the same name, and a disabled test is skipped', async () => {
    const run = await runBundle('run-tests', {
      workspace: reportsWorkspace,
      inputs: { token: 'ghs_contracttoken', services: '["twins", "gtest"]', parallel: '1', 'check-runs': 'false', 'fail-on-error': 'true' },
      env: { GITHUB_REPOSITORY: 'acme-shop/shop', GITHUB_SHA: 'c'.repeat(40), GITHUB_API_URL: apiUrl, GITHUB_EVENT_NAME: 'push' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(JSON.parse(run.outputs.totals)).toEqual({ tests: 4, passed: 2, failed: 1, errors: 0, skipped: 1, flaky: 0, duration: 0.007 })
    expect(run.annotations.at(-1)).toMatchObject({ level: 'error', message: 'tests failed: twins (1 test failed)' })
    expect(run.summary).toContain('| twins | ❌ failed | 2 | 1 | 1 | 0 | 0 | 0 |')
    expect(run.summary).toContain('| gtest | ✅ passed | 2 | 1 | 0 | 0 | 1 | 0 |')
    expect(run.summary).not.toContain('### Flaky tests')
    const document = JSON.parse(run.runnerTempFiles['flotilla-tests.json'])
    expect(document.services.map((service: any) => [service.service, service.passed, service.flaky])).toEqual([
      ['twins', false, []],
      ['gtest', true, []]
    ])
  })
})
