import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { Octokit } from '@octokit/core'
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods'
import { FakeGitHub, OpenApiDescription } from '../../support/fake-github/index.js'

// A bare client: these tests are about what the fake accepts and serves, not about retries or write pacing.
const BareOctokit = Octokit.plugin(restEndpointMethods)
const repo = { owner: 'acme', repo: 'shop' }
const sha = 'c0ffee'.padEnd(40, '0')

describe('FakeGitHub', () => {
  let fake: FakeGitHub
  let octokit: InstanceType<typeof BareOctokit>

  beforeEach(async () => {
    fake = new FakeGitHub(repo)
    octokit = new BareOctokit({ baseUrl: await fake.start() })
  })

  afterEach(() => fake.stop())

  describe('rejects what the real API would reject', () => {
    it('a deployment whose required_contexts is a string instead of an array', async () => {
      const attempt = octokit.request('POST /repos/{owner}/{repo}/deployments', {
        ...repo,
        ref: sha,
        required_contexts: 'x' as unknown as string[]
      })

      await expect(attempt).rejects.toMatchObject({
        status: 422,
        response: {
          data: {
            message: expect.stringContaining("For 'required_contexts': must be array."),
            errors: [expect.objectContaining({ field: 'required_contexts', code: 'invalid' })],
            documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\//)
          }
        }
      })
      expect(fake.violations).toEqual([expect.objectContaining({ kind: 'request', status: 422, method: 'POST' })])
      expect(fake.state.deployments).toEqual([])
    })

    it('a deployment status with a state GitHub does not know', async () => {
      const deployment = fake.addDeployment({ environment: 'staging', sha })

      const attempt = octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...repo,
        deployment_id: deployment.id,
        state: 'done' as 'success'
      })

      await expect(attempt).rejects.toMatchObject({ status: 422 })
      expect(fake.violations).toEqual([expect.objectContaining({ kind: 'request', message: expect.stringMatching(/'state'.*allowed values/) })])
      expect(deployment.statuses).toEqual([])
    })

    it('a body missing a required field', async () => {
      const attempt = octokit.request('POST /repos/{owner}/{repo}/check-runs', { ...repo, name: 'lint' } as never)

      await expect(attempt).rejects.toMatchObject({ status: 422 })
      expect(fake.violations[0]!.message).toMatch(/head_sha/)
    })

    it('a query parameter outside its enum', async () => {
      const attempt = octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
        ...repo,
        workflow_id: 'ci.yml',
        status: 'green' as 'success'
      })

      await expect(attempt).rejects.toMatchObject({ status: 422 })
      expect(fake.violations).toEqual([expect.objectContaining({ kind: 'request', message: expect.stringContaining('status') })])
    })

    it('a path GitHub does not have, a method it does not offer, and a malformed path parameter', async () => {
      await expect(octokit.request('GET /repos/{owner}/{repo}/deploymints', repo)).rejects.toMatchObject({ status: 404 })
      await expect(octokit.request('DELETE /repos/{owner}/{repo}/deployments', repo)).rejects.toMatchObject({ status: 404 })
      await expect(
        octokit.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: 'latest' as never })
      ).rejects.toMatchObject({ status: 404 })

      expect(fake.violations.map(violation => [violation.kind, violation.status, violation.message])).toEqual([
        ['request', 404, 'GitHub has no path /repos/acme/shop/deploymints'],
        ['request', 404, 'GitHub has no DELETE operation on /repos/acme/shop/deployments'],
        ['request', 404, 'Not Found']
      ])
    })

    it('JSON it cannot parse', async () => {
      const response = await fetch(`${fake.enterpriseUrl}/repos/acme/shop/statuses/${sha}`, { method: 'POST', body: '{"state":' })

      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ message: 'Problems parsing JSON' })
      expect(fake.violations).toHaveLength(1)
    })
  })

  it('serves schema-valid answers on every endpoint the suite uses', async () => {
    const description = OpenApiDescription.load()
    fake.setCompare('main', 'feature', ['a.txt', { filename: 'b.txt', status: 'renamed', previous_filename: 'c.txt' }])
    fake.setPullFiles(1, ['a.txt'])
    fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha })
    fake.addCommitStatus({ sha, context: 'ci', state: 'success' })

    const deployment = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: sha,
      environment: 'staging',
      required_contexts: [],
      auto_merge: false
    })
    const deploymentId = (deployment.data as { id: number }).id
    const checkRun = await octokit.rest.checks.create({ ...repo, name: 'flotilla/tests', head_sha: sha, status: 'in_progress' })
    const responses = [
      deployment,
      checkRun,
      await octokit.rest.repos.get(repo),
      await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: 'main...feature' }),
      await octokit.rest.pulls.listFiles({ ...repo, pull_number: 1 }),
      await octokit.rest.repos.createDeploymentStatus({
        ...repo,
        deployment_id: deploymentId,
        state: 'success',
        environment_url: 'https://staging.example.com',
        log_url: 'https://ci.example.com/run/1'
      }),
      await octokit.rest.repos.listDeployments({ ...repo, environment: 'staging' }),
      await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: deploymentId }),
      await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: 'ci.yml', status: 'success' }),
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: Number(checkRun.data.id),
        conclusion: 'failure',
        output: {
          title: '1 failed',
          summary: 'cart: 1 failed',
          annotations: [{ path: 'src/cart/a.test.ts', start_line: 3, end_line: 3, annotation_level: 'failure', message: 'boom' }]
        }
      }),
      await octokit.rest.checks.listForRef({ ...repo, ref: sha }),
      await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: 'pending', context: 'flotilla/gate staging' }),
      await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: sha }),
      await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha })
    ]

    expect(fake.violations).toEqual([])
    // Independently of the fake's own check: each answer matches its operation's response schema.
    responses.forEach((response, index) => {
      const request = fake.requests[index]!
      const match = description.match(request.method, request.path)!
      expect([match.operation.operationId, description.checkResponse(match.operation, response.status, response.data)]).toEqual([
        request.operationId,
        []
      ])
    })
    expect(fake.state.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure', annotations: [expect.objectContaining({ message: 'boom' })] })
    expect((await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha })).data.state).toBe('pending')
  })

  it('records an answer of its own that strays from the schema', async () => {
    fake.handle('repos/get', () => ({ status: 200, body: { id: 'not-a-number' } }))

    await octokit.rest.repos.get(repo)

    expect(fake.violations).toEqual([expect.objectContaining({ kind: 'response', message: expect.stringMatching(/off-schema 200/) })])
  })

  it('answers 501 and records a valid request it has no handler for', async () => {
    await expect(octokit.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 501 })

    expect(fake.violations).toEqual([expect.objectContaining({ kind: 'unimplemented', message: expect.stringContaining('issues/list-for-repo') })])
  })

  it('answers 404 for another repository', async () => {
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'elsewhere' })).rejects.toMatchObject({ status: 404 })
    expect(fake.violations).toEqual([])
  })

  describe('deployments behave like GitHub', () => {
    it('refuses a deployment while a commit status is not green, unless required_contexts is given', async () => {
      fake.addCommitStatus({ sha, context: 'ci', state: 'pending' })

      await expect(octokit.rest.repos.createDeployment({ ...repo, ref: sha })).rejects.toMatchObject({ status: 409 })
      await expect(octokit.rest.repos.createDeployment({ ...repo, ref: sha, required_contexts: [] })).resolves.toMatchObject({
        status: 201
      })
      expect(fake.violations).toEqual([])
    })

    it('resolves a branch ref through state.refs and rejects an unknown one', async () => {
      fake.state.refs.main = sha

      const created = await octokit.rest.repos.createDeployment({ ...repo, ref: 'main', required_contexts: [] })

      expect(created.data).toMatchObject({ sha, ref: 'main', environment: 'production', production_environment: true })
      await expect(octokit.rest.repos.createDeployment({ ...repo, ref: 'nope', required_contexts: [] })).rejects.toMatchObject({
        status: 422
      })
    })

    it('marks the previous successful deployment to the environment inactive', async () => {
      const previous = fake.addDeployment({ environment: 'staging', sha: 'a'.repeat(40), statuses: ['success'] })
      const next = fake.addDeployment({ environment: 'staging', sha })

      await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: next.id, state: 'success' })

      expect(previous.statuses.map(status => status.state)).toEqual(['success', 'inactive'])
    })
  })

  it('fails only the requested number of times, matching by template or by path', async () => {
    fake.fail({ path: '/repos/{owner}/{repo}', status: 503, times: 1 })
    fake.fail({ method: 'GET', path: /\/deployments$/, status: 'secondary-rate-limit', retryAfterSeconds: 7, times: 1 })

    await expect(octokit.rest.repos.get(repo)).rejects.toMatchObject({ status: 503 })
    await expect(octokit.rest.repos.get(repo)).resolves.toMatchObject({ status: 200 })
    await expect(octokit.rest.repos.listDeployments(repo)).rejects.toMatchObject({
      status: 403,
      response: { headers: expect.objectContaining({ 'retry-after': '7' }) }
    })
    await expect(octokit.rest.repos.listDeployments(repo)).resolves.toMatchObject({ status: 200 })
  })

  it('paginates with Link headers like GitHub', async () => {
    fake.setPullFiles(5, Array.from({ length: 5 }, (_, index) => `f${index}`))

    const second = await octokit.rest.pulls.listFiles({ ...repo, pull_number: 5, per_page: 2, page: 2 })

    expect(second.data.map(file => file.filename)).toEqual(['f2', 'f3'])
    const links = Object.fromEntries(
      second.headers.link!.split(', ').map(part => {
        const [, url, rel] = /^<([^>]+)>; rel="(\w+)"$/.exec(part)!
        return [rel, new URL(url!).searchParams.get('page')]
      })
    )
    expect(links).toEqual({ prev: '1', first: '1', next: '3', last: '3' })
  })

  it('answers a conditional request 304 Not Modified while its ETag matches, and 200 once the answer changed', async () => {
    const deployment = fake.addDeployment({ environment: 'staging', sha, statuses: ['in_progress'] })
    const route = 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses' as const
    const first = await octokit.request(route, { ...repo, deployment_id: deployment.id })
    const etag = first.headers.etag!
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/)
    await expect(octokit.request(route, { ...repo, deployment_id: deployment.id, headers: { 'if-none-match': etag } })).rejects.toMatchObject({ status: 304 })
    await octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: deployment.id, state: 'success' })
    const changed = await octokit.request(route, { ...repo, deployment_id: deployment.id, headers: { 'if-none-match': etag } })
    expect(changed.status).toBe(200)
    expect(changed.headers.etag).not.toBe(etag)
    expect(fake.requests.map((request) => request.status)).toEqual([200, 304, 201, 200])
    expect(fake.violations).toEqual([])
  })

  it('lists a comparison’s commits oldest first, all at once or page by page with total_commits', async () => {
    const commits = Array.from({ length: 3 }, (_, index) => ({ sha: String(index + 1).repeat(40), parents: [index === 0 ? sha : String(index).repeat(40)], date: `2024-01-0${index + 1}T00:00:00Z` }))
    fake.setCompare(sha, commits[2].sha, ['a.txt'], { commits })
    const basehead = `${sha}...${commits[2].sha}`
    const all = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead })
    expect(all.data).toMatchObject({ total_commits: 3, ahead_by: 3, status: 'ahead' })
    expect(all.data.commits.map((commit) => [commit.sha, commit.parents.map((parent) => parent.sha), commit.commit.committer?.date])).toEqual(commits.map((commit) => [commit.sha, commit.parents, commit.date]))
    const second = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead, per_page: 2, page: 2 })
    expect(second.data.commits.map((commit) => commit.sha)).toEqual([commits[2].sha])
    expect(second.data.total_commits).toBe(3)
    expect(second.data.files).toBeUndefined()
    expect(fake.violations).toEqual([])
  })
})
