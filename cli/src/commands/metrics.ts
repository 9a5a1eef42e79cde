import { resolve } from 'node:path'
import { loadManifest } from '../../../shared/src/config/index.js'
import { repositoryFromEnv } from '../../../shared/src/detect/index.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import {
  collectMetrics,
  METRICS_DEFAULTS,
  metricsPrometheus,
  metricsScope,
  metricsSettings,
  metricsText,
  writeFileAtomically,
  type RawSettings
} from '../../../shared/src/metrics/index.js'
import { printJson, type Command } from '../command.js'

const FLAGS: Record<keyof RawSettings, string> = {
  since: '--since',
  until: '--until',
  lookback: '--lookback',
  rollbackWindow: '--rollback-window',
  gateStatus: '--gate-status',
  maxRequests: '--max-requests'
}

export const metricsCommand: Command = {
  name: 'metrics',
  usage: `  flotilla metrics [--env ENV...] [--service NAME...] [--since 90d] [--until DATE] [--prometheus FILE] [--cache FILE]
      Delivery metrics (the four DORA keys) per service and environment from the GitHub
      Deployments Flotilla records (GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL for GHES):
      deployment frequency, lead time for changes (median, p90), change failure rate and time to
      restore, over the window and per ISO week. --since is a span back from --until (now) or a
      date; --lookback (${METRICS_DEFAULTS.lookback}) reads deployments before the window so its first ones know
      what ran before; --rollback-window (${METRICS_DEFAULTS.rollbackWindow}) is how soon a redeploy of an earlier version
      counts as a rollback; --gate-status commit-status|check-run|none says how gates publish;
      --max-requests (${METRICS_DEFAULTS.maxRequests}) bounds the GitHub API requests; --cache FILE keeps what never
      changes between runs; --prometheus FILE writes the text exposition format. See docs/metrics.md.`,
  options: {
    env: { type: 'string', multiple: true },
    service: { type: 'string', multiple: true },
    since: { type: 'string' },
    until: { type: 'string' },
    lookback: { type: 'string' },
    'rollback-window': { type: 'string' },
    'gate-status': { type: 'string' },
    'max-requests': { type: 'string' },
    cache: { type: 'string' },
    prometheus: { type: 'string' }
  },
  async run({ values, root, json, log }) {
    const settings = metricsSettings(
      {
        since: values.since as string | undefined,
        until: values.until as string | undefined,
        lookback: values.lookback as string | undefined,
        rollbackWindow: values['rollback-window'] as string | undefined,
        gateStatus: values['gate-status'] as string | undefined,
        maxRequests: values['max-requests'] as string | undefined
      },
      (option) => FLAGS[option],
      Date.now()
    )
    const manifest = await loadManifest(root, { file: values.manifest as string | undefined })
    const scope = metricsScope(manifest, { environments: values.env as string[] | undefined, services: values.service as string[] | undefined, names: { environments: '--env', services: '--service' } })
    const repository = repositoryFromEnv(process.env)
    const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined
    const github = repository === undefined ? undefined : { client: createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL, log }), ...repository }
    const cacheFile = values.cache as string | undefined
    const prometheusFile = values.prometheus as string | undefined

    const document = await collectMetrics({
      root,
      manifest,
      scope,
      ...settings,
      ...(github === undefined ? {} : { github }),
      ...(cacheFile === undefined ? {} : { cacheFile: resolve(cacheFile) }),
      log
    })
    if (prometheusFile !== undefined) await writeFileAtomically(resolve(prometheusFile), metricsPrometheus(document))
    if (json) printJson(document)
    else {
      for (const warning of document.warnings) log.warn(warning)
      process.stdout.write(metricsText({ ...document, warnings: [] }))
    }
    return 0
  }
}
