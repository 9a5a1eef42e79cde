import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createGitHubClient, type GitHubClient } from '../../../shared/src/github/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'

describe('createGitHubClient against the fake GitHub', () => {
  let fake: FakeGitHub
  let octokit: GitHubClient
  let baseUrl: string
  const warnings: string[] = []
  const repo = { owner: 'acme', repo: 'shop' }

  beforeEach(async () => {
    fake = new FakeGitHub(repo)
    warnings.length = 0
    baseUrl = await fake.start()
    octokit = createGitHubClient({
      baseUrl,
      token: 'test-token',
      retries: 2,
      retryBaseMs: 1,
      log: { warn: message => warnings.push(message) }
    })
  })

  afterEach(async () => {
    await fake.stop()
    expect(fake.violations).toEqual([])
  })

  it('sends the token and its user agent', async () => {
    await octokit.rest.repos.get(repo)

    expect(fake.requests[0]!.headers.authorization).toBe('token test-token')
    expect(fake.requests[0]!.headers['user-agent']).toMatch(/^flotilla /)
  })

  it('retries a 502 transparently', async () => {
    fake.fail({ path: '/repos/acme/shop', status: 502, times: 2 })

    const { data } = await octokit.rest.repos.get(repo)

    expect(data.full_name).toBe('acme/shop')
    expect(fake.requestsTo('repos/get')).toHaveLength(3)
  })

  it('gives up on a server error after the configured retries', async () => {
    fake.fail({ path: '/repos/{owner}/{repo}', status: 503 })

    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 503 })
    expect(fake.requestsTo('repos/get')).toHaveLength(3)
  })

  it('waits out a secondary rate limit and retries', async () => {
    fake.fail({ path: '/repos/acme/shop', status: 'secondary-rate-limit', retryAfterSeconds: 1, times: 1 })

    const { data } = await octokit.rest.repos.get(repo)

    expect(data.name).toBe('shop')
    expect(fake.requestsTo('repos/get')).toHaveLength(2)
    expect(warnings).toEqual([expect.stringMatching(/secondary rate limit on GET \/repos\/\{owner\}\/\{repo\}: retrying in 1s/)])
  })

  it('waits for the primary rate limit to reset and retries', async () => {
    fake.fail({ path: '/repos/acme/shop', status: 'primary-rate-limit', retryAfterSeconds: 1, times: 1 })

    await expect(octokit.rest.repos.get(repo)).resolves.toMatchObject({ status: 200 })
    expect(fake.requestsTo('repos/get')).toHaveLength(2)
    expect(warnings).toEqual([expect.stringMatching(/primary rate limit/)])
  })

  it('stops retrying a rate limit after the configured retries', async () => {
    fake.fail({ path: '/repos/acme/shop', status: 'secondary-rate-limit', retryAfterSeconds: 1 })

    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 403 })
    expect(fake.requestsTo('repos/get')).toHaveLength(3)
    expect(warnings.at(-1)).toMatch(/giving up after 2 retries/)
  })

  it('does not sit out a rate limit that resets later than it is worth waiting', async () => {
    const patient = createGitHubClient({
      baseUrl,
      retryBaseMs: 1,
      maxRateLimitWaitSeconds: 60,
      log: { warn: message => warnings.push(message) }
    })
    fake.fail({ path: '/repos/acme/shop', status: 'primary-rate-limit', retryAfterSeconds: 3600 })

    await expect(patient.rest.repos.get(repo)).rejects.toMatchObject({ status: 403 })
    expect(fake.requestsTo('repos/get')).toHaveLength(1)
  })

  it('does not retry a 404', async () => {
    fake.fail({ path: '/repos/acme/shop', status: 404 })

    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 404 })
    expect(fake.requestsTo('repos/get')).toHaveLength(1)
  })

  it('does not retry a 422', async () => {
    fake.fail({ method: 'POST', path: /\/statuses\//, status: 422 })

    await expect(
      octokit.rest.repos.createCommitStatus({ ...repo, sha: 'a'.repeat(40), state: 'success', context: 'ci' })
    ).rejects.toMatchObject({ status: 422 })
    expect(fake.requestsTo('repos/create-commit-status')).toHaveLength(1)
  })

  it('reaches GitHub Enterprise Server under /api/v3', async () => {
    const enterprise = createGitHubClient({ baseUrl: fake.enterpriseUrl, retryBaseMs: 1 })

    const { data } = await enterprise.rest.repos.get(repo)

    expect(data.default_branch).toBe('main')
    expect(fake.requests.map(request => request.url)).toEqual(['/api/v3/repos/acme/shop'])
  })

  it('waits for a slow answer while other requests go through', async () => {
    fake.delay({ path: '/repos/{owner}/{repo}/deployments', ms: 300 })
    const finished: string[] = []

    await Promise.all([
      octokit.rest.repos.listDeployments(repo).then(() => finished.push('slow')),
      octokit.rest.repos.get(repo).then(() => finished.push('fast'))
    ])

    expect(finished).toEqual(['fast', 'slow'])
  })
})
