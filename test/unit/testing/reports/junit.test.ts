import { describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'
import { parseReportFile, parseReportText } from '../../../../shared/src/testing/reports/index.js'

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

  it('counts Gradle test-retry re-runs as the cases they are: the report does not mark them as re-runs', async () => {
    // Without `reports.junitXml.mergeReruns`, Gradle writes every execution as its own case and
    // counts it so (tests="5" failures="3"); a failure must not vanish into a later pass.
    const report = await parseReportFile(fixture('gradle.xml'))
    expect(report.totals).toEqual({ tests: 5, passed: 2, failed: 3, errors: 0, skipped: 0, flaky: 0, duration: 0.804 })
    expect(report.warnings).toEqual([])
    expect(report.flaky).toEqual([])
    expect(report.failures.map(({ name, file, line }) => ({ name, file, line }))).toEqual([
      { name: 'findsByPrefix()', file: 'SearchTest.kt', line: 19 },
      { name: 'ranksExactMatchFirst()', file: 'SearchTest.kt', line: 31 },
      { name: 'ranksExactMatchFirst()', file: 'SearchTest.kt', line: 31 }
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

  it('reads gotestsum with --rerun-fails, counting each run, and finds a panic in project code', async () => {
    const report = await parseReportFile(fixture('gotestsum.xml'))
    expect(report.totals).toEqual({ tests: 5, passed: 3, failed: 2, errors: 0, skipped: 0, flaky: 0, duration: 0.525 })
    expect(report.warnings).toEqual([])
    expect(report.failures).toEqual([
      expect.objectContaining({ name: 'TestSettlesBatch', file: 'ledger_test.go', line: 77 }),
      expect.objectContaining({ name: 'TestBalances', file: '/home/runner/work/shop/services/ledger/balance.go', line: 23 })
    ])
  })

  it('counts two cases with the same suite, class and name each: a failure is never merged into a later pass', async () => {
    const report = await parseReportFile(fixture('duplicate-names.xml'))
    expect(report.totals).toEqual({ tests: 3, passed: 2, failed: 1, errors: 0, skipped: 0, flaky: 0, duration: 0.006 })
    expect(report.flaky).toEqual([])
    expect(report.failures).toEqual([
      expect.objectContaining({ name: 'cart totals adds tax', status: 'failed', message: 'expected 110 to equal 119', line: 9 })
    ])
  })

  it('reads GoogleTest: DISABLED_ tests (status="notrun" result="suppressed") and GTEST_SKIP are skipped, not passed', async () => {
    const report = await parseReportFile(fixture('googletest.xml'))
    expect(report.totals).toEqual({ tests: 6, passed: 1, failed: 1, errors: 0, skipped: 4, flaky: 0, duration: 0.006 })
    expect(report.warnings).toEqual([])
    expect(report.failures).toEqual([
      expect.objectContaining({ name: 'AppliesVat', status: 'failed', file: '/home/runner/work/shop/services/pricing/test/pricing_test.cc', line: 18 })
    ])
    expect(report.skipped.map(({ suite, name, message }) => ({ suite, name, message }))).toEqual([
      { suite: ['PricingTest'], name: 'DISABLED_ConvertsCurrency', message: 'not run (status="notrun" result="suppressed")' },
      { suite: ['PricingTest'], name: 'NeedsNetwork', message: '/home/runner/work/shop/services/pricing/test/pricing_test.cc:31\nno network in CI' },
      { suite: ['DISABLED_LedgerTest'], name: 'Posts', message: 'not run (status="notrun" result="suppressed")' },
      { suite: ['DISABLED_LedgerTest'], name: 'Balances', message: 'not run (status="notrun" result="suppressed")' }
    ])
  })

  it('reads status="disabled" cases (cppfw/tst) as skipped, and status="failed" as failed', async () => {
    const report = await parseReportFile(fixture('tst.xml'))
    expect(report.totals).toMatchObject({ tests: 6, passed: 3, failed: 1, errors: 0, skipped: 2 })
    expect(report.warnings).toEqual([])
    expect(report.skipped.map(({ name, message }) => ({ name, message }))).toEqual([
      { name: 'factorial_of_big_value', message: 'not run (status="disabled")' },
      { name: 'factorial_of_zero', message: 'not run (status="disabled")' }
    ])
    const marked = await parseReportText('<testsuite name="s"><testcase name="a" status="failed"/><testcase name="b" status="error"/></testsuite>', 'r.xml')
    expect(marked.totals).toMatchObject({ tests: 2, passed: 0, failed: 1, errors: 1 })
  })

  it('keeps the counts of a suite that declares them but lists no test case; a failure stays a failure', async () => {
    const report = await parseReportFile(fixture('summary-only.xml'))
    expect(report.totals).toEqual({ tests: 10, passed: 5, failed: 2, errors: 0, skipped: 3, flaky: 0, duration: 4.21 })
    expect(report.warnings).toEqual([])
    expect(report.failures.map(({ suite, name, status, message }) => ({ suite, name, status, message }))).toEqual([
      { suite: [], name: 'checkout', status: 'failed', message: 'the suite declares 1 failed test but lists no test case' },
      { suite: [], name: 'payments', status: 'failed', message: 'afterAll hook failed: the payment stub did not stop' }
    ])
    expect(report.omittedFailures).toBe(0)
    const bare = await parseReportText('<testsuites tests="6" failures="1" skipped="2"/>', 'bare.xml')
    expect(bare.totals).toMatchObject({ tests: 6, passed: 3, failed: 1, errors: 0, skipped: 2 })
  })

  it('shows an implausible time (nanoseconds written as seconds) as unknown, with a warning', async () => {
    const report = await parseReportFile(fixture('nanoseconds.xml'))
    expect(report.totals).toMatchObject({ tests: 3, passed: 3, duration: 0.2 })
    expect(report.slowest.map(({ name, duration }) => ({ name, duration }))).toEqual([{ name: 'reverses an entry', duration: 0.2 }])
    expect(report.warnings).toEqual([
      '2 test times are negative or longer than a day (nanoseconds or milliseconds written as seconds?); they are shown as unknown and left out of the time'
    ])
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
