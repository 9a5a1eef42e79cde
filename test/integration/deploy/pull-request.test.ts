import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createOrUpdatePullRequest, pullRequestBranch, pullRequestText } from '../../../shared/src/deploy/index.js'
import { createGitHubClient, type GitHubClient } from '../../../shared/src/github/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'
import { servePulls } from './pulls.js'

const repo = { owner: 'acme', repo: 'deploy' }

describe('createOrUpdatePullRequest against the fake GitHub', () => {
  let fake: FakeGitHub
  let client: GitHubClient

  beforeEach(async () => {
    fake = new FakeGitHub(repo)
    client = createGitHubClient({ baseUrl: await fake.start(), token: 'test-token', retries: 0, retryBaseMs: 1 })
  })

  afterEach(async () => {
    await fake.stop()
    expect(fake.violations).toEqual([])
  })

  const head = pullRequestBranch('production', 'cart')
  const proposal = (next: string) => ({
    ...repo,
    base: 'main',
    head,
    ...pullRequestText({ service: 'cart', environment: 'production', previous: 'ghcr.io/acme/cart:1.4.0', next, sourceSha: 'a'.repeat(40) })
  })

  it('opens a pull request for the bot branch, then updates that one on the next deploy', async () => {
    const pulls = servePulls(fake, repo)

    const opened = await createOrUpdatePullRequest(client, proposal('ghcr.io/acme/cart:1.5.0'))
    const updated = await createOrUpdatePullRequest(client, proposal('ghcr.io/acme/cart:1.6.0'))

    expect(opened).toEqual({ number: 100, url: 'https://github.com/acme/deploy/pull/100', created: true })
    expect(updated).toEqual({ number: 100, url: 'https://github.com/acme/deploy/pull/100', created: false })
    expect(pulls).toHaveLength(1)
    expect(pulls[0]).toMatchObject({ head: 'flotilla/production/cart', base: 'main', title: 'Deploy cart to production' })
    expect(pulls[0]!.body).toContain('| after | `ghcr.io/acme/cart:1.6.0` |')
    expect(fake.requests.map((request) => request.operationId)).toEqual(['pulls/list', 'pulls/create', 'pulls/list', 'pulls/update'])
    expect(fake.requestsTo('pulls/list')[0]!.query).toMatchObject({ state: 'open', head: 'acme:flotilla/production/cart', base: 'main' })
  })

  it('updates the pull request another deploy opened between its look-up and its create', async () => {
    const pulls = servePulls(fake, repo, { hideFromFirstList: true })
    pulls.push({ number: 7, head, base: 'main', title: 'Deploy cart to production', body: 'older' })

    const result = await createOrUpdatePullRequest(client, proposal('ghcr.io/acme/cart:1.5.0'))

    expect(result).toEqual({ number: 7, url: 'https://github.com/acme/deploy/pull/7', created: false })
    expect(pulls[0]!.body).toContain('ghcr.io/acme/cart:1.5.0')
    expect(fake.requests.map((request) => request.operationId)).toEqual(['pulls/list', 'pulls/create', 'pulls/list', 'pulls/update'])
  })
})
