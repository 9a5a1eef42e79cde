/**
 * The runner against real processes: the example shop's own tests (Python and Node), a failing
 * test, retries that reveal a flaky test, stale reports, and a hanging command killed whole.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadManifest } from '../../../shared/src/config/index.js'
import { runServiceTests, runTests, selectTestServices, type TestableService } from '../../../shared/src/testing/index.js'
import { repositoryRoot } from '../../support/action-runner.js'

let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flotilla-tests-'))
  await cp(join(repositoryRoot, 'examples', 'shop'), root, {
    recursive: true,
    filter: (source) => !/\/(reports|__pycache__|node_modules)$/.test(source)
  })
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function service(name: string, test: Partial<TestableService['test']>): TestableService {
  return {
    name,
    path: `services/${name}`,
    patterns: [],
    dependsOn: [],
    image: { name, context: '.', dockerfile: 'Dockerfile', buildArgs: {}, platforms: [] },
    deploy: {},
    test: { command: [], shell: false, reports: ['reports/*.xml'], timeoutSeconds: 60, retries: 0, env: {}, ...test }
  }
}

async function scratchService(name: string, files: Record<string, string> = {}): Promise<void> {
  const dir = join(root, 'services', name)
  await mkdir(dir, { recursive: true })
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true })
    await writeFile(join(dir, file), text)
  }
}

const junit = (cases: string): string => `<?xml version="1.0"?>\n<testsuites><testsuite name="s">${cases}</testsuite></testsuites>\n`

describe('the example shop', () => {
  it("runs every service's tests in parallel and reads their reports", async () => {
    const manifest = await loadManifest(root)
    const { services } = selectTestServices(manifest)
    const results = await runTests(services, { root, parallel: 2 })
    expect(results.map((result) => [result.service, result.passed, result.problems])).toEqual([
      ['users', true, []],
      ['orders', true, []],
      ['catalog', true, []],
      ['cart', true, []]
    ])
    for (const result of results) {
      expect(result.totals.tests).toBeGreaterThan(0)
      expect(result.totals.passed).toBe(result.totals.tests)
      expect(result.attempts[0].reports).toEqual([`services/${result.service}/reports/junit.xml`])
    }
  })

  it('a failing Node test and a failing Python test are located at their file and line', async () => {
    await writeFile(
      join(root, 'services/cart/test/broken.test.js'),
      "import assert from 'node:assert/strict'\nimport { it } from 'node:test'\n\nit('adds tax twice', () => {\n  assert.equal(1, 2)\n})\n"
    )
    await writeFile(
      join(root, 'services/users/tests/test_broken.py'),
      'import unittest\n\n\nclass Broken(unittest.TestCase):\n    def test_name_is_upper(self):\n        self.assertEqual("a", "b")\n'
    )
    const { services } = selectTestServices(await loadManifest(root), ['cart', 'users'])
    const [users, cart] = await runTests(services, { root, parallel: 2 })
    try {
      expect(cart.passed).toBe(false)
      expect(cart.totals.failed).toBe(1)
      expect(cart.problems).toContain('1 test failed')
      // cart's manifest retries once: the same test failed twice, so it is not flaky.
      expect(cart.attempts).toHaveLength(2)
      expect(cart.totals.flaky).toBe(0)
      expect(cart.failures.map((failure) => [failure.case.name, failure.location])).toEqual([
        ['adds tax twice', { file: 'services/cart/test/broken.test.js', line: 5, precision: 'line' }]
      ])
      expect(cart.output).toContain('adds tax twice')

      expect(users.passed).toBe(false)
      expect(users.failures.map((failure) => [failure.case.name, failure.location])).toEqual([
        ['test_name_is_upper', { file: 'services/users/tests/test_broken.py', line: 6, precision: 'line' }]
      ])
    } finally {
      await rm(join(root, 'services/cart/test/broken.test.js'))
      await rm(join(root, 'services/users/tests/test_broken.py'))
    }
  })
})

describe('outcomes', () => {
  it('a test that fails and then passes on a retry is flaky, and the service passes', async () => {
    await scratchService('flaky')
    const script =
      `if [ -e tried ]; then printf '%s' '${junit('<testcase name="t"/>')}' > reports/r.xml; exit 0; fi\n` +
      `touch tried; printf '%s' '${junit('<testcase name="t"><failure message="boom"/></testcase>')}' > reports/r.xml; exit 1\n`
    const result = await runServiceTests(service('flaky', { command: [`mkdir -p reports; ${script}`], shell: true, retries: 1 }), { root })
    expect(result.attempts.map((attempt) => attempt.exitCode)).toEqual([1, 0])
    expect(result.passed).toBe(true)
    expect(result.totals).toMatchObject({ tests: 1, passed: 1, failed: 0, flaky: 1 })
    expect(result.flaky.map((testCase) => testCase.name)).toEqual(['t'])
  })

  it('two cases with the same name where the first fails fail the service, though the command exits 0', async () => {
    await scratchService('twins')
    const report = junit('<testcase name="t"><failure message="boom"/></testcase><testcase name="t"/>')
    const result = await runServiceTests(service('twins', { command: [`mkdir -p reports; printf '%s' '${report}' > reports/r.xml`], shell: true }), { root })
    expect(result.passed).toBe(false)
    expect(result.problems).toEqual(['1 test failed'])
    expect(result.totals).toMatchObject({ tests: 2, passed: 1, failed: 1, flaky: 0 })
    expect(result.failures.map((failure) => failure.case.name)).toEqual(['t'])
  })

  it('a retry is flaky only when the failed test passes in the last attempt, not when it fails or is skipped there', async () => {
    await scratchService('retried')
    const attempt = (cases: string) => `printf '%s' '${junit(cases)}' > reports/r.xml`
    const script = [
      'mkdir -p reports; n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count',
      `if [ "$n" = 0 ]; then ${attempt('<testcase name="a"><failure/></testcase><testcase name="b"><failure/></testcase><testcase name="c"><failure/></testcase>')}; exit 1; fi`,
      // The last attempt: a passes, b is skipped, c fails once and passes under the same name.
      `${attempt('<testcase name="a"/><testcase name="b"><skipped/></testcase><testcase name="c"><failure/></testcase><testcase name="c"/>')}; exit 0`
    ].join('\n')
    const result = await runServiceTests(service('retried', { command: [script], shell: true, retries: 1 }), { root })
    expect(result.attempts).toHaveLength(2)
    expect(result.passed).toBe(false)
    expect(result.totals).toMatchObject({ tests: 4, passed: 2, failed: 1, skipped: 1, flaky: 1 })
    expect(result.flaky.map((testCase) => testCase.name)).toEqual(['a'])
    expect(result.failures.map((failure) => failure.case.name)).toEqual(['c'])
  })

  it('deletes stale reports before the run, so a command that writes none fails', async () => {
    await scratchService('stale', { 'reports/old.xml': junit('<testcase name="old"/>') })
    const result = await runServiceTests(service('stale', { command: ['true'] }), { root })
    expect(existsSync(join(root, 'services/stale/reports/old.xml'))).toBe(false)
    expect(result.passed).toBe(false)
    expect(result.problems).toEqual(['no report matched reports/*.xml'])
  })

  it('a command that fails without a report fails, with its output kept', async () => {
    await scratchService('crash')
    const result = await runServiceTests(service('crash', { command: ['sh', '-c', 'echo cannot import app >&2; exit 3'] }), { root })
    expect(result.problems).toEqual(['no report matched reports/*.xml', 'the test command exited with 3'])
    expect(result.output).toBe('cannot import app\n')
  })

  it('without report patterns only the exit code counts; the manifest env reaches the command', async () => {
    await scratchService('plain')
    const ok = await runServiceTests(service('plain', { command: ['sh', '-c', 'test "$GREETING" = hi'], reports: [], env: { GREETING: 'hi' } }), { root })
    expect(ok.passed).toBe(true)
    const notOk = await runServiceTests(service('plain', { command: ['sh', '-c', 'exit 1'], reports: [] }), { root })
    expect(notOk.problems).toEqual(['the test command exited with 1'])
  })

  it('keeps the action’s inputs (its token) from the test command', async () => {
    await scratchService('secret')
    const result = await runServiceTests(service('secret', { command: ['sh', '-c', 'echo "token=$INPUT_TOKEN"'], reports: [] }), {
      root,
      env: { ...process.env, INPUT_TOKEN: 'ghs_secret' }
    })
    expect(result.output).toBe('token=\n')
  })

  it('a report that is not a test report fails the service with the reason', async () => {
    await scratchService('garbage')
    const result = await runServiceTests(service('garbage', { command: ['sh', '-c', 'mkdir -p reports; echo "<html/>" > reports/r.xml'] }), { root })
    expect(result.passed).toBe(false)
    expect(result.problems).toEqual([expect.stringMatching(/^a report cannot be read: .*reports\/r\.xml.*not a test report/)])
  })
})

describe('timeouts', () => {
  it('a hanging command is killed at its timeout with its children and grandchildren', async () => {
    await scratchService('hang')
    // sh → sh → sleep: the grandchild writes its pid, then everything waits.
    const result = await runServiceTests(
      service('hang', { command: ["sh -c 'sleep 300 & echo $! > sleeper.pid; wait'; sleep 300"], shell: true, timeoutSeconds: 1, reports: [] }),
      { root }
    )
    expect(result.attempts[0].timedOut).toBe(true)
    expect(result.problems).toEqual(['the test command was killed after its 1s timeout'])
    const pid = Number(await readFile(join(root, 'services/hang/sleeper.pid'), 'utf8'))
    expect(pid).toBeGreaterThan(0)
    expect(await gone(pid)).toBe(true)
  })
})

/** Whether `pid` has stopped running (a zombie awaiting its reaper counts as gone); waits up to 2 s for the kernel. */
async function gone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    let state: string
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]
    } catch {
      return true
    }
    if (state === 'Z' || state === 'X') return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}
