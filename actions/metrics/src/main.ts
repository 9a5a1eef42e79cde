import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseList } from '../../../shared/src/build/options.js'
import { loadManifest } from '../../../shared/src/config/index.js'
import { repositoryFromEnv } from '../../../shared/src/detect/index.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import {
  collectMetrics,
  metricsPrometheus,
  metricsScope,
  metricsSettings,
  metricsSummary,
  writeFileAtomically,
  type MetricsDocument,
  type RawSettings
} from '../../../shared/src/metrics/index.js'
import { parseServiceNames } from '../../../shared/src/testing/index.js'
import * as runner from '../../../shared/src/runner/index.js'
import { Inputs, Outputs } from './constants.js'

const INPUTS: Record<keyof RawSettings, string> = {
  since: Inputs.Since,
  until: Inputs.Until,
  lookback: Inputs.Lookback,
  rollbackWindow: Inputs.RollbackWindow,
  gateStatus: Inputs.GateStatus,
  maxRequests: Inputs.MaxRequests
}

export async function run(): Promise<void> {
  await runner.runAction(async () => {
    // Every input is read and checked before any request.
    const token = runner.input(Inputs.Token)
    runner.mask(token)
    const settings = metricsSettings(
      Object.fromEntries(Object.entries(INPUTS).map(([key, name]) => [key, runner.input(name)])) as RawSettings,
      (option) => `input '${INPUTS[option]}'`,
      Date.now()
    )
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
    const root = resolve(workspace, runner.input(Inputs.WorkingDirectory) ?? '.')
    const manifest = await loadManifest(root, { file: runner.input(Inputs.Manifest) })
    const scope = metricsScope(manifest, {
      environments: names(runner.input(Inputs.Environments)),
      services: names(runner.input(Inputs.Services)),
      names: { environments: `input '${Inputs.Environments}':`, services: `input '${Inputs.Services}':` }
    })
    const temp = process.env.RUNNER_TEMP ?? tmpdir()
    const cacheInput = runner.input(Inputs.CacheFile)
    const cacheFile = cacheInput === 'none' ? undefined : resolve(workspace, cacheInput ?? join(temp, 'flotilla-metrics', 'cache.json'))
    const prometheusInput = runner.input(Inputs.PrometheusFile)
    const repository = repositoryFromEnv(process.env)
    if (repository === undefined) throw new Error('GITHUB_REPOSITORY is not set: the metrics read that repository\'s deployments')

    const document = await collectMetrics({
      root,
      manifest,
      scope,
      ...settings,
      github: { client: createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL, log: runner.actionsLogger }), ...repository },
      ...(cacheFile === undefined ? {} : { cacheFile }),
      log: runner.actionsLogger
    })
    for (const warning of document.warnings) runner.annotate({ level: 'warning', title: 'Flotilla metrics', message: warning })
    await runner.appendSummary(metricsSummary(document))
    const reportFile = join(temp, 'flotilla-metrics.json')
    await writeFile(reportFile, `${JSON.stringify(document, null, 2)}\n`)
    if (prometheusInput !== undefined) await writeFileAtomically(resolve(workspace, prometheusInput), metricsPrometheus(document))
    runner.setOutputs({ [Outputs.ReportFile]: reportFile, [Outputs.Summary]: sentence(document) })
  })
}

/** A JSON array (the detect action's `services` output) or names separated by commas or lines. */
function names(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined
  return text.trim().startsWith('[') ? parseServiceNames(text) : parseList(text)
}

/** One line per environment: deployments, and the change failure rate. */
function sentence(document: MetricsDocument): string {
  return document.environments
    .map(({ environment, total }) => `${environment}: ${total.deployments} deployments${total.changeFailureRate === undefined ? '' : `, ${Math.round(total.changeFailureRate * 1000) / 10}% change failure rate`}`)
    .join('; ')
}
