import type { GitHubClient } from '../github/index.js'
import type { Logger } from '../log/index.js'
import { DeployError } from './targets/request.js'

/** One deploy as GitHub records it: a Deployment of a commit to an environment. */
export interface DeploymentRecord {
  owner: string
  repo: string
  /** The commit the image was built from; the deployment's ref. */
  sha: string
  environment: string
  service: string
  image: string
  digest?: string
  /** Checks that must be green on `sha`; explicit, so GitHub never blocks on every context by default. */
  requiredContexts?: string[]
  transient: boolean
  production: boolean
  /** Where the environment answers; the target's own URL wins when it reports one. */
  environmentUrl?: string
  /** The workflow run's page (see `runLogUrl`). */
  logUrl?: string
}

export type FinalDeploymentState = 'success' | 'failure' | 'error'

/** GitHub cuts deployment status descriptions at 140 characters. */
const DESCRIPTION_LENGTH = 140

/** The workflow run's page, from the runner's GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID. */
export function runLogUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env
  return server && repository && runId ? `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}` : undefined
}

/** The create-deployment request body; `auto_merge` is off because a deploy must never merge the default branch. */
export function deploymentRequest(record: DeploymentRecord) {
  return {
    owner: record.owner,
    repo: record.repo,
    ref: record.sha,
    environment: record.environment,
    task: 'deploy',
    description: `Deploy ${record.service} ${record.image}`.slice(0, DESCRIPTION_LENGTH),
    payload: { service: record.service, image: record.image, ...(record.digest === undefined ? {} : { digest: record.digest }) },
    required_contexts: record.requiredContexts ?? [],
    auto_merge: false,
    transient_environment: record.transient,
    production_environment: record.production
  }
}

export async function createDeployment(client: GitHubClient, record: DeploymentRecord): Promise<number> {
  const response = await client.rest.repos.createDeployment(deploymentRequest(record))
  // 202 means GitHub merged the default branch into the ref instead, which auto_merge: false rules out.
  if (response.status !== 201 || !('id' in response.data)) throw new Error(`GitHub did not create a deployment of ${record.sha}: ${JSON.stringify(response.data)}`)
  return Number(response.data.id)
}

export async function setDeploymentStatus(
  client: GitHubClient,
  record: Pick<DeploymentRecord, 'owner' | 'repo' | 'logUrl'>,
  deploymentId: number,
  status: { state: 'in_progress' | FinalDeploymentState; description: string; environmentUrl?: string }
): Promise<void> {
  await client.rest.repos.createDeploymentStatus({
    owner: record.owner,
    repo: record.repo,
    deployment_id: deploymentId,
    state: status.state,
    description: status.description.slice(0, DESCRIPTION_LENGTH),
    ...(status.environmentUrl === undefined ? {} : { environment_url: status.environmentUrl }),
    ...(record.logUrl === undefined ? {} : { log_url: record.logUrl })
  })
}

/** How a deploy step is told the workflow was cancelled; the process and its exit by default. */
export interface Cancellation {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown
  off(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown
  exit(code: number): void
}

export interface DeploymentOutcome<T> {
  deploymentId: number
  result: T
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const

/**
 * How long cancelled work may take to stop and roll back before the deploy is recorded as
 * cancelled anyway. The runner sends SIGINT, then SIGTERM 7.5 s later and SIGKILL 2.5 s after
 * that: 8 s leaves 2 s to write the status within those 10 s, and is longer than any step a
 * target lets run to its end once cancelled plus its rollback (the docker target's
 * `PREVIOUS_STOP_SECONDS` stop of the previous container, then renaming and starting it again).
 */
export const CANCEL_GRACE_MS = 8000

/**
 * Records `work` as a Deployment: created, `in_progress`, then `success` when it resolves or
 * `failure` when it throws. A cancelled workflow (SIGTERM, SIGINT) aborts the work through its
 * signal; once the work has stopped and rolled back (or after `CANCEL_GRACE_MS`) the last status
 * is written — `error` ("cancelled", or "cancelled and rolled back: …" with what the target put
 * back), or `success` when the work had already finished — and the process exits, so no
 * deployment is left in progress.
 */
export async function withDeployment<T extends { url?: string }>(
  client: GitHubClient,
  record: DeploymentRecord,
  work: (signal: AbortSignal) => Promise<T>,
  options: { log?: Logger; cancellation?: Cancellation; graceMs?: number } = {}
): Promise<DeploymentOutcome<T>> {
  const deploymentId = await createDeployment(client, record)
  options.log?.info(`deployment ${deploymentId}: ${record.service} ${record.image} to ${record.environment}`)
  // The first final status wins; whoever asks later waits for the same write.
  let final: Promise<void> | undefined
  const finish = (state: FinalDeploymentState, description: string, environmentUrl?: string): Promise<void> =>
    (final ??= setDeploymentStatus(client, record, deploymentId, { state, description, ...urlOf(environmentUrl) }).catch((error) =>
      options.log?.warn(`deployment ${deploymentId}: the ${state} status was not written: ${(error as Error).message}`)
    ))

  return withCancellation(
    async (signal) => {
      try {
        await setDeploymentStatus(client, record, deploymentId, { state: 'in_progress', description: `Deploying ${record.image}`, ...urlOf(record.environmentUrl) })
        const result = await work(signal)
        await finish('success', `Deployed ${record.image}`, result.url ?? record.environmentUrl)
        return { deploymentId, result }
      } catch (error) {
        if (signal.aborted) await finish('error', cancelledDescription(error))
        else await finish('failure', (error as Error).message, record.environmentUrl)
        throw error
      }
    },
    {
      cancellation: options.cancellation,
      graceMs: options.graceMs,
      onCancel: () => options.log?.warn(`deployment ${deploymentId}: the workflow was cancelled; stopping the deploy`),
      onGraceExpired: () => finish('error', 'cancelled')
    }
  )
}

/**
 * Runs `work` with a signal that the first SIGTERM or SIGINT aborts (a cancelled workflow, or
 * Ctrl-C), so that it stops and rolls back. The process exits 130 once the work has stopped, or
 * after `graceMs` (`CANCEL_GRACE_MS`) if it has not, when `onGraceExpired` has run.
 */
export async function withCancellation<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: { cancellation?: Cancellation; graceMs?: number; onCancel?: () => void; onGraceExpired?: () => Promise<void> } = {}
): Promise<T> {
  const cancellation = options.cancellation ?? { on: (s, l) => process.on(s, l), off: (s, l) => process.off(s, l), exit: (code) => process.exit(code) }
  const controller = new AbortController()
  let grace: NodeJS.Timeout | undefined
  const onSignal = (): void => {
    if (controller.signal.aborted) return
    options.onCancel?.()
    controller.abort(new Error('the deploy was cancelled'))
    grace = setTimeout(() => void (options.onGraceExpired?.() ?? Promise.resolve()).finally(() => cancellation.exit(130)), options.graceMs ?? CANCEL_GRACE_MS)
  }
  for (const signal of SIGNALS) cancellation.on(signal, onSignal)
  try {
    return await work(controller.signal)
  } finally {
    clearTimeout(grace)
    for (const signal of SIGNALS) cancellation.off(signal, onSignal)
    if (controller.signal.aborted) cancellation.exit(130)
  }
}

/** `cancelled`, with what the target put back when it says (`cancelled and rolled back: cart:1 runs again`). */
function cancelledDescription(error: unknown): string {
  return error instanceof DeployError && error.rolledBack !== undefined ? `cancelled and rolled back: ${error.rolledBack}` : 'cancelled'
}

function urlOf(url: string | undefined): { environmentUrl?: string } {
  return url === undefined ? {} : { environmentUrl: url }
}
