import { failureText, testTitle } from './annotations.js'
import type { ServiceTestResult, TestFailure } from './model.js'
import { addTotals, emptyTotals } from './totals.js'
import type { TestCase, TestTotals } from './types.js'

/** GitHub's job-summary limit per step (DESIGN §7). */
export const JOB_SUMMARY_BYTES = 1024 * 1024
/** The check-run `output.summary` limit is 65,535 characters; bytes never undercount characters. */
export const CHECK_RUN_SUMMARY_BYTES = 65_535

const FAILURE_CHARS = 2000
const OUTPUT_CHARS = 8000
/** Room kept for the closing "… not shown" notes, so they always fit. */
const NOTE_RESERVE = 512

export interface SummaryOptions {
  maxBytes: number
  /** Failures left without an annotation because of GitHub's limits; the summary says so. */
  unannotated?: number
  /** A heading other than "Tests" (a check run names its service). */
  heading?: string
}

/**
 * The job summary: a table of totals per service, why each failed service failed, the failed
 * tests with their messages, flaky and slowest tests, and the end of failed services' output.
 * Everything after the table is added entry by entry while it fits in `maxBytes`; what does not
 * fit is counted, never cut in the middle of an entry.
 */
export function renderTestSummary(results: readonly ServiceTestResult[], options: SummaryOptions): string {
  const budget = new Budget(options.maxBytes)
  const failedServices = results.filter((result) => !result.passed)
  const verdict =
    results.length === 0
      ? 'no service with tests'
      : failedServices.length === 0
        ? `✅ ${results.length === 1 ? 'passed' : `all ${results.length} services passed`}`
        : `❌ ${failedServices.length} of ${results.length} ${results.length === 1 ? 'service' : 'services'} failed`
  budget.add(`## ${inline(options.heading ?? 'Tests')}: ${verdict}\n\n`)
  if (results.length > 0) budget.add(totalsTable(results))
  for (const result of failedServices) budget.add(`- **${inline(result.service)}**: ${inline(result.problems.join('; '))}\n`)
  if (failedServices.length > 0) budget.add('\n')
  if (options.unannotated) {
    budget.add(
      `${options.unannotated} ${options.unannotated === 1 ? 'failure has' : 'failures have'} no annotation: GitHub shows only a few per step. All are listed below.\n\n`
    )
  }

  const failures = results.flatMap((result) => result.failures)
  const omittedByParser = results.reduce((sum, result) => sum + result.omittedFailures, 0)
  if (failures.length > 0) {
    budget.add('### Failed tests\n\n')
    const shown = budget.addEach(failures.map(failureEntry))
    const notShown = failures.length - shown + omittedByParser
    if (notShown > 0) budget.add(`_…and ${notShown} more ${notShown === 1 ? 'failure' : 'failures'} not shown._\n\n`, true)
  }

  const flaky = results.flatMap((result) => result.flaky.map((testCase) => ({ service: result.service, testCase })))
  if (flaky.length > 0 && budget.add('### Flaky tests\n\nFailed, then passed on a retry.\n\n')) {
    const shown = budget.addEach(flaky.map(({ service, testCase }) => `- ${inline(service)}: ${inline(caseTitle(testCase))}\n`))
    budget.add(shown < flaky.length ? `- _…and ${flaky.length - shown} more_\n\n` : '\n', true)
  }

  const slowest = results
    .flatMap((result) => result.slowest.map((testCase) => ({ service: result.service, testCase })))
    .sort((a, b) => (b.testCase.duration ?? 0) - (a.testCase.duration ?? 0))
    .slice(0, 10)
  if (slowest.length > 0) {
    const rows = slowest.map(({ service, testCase }) => `| ${inline(service)} | ${inline(caseTitle(testCase))} | ${seconds(testCase.duration ?? 0)} |\n`)
    budget.add(`### Slowest tests\n\n| service | test | time |\n| --- | --- | ---: |\n${rows.join('')}\n`)
  }

  const warnings = results.flatMap((result) => result.warnings.map((warning) => `- ${inline(result.service)}: ${inline(warning)}\n`))
  if (warnings.length > 0 && budget.add('### Warnings\n\n')) {
    budget.addEach(warnings)
    budget.add('\n', true)
  }

  for (const result of failedServices) {
    if (result.output.trim() === '') continue
    const tail = result.output.length > OUTPUT_CHARS ? result.output.slice(-OUTPUT_CHARS) : result.output
    budget.add(`<details><summary>Output of ${escapeHtml(result.service)} (the end)</summary>\n\n${fenced(tail, 'text')}\n</details>\n\n`)
  }
  return budget.text()
}

function totalsTable(results: readonly ServiceTestResult[]): string {
  const row = (name: string, status: string, totals: TestTotals): string =>
    `| ${name} | ${status} | ${totals.tests} | ${totals.passed} | ${totals.failed} | ${totals.errors} | ${totals.skipped} | ${totals.flaky} | ${seconds(totals.duration)} |\n`
  const lines = [
    '| service | result | tests | passed | failed | errors | skipped | flaky | time |\n',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
    ...results.map((result) => row(inline(result.service), result.passed ? '✅ passed' : '❌ failed', result.totals))
  ]
  if (results.length > 1) {
    lines.push(row('**total**', '', results.reduce((sum, result) => addTotals(sum, result.totals), emptyTotals())))
  }
  return lines.join('') + '\n'
}

function failureEntry(failure: TestFailure): string {
  const { location } = failure
  const where = location.precision === 'report' ? `report \`${location.file}\`` : `\`${location.file}${location.line ? `:${location.line}` : ''}\``
  const status = failure.case.status === 'error' ? 'error' : 'failed'
  return `**${inline(failure.service)}** › ${inline(testTitle(failure))} — ${status}, ${where}\n\n${fenced(failureText(failure, FAILURE_CHARS), 'text')}\n\n`
}

function caseTitle(testCase: TestCase): string {
  return [...testCase.suite, testCase.name].filter(Boolean).join(' › ')
}

function seconds(value: number): string {
  return value >= 60 ? `${Math.floor(value / 60)}m ${Math.round(value % 60)}s` : `${value.toFixed(value < 10 ? 2 : 1)}s`
}

/** A code block whose fence is longer than any run of backticks inside, so no content can close it. */
function fenced(text: string, language: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}${language}\n${text.replace(/\n+$/, '')}\n${fence}`
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Text from a report inside a line of markdown: no line breaks, no markup of its own. */
function inline(text: string): string {
  return escapeHtml(text.replace(/\s+/g, ' ').trim()).replace(/([\\`*_[\]|~#])/g, '\\$1')
}

/** Markdown parts that stop being added once the next would pass the byte limit. */
class Budget {
  private readonly parts: string[] = []
  private used = 0

  constructor(private readonly maxBytes: number) {}

  /** Adds `text` when it fits, keeping room for closing notes unless it is one (`closing`). */
  add(text: string, closing = false): boolean {
    const bytes = Buffer.byteLength(text)
    const limit = closing ? this.maxBytes : this.maxBytes - NOTE_RESERVE
    if (this.used + bytes > limit) return false
    this.parts.push(text)
    this.used += bytes
    return true
  }

  /** Adds entries in order until one does not fit; returns how many were added. */
  addEach(entries: readonly string[]): number {
    let added = 0
    while (added < entries.length && this.add(entries[added])) added++
    return added
  }

  text(): string {
    return this.parts.join('')
  }
}
