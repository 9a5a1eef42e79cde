import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { loadManifest, type Manifest } from '../../../shared/src/config/index.js'
import { didYouMean } from '../../../shared/src/config/suggest.js'
import { eventContextFromEnv } from '../../../shared/src/detect/index.js'
import { environmentGate, gateJson, gateScope, isHttpUrl, renderGateSummary, type GateDecision, type GateDocument } from '../../../shared/src/gate/index.js'
import { gateStatusPublisher, runGate, type GateStatusPublisher, type StatusKind } from '../../../shared/src/gate/sources/index.js'
import { createGitHubClient, type GitHubClient } from '../../../shared/src/github/index.js'
import { parseServiceNames } from '../../../shared/src/testing/index.js'
import * as runner from '../../../shared/src/runner/index.js'
import { Inputs, Outputs } from './constants.js'

const STATUS_KINDS: ReadonlyArray<StatusKind | 'none'> = ['commit-status', 'check-run', 'none']

export async function run(): Promise<void> {
  await runner.runAction(async () => {
    // Every input is read and checked before any measurement.
    const environment = runner.input(Inputs.Environment)
    if (environment === undefined) throw new Error(`input '${Inputs.Environment}' is required`)
    const token = runner.input(Inputs.Token)
    runner.mask(token)
    const status = runner.input(Inputs.Status) ?? 'commit-status'
    if (!STATUS_KINDS.includes(status as StatusKind)) throw new Error(`input '${Inputs.Status}' must be one of ${STATUS_KINDS.join(', ')}, got '${status}'`)
    const dryRun = runner.booleanInput(Inputs.DryRun, false)
    const fail = runner.booleanInput(Inputs.Fail, true)
    const failOnInconclusive = runner.booleanInput(Inputs.FailOnInconclusive, true)
    const prometheusAddress = runner.input(Inputs.PrometheusAddress)
    if (prometheusAddress !== undefined && !isHttpUrl(prometheusAddress)) throw new Error(`input '${Inputs.PrometheusAddress}' must be an http(s) URL, got '${prometheusAddress}'`)

    const context = eventContextFromEnv(process.env)
    const sha: string | undefined = runner.input(Inputs.Sha) ?? context.payload.pull_request?.head?.sha ?? (context.sha || undefined)
    if (sha === undefined || !/^[0-9a-f]{40}$/i.test(sha)) throw new Error(`the commit to gate must be a 40-character sha (input '${Inputs.Sha}' or GITHUB_SHA), got '${sha ?? ''}'`)
    const repository = context.repository
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
    const manifest = await loadManifest(resolve(workspace, runner.input(Inputs.WorkingDirectory) ?? '.'), { file: runner.input(Inputs.Manifest) })
    const config = environmentGate(manifest, environment, runner.input(Inputs.Gate), prometheusAddress === undefined ? {} : { prometheusAddress })
    const servicesInput = runner.input(Inputs.Services)
    const services = servicesInput === undefined ? undefined : knownServices(manifest, parseServiceNames(servicesInput))

    const github = repository === undefined ? undefined : createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL, log: runner.actionsLogger })
    const target = { owner: repository?.owner ?? '', repo: repository?.repo ?? '', sha }
    const runUrl =
      repository !== undefined && process.env.GITHUB_SERVER_URL && process.env.GITHUB_RUN_ID
        ? `${process.env.GITHUB_SERVER_URL}/${repository.owner}/${repository.repo}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : undefined
    const publisher = dryRun || status === 'none' ? undefined : statusPublisher(github, target, { environment, kind: status as StatusKind, ...(runUrl === undefined ? {} : { targetUrl: runUrl }) })

    // A stopped job still reports what was measured, and leaves a final status.
    const cancel = new AbortController()
    const onSignal = (): void => cancel.abort()
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)

    const names = config.criteria.map((criterion) => criterion.name).join(', ')
    runner.actionsLogger.info(`Gate ${environment} for ${sha.slice(0, 12)}: ${names} (times out after ${config.timeoutSeconds}s)`)
    await publish(() => publisher?.running(config.criteria.length))
    const document = await runGate({
      config,
      environment,
      target,
      signal: cancel.signal,
      ...gateScope(manifest, environment, services),
      ...(github === undefined ? {} : { github })
    })
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    await publish(() => publisher?.verdict(document))

    logCriteria(document)
    await runner.appendSummary(renderGateSummary(document))
    const reportFile = join(process.env.RUNNER_TEMP ?? tmpdir(), `flotilla-gate-${environment}.json`)
    await writeFile(reportFile, gateJson(document))
    runner.setOutputs({ [Outputs.Decision]: document.decision, [Outputs.Summary]: document.reason, [Outputs.ReportFile]: reportFile })

    const verdict = `gate ${environment}: ${document.decision}: ${document.reason}`
    if (!dryRun && fail && failsStep(document.decision, failOnInconclusive)) throw new Error(verdict)
    runner.actionsLogger.info(verdict)
  })
}

function knownServices(manifest: Manifest, names: string[]): string[] {
  for (const name of names) {
    if (manifest.services[name] === undefined) throw new Error(`input '${Inputs.Services}': "${name}" is not a service in ${manifest.source}${didYouMean(name, Object.keys(manifest.services))}`)
  }
  return names
}

function failsStep(decision: GateDecision, failOnInconclusive: boolean): boolean {
  return decision === 'fail' || (decision === 'inconclusive' && failOnInconclusive)
}

function statusPublisher(github: GitHubClient | undefined, target: { owner: string; repo: string; sha: string }, options: Parameters<typeof gateStatusPublisher>[2]): GateStatusPublisher | undefined {
  if (github !== undefined) return gateStatusPublisher(github, target, options)
  runner.annotate({ level: 'warning', title: 'Flotilla gate', message: 'publishing the gate status needs GITHUB_REPOSITORY; none is published' })
  return undefined
}

/** A status that cannot be written (a fork's read-only token) must not hide the decision. */
async function publish(write: () => Promise<void> | undefined): Promise<void> {
  try {
    await write()
  } catch (error) {
    runner.annotate({ level: 'warning', title: 'Flotilla gate status', message: `the gate status was not published: ${(error as Error).message}` })
  }
}

function logCriteria(document: GateDocument): void {
  for (const criterion of document.criteria) {
    runner.actionsLogger.info(`${criterion.name}${criterion.dryRun ? ' (dry run)' : ''}: ${criterion.phase}: ${criterion.reason}`)
  }
}
