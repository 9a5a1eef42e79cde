import type { ServiceTestResult, TestFailure } from './model.js'
import { addTotals, emptyTotals } from './totals.js'
import type { TestStatus, TestTotals } from './types.js'

/** One failed test in the machine-readable report. */
export interface FailureDocument {
  suite: string[]
  name: string
  className?: string
  status: TestStatus
  message?: string
  details?: string
  /** Relative to the workspace; `line` absent when only the file (or only the report) is known. */
  file: string
  line?: number
  report: string
}

export interface ServiceTestDocument {
  service: string
  path: string
  passed: boolean
  problems: string[]
  totals: TestTotals
  attempts: number
  exitCode: number
  timedOut: boolean
  reports: string[]
  failures: FailureDocument[]
  omittedFailures: number
  flaky: Array<{ suite: string[]; name: string }>
  warnings: string[]
}

/** The `report-file` output and `flotilla test --json`: every service's totals and failures. */
export interface TestDocument {
  passed: boolean
  totals: TestTotals
  services: ServiceTestDocument[]
}

export function testDocument(results: readonly ServiceTestResult[]): TestDocument {
  return {
    passed: results.every((result) => result.passed),
    totals: overallTotals(results),
    services: results.map((result) => {
      const last = result.attempts.at(-1)
      return {
        service: result.service,
        path: result.path,
        passed: result.passed,
        problems: result.problems,
        totals: result.totals,
        attempts: result.attempts.length,
        exitCode: last?.exitCode ?? 0,
        timedOut: last?.timedOut ?? false,
        reports: last?.reports ?? [],
        failures: result.failures.map(failureDocument),
        omittedFailures: result.omittedFailures,
        flaky: result.flaky.map(({ suite, name }) => ({ suite, name })),
        warnings: result.warnings
      }
    })
  }
}

export function overallTotals(results: readonly ServiceTestResult[]): TestTotals {
  return results.reduce((sum, result) => addTotals(sum, result.totals), emptyTotals())
}

function failureDocument(failure: TestFailure): FailureDocument {
  const { case: testCase, location } = failure
  return {
    suite: testCase.suite,
    name: testCase.name,
    ...(testCase.className === undefined ? {} : { className: testCase.className }),
    status: testCase.status,
    ...(testCase.message === undefined ? {} : { message: testCase.message }),
    ...(testCase.details === undefined ? {} : { details: testCase.details }),
    file: location.file,
    ...(location.line === undefined ? {} : { line: location.line }),
    report: failure.report
  }
}
