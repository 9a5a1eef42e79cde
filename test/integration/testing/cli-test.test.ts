/** `flotilla test` on a copy of the example shop: its table, its JSON document and its exit code. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testCommand } from '../../../cli/src/commands/test.js'
import { repositoryRoot } from '../../support/action-runner.js'

let root: string
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined }

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'flotilla-cli-test-'))
  await cp(join(repositoryRoot, 'examples', 'shop'), root, {
    recursive: true,
    filter: (source) => !/\/(reports|__pycache__|node_modules)$/.test(source)
  })
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function flotillaTest(positionals: string[], json: boolean): Promise<{ code: number; stdout: string }> {
  const written: string[] = []
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk))
    return true
  })
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true)
  try {
    const code = await testCommand.run({ values: { parallel: '2', json }, positionals, root, json, log: quiet })
    return { code, stdout: written.join('') }
  } finally {
    stdout.mockRestore()
    stderr.mockRestore()
  }
}

describe('flotilla test', () => {
  it('prints a table per service and exits 0 when everything passed', async () => {
    const { code, stdout } = await flotillaTest(['users', 'orders'], false)
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^service\s+result\s+tests\s+passed\s+failed\s+errors\s+skipped\s+flaky\s+time$/)
    expect(lines[1]).toMatch(/^users\s+passed\s+\d+/)
    expect(lines[2]).toMatch(/^orders\s+passed\s+\d+/)
    expect(lines[3]).toMatch(/^total\s+\d+/)
  })

  it('--json gives per service the totals and the failures, and a failure exits 1', async () => {
    await writeFile(join(root, 'services/orders/tests/test_broken.py'), 'import unittest\n\n\nclass Broken(unittest.TestCase):\n    def test_total(self):\n        self.assertEqual(1, 2)\n')
    try {
      const { code, stdout } = await flotillaTest(['orders'], true)
      expect(code).toBe(1)
      const document = JSON.parse(stdout)
      expect(document.passed).toBe(false)
      expect(document.services).toHaveLength(1)
      expect(document.services[0]).toMatchObject({ service: 'orders', passed: false, totals: { failed: 1, errors: 0 } })
      expect(document.services[0].failures).toEqual([
        expect.objectContaining({ name: 'test_total', file: 'services/orders/tests/test_broken.py', line: 6, message: '1 != 2' })
      ])
    } finally {
      await rm(join(root, 'services/orders/tests/test_broken.py'))
    }
  })
})
