import type { TestTotals } from './types.js'

export function emptyTotals(): TestTotals {
  return { tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0, duration: 0 }
}

export function addTotals(a: TestTotals, b: TestTotals): TestTotals {
  return {
    tests: a.tests + b.tests,
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    errors: a.errors + b.errors,
    skipped: a.skipped + b.skipped,
    flaky: a.flaky + b.flaky,
    duration: a.duration + b.duration
  }
}
