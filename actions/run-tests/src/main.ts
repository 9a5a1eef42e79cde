import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import { loadManifest } from '../../../shared/src/config/index.js'
import { eventContextFromEnv } from '../../../shared/src/detect/index.js'
import { allowListedEnvironment, parsePassEnv } from '../../../shared/src/exec/environment.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import {
  JOB_SUMMARY_BYTES,
  LineSplitter,
  OUTPUT_HELD_WARNING,
  STEP_ERROR_ANNOTATIONS,
  overallTotals,
  parseMatrixEntry,
  parseServiceNames,
  publishCheckRun,
  renderTestSummary,
  runServiceTests,
  runTests,
  selectAnnotations,
  selectTestServices,
  testDocument,
  workflowAnnotation,
  type RunTestsOptions,
  type ServiceTestResult,
  type TestableService
} from '../../../shared/src/testing/index.js'
import * as runner from '../../../shared/src/runner/index.js'
import { Inputs, Outputs } from './constants.js'

export async function run(): Promise<void> {
  await runner.runAction(async () => {
    // Every input is read and checked before any work: bad input fails the step and runs nothing.
    const token = runner.input(Inputs.Token)
    runner.mask(token)
    const checkRuns = runner.booleanInput(Inputs.CheckRuns, false)
    const failOnError = runner.booleanInput(Inputs.FailOnError, true)
    const parallel = positiveInteger(Inputs.Parallel, runner.input(Inputs.Parallel) ?? '2')
    const servicesInput = runner.input(Inputs.Services)
    const matrixEntry = runner.input(Inputs.MatrixEntry)
    if (servicesInput !== undefined && matrixEntry !== undefined) throw new Error(`give either ${Inputs.Services} or ${Inputs.MatrixEntry}, not both`)
    const passEnv = parsePassEnv(runner.input(Inputs.PassEnv) ?? '', `input '${Inputs.PassEnv}'`)
    const names = matrixEntry !== undefined ? [parseMatrixEntry(matrixEntry)] : servicesInput !== undefined ? parseServiceNames(servicesInput) : undefined
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
    const root = resolve(workspace, runner.input(Inputs.WorkingDirectory) ?? '.')

    const manifest = await loadManifest(root, { file: runner.input(Inputs.Manifest) })
    const { services, withoutTests } = selectTestServices(manifest, names)
    for (const name of withoutTests) runner.actionsLogger.info(`${name} has no test command in ${manifest.source}: nothing to run`)

    // The tests are the pull request's code: the runner's tokens and the workflow's other variables stay out.
    const env = allowListedEnvironment(process.env, passEnv)
    const results = await runAll(services, { root, workspace, parallel, env, log: runner.actionsLogger })
    const passed = results.every((result) => result.passed)
    // Said here, where workflow commands are on again; the summary and the report file carry it too.
    for (const result of results.filter((candidate) => candidate.warnings.includes(OUTPUT_HELD_WARNING))) {
      runner.annotate({ level: 'warning', title: `Flotilla tests of ${result.service}`, message: `${result.service}: ${OUTPUT_HELD_WARNING}` })
    }

    // setFailed writes one error annotation of its own; it must fit in the step's ten.
    const failing = !passed && failOnError
    const failures = results.flatMap((result) => result.failures)
    const { selected, omitted } = selectAnnotations(failures, STEP_ERROR_ANNOTATIONS - (failing ? 1 : 0))
    for (const failure of selected) runner.annotate(workflowAnnotation(failure))

    if (checkRuns && results.length > 0) await publishCheckRuns(results, token)

    await runner.appendSummary(renderTestSummary(results, { maxBytes: JOB_SUMMARY_BYTES, unannotated: omitted }))
    const document = testDocument(results)
    const reportFile = join(process.env.RUNNER_TEMP ?? tmpdir(), 'flotilla-tests.json')
    await writeFile(reportFile, JSON.stringify(document, null, 2))
    runner.setOutputs({
      [Outputs.Passed]: String(passed),
      [Outputs.Totals]: JSON.stringify(overallTotals(results)),
      [Outputs.ReportFile]: reportFile
    })

    const failed = results.filter((result) => !result.passed)
    const verdict = failed.map((result) => `${result.service} (${result.problems.join('; ')})`).join(', ')
    if (failing) throw new Error(`tests failed: ${verdict}`)
    if (!passed) runner.actionsLogger.info(`tests failed, and fail-on-error is false: ${verdict}`)
  })
}

/**
 * One service at a time streams its output inside a log group; services in parallel share the
 * log, each line prefixed with its service. Test output never issues workflow commands.
 */
async function runAll(services: TestableService[], options: RunTestsOptions & { parallel: number }): Promise<ServiceTestResult[]> {
  if (options.parallel === 1 || services.length <= 1) {
    const results: ServiceTestResult[] = []
    for (const service of services) {
      results.push(
        await runner.group(`Tests of ${service.name}: ${service.test.command.join(' ')}`, () =>
          runner.withoutWorkflowCommands((write) => runServiceTests(service, { ...options, onOutput: (_, chunk) => write(chunk) }))
        )
      )
    }
    return results
  }
  const width = Math.max(...services.map((service) => service.name.length))
  return runner.withoutWorkflowCommands(async (write) => {
    const splitters = new Map(services.map((service) => [service.name, new LineSplitter((line) => write(`${service.name.padEnd(width)} | ${line}\n`))]))
    const results = await runTests(services, { ...options, onOutput: (service, chunk) => splitters.get(service)?.push(chunk) })
    // Still inside: a last line without a newline is test output too, and must not issue commands.
    for (const splitter of splitters.values()) splitter.end()
    return results
  })
}

async function publishCheckRuns(results: readonly ServiceTestResult[], token: string | undefined): Promise<void> {
  const context = eventContextFromEnv(process.env)
  const headSha: string | undefined = context.payload.pull_request?.head?.sha ?? (context.sha || undefined)
  if (context.repository === undefined || headSha === undefined) {
    runner.annotate({ level: 'warning', title: 'Flotilla check runs', message: 'check runs need GITHUB_REPOSITORY and GITHUB_SHA; none was published' })
    return
  }
  const client = createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL, log: runner.actionsLogger })
  const detailsUrl =
    process.env.GITHUB_SERVER_URL && process.env.GITHUB_RUN_ID
      ? `${process.env.GITHUB_SERVER_URL}/${context.repository.owner}/${context.repository.repo}/actions/runs/${process.env.GITHUB_RUN_ID}`
      : undefined
  for (const result of results) {
    try {
      const publication = await publishCheckRun(client, { ...context.repository, headSha, detailsUrl }, result)
      if (!publication.published) {
        // Every service would get the same answer: one notice, and the job summary stands in.
        runner.annotate({ level: 'notice', title: 'Flotilla check runs skipped', message: `${publication.reason}; the results are in the job summary` })
        return
      }
      runner.actionsLogger.info(`check run ${publication.name}: ${publication.annotations} annotations`)
    } catch (error) {
      runner.annotate({ level: 'warning', title: 'Flotilla check runs', message: `check run for ${result.service} not published: ${(error as Error).message}` })
    }
  }
}

function positiveInteger(name: string, value: string): number {
  if (!/^[1-9][0-9]*$/.test(value.trim())) throw new Error(`input '${name}' must be a positive integer, got '${value}'`)
  return Number(value)
}
