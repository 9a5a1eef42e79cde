import { describe, expect, it } from '@jest/globals'
import { locateInStack, mergeReports, parseReportText } from '../../../../shared/src/testing/reports/index.js'

describe('locateInStack', () => {
  it.each([
    ['JavaScript', 'Error: boom\n    at Object.<anonymous> (/repo/node_modules/expect/build/index.js:10:3)\n    at Object.<anonymous> (/repo/src/sum.test.js:12:5)', { file: '/repo/src/sum.test.js', line: 12 }],
    ['JavaScript without a function name', 'Error\n    at node:internal/timers:478:21\n    at /repo/src/a.test.js:3:9', { file: '/repo/src/a.test.js', line: 3 }],
    ['an ES module URL', 'Error\n    at file:///repo/src/a%20b.test.mjs:7:1', { file: '/repo/src/a b.test.mjs', line: 7 }],
    [
      'a Python traceback',
      'Traceback (most recent call last):\n  File "/venv/lib/python3.12/site-packages/_pytest/python.py", line 194, in run\n  File "tests/test_x.py", line 12, in test_x\n',
      { file: 'tests/test_x.py', line: 12 }
    ],
    ['a Python standard library frame', '  File "/usr/lib/python3.11/unittest/case.py", line 57\n  File "app/x.py", line 3', { file: 'app/x.py', line: 3 }],
    ['a JVM trace', 'java.lang.AssertionError\n\tat org.junit.Assert.fail(Assert.java:89)\n\tat com.acme.CalcTest.adds(CalcTest.java:42)', { file: 'CalcTest.java', line: 42 }],
    ['a .NET trace', '   at Xunit.Assert.Equal()\n   at Calc.Tests.Adds() in /src/CalcTests.cs:line 42', { file: '/src/CalcTests.cs', line: 42 }],
    ['a Go test log', '=== RUN   TestAdd\n    calc_test.go:42: got 4, want 3', { file: 'calc_test.go', line: 42 }]
  ])('finds the first project frame in %s', (_language, details, expected) => {
    expect(locateInStack(details)).toEqual(expected)
  })

  it('finds nothing when every frame is in library code or there is no frame', () => {
    expect(locateInStack('Error\n    at run (/repo/node_modules/jest-circus/build/run.js:1:1)')).toBeUndefined()
    expect(locateInStack('expected 3, got 4')).toBeUndefined()
  })
})

describe('parse options and totals', () => {
  const manyFailures = `<testsuite name="s">${Array.from({ length: 5 }, (_, i) => `<testcase name="t${i}" time="${i}"><failure message="m${i}"/></testcase>`).join('')}</testsuite>`

  it('keeps failures up to the cap and counts the rest', async () => {
    const report = await parseReportText(manyFailures, 'r.xml', { maxFailures: 2, slowest: 3 })
    expect(report.totals.failed).toBe(5)
    expect(report.failures.map((testCase) => testCase.name)).toEqual(['t0', 't1'])
    expect(report.omittedFailures).toBe(3)
    expect(report.slowest.map((testCase) => testCase.name)).toEqual(['t4', 't3', 't2'])
  })

  it('adds up the totals of several reports', async () => {
    const reports = await Promise.all([
      parseReportText(manyFailures, 'a.xml'),
      parseReportText('<testsuite name="s"><testcase name="ok" time="0.1"/><testcase name="skip"><skipped/></testcase></testsuite>', 'b.xml')
    ])
    expect(mergeReports(reports)).toEqual({ tests: 7, passed: 1, failed: 5, errors: 0, skipped: 1, flaky: 0, duration: 10.1 })
  })
})
