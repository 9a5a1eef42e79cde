import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createGitHubClient, GitHubChangeApi } from '../../../shared/src/github/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'

const sha = (digit: string): string => digit.repeat(40)

describe('GitHubChangeApi against the fake GitHub', () => {
  let fake: FakeGitHub
  let api: GitHubChangeApi
  const warnings: string[] = []

  beforeEach(async () => {
    fake = new FakeGitHub({ owner: 'acme', repo: 'shop' })
    const baseUrl = await fake.start()
    warnings.length = 0
    const log = { warn: (message: string) => warnings.push(message) }
    api = new GitHubChangeApi({ octokit: createGitHubClient({ baseUrl, retryBaseMs: 1, log }), owner: 'acme', repo: 'shop', log })
  })

  afterEach(async () => {
    await fake.stop()
    expect(fake.violations).toEqual([])
  })

  describe('lastDeploymentSha', () => {
    it('returns the newest deployment whose latest status is success, skipping a newer failed one', async () => {
      fake.addDeployment({ environment: 'staging', sha: sha('1'), statuses: ['in_progress', 'success'] })
      fake.addDeployment({ environment: 'staging', sha: sha('2'), statuses: ['in_progress', 'success'] })
      fake.addDeployment({ environment: 'production', sha: sha('3'), statuses: ['success'] })
      fake.addDeployment({ environment: 'staging', sha: sha('4'), statuses: ['in_progress', 'failure'] })

      await expect(api.lastDeploymentSha('staging')).resolves.toBe(sha('2'))
      expect(fake.requestsTo('repos/list-deployments').map(request => request.query.environment)).toEqual(['staging'])
      // The newer failed deployment, then the successful one: no further status look-ups.
      expect(fake.requestsTo('repos/list-deployment-statuses')).toHaveLength(2)
    })

    it('ignores a deployment whose success was superseded by a later failure status', async () => {
      fake.addDeployment({ environment: 'staging', sha: sha('1'), statuses: ['success'] })
      fake.addDeployment({ environment: 'staging', sha: sha('2'), statuses: ['success', 'error'] })

      await expect(api.lastDeploymentSha('staging')).resolves.toBe(sha('1'))
    })

    it('returns undefined when the environment never had a successful deployment', async () => {
      fake.addDeployment({ environment: 'staging', sha: sha('1'), statuses: ['failure'] })
      fake.addDeployment({ environment: 'staging', sha: sha('2') })

      await expect(api.lastDeploymentSha('staging')).resolves.toBeUndefined()
    })
  })

  describe('lastSuccessfulRunSha', () => {
    it('returns the newest successful run of the workflow on the branch, skipping the current run', async () => {
      fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha('1'), branch: 'main' })
      fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha('2'), branch: 'main' })
      fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha('3'), branch: 'main', conclusion: 'failure' })
      fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha('4'), branch: 'feature' })
      fake.addWorkflowRun({ workflow: 'release.yml', headSha: sha('5'), branch: 'main' })
      const current = fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha('6'), branch: 'main' })

      await expect(api.lastSuccessfulRunSha({ workflow: 'ci.yml', branch: 'main', excludeRunId: current.id })).resolves.toBe(
        sha('2')
      )
      expect(fake.requestsTo('actions/list-workflow-runs')[0]!.query).toMatchObject({ status: 'success', branch: 'main' })
    })

    it('accepts a numeric workflow id', async () => {
      const run = fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha('7') })

      await expect(api.lastSuccessfulRunSha({ workflow: String(run.workflow_id) })).resolves.toBe(sha('7'))
    })

    it('returns undefined when no other run succeeded', async () => {
      const current = fake.addWorkflowRun({ workflow: 'ci.yml', headSha: sha('1') })

      await expect(api.lastSuccessfulRunSha({ workflow: 'ci.yml', excludeRunId: current.id })).resolves.toBeUndefined()
    })
  })

  describe('compare', () => {
    it('maps statuses and renames, and returns the merge base', async () => {
      fake.setCompare(sha('a'), sha('b'), [
        { filename: 'src/cart/new file.ts', status: 'added' },
        { filename: 'src/cart/gone.ts', status: 'removed' },
        { filename: 'src/catalog/ünïcode.ts', status: 'modified' },
        { filename: 'src/orders/main.ts', status: 'renamed', previous_filename: 'src/cart/main.ts' }
      ], { mergeBase: sha('c') })

      await expect(api.compare(sha('a'), sha('b'))).resolves.toEqual({
        complete: true,
        mergeBase: sha('c'),
        files: [
          { path: 'src/cart/new file.ts', status: 'added' },
          { path: 'src/cart/gone.ts', status: 'deleted' },
          { path: 'src/catalog/ünïcode.ts', status: 'modified' },
          { path: 'src/orders/main.ts', status: 'renamed', previousPath: 'src/cart/main.ts' }
        ]
      })
      expect(fake.requestsTo('repos/compare-commits-with-basehead')).toHaveLength(1)
    })

    it('reports a listing at the 300-file cap as incomplete', async () => {
      const files = Array.from({ length: 450 }, (_, index) => `src/svc${index}/file.ts`)
      fake.setCompare('main', 'feature', files)

      const result = await api.compare('main', 'feature')

      expect(result.files).toHaveLength(300)
      expect(result.complete).toBe(false)
      expect(warnings.join('\n')).toMatch(/cap is 300/)
    })

    it('lets a missing comparison surface as a 404 error', async () => {
      await expect(api.compare('main', 'nowhere')).rejects.toMatchObject({ status: 404 })
    })
  })

  describe('pullRequestFiles', () => {
    it('follows pagination and is complete when the listing matches the expected count', async () => {
      fake.setPullFiles(7, Array.from({ length: 250 }, (_, index) => `services/s${index}/a.go`))

      const result = await api.pullRequestFiles(7, 250)

      expect(result.complete).toBe(true)
      expect(result.files.map(file => file.path)).toEqual(Array.from({ length: 250 }, (_, index) => `services/s${index}/a.go`))
      expect(fake.requestsTo('pulls/list-files').map(request => request.query.page ?? '1')).toEqual(['1', '2', '3'])
    })

    it('is incomplete when GitHub lists fewer files than the pull request has', async () => {
      fake.setPullFiles(8, ['a.txt', 'b.txt'])

      await expect(api.pullRequestFiles(8, 3)).resolves.toMatchObject({ complete: false })
    })

    it('is incomplete at the 3,000-file cap', async () => {
      fake.setPullFiles(9, Array.from({ length: 3100 }, (_, index) => `f${index}`))

      const result = await api.pullRequestFiles(9)

      expect(result.files).toHaveLength(3000)
      expect(result.complete).toBe(false)
    })
  })

  it('works against a GitHub Enterprise Server base URL, pagination included', async () => {
    const log = { warn: (message: string) => warnings.push(message) }
    const enterprise = new GitHubChangeApi({
      octokit: createGitHubClient({ baseUrl: `${fake.enterpriseUrl}/`, retryBaseMs: 1, log }),
      owner: 'acme',
      repo: 'shop'
    })
    fake.setPullFiles(3, Array.from({ length: 120 }, (_, index) => `f${index}`))
    fake.addDeployment({ environment: 'qa', sha: sha('e'), statuses: ['success'] })

    await expect(enterprise.pullRequestFiles(3, 120)).resolves.toMatchObject({ complete: true })
    await expect(enterprise.lastDeploymentSha('qa')).resolves.toBe(sha('e'))
    expect(fake.requests.map(request => request.url)).toEqual([
      expect.stringMatching(/^\/api\/v3\/repos\/acme\/shop\/pulls\/3\/files\?per_page=100$/),
      expect.stringMatching(/^\/api\/v3\/repos\/acme\/shop\/pulls\/3\/files\?.*page=2/),
      expect.stringMatching(/^\/api\/v3\/repos\/acme\/shop\/deployments\?/),
      expect.stringMatching(/^\/api\/v3\/repos\/acme\/shop\/deployments\/\d+\/statuses\?/)
    ])
  })
})
