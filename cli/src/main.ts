/**
 * `flotilla`: the same plan as the detect action, on a laptop. With `--json` every command prints
 * exactly one JSON document on stdout, errors included; everything else goes to stderr.
 */
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import packageJson from '../../package.json' with { type: 'json' }
import { planChanges, eventContextFromEnv } from '../../shared/src/detect/index.js'
import { localBase } from '../../shared/src/detect/local.js'
import { loadManifest, ManifestError } from '../../shared/src/config/index.js'
import { planDocument, planText } from '../../shared/src/report/plan.js'
import { stderrLogger, type Logger } from '../../shared/src/log/index.js'

const USAGE = `flotilla ${packageJson.version}: plan, build, test, deploy and gate a monorepo's services

Usage:
  flotilla plan [--base REF] [--head REF] [--since SINCE] [options]
      Which services would CI build for this branch, and why. Without --base or --since the
      base is the merge base with the default branch (as a pull request would use), else the
      upstream branch, else the previous commit.
  flotilla validate [options]
      Check flotilla.yml and print every problem with file:line:column.

Options:
  -C, --cwd DIR        repository root (default: the current directory)
  --manifest FILE      manifest path relative to the root (default: flotilla.yml, else discovery)
  --since SINCE        a ref, last-deploy:<env> or last-success (needs GITHUB_TOKEN, GITHUB_REPOSITORY)
  --github             read the event context from GITHUB_* variables, as the action does
  --json               print one JSON document on stdout
  -v, --verbose        debug logs on stderr
  -h, --help           this text
  --version            the version
`

/** Exit codes: 0 done, 1 the work failed (bad manifest, git error), 2 the command line is wrong. */
export async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        cwd: { type: 'string', short: 'C' },
        manifest: { type: 'string' },
        base: { type: 'string' },
        head: { type: 'string' },
        since: { type: 'string' },
        github: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false }
      }
    })
  } catch (error) {
    process.stderr.write(`flotilla: ${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.version) {
    process.stdout.write(values.json ? JSON.stringify({ version: packageJson.version }) + '\n' : `${packageJson.version}\n`)
    return 0
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE)
    return 0
  }
  if (rest.length > 0) return usageError(`unexpected argument '${rest[0]}'`)

  const root = resolve(values.cwd ?? process.cwd())
  const log = stderrLogger({ verbose: values.verbose })
  try {
    switch (command) {
      case 'plan':
        return await plan(root, values, log)
      case 'validate':
        return await validate(root, values)
      default:
        return usageError(`unknown command '${command}'`)
    }
  } catch (error) {
    return reportFailure(error, values.json)
  }
}

interface PlanFlags {
  manifest?: string
  base?: string
  head?: string
  since?: string
  github: boolean
  json: boolean
}

async function plan(root: string, flags: PlanFlags, log: Logger): Promise<number> {
  const context = flags.github
    ? eventContextFromEnv(process.env)
    : { eventName: 'local', sha: flags.head ?? 'HEAD', ref: '', payload: {} }
  let base = flags.base
  let baseLabel: string | undefined
  if (!flags.github && base === undefined && flags.since === undefined) {
    const chosen = await localBase(root, flags.head ?? 'HEAD')
    base = chosen.base
    baseLabel = chosen.why
  }
  const result = await planChanges({
    root,
    manifestFile: flags.manifest,
    context: flags.github ? context : { ...context, repository: repositoryFromEnv() },
    request: { base, baseLabel, head: flags.head, since: flags.since },
    token: process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined,
    apiUrl: process.env.GITHUB_API_URL,
    log
  })
  const { manifest, changes } = result
  if (flags.json) process.stdout.write(JSON.stringify(planDocument(manifest, changes, result.plan), null, 2) + '\n')
  else process.stdout.write(planText(manifest, changes, result.plan))
  return 0
}

async function validate(root: string, flags: { manifest?: string; json: boolean }): Promise<number> {
  const manifest = await loadManifest(root, { file: flags.manifest })
  const summary = {
    ok: true,
    manifest: manifest.source,
    services: Object.keys(manifest.services),
    libraries: Object.keys(manifest.libraries),
    environments: Object.keys(manifest.environments)
  }
  if (flags.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
  else {
    process.stdout.write(
      `${manifest.source}: valid — ${summary.services.length} services, ${summary.libraries.length} libraries, ` +
        `${summary.environments.length} environments\n`
    )
  }
  return 0
}

function repositoryFromEnv(): { owner: string; repo: string } | undefined {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/')
  return owner && repo ? { owner, repo } : undefined
}

function reportFailure(error: unknown, json: boolean): number {
  const message = error instanceof Error ? error.message : String(error)
  const problems = error instanceof ManifestError ? error.problems : undefined
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: message, problems }, null, 2) + '\n')
  else process.stderr.write(`flotilla: ${message}\n`)
  return 1
}

function usageError(message: string): number {
  process.stderr.write(`flotilla: ${message}\n\n${USAGE}`)
  return 2
}
