import { describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'
import { parseReportFile } from '../../../../shared/src/testing/reports/index.js'
import { parseTimeSpan } from '../../../../shared/src/testing/reports/trx.js'

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/reports/${name}`, import.meta.url))

describe('.NET TRX reports', () => {
  it('counts leaf results, maps outcomes and joins class names written after the results', async () => {
    const report = await parseReportFile(fixture('vstest.trx'))
    expect(report.format).toBe('trx')
    expect(report.totals).toEqual({ tests: 6, passed: 2, failed: 2, errors: 1, skipped: 1, flaky: 0, duration: 31.524125 })
    expect(report.failures.map(({ name, className, status, message, file, line }) => ({ name, className, status, message, file, line }))).toEqual([
      {
        name: 'Divides',
        className: 'Calc.Tests.CalculatorTests',
        status: 'failed',
        message: 'Assert.Equal() Failure: Values differ\nExpected: 0.5\nActual:   ∞',
        file: '/home/runner/work/shop/services/calc/Calc.Tests/CalculatorTests.cs',
        line: 27
      },
      {
        name: 'ParsesAll ("1/")',
        className: 'Calc.Tests.ParserTests',
        status: 'error',
        message: 'System.FormatException : unexpected end of input',
        file: '/home/runner/work/shop/services/calc/Calc/Parser.cs',
        line: 88
      },
      { name: 'TimesOut', className: 'Calc.Tests.SlowTests', status: 'failed', message: undefined, file: undefined, line: undefined }
    ])
    expect(report.skipped).toEqual([expect.objectContaining({ name: 'Rounds', message: 'Skipped: flaky on ARM' })])
    expect(report.slowest.slice(0, 2).map((testCase) => [testCase.name, testCase.duration])).toEqual([
      ['TimesOut', 30.001],
      ['Divides', 1.5]
    ])
  })

  it('reads TimeSpan durations with days', () => {
    expect(parseTimeSpan('1.02:03:04.5')).toBe(86400 + 7200 + 180 + 4.5)
    expect(parseTimeSpan('00:00:00.0031250')).toBe(0.003125)
    expect(parseTimeSpan('soon')).toBeUndefined()
  })
})

describe('NUnit 3 reports', () => {
  it('counts test cases only, not the failures suites inherit from them', async () => {
    const report = await parseReportFile(fixture('nunit3.xml'))
    expect(report.format).toBe('nunit')
    expect(report.totals).toEqual({ tests: 5, passed: 2, failed: 1, errors: 1, skipped: 1, flaky: 0, duration: 0.164 })
    expect(report.warnings).toEqual([])
    expect(report.failures.map(({ suite, name, className, status, message, file, line }) => ({ suite, name, className, status, message, file, line }))).toEqual([
      {
        suite: ['Pricing.Tests.dll', 'Pricing', 'DiscountTests'],
        name: 'StacksCoupons',
        className: 'Pricing.Tests.DiscountTests',
        status: 'failed',
        message: 'Expected: 80.0m\n  But was:  72.0m',
        file: '/home/runner/work/shop/services/pricing/Pricing.Tests/DiscountTests.cs',
        line: 34
      },
      {
        suite: ['Pricing.Tests.dll', 'Pricing', 'TaxTests'],
        name: 'UnknownRegion',
        className: 'Pricing.Tests.TaxTests',
        status: 'error',
        message: "System.Collections.Generic.KeyNotFoundException : The given key 'ZZ' was not present in the dictionary.",
        file: '/home/runner/work/shop/services/pricing/Pricing/TaxTable.cs',
        line: 19
      }
    ])
    expect(report.skipped).toEqual([expect.objectContaining({ name: 'ExpiredCoupon', message: 'clock injection pending' })])
  })
})
