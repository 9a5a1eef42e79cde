import type { TestCase, TestTotals } from './types.js'

/** How closely a failure's location points at the code: a line, a whole file, or only the report. */
export type LocationPrecision = 'line' | 'file' | 'report'

/** Where a failure is shown; `file` is relative to the workspace (the repository checkout). */
export interface FailureLocation {
  file: string
  line?: number
  precision: LocationPrecision
}

export interface TestFailure {
  service: string
  case: TestCase
  /** The report it came from, relative to the workspace. */
  report: string
  location: FailureLocation
}

/** One run of a service's test command. */
export interface TestAttempt {
  exitCode: number
  timedOut: boolean
  /** A process outside the command's group still held its output after the command ended (see `execStreaming`). */
  outputHeld: boolean
  /** Wall-clock seconds. */
  seconds: number
  /** Report files found after this attempt (readable or not), relative to the workspace. */
  reports: string[]
  /** Totals of this attempt's reports. */
  totals: TestTotals
}

/** A service's tests after every attempt: the last attempt decides, earlier ones reveal flaky tests. */
export interface ServiceTestResult {
  service: string
  /** The service path, relative to the repository root. */
  path: string
  command: string[]
  attempts: TestAttempt[]
  /** The last attempt's totals, with tests that failed in an earlier attempt counted as flaky. */
  totals: TestTotals
  /** The last attempt's failures (at most the parser's cap per report). */
  failures: TestFailure[]
  /** Failures counted but not kept. */
  omittedFailures: number
  flaky: TestCase[]
  /** The slowest cases of the last attempt, slowest first. */
  slowest: TestCase[]
  /** Things worth a reader's attention that do not fail the service (a report count that lied, …). */
  warnings: string[]
  /** Why the service failed, one sentence each; empty when it passed. */
  problems: string[]
  passed: boolean
  /** The end of the command's output (stdout and stderr as they arrived), bounded. */
  output: string
}
