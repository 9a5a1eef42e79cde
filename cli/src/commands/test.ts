import { loadManifest } from '../../../shared/src/config/index.js'
import {
  LineSplitter,
  overallTotals,
  runTests,
  selectTestServices,
  testDocument,
  testTitle,
  type ServiceTestResult
} from '../../../shared/src/testing/index.js'
import type { TestTotals } from '../../../shared/src/testing/types.js'
import { printJson, type Command } from '../command.js'

export const testCommand: Command = {
  name: 'test',
  usage: `  flotilla test [SERVICE...] [--parallel N]
      Run the services' test commands from flotilla.yml (default: every service with one), read
      their reports, and print a table of results and the failures. Exits 1 when a test failed.
      Test output goes to stderr, prefixed with its service (with -v; always with one service).`,
  options: {
    parallel: { type: 'string', default: '2' }
  },
  positionals: true,
  async run({ values, positionals, root, json, log }) {
    const parallel = Number(values.parallel)
    if (!Number.isSafeInteger(parallel) || parallel < 1) throw new Error(`--parallel must be a positive integer, got '${String(values.parallel)}'`)
    const manifest = await loadManifest(root, { file: values.manifest as string | undefined })
    const { services, withoutTests } = selectTestServices(manifest, positionals)
    for (const name of withoutTests) log.warn(`${name} has no test command in ${manifest.source}`)

    // stdout stays the result (one JSON document with --json); the tests' own output goes to stderr.
    const showOutput = values.verbose === true || services.length === 1
    const splitters = new Map(services.map((service) => [service.name, new LineSplitter((line) => process.stderr.write(`${service.name} | ${line}\n`))]))
    const results = await runTests(services, {
      root,
      parallel,
      log,
      onOutput: showOutput ? (service, chunk) => splitters.get(service)?.push(chunk) : undefined
    })
    for (const splitter of splitters.values()) splitter.end()

    if (json) printJson(testDocument(results))
    else process.stdout.write(resultText(results))
    return results.every((result) => result.passed) ? 0 : 1
  }
}

const COLUMNS = ['service', 'result', 'tests', 'passed', 'failed', 'errors', 'skipped', 'flaky', 'time'] as const

/** A table of totals per service, then each failed service's problems and failures, then every warning. */
export function resultText(results: readonly ServiceTestResult[]): string {
  if (results.length === 0) return 'no service with a test command\n'
  const row = (name: string, status: string, totals: TestTotals): string[] => [
    name,
    status,
    ...[totals.tests, totals.passed, totals.failed, totals.errors, totals.skipped, totals.flaky].map(String),
    `${totals.duration.toFixed(2)}s`
  ]
  const rows = results.map((result) => row(result.service, result.passed ? 'passed' : 'FAILED', result.totals))
  if (results.length > 1) rows.push(row('total', '', overallTotals(results)))
  const table = [[...COLUMNS], ...rows]
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((cells) => cells[column].length)))
  const lines = table.map((cells) => cells.map((text, column) => (column < 2 ? text.padEnd(widths[column]) : text.padStart(widths[column]))).join('  ').trimEnd())

  for (const result of results.filter((candidate) => !candidate.passed)) {
    lines.push('', `${result.service}: ${result.problems.join('; ')}`)
    for (const failure of result.failures) {
      const where = `${failure.location.file}${failure.location.line ? `:${failure.location.line}` : ''}`
      lines.push(`  ✗ ${testTitle(failure)} (${where})`)
      const message = failure.case.message?.trim()
      if (message) lines.push(...message.split('\n').slice(0, 5).map((line) => `      ${line}`))
    }
    if (result.omittedFailures > 0) lines.push(`  …and ${result.omittedFailures} more failures`)
    if (result.failures.length === 0 && result.output.trim() !== '') {
      lines.push('  the end of its output:', ...result.output.trimEnd().split('\n').slice(-20).map((line) => `    ${line}`))
    }
  }
  const warnings = results.flatMap((result) => result.warnings.map((warning) => `${result.service}: warning: ${warning}`))
  if (warnings.length > 0) lines.push('', ...warnings)
  return lines.join('\n') + '\n'
}
