import { describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'
import { parseReportFile } from '../../../../shared/src/testing/reports/index.js'

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/reports/${name}`, import.meta.url))

describe('JUnit reports', () => {
  it('reads jest-junit, counting a suite that failed to compile as an error', async () => {
    const report = await parseReportFile(fixture('jest-junit.xml'))
    expect(report.format).toBe('junit')
    expect(report.totals).toEqual({ tests: 4, passed: 1, failed: 1, errors: 1, skipped: 1, flaky: 0, duration: 0.016 })
    expect(report.warnings).toEqual([])
    const [discount, compile] = report.failures
    expect(discount).toMatchObject({
      suite: ['src/cart.test.ts'],
      name: 'cart › totals applies the discount',
      className: 'cart › totals',
      status: 'failed',
      message: 'Error: expect(received).toBe(expected) // Object.is equality',
      // The frame in the case's own file gives the failing line.
      file: 'src/cart.test.ts',
      line: 27
    })
    expect(discount.details).toContain('Received: 100')
    expect(compile).toMatchObject({
      name: 'src/checkout.test.ts',
      status: 'error',
      message: '● Test suite failed to run',
      file: 'src/checkout.test.ts',
      line: 4
    })
  })

  it('turns a case-less suite with tests="0" errors="1" into an errored case and warns about the root count', async () => {
    const report = await parseReportFile(fixture('jest-junit-compile-error.xml'))
    expect(report.totals).toMatchObject({ tests: 2, passed: 1, errors: 1 })
    expect(report.failures).toEqual([
      expect.objectContaining({ suite: [], name: 'src/payments.test.ts', status: 'error', message: expect.stringContaining('failed to load') })
    ])
    expect(report.warnings).toEqual([expect.stringContaining('<testsuites> declares tests=1')])
  })

  it('ignores root counts that disagree with the cases, with a warning', async () => {
    const report = await parseReportFile(fixture('lying-root.xml'))
    expect(report.totals).toMatchObject({ tests: 3, passed: 2, failed: 1 })
    expect(report.warnings).toEqual([
      '<testsuites> declares tests=10 failed=0 errors=0 skipped=0 but its test cases give tests=3 failed=1 errors=0 skipped=0; the test cases are used'
    ])
  })

  it('reads pytest: failures, setup errors, skips with their reason, unicode names', async () => {
    const report = await parseReportFile(fixture('pytest.xml'))
    expect(report.totals).toMatchObject({ tests: 5, passed: 2, failed: 1, errors: 1, skipped: 1 })
    expect(report.failures.map(({ name, status, message, file, line }) => ({ name, status, message, file, line }))).toEqual([
      { name: 'test_release', status: 'failed', message: 'AssertionError: assert 2 == 3\n +  where 2 = len([...])', file: 'tests/test_inventory.py', line: 18 },
      { name: 'test_fixture_broken', status: 'error', message: 'failed on setup with "ValueError: bad fixture"', file: 'tests/conftest.py', line: 9 }
    ])
    expect(report.skipped[0]).toMatchObject({ name: 'test_needs_db', message: 'needs a database: set DATABASE_URL' })
    expect(report.slowest[0]).toMatchObject({ name: 'test_release', duration: 0.031 })
    expect(report.slowest.map((testCase) => testCase.name)).toContain('test_restock[ümlaut-€]')
  })

  it('reads pytest xunit1 file and line, which pytest writes 0-based', async () => {
    const report = await parseReportFile(fixture('pytest-xunit1.xml'))
    expect(report.failures.map(({ name, file, line }) => ({ name, file, line }))).toEqual([
      { name: 'test_taxes', file: 'tests/test_prices.py', line: 9 },
      // The trace points into another file, so the case's own line (7 + 1) is used.
      { name: 'test_currency', file: 'tests/test_prices.py', line: 12 }
    ])
  })

  it('reads Surefire: a flakyFailure passes as flaky, a rerunFailure stays failed, skipped keeps its message', async () => {
    const report = await parseReportFile(fixture('surefire.xml'))
    expect(report.totals).toEqual({ tests: 4, passed: 2, failed: 1, errors: 0, skipped: 1, flaky: 1, duration: 3.226 })
    expect(report.warnings).toEqual([])
    expect(report.failures).toEqual([
      expect.objectContaining({ name: 'sendsReminder', status: 'failed', message: 'Timed out after 3 seconds', file: 'ReminderClient.java', line: 88 })
    ])
    expect(report.flaky).toEqual([
      expect.objectContaining({
        name: 'appliesVat',
        status: 'passed',
        flaky: true,
        message: 'expected: <119.00> but was: <118.99>',
        file: 'InvoiceTest.java',
        line: 41
      })
    ])
    expect(report.skipped).toEqual([expect.objectContaining({ name: 'archives', status: 'skipped', message: 'archive store disabled in CI' })])
  })

  it('reads a Surefire rerunError alone as an error', async () => {
    const report = await parseReportFile(fixture('surefire-rerun-error.xml'))
    expect(report.totals).toMatchObject({ tests: 1, errors: 1 })
    expect(report.failures[0]).toMatchObject({ message: 'Connection refused', file: 'LedgerIT.java', line: 23 })
  })

  it('reads Gradle test-retry re-runs: a pass after a failure is flaky, two failures count once', async () => {
    const report = await parseReportFile(fixture('gradle.xml'))
    expect(report.totals).toEqual({ tests: 3, passed: 2, failed: 1, errors: 0, skipped: 0, flaky: 1, duration: 0.804 })
    expect(report.warnings).toEqual([])
    expect(report.failures).toEqual([expect.objectContaining({ name: 'ranksExactMatchFirst()', file: 'SearchTest.kt', line: 31 })])
    expect(report.flaky).toEqual([
      expect.objectContaining({ name: 'findsByPrefix()', message: 'java.lang.AssertionError: expected 3 hits, got 2', file: 'SearchTest.kt', line: 19 })
    ])
  })

  it('reads go-junit-report, including a package that failed to build', async () => {
    const report = await parseReportFile(fixture('go-junit-report.xml'))
    expect(report.totals).toMatchObject({ tests: 5, passed: 2, failed: 1, errors: 1, skipped: 1, flaky: 0 })
    expect(report.warnings).toEqual([])
    expect(report.failures.map(({ name, suite, file, line }) => ({ name, suite, file, line }))).toEqual([
      { name: 'TestRoutesByPath/trailing_slash', suite: ['github.com/acme/shop/services/gateway/router'], file: 'router_test.go', line: 48 },
      { name: '[build failed]', suite: ['github.com/acme/shop/services/gateway/auth'], file: 'auth/token.go', line: 17 }
    ])
  })

  it('reads gotestsum with --rerun-fails, and finds a panic in project code', async () => {
    const report = await parseReportFile(fixture('gotestsum.xml'))
    expect(report.totals).toEqual({ tests: 4, passed: 3, failed: 1, errors: 0, skipped: 0, flaky: 1, duration: 0.525 })
    expect(report.failures).toEqual([
      expect.objectContaining({ name: 'TestBalances', file: '/home/runner/work/shop/services/ledger/balance.go', line: 23 })
    ])
    expect(report.flaky).toEqual([expect.objectContaining({ name: 'TestSettlesBatch', flaky: true, file: 'ledger_test.go', line: 77 })])
  })

  it('reads mocha, taking the file from the suite and keeping CDATA and unicode intact', async () => {
    const report = await parseReportFile(fixture('mocha.xml'))
    expect(report.totals).toMatchObject({ tests: 4, passed: 2, failed: 1, skipped: 1 })
    expect(report.failures[0]).toMatchObject({
      message: "expected 'Bonjour Zoë' to equal 'Bonjour Zoé'",
      file: '/home/runner/work/shop/services/notify/test/notifications.spec.js',
      line: 33
    })
    expect(report.failures[0].details).toContain("AssertionError: expected 'Bonjour Zoë' to equal 'Bonjour Zoé'\n    at Context.<anonymous>")
  })

  it('keeps the path of nested suites and counts a suite-level error once', async () => {
    const report = await parseReportFile(fixture('nested.xml'))
    expect(report.totals).toMatchObject({ tests: 4, passed: 2, failed: 1, errors: 1 })
    expect(report.failures.map(({ suite, name, status, message, file, line }) => ({ suite, name, status, message, file, line }))).toEqual([
      { suite: ['api', 'orders', 'create'], name: 'reserves stock', status: 'failed', message: 'stock not reserved', file: 'spec/orders/create_spec.rb', line: 14 },
      { suite: ['api'], name: 'users', status: 'error', message: 'before(:all) hook failed: database unavailable', file: undefined, line: undefined }
    ])
  })
})
