import { OpenApiDescription, type FakeGitHub, type FakeRequest, type FakeResponse } from '../../support/fake-github/index.js'

export interface StoredPull {
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
export function servePulls(fake: FakeGitHub, repo: { owner: string; repo: string }, options: { hideFromFirstList?: boolean } = {}): StoredPull[] {
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
