import { loadManifest } from '../../../shared/src/config/index.js'
import { didYouMean } from '../../../shared/src/config/suggest.js'
import { repositoryFromEnv } from '../../../shared/src/detect/index.js'
import { exec } from '../../../shared/src/exec/index.js'
import { environmentGate, gateJson, gateScope, isHttpUrl, type GateDocument } from '../../../shared/src/gate/index.js'
import { runGate } from '../../../shared/src/gate/sources/index.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import type { Command } from '../command.js'

export const gateCommand: Command = {
  name: 'gate',
  usage: `  flotilla gate --env ENV [--sha SHA] [--service NAME...] [--gate YAML] [--prometheus-address URL]
      Evaluate environments.ENV.gate from flotilla.yml for a commit (default HEAD) and print the
      decision with every criterion's outcome; --json prints the full report with every
      measurement. --service (repeatable) counts only those services' deployments for the
      deployment and soak criteria. --gate replaces top-level gate keys, e.g. --gate 'soak: 10m'.
      --prometheus-address is the Prometheus of every prometheus and canary criterion. checks,
      deployment and soak read GitHub (GITHUB_REPOSITORY, GITHUB_TOKEN).
      Publishes no status. Exits 0 on pass, 1 on fail or inconclusive.`,
  options: {
    env: { type: 'string' },
    sha: { type: 'string' },
    gate: { type: 'string' },
    service: { type: 'string', multiple: true },
    'prometheus-address': { type: 'string' }
  },
  async run({ values, root, json, log }) {
    const environment = values.env as string | undefined
    if (environment === undefined) throw new Error('--env is required: the environment whose gate to evaluate')
    const prometheusAddress = values['prometheus-address'] as string | undefined
    if (prometheusAddress !== undefined && !isHttpUrl(prometheusAddress)) throw new Error(`--prometheus-address must be an http:// or https:// URL, got '${prometheusAddress}'`)
    const manifest = await loadManifest(root, { file: values.manifest as string | undefined })
    const config = environmentGate(manifest, environment, values.gate as string | undefined, prometheusAddress === undefined ? {} : { prometheusAddress })
    const services = values.service as string[] | undefined
    for (const name of services ?? []) {
      if (manifest.services[name] === undefined) throw new Error(`--service ${name} is not a service in ${manifest.source}${didYouMean(name, Object.keys(manifest.services))}`)
    }
    const sha = await resolveCommit(root, (values.sha as string | undefined) ?? 'HEAD')
    const repository = repositoryFromEnv(process.env)
    const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined
    const github = repository === undefined ? undefined : createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL, log })

    const cancel = new AbortController()
    const onInterrupt = (): void => cancel.abort()
    process.once('SIGINT', onInterrupt)
    const document = await runGate({
      config,
      environment,
      target: { owner: repository?.owner ?? '', repo: repository?.repo ?? '', sha },
      signal: cancel.signal,
      ...gateScope(manifest, environment, services),
      ...(github === undefined ? {} : { github })
    })
    process.off('SIGINT', onInterrupt)

    if (json) process.stdout.write(gateJson(document))
    else process.stdout.write(gateText(document))
    return document.decision === 'pass' ? 0 : 1
  }
}

/** A full sha: a ref or short sha is resolved in the repository at `root`. */
async function resolveCommit(root: string, ref: string): Promise<string> {
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase()
  const result = await exec(['git', '-C', root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFailure: true })
  if (result.exitCode !== 0) throw new Error(`--sha ${ref} is not a commit in ${root}`)
  return result.stdout.toString('utf8').trim()
}

/** The decision, then one line per criterion with its last measurement. */
export function gateText(document: GateDocument): string {
  const lines = [`gate ${document.environment} for ${document.sha.slice(0, 12)}: ${document.decision.toUpperCase()}`, document.reason, '']
  const width = Math.max(...document.criteria.map((criterion) => criterion.name.length), 0)
  for (const criterion of document.criteria) {
    const tally = `${criterion.count} measured, ${criterion.errors} errors`
    lines.push(`  ${criterion.name.padEnd(width)}  ${criterion.phase.padEnd(12)}  ${tally}${criterion.dryRun ? ' (dry run)' : ''}`)
    lines.push(`  ${' '.repeat(width)}  ${criterion.reason}`)
  }
  return `${lines.join('\n')}\n`
}
