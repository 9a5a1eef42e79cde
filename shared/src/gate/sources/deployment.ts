/**
 * The `deployment` and `soak` criteria read GitHub Deployments of the commit. With services
 * given, only deployments of those services count (the deploy stage records the service in the
 * deployment's payload), and each needs its own.
 */
import type { GitHubClient } from '../../github/index.js'
import { evaluateSoak } from '../window.js'
import type { DeploymentCriterion, Observation, SoakCriterion } from '../types.js'
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

/** Every (environment, service) pair; one pair per environment without services. */
function pairs(environments: readonly string[], services: readonly string[] | undefined): Array<{ environment: string; service?: string }> {
  return environments.flatMap((environment) => (services === undefined || services.length === 0 ? [{ environment }] : services.map((service) => ({ environment, service }))))
}

function describePair(pair: { environment: string; service?: string }): string {
  return pair.service === undefined ? pair.environment : `${pair.environment} for ${pair.service}`
}

export async function measureDeployments(client: GitHubClient, target: CommitTarget, criterion: Pick<DeploymentCriterion, 'environments'>, services?: readonly string[]): Promise<Observation> {
  const wanted = pairs(criterion.environments, services)
  const missing: string[] = []
  for (const pair of wanted) {
    if ((await successfulDeployment(client, target, pair.environment, pair.service)) === undefined) missing.push(describePair(pair))
  }
  const short = target.sha.slice(0, 12)
  if (missing.length > 0) return { phase: 'failed', message: `no successful deployment of ${short} to ${missing.join(', ')}` }
  return { phase: 'successful', message: `${short} deployed successfully to ${wanted.map(describePair).join(', ')}` }
}

/**
 * Soak time counts from the commit's successful deployment to the gated environment; with
 * several services, from the latest of them (the one that soaked least).
 */
export async function measureSoak(
  client: GitHubClient,
  target: CommitTarget,
  environment: string,
  criterion: Pick<SoakCriterion, 'durationSeconds'>,
  now: number,
  services?: readonly string[]
): Promise<Observation> {
  const deployedAt: number[] = []
  const missing: string[] = []
  for (const pair of pairs([environment], services)) {
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
