import { readFileSync } from 'node:fs'
import type { EventContext } from '../changes/types.js'

/**
 * Reads the workflow run's context from the runner's environment variables and event payload.
 * A missing or unreadable payload is an error only when GITHUB_EVENT_PATH names a file: a run
 * outside Actions simply has no payload.
 */
export function eventContextFromEnv(env: NodeJS.ProcessEnv): EventContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH)
  const runId = Number(env.GITHUB_RUN_ID)
  return {
    eventName: env.GITHUB_EVENT_NAME || 'local',
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    payload,
    repository: repositoryFromEnv(env),
    defaultBranch: payload.repository?.default_branch,
    workflowRef: env.GITHUB_WORKFLOW_REF || undefined,
    runId: Number.isSafeInteger(runId) && runId > 0 ? runId : undefined
  }
}

/** owner/repo from GITHUB_REPOSITORY, when it is set. */
export function repositoryFromEnv(env: NodeJS.ProcessEnv): EventContext['repository'] {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/')
  return owner && repo && rest.length === 0 ? { owner, repo } : undefined
}

function readPayload(path: string | undefined): Record<string, any> {
  if (!path) return {}
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`GITHUB_EVENT_PATH ${path} cannot be read: ${(error as Error).message}`)
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, any>) : {}
  } catch (error) {
    throw new Error(`GITHUB_EVENT_PATH ${path} is not JSON: ${(error as Error).message}`)
  }
}
