import type { EventContext } from '../changes/types.js'
import type { TagContext } from './tags.js'

/** The tag facts of a workflow run, without the sha (the build takes the commit it hashes and builds). */
export type EventTagContext = Omit<TagContext, 'sha'>

/**
 * Branch, pull request, git tag and default branch from the run's event: `refs/heads/<branch>`
 * on pushes, `refs/tags/<tag>` on tag pushes, the payload's pull request number on
 * pull_request(_target) events.
 */
export function tagContextFromEvent(event: EventContext): EventTagContext {
  const number = event.payload.pull_request?.number
  const pullRequest = typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : undefined
  const branch = event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : undefined
  const gitTag = event.ref.startsWith('refs/tags/') ? event.ref.slice('refs/tags/'.length) : undefined
  return {
    ...(branch === undefined ? {} : { branch }),
    ...(gitTag === undefined ? {} : { gitTag }),
    ...(pullRequest === undefined ? {} : { pullRequest }),
    ...(event.defaultBranch === undefined ? {} : { defaultBranch: event.defaultBranch })
  }
}

/** `https://github.com/<owner>/<repo>` (or the GitHub Enterprise server's address) for the source label. */
export function sourceUrl(event: EventContext, serverUrl = 'https://github.com'): string | undefined {
  return event.repository === undefined ? undefined : `${serverUrl.replace(/\/+$/, '')}/${event.repository.owner}/${event.repository.repo}`
}
