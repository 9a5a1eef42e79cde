import type { GitHubClient } from '../../github/index.js'

export interface PullRequestProposal {
  owner: string
  repo: string
  /** The branch the environment syncs from. */
  base: string
  /** The bot branch holding the change, in the same repository. */
  head: string
  title: string
  body: string
}

export interface PullRequestRef {
  number: number
  url: string
  /** False when an open pull request for the branch was updated instead. */
  created: boolean
}

/**
 * Opens the pull request for a bot branch, or updates the one already open for it, so repeated
 * deploys of a service to an environment keep one pull request current.
 */
export async function createOrUpdatePullRequest(client: GitHubClient, proposal: PullRequestProposal): Promise<PullRequestRef> {
  const { owner, repo, base, head, title, body } = proposal
  const update = async (number: number): Promise<PullRequestRef> => {
    const { data } = await client.rest.pulls.update({ owner, repo, pull_number: number, title, body })
    return { number: data.number, url: data.html_url, created: false }
  }
  const open = await findOpen(client, proposal)
  if (open !== undefined) return update(open)
  try {
    const { data } = await client.rest.pulls.create({ owner, repo, base, head, title, body })
    return { number: data.number, url: data.html_url, created: true }
  } catch (error) {
    // Another deploy of the same service opened it between our look-up and our create.
    const raced = (error as { status?: number }).status === 422 ? await findOpen(client, proposal) : undefined
    if (raced === undefined) throw error
    return update(raced)
  }
}

async function findOpen(client: GitHubClient, { owner, repo, base, head }: PullRequestProposal): Promise<number | undefined> {
  const { data } = await client.rest.pulls.list({ owner, repo, state: 'open', base, head: `${owner}:${head}`, per_page: 1 })
  return data[0]?.number
}
