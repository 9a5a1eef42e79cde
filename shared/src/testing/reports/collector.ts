import type { ReportFormat, TestCase, TestReport, TestTotals } from '../types.js'

export interface CollectorOptions {
  /** Failed, errored, flaky and skipped cases kept, each; the rest are only counted. */
  maxFailures: number
  /** How many of the slowest cases to keep. */
  slowest: number
  /** Identities (see `caseIdentity`) of cases that failed in an earlier attempt: the report says which of them pass in this one. */
  watch?: ReadonlySet<string>
}

export function emptyTotals(): TestTotals {
  return { tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0, duration: 0 }
}

/**
 * The longest time a test case (or a suite standing for its cases) can plausibly take: a day.
 * A GitHub-hosted job stops after 6 hours; a larger `time` is a unit written wrong (nanoseconds
 * or milliseconds as seconds: one second in nanoseconds reads as 31 years), so it is unknown.
 */
export const MAX_PLAUSIBLE_SECONDS = 24 * 60 * 60

/**
 * Counts every case a reader finds and keeps only what a reader of the results looks at, so
 * memory stays flat however many cases stream through.
 *
 * Every case counts, however many share a suite, class and name: two cases with the same name
 * are two tests (a parametrised test whose parameters the writer dropped, an `it` written
 * twice), and a failure never disappears into a later pass. A case is flaky only when the
 * report itself marks a re-run (Surefire's `flakyFailure`, which Gradle writes too with
 * `mergeReruns`); re-runs across Flotilla's own attempts are merged by the runner.
 */
export class ReportCollector {
  readonly totals = emptyTotals()
  readonly warnings: string[] = []
  private readonly failures: TestCase[] = []
  private omittedFailures = 0
  private readonly flaky: TestCase[] = []
  private readonly skipped: TestCase[] = []
  private slowest: TestCase[] = []
  private implausibleTimes = 0
  /** Names of the watched cases, and the passing cases that bear one (kept, so TRX can complete their class). */
  private readonly watchedNames: ReadonlySet<string>
  private readonly passedWatched: TestCase[] = []

  constructor(private readonly options: CollectorOptions) {
    this.watchedNames = new Set([...(options.watch ?? [])].map((identity) => identity.slice(identity.lastIndexOf('\u0000') + 1)))
  }

  /** Counts a case; returns the copy the report may keep, for readers that complete it later. */
  add(found: TestCase): TestCase {
    const testCase = detached(found)
    if (testCase.duration !== undefined && !(testCase.duration >= 0 && testCase.duration <= MAX_PLAUSIBLE_SECONDS)) {
      this.implausibleTimes += 1
      testCase.duration = undefined
    }
    this.totals.duration += testCase.duration ?? 0
    this.totals.tests += 1
    this.count(testCase)
    this.considerSlowest(testCase)
    if (testCase.status === 'failed' || testCase.status === 'error') {
      if (this.failures.length < this.options.maxFailures) this.failures.push(testCase)
      else this.omittedFailures += 1
    } else if (testCase.status === 'passed' && this.watchedNames.has(testCase.name) && this.passedWatched.length < this.options.maxFailures) {
      this.passedWatched.push(testCase)
    }
    return testCase
  }

  /**
   * Counts `count` cases alike, as a report declares them without listing them (a suite's own
   * counts): `testCase` is kept for them all, and the failures beyond it are counted as not kept.
   */
  addAlike(testCase: TestCase, count: number): void {
    if (count <= 0) return
    this.add(testCase)
    const more = count - 1
    this.totals.tests += more
    if (testCase.status === 'passed') this.totals.passed += more
    else if (testCase.status === 'skipped') this.totals.skipped += more
    else {
      if (testCase.status === 'failed') this.totals.failed += more
      else this.totals.errors += more
      this.omittedFailures += more
    }
  }

  /** Every case the report will carry, for readers that complete cases after the fact (TRX). */
  retained(): TestCase[] {
    return [...this.failures, ...this.flaky, ...this.skipped, ...this.slowest, ...this.passedWatched]
  }

  report(file: string, format: ReportFormat): TestReport {
    const warnings = [...this.warnings]
    if (this.implausibleTimes > 0) {
      const times = this.implausibleTimes === 1 ? '1 test time is' : `${this.implausibleTimes} test times are`
      warnings.push(`${times} negative or longer than a day (nanoseconds or milliseconds written as seconds?); they are shown as unknown and left out of the time`)
    }
    return {
      file,
      format,
      totals: { ...this.totals, duration: roundSeconds(this.totals.duration) },
      failures: this.failures,
      omittedFailures: this.omittedFailures,
      flaky: this.flaky,
      skipped: this.skipped,
      slowest: this.slowest,
      passedAgain: [...new Set(this.passedWatched.map(caseIdentity).filter((identity) => this.options.watch?.has(identity)))],
      warnings
    }
  }

  private count(testCase: TestCase): void {
    const { totals } = this
    if (testCase.status === 'passed') totals.passed += 1
    else if (testCase.status === 'failed') totals.failed += 1
    else if (testCase.status === 'error') totals.errors += 1
    else {
      totals.skipped += 1
      if (this.skipped.length < this.options.maxFailures) this.skipped.push(testCase)
    }
    if (testCase.flaky) {
      totals.flaky += 1
      if (this.flaky.length < this.options.maxFailures) this.flaky.push(testCase)
    }
  }

  private considerSlowest(testCase: TestCase): void {
    const limit = this.options.slowest
    const duration = testCase.duration
    if (limit === 0 || duration === undefined) return
    const fastest = this.slowest[this.slowest.length - 1]
    if (this.slowest.length === limit && (fastest.duration ?? 0) >= duration) return
    const at = this.slowest.findIndex((kept) => (kept.duration ?? 0) < duration)
    this.slowest.splice(at === -1 ? this.slowest.length : at, 0, testCase)
    if (this.slowest.length > limit) this.slowest.pop()
  }
}

/**
 * A copy of the case whose strings own their characters. Strings cut from the XML parser's
 * input are V8 slices that keep the whole input chunk alive; a thousand kept failures would
 * otherwise pin a thousand 256 KiB chunks.
 */
function detached(testCase: TestCase): TestCase {
  const own = (text: string) => structuredClone(text)
  return {
    ...testCase,
    suite: testCase.suite.map(own),
    name: own(testCase.name),
    className: testCase.className === undefined ? undefined : own(testCase.className),
    message: testCase.message === undefined ? undefined : own(testCase.message),
    details: testCase.details === undefined ? undefined : own(testCase.details),
    file: testCase.file === undefined ? undefined : own(testCase.file)
  }
}

/** A test's identity: its suite path, class and name. Flotilla's attempts are matched by it. */
export function caseIdentity(testCase: Pick<TestCase, 'suite' | 'className' | 'name'>): string {
  return [...testCase.suite, testCase.className ?? '', testCase.name].join('\u0000')
}

/** Sums of many float durations drift (0.1 + 0.2); reports show milliseconds at most. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6
}
