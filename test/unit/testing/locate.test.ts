import { describe, expect, it } from '@jest/globals'
import { locateFailure, type LocateContext, type TestCase } from '../../../shared/src/testing/index.js'

const workspace = '/work/repo'
const files = [
  '/work/repo/services/cart/test/totals.test.js',
  '/work/repo/services/cart/src/totals.js',
  '/work/repo/services/users/tests/test_store.py',
  '/work/repo/services/users/tests/helpers/test_store.py'
]

function context(serviceDir: string): LocateContext {
  return {
    workspace,
    root: workspace,
    serviceDir,
    report: `${serviceDir}/reports/junit.xml`,
    exists: (file) => files.includes(file),
    serviceFiles: () => files.filter((file) => file.startsWith(`${serviceDir}/`))
  }
}

const failed = (fields: Partial<TestCase>): TestCase => ({ suite: [], name: 'case', status: 'failed', flaky: false, ...fields })
const cart = context('/work/repo/services/cart')
const users = context('/work/repo/services/users')

describe('locateFailure', () => {
  it('uses the case’s own file (relative to the service) and line', () => {
    expect(locateFailure(failed({ file: 'test/totals.test.js', line: 12 }), cart)).toEqual({
      file: 'services/cart/test/totals.test.js',
      line: 12,
      precision: 'line'
    })
  })

  it('falls back to the stack trace, reading file:// URLs', () => {
    const details = 'AssertionError: 1 !== 2\n    at TestContext.<anonymous> (file:///work/repo/services/cart/test/totals.test.js:4:10)\n'
    expect(locateFailure(failed({ details }), cart)).toEqual({ file: 'services/cart/test/totals.test.js', line: 4, precision: 'line' })
  })

  it('finds a file written elsewhere (a container path) by its name under the service, keeping the line', () => {
    const details = 'Traceback (most recent call last):\n  File "/app/tests/test_store.py", line 9, in test_lookup\n    self.assertEqual(1, 2)\nAssertionError: 1 != 2\n'
    expect(locateFailure(failed({ details }), users)).toEqual({ file: 'services/users/tests/test_store.py', line: 9, precision: 'line' })
  })

  it('finds the file a class name spells', () => {
    expect(locateFailure(failed({ className: 'tests.helpers.test_store' }), users)).toEqual({
      file: 'services/users/tests/helpers/test_store.py',
      precision: 'file'
    })
  })

  it('points at the report when nothing names a file that exists here', () => {
    expect(locateFailure(failed({ file: 'missing.js', line: 3 }), cart)).toEqual({ file: 'services/cart/reports/junit.xml', precision: 'report' })
  })

  it('never points outside the workspace', () => {
    expect(locateFailure(failed({ file: '/etc/passwd', line: 1 }), { ...cart, exists: () => true })).toEqual({
      file: 'services/cart/reports/junit.xml',
      precision: 'report'
    })
  })
})
