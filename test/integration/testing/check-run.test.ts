/** Check runs against the fake GitHub API, which validates every request against GitHub's OpenAPI description. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import { publishCheckRun } from '../../../shared/src/testing/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'
import { manyFailures, serviceResult } from '../../unit/testing/results.js'

const target = { owner: 'acme', repo: 'shop', headSha: 'a'.repeat(40) }
let github: FakeGitHub
let apiUrl: string

beforeAll(async () => {
  github = new FakeGitHub({ owner: 'acme', repo: 'shop' })
  apiUrl = await github.start()
})
afterAll(async () => {
  await github.stop()
})

const client = () => createGitHubClient({ token: 'ghs_test', baseUrl: apiUrl, retries: 0 })

describe('publishCheckRun', () => {
  it('500 failures: created with the first 50 annotations, updated in batches of 50, the conclusion with the last', async () => {
    github.requests.length = 0
    const result = serviceResult('cart', manyFailures('cart', 500, 200))
    const publication = await publishCheckRun(client(), target, result)

    expect(publication).toMatchObject({ published: true, name: 'flotilla/tests cart', annotations: 500, omittedAnnotations: 0 })
    expect(github.violations).toEqual([])
    const create = github.requestsTo('checks/create')
    const updates = github.requestsTo('checks/update')
    expect(create).toHaveLength(1)
    expect(updates).toHaveLength(9)
    // The fake keeps the created run's annotation array (the create request's own) and appends updates to it,
    // so the first batch is what the run holds beyond the updates.
    const updateSizes = updates.map((request) => (request.body as any).output.annotations.length)
    expect(updateSizes).toEqual(Array(9).fill(50))
    expect((create[0].body as any).status).toBe('in_progress')
    expect(updates.slice(0, -1).every((request) => (request.body as any).conclusion === undefined)).toBe(true)
    expect((updates.at(-1)?.body as any).conclusion).toBe('failure')

    const [checkRun] = github.state.checkRuns
    expect(checkRun).toMatchObject({ name: 'flotilla/tests cart', head_sha: target.headSha, status: 'completed', conclusion: 'failure' })
    expect(checkRun.annotations).toHaveLength(500)
    expect(checkRun.annotations[0]).toMatchObject({ path: 'services/cart/test/case 1.test.js', start_line: 1 })
    expect(checkRun.annotations[499]).toMatchObject({ path: 'services/cart/test/case 500.test.js', start_line: 500, annotation_level: 'failure' })
    expect(checkRun.output.title).toBe('500 of 510 tests failed')
    expect((checkRun.output.summary as string).length).toBeLessThanOrEqual(65_535)
  }, 60_000)

  it('a passing service is one completed request', async () => {
    github.requests.length = 0
    const publication = await publishCheckRun(client(), target, serviceResult('users'))
    expect(publication.published).toBe(true)
    expect(github.requests.map((request) => request.operationId)).toEqual(['checks/create'])
    expect(github.requests[0].body).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: '10 tests passed', annotations: [] } })
  })

  it('a read-only token (a fork pull request) skips the check run instead of failing', async () => {
    github.handle('checks/create', () => ({
      status: 403,
      body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run', status: '403' }
    }))
    const publication = await publishCheckRun(client(), target, serviceResult('users'))
    expect(publication).toEqual({
      published: false,
      name: 'flotilla/tests users',
      reason: 'the token cannot write checks (a pull request from a fork gets a read-only token)'
    })
  })
})
