/** One model for every test report format (JUnit XML and its dialects, .NET TRX, NUnit 3). */

export type TestStatus = 'passed' | 'failed' | 'error' | 'skipped'

export interface TestCase {
  /** The suite path from the root, outermost first (nested suites keep their nesting). */
  suite: string[]
  name: string
  /** Class or fixture name when the format has one (JUnit `classname`, TRX `className`). */
  className?: string
  status: TestStatus
  /** True when the case failed and then passed on a re-run the report (or a later attempt) records; it counts as passed. */
  flaky: boolean
  /** Seconds. */
  duration?: number
  message?: string
  /** Stack trace or failure body. */
  details?: string
  /** Source location when the report or the stack trace gives one; relative or absolute as written. */
  file?: string
  line?: number
}

export interface TestTotals {
  tests: number
  passed: number
  failed: number
  errors: number
  skipped: number
  flaky: number
  /** Seconds, summed over cases. */
  duration: number
}

export type ReportFormat = 'junit' | 'trx' | 'nunit'

/**
 * A parsed report. Parsing streams: every case is counted, but only what a reader looks at is
 * kept (failures up to a cap, flaky cases, the slowest cases), so a 100 MB report stays small.
 */
export interface TestReport {
  /** The report file, as given. */
  file: string
  format: ReportFormat
  /** Counted from the test cases, never from root attributes. */
  totals: TestTotals
  /** Failed and errored cases in report order, at most the parser's cap. */
  failures: TestCase[]
  /** Failures counted but not kept because of the cap. */
  omittedFailures: number
  flaky: TestCase[]
  /** Skipped cases with their reason, in report order, at most the parser's cap. */
  skipped: TestCase[]
  /** The slowest cases, slowest first (a handful). */
  slowest: TestCase[]
  /** Which of the identities the parser was asked to watch (failures of an earlier attempt) pass in this report. */
  passedAgain: string[]
  /** Problems worth telling the user (a root count that disagreed with the cases, …). */
  warnings: string[]
}
