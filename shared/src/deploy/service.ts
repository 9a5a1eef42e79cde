import type { Manifest } from '../config/index.js'
import type { GitHubClient } from '../github/index.js'
import { parseRepository } from '../github/index.js'
import { parseImageReference } from '../image/reference.js'
import type { Logger } from '../log/index.js'
import { parseDeployTarget, type DeployTargetConfig, type GitOpsTarget } from './config.js'
import { withCancellation, withDeployment, type Cancellation } from './deployments.js'
import { setHelmImage, setKustomizeImage, setManifestImages, type EditResult } from './edits/index.js'
import { commitMessage, createOrUpdatePullRequest, deployGitOps, pullRequestBranch, pullRequestText, type DeployChange } from './gitops/index.js'
import { deployToKubernetes } from './targets/kubernetes.js'
import { deployWithCommand, type CommandOutput } from './targets/command.js'
import { deployToDocker } from './targets/docker.js'
import { DeployError, type DeployRequest, type TargetResult } from './targets/request.js'

/**
 * Push attempts of one gitops deploy. Every lost race means another deploy landed, so this many
 * deploys of different services to one repository at the same time (a matrix job) all land.
 */
export const GITOPS_PUSH_ATTEMPTS = 12

/** Everything a deploy needs, checked by `planServiceDeploy` before anything runs. */
export interface ServiceDeploy {
  request: DeployRequest
  target: DeployTargetConfig
  production: boolean
  transient: boolean
  /** The environment's `url` from the manifest. */
  url?: string
}

/** What one service's deploy did, for outputs, summaries and `--json`. */
export interface ServiceDeployResult {
  service: string
  environment: string
  target: DeployTargetConfig['target']
  /** The image as deployed: pinned to its digest (`repo:tag@sha256:…`) when `pinServiceDeploy` looked the tag up. */
  image: string
  /** The digest deployed, when the image named one or was pinned to one. */
  digest?: string
  previous?: string
  url?: string
  deploymentId?: number
  /** gitops: the commit pushed to the deploy repository (none when it already named the image). */
  pushedCommit?: string
  /** gitops `mode: pull-request`: the pull request opened or updated. */
  pullRequest?: string
}

/**
 * Checks a deploy against the manifest before anything runs: a known environment, deploy
 * settings for it, valid target settings and an image with a tag or digest — given whole, or as
 * a `tag` of the service's image name in the manifest.
 */
export function planServiceDeploy(manifest: Manifest, input: { service: string; environment: string; image?: string; tag?: string; sha: string }): ServiceDeploy {
  const { service: name, environment } = input
  const environmentConfig = manifest.environments[environment]
  if (environmentConfig === undefined) {
    throw new DeployError(`unknown environment "${environment}" (${manifest.source} has ${Object.keys(manifest.environments).join(', ') || 'none'})`)
  }
  const service = manifest.services[name]
  if (service === undefined) throw new DeployError(`unknown service "${name}" (${manifest.source} has ${Object.keys(manifest.services).join(', ') || 'none'})`)
  const keyPath = `services.${name}.deploy.${environment}`
  if (service.deploy[environment] === undefined) throw new DeployError(`${name} has no deploy settings for ${environment}: add ${keyPath} to ${manifest.source}`)
  const { target, problems } = parseDeployTarget(service.deploy[environment], keyPath)
  if (target === undefined) throw new DeployError(`${manifest.source}: ${problems.map((problem) => `${problem.keyPath}: ${problem.message}`).join('; ')}`)
  if (input.image !== undefined && input.tag !== undefined) throw new DeployError(`give the image to deploy or a tag of ${name}'s image, not both`)
  if (input.image === undefined && input.tag === undefined) throw new DeployError(`give the image to deploy, or a tag of ${name}'s image (${service.image.name})`)
  const image = input.image ?? `${service.image.name}:${input.tag}`
  const reference = parseImageReference(image)
  if (reference.tag === undefined && reference.digest === undefined) throw new DeployError(`image ${image} has neither a tag nor a digest: deploy an exact version`)
  if (!/^[0-9a-f]{40}$/.test(input.sha)) throw new DeployError(`"${input.sha}" is not a full commit SHA`)
  return {
    request: { service: name, environment, image, sha: input.sha, ...(reference.digest === undefined ? {} : { digest: reference.digest }) },
    target,
    production: environmentConfig.production,
    transient: environmentConfig.transient,
    ...(environmentConfig.url === undefined ? {} : { url: environmentConfig.url })
  }
}

export interface ServiceDeployOptions {
  /** The source repository's root (commands run there; kubernetes manifests live there). */
  root: string
  /** Scratch space for clones and edited copies (RUNNER_TEMP). */
  workdir: string
  env: NodeJS.ProcessEnv
  /** The environment a `command` target's command starts from (default `env`); on a runner, `allowListedEnvironment(…)`. */
  commandEnv?: NodeJS.ProcessEnv
  log: Logger
  /** Records the deploy as a GitHub Deployment of `request.sha` in this repository. */
  github?: { client: GitHubClient; owner: string; repo: string; logUrl?: string; requiredContexts?: string[]; cancellation?: Cancellation }
  gitops: {
    /** Token for the deploy repository (masked by the caller). */
    token?: string
    /** Resolves `owner/name` deploy repositories: `${serverUrl}/owner/name.git`. */
    serverUrl: string
    author: { name: string; email: string }
    /** Opens the pull request in `mode: pull-request`. */
    client?: GitHubClient
  }
  /** Where a command target's output goes (see `CommandOutput`). */
  commandOutput?: CommandOutput
}

/** What a target reports, with the gitops extras. */
type TargetOutcome = TargetResult & { pushedCommit?: string; pullRequest?: string }

export async function deployService(plan: ServiceDeploy, options: ServiceDeployOptions): Promise<ServiceDeployResult> {
  const { request, target } = plan
  if (plan.production && request.digest === undefined) options.log.warn(`${request.environment} is a production environment: deploy ${request.service} by digest, not by the movable tag of ${request.image}`)
  const run = (signal: AbortSignal): Promise<TargetOutcome> => runTarget(plan, options, signal)
  const base = { service: request.service, environment: request.environment, target: target.target, image: request.image, ...(request.digest === undefined ? {} : { digest: request.digest }) }
  if (options.github === undefined) {
    const result = await withCancellation(run, { onCancel: () => options.log.warn(`${request.service} → ${request.environment}: cancelled; stopping the deploy`) })
    return { ...base, ...result, ...urlOr(result.url, plan.url ?? target.url) }
  }
  const { client, owner, repo, logUrl, requiredContexts, cancellation } = options.github
  const environmentUrl = target.url ?? plan.url
  const { deploymentId, result } = await withDeployment(
    client,
    { owner, repo, sha: request.sha, environment: request.environment, service: request.service, image: request.image, digest: request.digest, requiredContexts, transient: plan.transient, production: plan.production, environmentUrl, logUrl },
    run,
    { log: options.log, cancellation }
  )
  return { ...base, ...result, deploymentId, ...urlOr(result.url, environmentUrl) }
}

function urlOr(url: string | undefined, fallback: string | undefined): { url?: string } {
  const value = url ?? fallback
  return value === undefined ? {} : { url: value }
}

async function runTarget(plan: ServiceDeploy, options: ServiceDeployOptions, signal: AbortSignal): Promise<TargetOutcome> {
  const { request, target } = plan
  switch (target.target) {
    case 'command':
      return deployWithCommand(target, request, { cwd: options.root, env: options.commandEnv ?? options.env, signal, log: options.log, output: options.commandOutput })
    case 'kubernetes':
      return deployToKubernetes(target, request, { root: options.root, workdir: options.workdir, env: options.env, signal, log: options.log })
    case 'gitops':
      return deployByGitOps(target, request, options, signal)
    case 'docker':
      return deployToDocker(target, request, { env: options.env, signal, log: options.log })
  }
}

async function deployByGitOps(target: GitOpsTarget, request: DeployRequest, options: ServiceDeployOptions, signal: AbortSignal): Promise<TargetOutcome> {
  const github = isOwnerName(target.repo) ? parseRepository(target.repo) : undefined
  const repoUrl = github === undefined ? target.repo : `${options.gitops.serverUrl.replace(/\/+$/, '')}/${target.repo}.git`
  const change = (previous: string | undefined): DeployChange => ({ service: request.service, environment: request.environment, next: request.image, sourceSha: request.sha, ...(previous === undefined ? {} : { previous }) })
  const pullRequest = target.mode === 'pull-request'
  if (pullRequest && (github === undefined || options.gitops.client === undefined)) {
    throw new DeployError(`mode: pull-request needs the deploy repository as owner/name on GitHub and a token, not ${target.repo}`)
  }
  const result = await deployGitOps({
    repoUrl,
    branch: target.branch,
    file: target.file,
    token: options.gitops.token,
    edit: gitOpsEdit(target, request.image),
    message: (edit) => commitMessage(change(edit.previous)),
    author: options.gitops.author,
    workdir: options.workdir,
    maxAttempts: GITOPS_PUSH_ATTEMPTS,
    signal,
    env: options.env,
    log: options.log,
    ...(pullRequest ? { pullRequestBranch: pullRequestBranch(request.environment, request.service) } : {})
  })
  const outcome = { ...(result.previous === undefined ? {} : { previous: result.previous }), ...(result.pushedCommit === undefined ? {} : { pushedCommit: result.pushedCommit }) }
  if (!pullRequest || !result.changed) return outcome
  const text = pullRequestText(change(result.previous))
  const opened = await createOrUpdatePullRequest(options.gitops.client!, { ...github!, base: target.branch, head: result.branch, ...text })
  return { ...outcome, pullRequest: opened.url }
}

/** The edit of the deploy file for the target's kind, as a pure function of the file's text. */
export function gitOpsEdit(target: Pick<GitOpsTarget, 'kind' | 'key' | 'file'>, image: string): (text: string) => EditResult {
  const reference = parseImageReference(image)
  const at = image.indexOf('@')
  const withoutDigest = at === -1 ? image : image.slice(0, at)
  const name = reference.tag === undefined ? withoutDigest : withoutDigest.slice(0, withoutDigest.lastIndexOf(':'))
  const version = { ...(reference.tag === undefined ? {} : { tag: reference.tag }), ...(reference.digest === undefined ? {} : { digest: reference.digest }) }
  switch (target.kind) {
    case 'kustomize':
      return (text) => setKustomizeImage(text, { name: target.key ?? name, ...(target.key === undefined ? {} : { newName: name }), ...(version.tag === undefined ? {} : { newTag: version.tag }), ...(version.digest === undefined ? {} : { digest: version.digest }) }, target.file)
    case 'helm':
      return (text) => setHelmImage(text, { path: target.key ?? 'image', repository: name, ...version }, target.file)
    case 'manifests':
      return (text) => setManifestImages(text, image, target.file)
  }
}

function isOwnerName(repo: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9._-]+$/.test(repo)
}

/** One markdown line for the job summary: what ran before and what runs now. */
export function summaryLine(result: ServiceDeployResult): string {
  const where = result.url === undefined ? result.environment : `[${result.environment}](${result.url})`
  const how = result.pullRequest !== undefined ? ` (proposed in ${result.pullRequest})` : result.pushedCommit !== undefined ? ` (commit ${result.pushedCommit.slice(0, 12)})` : ''
  return `- **${result.service}** → ${where} via ${result.target}: \`${result.previous ?? '(none)'}\` → \`${result.image}\`${how}`
}
