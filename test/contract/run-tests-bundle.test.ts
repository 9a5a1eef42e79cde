/**
 * The committed run-tests bundle, run as the runner runs it, on a copy of the example shop:
 * real Python and Node test runs, annotations at the failing line, outputs, summary, report file,
 * and check runs against the fake GitHub API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
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
