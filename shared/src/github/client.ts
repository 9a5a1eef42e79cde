import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

const GitHubOctokit = Octokit.plugin(restEndpointMethods, paginateRest, retry, throttling)

/** Octokit with REST methods, pagination, retries of server errors and rate-limit handling. */
export type GitHubClient = InstanceType<typeof GitHubOctokit>

export interface GitHubLog {
  warn(message: string): void
  debug?(message: string): void
}

export interface GitHubClientOptions {
  token?: string
  /** API root: GITHUB_API_URL on a runner, `https://<host>/api/v3` for GHES. Defaults to `https://api.github.com`. */
  baseUrl?: string
  userAgent?: string
  log?: GitHubLog
  /** Retries of one request after a 5xx or a rate limit (default 3). */
  retries?: number
  /** Longest rate-limit wait worth sitting out, in seconds (default 300); a later reset fails at once. */
  maxRateLimitWaitSeconds?: number
  /** Milliseconds per unit of back-off and per second of `retry-after` (default 1000); tests shrink it. */
  retryBaseMs?: number
}

/** Statuses that no retry can fix. Rate limits (403/429) are the throttling plugin's to wait out. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]

export function createGitHubClient(options: GitHubClientOptions = {}): GitHubClient {
  const retries = options.retries ?? 3
  const baseMs = options.retryBaseMs ?? 1000
  const maxWait = options.maxRateLimitWaitSeconds ?? 300
  const log = options.log

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, octokit: { log: { warn(message: string): void } }, retryCount: number) => {
      const what = `${kind} rate limit on ${request.method} ${request.url}`
      if (retryCount >= retries) {
        octokit.log.warn(`${what}: giving up after ${retries} retries`)
        return false
      }
      if (retryAfter > maxWait) {
        octokit.log.warn(`${what}: the limit resets in ${retryAfter}s, longer than the ${maxWait}s worth waiting`)
        return false
      }
      octokit.log.warn(`${what}: retrying in ${retryAfter}s (retry ${retryCount + 1} of ${retries})`)
      return true
    }

  return new GitHubOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'flotilla',
    ...(log && {
      log: {
        debug: (message: string) => log.debug?.(message),
        info: (message: string) => log.debug?.(message),
        warn: (message: string) => log.warn(message),
        error: (message: string) => log.warn(message)
      }
    }),
    retry: { retries, retryAfterBaseValue: baseMs, doNotRetry: DO_NOT_RETRY },
    throttle: {
      retryAfterBaseValue: baseMs,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary')
    }
  })
}
