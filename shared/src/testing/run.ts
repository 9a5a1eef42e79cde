import { existsSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ContainmentError, realPathInside } from '../containment/index.js'
import { withoutRunnerTokens } from '../exec/environment.js'
import { execStreaming, outputHeldMessage } from '../exec/index.js'
import type { ServiceConfig } from '../config/types.js'
import type { Logger } from '../log/index.js'
import { findFiles, listFiles } from './files.js'
import { locateFailure, workspacePath } from './locate.js'
import type { ServiceTestResult, TestAttempt, TestFailure } from './model.js'
import { OutputTail } from './output.js'
import { caseIdentity, parseReportFile, ReportError } from './reports/index.js'
import { addTotals, emptyTotals } from './totals.js'
import type { TestCase, TestReport } from './types.js'

/** Failed cases kept per report: more than any reader goes through, few enough to stay small. */
export const MAX_FAILURES_PER_REPORT = 500
export const SLOWEST_PER_REPORT = 10
/** How much of a command's output is kept for the summary. */
export const OUTPUT_TAIL_BYTES = 16 * 1024
/** The warning of a service whose command left a process holding its output (see OUTPUT_GRACE_MS). */
export const OUTPUT_HELD_WARNING = outputHeldMessage('the test command')

export interface RunTestsOptions {
  /** The repository root (absolute): service paths are relative to it. */
  root: string
  /** Paths in results are relative to it (GITHUB_WORKSPACE on a runner); the root by default. */
  workspace?: string
  /**
   * The environment the test commands start from (the manifest's `env` is merged over it), less
   * the runner's `ACTIONS_*` and the action's `INPUT_*`, which never reach them. On a runner the
   * caller passes `allowListedEnvironment(process.env, …)`: the tests are the pull request's code.
   */
  env?: NodeJS.ProcessEnv
  /** Services run at the same time (default 1). */
  parallel?: number
  /** The command's output as it arrives. */
  onOutput?(service: string, chunk: Buffer): void
  log?: Logger
}

/** A service with a test command, as the runner needs it. */
export type TestableService = ServiceConfig & { test: NonNullable<ServiceConfig['test']> }

export function isTestable(service: ServiceConfig): service is TestableService {
  return service.test !== undefined
}

/** Runs each service's tests, up to `parallel` at once; results come back in the order given. */
export async function runTests(services: readonly TestableService[], options: RunTestsOptions): Promise<ServiceTestResult[]> {
  const results: ServiceTestResult[] = new Array(services.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < services.length) {
      const index = next++
      results[index] = await runServiceTests(services[index], options)
    }
  }
  const workers = Math.max(1, Math.min(options.parallel ?? 1, services.length))
  await Promise.all(Array.from({ length: workers }, worker))
  return results
}

/**
 * Runs one service's test command in its directory, again after a failure while `retries`
 * allow, and reads the reports each attempt leaves. Reports are deleted before every attempt,
 * so a stale file never counts. The last attempt decides; a test that failed in an earlier
 * attempt and passed in the last counts as flaky. One that fails in the last attempt is a
 * failure, and one that is skipped or missing there is not flaky.
 */
export async function runServiceTests(service: TestableService, options: RunTestsOptions): Promise<ServiceTestResult> {
  const { test } = service
  const workspace = options.workspace ?? options.root
  const serviceDir = resolve(options.root, service.path)
  const argv = test.shell ? ['sh', '-c', test.command[0]] : test.command
  const env = { ...withoutRunnerTokens(options.env ?? process.env), ...test.env }
  const output = new OutputTail(OUTPUT_TAIL_BYTES)
  const shown = (file: string): string => workspacePath(file, { workspace }) ?? file

  const attempts: TestAttempt[] = []
  const earlierFailures = new Map<string, TestCase>()
  let reports: Array<{ file: string; report: TestReport }> = []
  let problems: string[] = []
  for (let attempt = 1; attempt <= test.retries + 1; attempt++) {
    if (attempt > 1) {
      options.log?.info(`${service.name}: attempt ${attempt} of ${test.retries + 1}`)
      for (const { report } of reports) for (const failure of report.failures) earlierFailures.set(caseIdentity(failure), failure)
    }
    const refused = await deleteReports(options.root, serviceDir, test.reports).then(
      () => undefined,
      (error: unknown) => {
        // Before the first attempt the manifest check has passed, so only a link made since then
        // gets here, and without an attempt to report it fails the step; after one, it ends the
        // service's retries and fails the service.
        if (!(error instanceof ContainmentError) || attempts.length === 0) throw error
        return `stale reports cannot be removed for another attempt: ${error.message}`
      }
    )
    if (refused !== undefined) {
      problems = [...problems, refused]
      break
    }
    const started = Date.now()
    const ended = await execStreaming(argv, {
      cwd: serviceDir,
      env,
      timeoutMs: test.timeoutSeconds * 1000,
      onOutput: (chunk) => {
        output.push(chunk)
        options.onOutput?.(service.name, chunk)
      }
    }).catch((error: Error) => {
      // A program that cannot start (not installed, not executable) is the command failing.
      const message = Buffer.from(`${argv[0]}: ${error.message}\n`)
      output.push(message)
      options.onOutput?.(service.name, message)
      return { exitCode: 127, timedOut: false, outputHeld: false }
    })
    const seconds = (Date.now() - started) / 1000
    const read = await readReports(options.root, serviceDir, test.reports, new Set(earlierFailures.keys()))
    reports = read.reports
    const current: TestAttempt = {
      ...ended,
      seconds,
      reports: read.found.map(shown),
      totals: reports.reduce((sum, { report }) => addTotals(sum, report.totals), emptyTotals())
    }
    attempts.push(current)
    problems = attemptProblems(service, current, read.problems)
    if (problems.length === 0) break
  }

  const final = attempts.at(-1) as TestAttempt
  const finalFailures = new Set(reports.flatMap(({ report }) => [...report.failures, ...report.flaky].map(caseIdentity)))
  const passedAgain = new Set(reports.flatMap(({ report }) => report.passedAgain))
  const complete = reports.length > 0 && reports.every(({ report }) => report.omittedFailures === 0)
  // A failure left out by the parser's cap may still be failing, so only a complete list clears a test.
  const recovered = complete ? [...earlierFailures].filter(([key]) => passedAgain.has(key) && !finalFailures.has(key)).map(([, testCase]) => testCase) : []
  const flaky = [
    ...reports.flatMap(({ report }) => report.flaky),
    ...recovered.map((testCase): TestCase => ({ ...testCase, status: 'passed', flaky: true }))
  ]

  const anyFailure = reports.some(({ report }) => report.failures.length > 0)
  const serviceFiles = anyFailure ? await listFiles(serviceDir) : []
  const failures: TestFailure[] = reports.flatMap(({ file, report }) =>
    report.failures.map((testCase) => ({
      service: service.name,
      case: testCase,
      report: shown(file),
      location: locateFailure(testCase, {
        workspace,
        root: options.root,
        serviceDir,
        report: file,
        exists: existsSync,
        serviceFiles: () => serviceFiles
      })
    }))
  )

  return {
    service: service.name,
    path: service.path,
    command: argv,
    attempts,
    totals: { ...final.totals, flaky: final.totals.flaky + recovered.length },
    failures,
    omittedFailures: reports.reduce((sum, { report }) => sum + report.omittedFailures, 0),
    flaky,
    slowest: reports
      .flatMap(({ report }) => report.slowest)
      .sort((a, b) => (b.duration ?? 0) - (a.duration ?? 0))
      .slice(0, SLOWEST_PER_REPORT),
    warnings: [
      ...(attempts.some((attempt) => attempt.outputHeld) ? [OUTPUT_HELD_WARNING] : []),
      ...reports.flatMap(({ file, report }) => report.warnings.map((warning) => `${shown(file)}: ${warning}`))
    ],
    problems,
    passed: problems.length === 0,
    output: output.text()
  }
}

/**
 * Why an attempt failed. With report patterns, a failed test, a command that failed without
 * a report, a report that matched nothing or could not be read all fail it; a command that
 * failed although its reports are green fails it too (a crash after writing, a coverage
 * threshold). Without patterns only the exit code counts.
 */
function attemptProblems(service: TestableService, attempt: TestAttempt, reportProblems: readonly string[]): string[] {
  const { test } = service
  const problems: string[] = []
  if (attempt.timedOut) problems.push(`the test command was killed after its ${test.timeoutSeconds}s timeout`)
  const { failed, errors } = attempt.totals
  if (failed + errors > 0) problems.push(`${failed + errors} ${failed + errors === 1 ? 'test' : 'tests'} failed`)
  problems.push(...reportProblems)
  const noReport = test.reports.length > 0 && attempt.reports.length === 0
  if (noReport) problems.push(`no report matched ${test.reports.join(', ')}`)
  if (!attempt.timedOut && attempt.exitCode !== 0 && failed + errors === 0) {
    problems.push(
      noReport || test.reports.length === 0
        ? `the test command exited with ${attempt.exitCode}`
        : `the test command exited with ${attempt.exitCode} although its reports show no failure`
    )
  }
  return problems
}

/**
 * Reports are deleted only inside the repository (`root`): a pattern's directory that leads out
 * through a symbolic link throws before anything is deleted, and each file is resolved again
 * right before its unlink, so a link swapped in meanwhile is refused rather than followed.
 */
async function deleteReports(root: string, serviceDir: string, patterns: readonly string[]): Promise<void> {
  for (const file of await findFiles(serviceDir, patterns, root)) {
    const real = realPathInside(root, join(serviceDir, file), 'repository', { consequence: 'it was not deleted' })
    if (real !== undefined) await unlink(real)
  }
}

async function readReports(
  root: string,
  serviceDir: string,
  patterns: readonly string[],
  watch: ReadonlySet<string>
): Promise<{ found: string[]; reports: Array<{ file: string; report: TestReport }>; problems: string[] }> {
  const reports: Array<{ file: string; report: TestReport }> = []
  const problems: string[] = []
  let found: string[] = []
  try {
    found = (await findFiles(serviceDir, patterns, root)).map((name) => join(serviceDir, name))
  } catch (error) {
    if (!(error instanceof ContainmentError)) throw error
    problems.push(`reports cannot be read: ${error.message}`)
  }
  for (const file of found) {
    try {
      const real = realPathInside(root, file, 'repository', { consequence: 'it was not read' })
      if (real === undefined) continue
      reports.push({ file, report: await parseReportFile(real, { maxFailures: MAX_FAILURES_PER_REPORT, slowest: SLOWEST_PER_REPORT, watch }) })
    } catch (error) {
      if (!(error instanceof ReportError) && !(error instanceof ContainmentError)) throw error
      problems.push(`a report cannot be read: ${error.message}`)
    }
  }
  return { found, reports, problems }
}
