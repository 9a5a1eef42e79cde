/**
 * The plan, end to end: manifest → change set → selected services. Both adapters (the detect
 * action and `flotilla plan`) call `planChanges`; neither holds logic of its own.
 */
import type { ChangeApi, ChangeSet, DetectRequest, EventContext } from '../changes/types.js'
import type { Manifest } from '../config/types.js'
import type { Plan } from '../plan/types.js'
import type { Logger } from '../log/index.js'
import { formatProblem, loadManifest } from '../config/index.js'
import { detectChanges } from '../changes/index.js'
import { computePlan } from '../plan/index.js'
import { Git } from '../git/index.js'
import { createGitHubClient, GitHubChangeApi } from '../github/index.js'

export { eventContextFromEnv, repositoryFromEnv } from './context.js'

export interface PlanOptions {
  /** The repository's working tree (the checkout). */
  root: string
  /** A manifest path relative to `root`; found or discovered when absent. */
  manifestFile?: string
  context: EventContext
  request: DetectRequest
  /** Enables the API fallbacks (compare, pull-request files, deployments, runs). */
  token?: string
  /** GITHUB_API_URL; GitHub Enterprise Server works through it. */
  apiUrl?: string
  log: Logger
}

export interface PlanResult {
  manifest: Manifest
  changes: ChangeSet
  plan: Plan
}

export async function planChanges(options: PlanOptions): Promise<PlanResult> {
  // The manifest is validated before anything touches git or the network: bad input changes nothing.
  const manifest = await loadManifest(options.root, { file: options.manifestFile })
  options.log.info(`manifest: ${manifest.source} (${Object.keys(manifest.services).length} services)`)
  for (const notice of manifest.notices ?? []) {
    if (options.log.notice) options.log.notice(formatProblem(notice))
    else options.log.info(formatProblem(notice))
  }
  const git = new Git({ cwd: options.root, log: (line) => options.log.debug(line) })
  const changes = await detectChanges({
    git,
    context: options.context,
    request: options.request,
    api: gitHubChangeApi(options),
    log: (line) => options.log.info(line)
  })
  for (const warning of changes.warnings) options.log.warn(warning)
  const plan = computePlan(manifest, changes)
  return { manifest, changes, plan }
}

/**
 * The API is reached only through fallbacks, so the client is made on first use: a plan that
 * local history answers makes no request at all, and needs no token.
 */
function gitHubChangeApi(options: PlanOptions): ChangeApi | undefined {
  const repository = options.context.repository
  if (!options.token || !repository) return undefined
  let api: GitHubChangeApi | undefined
  const get = (): GitHubChangeApi => {
    api ??= new GitHubChangeApi({
      octokit: createGitHubClient({
        token: options.token,
        baseUrl: options.apiUrl,
        log: { warn: (message) => options.log.warn(message), debug: (message) => options.log.debug(message) }
      }),
      owner: repository.owner,
      repo: repository.repo
    })
    return api
  }
  return {
    compare: (base, head) => get().compare(base, head),
    pullRequestFiles: (pullNumber, expectedCount) => get().pullRequestFiles(pullNumber, expectedCount),
    lastDeploymentSha: (environment) => get().lastDeploymentSha(environment),
    lastSuccessfulRunSha: (query) => get().lastSuccessfulRunSha(query)
  }
}
