import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createOrUpdatePullRequest, pullRequestBranch, pullRequestText } from '../../../shared/src/deploy/index.js'
import { createGitHubClient, type GitHubClient } from '../../../shared/src/github/index.js'
import { FakeGitHub, OpenApiDescription, type FakeRequest, type FakeResponse } from '../../support/fake-github/index.js'

const repo = { owner: 'acme', repo: 'deploy' }

interface StoredPull {
  number: number
  head: string
  base: string
  title: string
  body: string
}

/**
 * Pull requests for the fake, which serves no pulls/* operations itself: the test's handlers
 * keep them in a list and answer with GitHub's documented examples, and the fake still checks
 * every request and answer against the OpenAPI description.
 */
function servePulls(fake: FakeGitHub, options: { hideFromFirstList?: boolean } = {}): StoredPull[] {
  const description = OpenApiDescription.load()
  const pulls: StoredPull[] = []
  let lists = 0
  const render = (pull: StoredPull, example: 'pull-request' | 'pull-request-simple'): any => {
    const base = example === 'pull-request' ? description.example<any>('pull-request') : description.example<any[]>('pull-request-simple-items')[0]
    return {
      ...base,
      number: pull.number,
      title: pull.title,
      body: pull.body,
      state: 'open',
      // The documented example predates the now-required team `type`; no reviewers are requested here.
      requested_teams: [],
      html_url: `https://github.com/${repo.owner}/${repo.repo}/pull/${pull.number}`,
      head: { ...base.head, ref: pull.head, label: `${repo.owner}:${pull.head}` },
      base: { ...base.base, ref: pull.base, label: `${repo.owner}:${pull.base}` }
    }
  }
  fake.handle('pulls/list', (request: FakeRequest): FakeResponse => {
    const visible = options.hideFromFirstList && lists++ === 0 ? [] : pulls
    const matching = visible.filter(
      (pull) => request.query.head === `${repo.owner}:${pull.head}` && (request.query.base === undefined || request.query.base === pull.base)
    )
    return { status: 200, body: matching.map((pull) => render(pull, 'pull-request-simple')) }
  })
  fake.handle('pulls/create', (request: FakeRequest): FakeResponse => {
    if (pulls.some((pull) => pull.head === request.body.head)) {
      return {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${request.body.head}.` }],
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request'
        }
      }
    }
    const pull = { number: 100 + pulls.length, head: request.body.head, base: request.body.base, title: request.body.title, body: request.body.body }
    pulls.push(pull)
    return { status: 201, body: render(pull, 'pull-request') }
  })
  fake.handle('pulls/update', (request: FakeRequest): FakeResponse => {
    const pull = pulls.find((candidate) => candidate.number === Number(request.params.pull_number))
    if (!pull) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }
    Object.assign(pull, { title: request.body.title, body: request.body.body })
    return { status: 200, body: render(pull, 'pull-request') }
  })
  return pulls
}

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
    const pulls = servePulls(fake)

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
    const pulls = servePulls(fake, { hideFromFirstList: true })
    pulls.push({ number: 7, head, base: 'main', title: 'Deploy cart to production', body: 'older' })

    const result = await createOrUpdatePullRequest(client, proposal('ghcr.io/acme/cart:1.5.0'))

    expect(result).toEqual({ number: 7, url: 'https://github.com/acme/deploy/pull/7', created: false })
    expect(pulls[0]!.body).toContain('ghcr.io/acme/cart:1.5.0')
    expect(fake.requests.map((request) => request.operationId)).toEqual(['pulls/list', 'pulls/create', 'pulls/list', 'pulls/update'])
  })
})
