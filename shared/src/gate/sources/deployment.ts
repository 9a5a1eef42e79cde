/**
 * The `deployment` and `soak` criteria read GitHub Deployments of the commit. With services
 * given, only deployments of those services count (the deploy stage records the service in the
 * deployment's payload), and each needs its own in every environment it deploys to.
 */
import type { GitHubClient } from '../../github/index.js'
import { evaluateSoak } from '../window.js'
import type { DeploymentCriterion, DeploymentScope, Observation, SoakCriterion } from '../types.js'
import type { CommitTarget } from './github.js'

export interface SuccessfulDeployment {
  id: number
  /** Milliseconds since the epoch of its success status. */
  deployedAt: number
}

/** The newest deployment of the commit (and service) to `environment` whose latest status is success. */
export async function successfulDeployment(client: GitHubClient, target: CommitTarget, environment: string, service?: string): Promise<SuccessfulDeployment | undefined> {
  const { owner, repo, sha } = target
  const deployments = await client.paginate(client.rest.repos.listDeployments, { owner, repo, sha, environment, per_page: 100 })
  for (const deployment of deployments) {
    if (service !== undefined && payloadService(deployment.payload) !== service) continue
    const { data: statuses } = await client.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: Number(deployment.id), per_page: 1 })
    const latest = statuses[0]
    if (latest?.state === 'success') return { id: Number(deployment.id), deployedAt: Date.parse(latest.created_at) }
  }
  return undefined
}

/** GitHub returns the payload as sent: an object, or a string when it was sent as one. */
function payloadService(payload: unknown): string | undefined {
  let value = payload
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  const service = typeof value === 'object' && value !== null ? (value as { service?: unknown }).service : undefined
  return typeof service === 'string' ? service : undefined
}

interface Pair {
  environment: string
  service?: string
}

/**
 * Every (environment, service) pair that needs a deployment; one pair per environment without
 * services. A service that never deploys to an environment is not waited for there (a service
 * that goes straight to production has no staging deployment to find).
 */
function pairs(environments: readonly string[], scope: DeploymentScope): Pair[] {
  const { services, deploysTo } = scope
  if (services === undefined || services.length === 0) return environments.map((environment) => ({ environment }))
  return environments.flatMap((environment) =>
    services.filter((service) => deploysTo?.[service]?.includes(environment) ?? true).map((service) => ({ environment, service }))
  )
}

/** What a criterion with nothing to wait for says. */
function nothingDeploysTo(environments: readonly string[], scope: DeploymentScope): string {
  return `none of ${(scope.services ?? []).join(', ')} deploys to ${environments.join(', ')}: nothing to wait for`
}

function describePair(pair: { environment: string; service?: string }): string {
  return pair.service === undefined ? pair.environment : `${pair.environment} for ${pair.service}`
}

export async function measureDeployments(client: GitHubClient, target: CommitTarget, criterion: Pick<DeploymentCriterion, 'environments'>, scope: DeploymentScope = {}): Promise<Observation> {
  const wanted = pairs(criterion.environments, scope)
  if (wanted.length === 0) return { phase: 'successful', message: nothingDeploysTo(criterion.environments, scope) }
  const missing: string[] = []
  for (const pair of wanted) {
    if ((await successfulDeployment(client, target, pair.environment, pair.service)) === undefined) missing.push(describePair(pair))
  }
  const short = target.sha.slice(0, 12)
  if (missing.length > 0) return { phase: 'failed', message: `no successful deployment of ${short} to ${missing.join(', ')}` }
  return { phase: 'successful', message: `${short} deployed successfully to ${wanted.map(describePair).join(', ')}` }
}

/**
 * Soak time counts from the commit's successful deployment to `environments` (those the gated
 * environment requires); with several deployments, from the latest (the one that soaked least).
 */
export async function measureSoak(
  client: GitHubClient,
  target: CommitTarget,
  environments: readonly string[],
  criterion: Pick<SoakCriterion, 'durationSeconds'>,
  now: number,
  scope: DeploymentScope = {}
): Promise<Observation> {
  const wanted = pairs(environments, scope)
  if (wanted.length === 0) return { phase: 'successful', message: nothingDeploysTo(environments, scope) }
  const deployedAt: number[] = []
  const missing: string[] = []
  for (const pair of wanted) {
    const deployment = await successfulDeployment(client, target, pair.environment, pair.service)
    if (deployment === undefined) missing.push(describePair(pair))
    else deployedAt.push(deployment.deployedAt)
  }
  if (missing.length > 0) {
    const observation = evaluateSoak({ durationSeconds: criterion.durationSeconds, now })
    return { ...observation, message: `${observation.message} (environment ${missing.join(', ')})` }
  }
  return evaluateSoak({ durationSeconds: criterion.durationSeconds, now, deployedAt: Math.max(...deployedAt) })
}
