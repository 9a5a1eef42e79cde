import type { ReportFormat, TestCase, TestReport, TestTotals } from '../types.js'

export interface CollectorOptions {
  /** Failed, errored, flaky and skipped cases kept, each; the rest are only counted. */
  maxFailures: number
  /** How many of the slowest cases to keep. */
  slowest: number
}

export function emptyTotals(): TestTotals {
  return { tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0, duration: 0 }
}

/**
 * Counts every case a reader finds and keeps only what a reader of the results looks at, so
 * memory stays flat however many cases stream through.
 *
 * A case that repeats an earlier failed case (same suite path, class and name) is a re-run, as
 * Gradle's test-retry plugin and `gotestsum --rerun-fails` write them: it replaces the earlier
 * result instead of counting twice, and a re-run that passes makes the case flaky.
 */
export class ReportCollector {
  readonly totals = emptyTotals()
  readonly warnings: string[] = []
  private readonly failures = new Map<string, TestCase>()
  private omittedFailures = 0
  /** Identity of every failed case not yet re-run, kept or not, so a later pass is recognised. */
  private readonly failedIdentities = new Map<string, 'failed' | 'error'>()
  private readonly flaky: TestCase[] = []
  private readonly skipped: TestCase[] = []
  private slowest: TestCase[] = []

  constructor(private readonly options: CollectorOptions) {}

  /** Counts a case; returns the copy the report may keep, for readers that complete it later. */
  add(found: TestCase): TestCase {
    const testCase = detached(found)
    this.totals.duration += testCase.duration ?? 0
    const identity = identityOf(testCase)
    const earlier = this.failedIdentities.get(identity)
    if (earlier) {
      if (testCase.status === 'passed') this.passOnRerun(identity, earlier, testCase)
      return testCase
    }
    this.totals.tests += 1
    this.count(testCase)
    this.considerSlowest(testCase)
    if (testCase.status === 'failed' || testCase.status === 'error') {
      this.failedIdentities.set(identity, testCase.status)
      // A unique key per kept failure: identities repeat only through re-runs, handled above.
      if (this.failures.size < this.options.maxFailures) this.failures.set(identity, testCase)
      else this.omittedFailures += 1
    }
    return testCase
  }

  /** Every case the report will carry, for readers that complete cases after the fact (TRX). */
  retained(): TestCase[] {
    return [...this.failures.values(), ...this.flaky, ...this.skipped, ...this.slowest]
  }

  report(file: string, format: ReportFormat): TestReport {
    return {
      file,
      format,
      totals: { ...this.totals, duration: roundSeconds(this.totals.duration) },
      failures: [...this.failures.values()],
      omittedFailures: this.omittedFailures,
      flaky: this.flaky,
      skipped: this.skipped,
      slowest: this.slowest,
      warnings: this.warnings
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
    if (testCase.flaky) this.keepFlaky(testCase)
  }

  private passOnRerun(identity: string, earlier: 'failed' | 'error', rerun: TestCase): void {
    this.failedIdentities.delete(identity)
    if (earlier === 'failed') this.totals.failed -= 1
    else this.totals.errors -= 1
    this.totals.passed += 1
    const kept = this.failures.get(identity)
    if (kept) this.failures.delete(identity)
    else this.omittedFailures -= 1
    // The passing run says nothing about what went wrong; the first run does.
    const first = kept ?? rerun
    this.keepFlaky({ ...rerun, flaky: true, message: first.message, details: first.details, file: first.file ?? rerun.file, line: first.line ?? rerun.line })
  }

  private keepFlaky(testCase: TestCase): void {
    this.totals.flaky += 1
    if (this.flaky.length < this.options.maxFailures) this.flaky.push(testCase)
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

function identityOf(testCase: TestCase): string {
  return [...testCase.suite, testCase.className ?? '', testCase.name].join('\u0000')
}

/** Sums of many float durations drift (0.1 + 0.2); reports show milliseconds at most. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6
}
