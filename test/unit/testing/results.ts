/** Builders of test results for tests of the reporting side (no processes, no reports). */
import type { FailureLocation, ServiceTestResult, TestFailure } from '../../../shared/src/testing/index.js'

export function failure(service: string, name: string, location: Partial<FailureLocation> = {}, message = `${name} failed`): TestFailure {
  return {
    service,
    case: { suite: [`${service} suite`], name, status: 'failed', flaky: false, message, details: `AssertionError: ${message}\n    at ${name}` },
    report: `services/${service}/reports/junit.xml`,
    location: { file: `services/${service}/test/${name}.test.js`, line: 3, precision: 'line', ...location }
  }
}

export function serviceResult(service: string, failures: TestFailure[] = [], overrides: Partial<ServiceTestResult> = {}): ServiceTestResult {
  const failed = failures.length
  return {
    service,
    path: `services/${service}`,
    command: ['npm', 'test'],
    attempts: [{ exitCode: failed > 0 ? 1 : 0, timedOut: false, outputHeld: false, seconds: 1, reports: [`services/${service}/reports/junit.xml`], totals: totals(failed) }],
    totals: totals(failed),
    failures,
    omittedFailures: 0,
    flaky: [],
    slowest: [],
    warnings: [],
    problems: failed > 0 ? [`${failed} tests failed`] : [],
    passed: failed === 0,
    output: '',
    ...overrides
  }
}

function totals(failed: number): ServiceTestResult['totals'] {
  return { tests: 10 + failed, passed: 10, failed, errors: 0, skipped: 0, flaky: 0, duration: 1.5 }
}

/** `count` failures of one service, each with a long message, numbered from 1. */
export function manyFailures(service: string, count: number, messageBytes = 3000): TestFailure[] {
  return Array.from({ length: count }, (_, index) =>
    failure(service, `case ${index + 1}`, { line: index + 1 }, `expected ${index + 1} ` + 'x'.repeat(messageBytes))
  )
}
