import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { detectChanges } from '../../../shared/src/changes/detect.js'
import type { ChangeApi, ChangedFile, ChangeSet, DetectRequest, EventContext } from '../../../shared/src/changes/types.js'
import { Git } from '../../../shared/src/git/index.js'
import {
  eventContext,
  gitEnv,
  mergeGroupPayload,
  pullRequestPayload,
  pushPayload,
  RepoFixture,
  runGit,
  workflowDispatchPayload,
  ZERO_SHA,
  type Checkout
} from '../../support/git-fixtures.js'

/** A ChangeApi that records every call; methods not given fail the call. */
function recordingApi(answers: Partial<ChangeApi> = {}): ChangeApi & { calls: string[] } {
  const calls: string[] = []
  const answer = <K extends keyof ChangeApi>(name: K): ChangeApi[K] =>
    ((...args: unknown[]) => {
      calls.push(name)
      const method = answers[name] as ((...args: unknown[]) => unknown) | undefined
      if (method === undefined) throw new Error(`unexpected API call: ${name}`)
      return method(...args)
    }) as ChangeApi[K]
  return {
    calls,
    compare: answer('compare'),
    pullRequestFiles: answer('pullRequestFiles'),
    lastDeploymentSha: answer('lastDeploymentSha'),
    lastSuccessfulRunSha: answer('lastSuccessfulRunSha')
  }
}

function detect(checkout: Checkout, context: EventContext, options: { request?: DetectRequest; api?: ChangeApi } = {}): Promise<ChangeSet> {
  return detectChanges({ git: new Git({ cwd: checkout.dir, env: gitEnv }), context, ...options })
}

const byPath = (files: ChangedFile[]) => [...files].sort((a, b) => (a.path < b.path ? -1 : 1))

/**
 * One origin for the whole file:
 *
 *   main:    root ── docs ─────────────── search          (tags v0.1.0, v1.9.0 at root; v1.10.0, v2.0.0 at search)
 *                └─ feature: cart ── rename catalog       (pull request #1)
 *                └─ topic: old-topic, force-pushed to new-topic (old-topic then pruned from the origin)
 *   odd:     search ── files with hostile names
 */
describe('detectChanges on real repositories (depth-1 checkouts)', () => {
  let repo: RepoFixture
  const sha: Record<string, string> = {}
  const featureFiles = [
    { path: 'services/cart/index.ts', status: 'modified' },
    { path: 'services/catalog/main.ts', status: 'renamed', previousPath: 'services/catalog/index.ts' }
  ]

  beforeAll(async () => {
    repo = await RepoFixture.create()
    sha.root = await repo.commit({
      write: {
        'services/cart/index.ts': 'export const cart = 1\n',
        'services/catalog/index.ts': 'export const catalog = "a long enough line that renames are recognised"\n',
        'README.md': '# shop\n'
      }
    })
    sha.docs = await repo.commit({ write: { 'README.md': '# shop\n\nDocs.\n' } })
    await repo.push('main')
    await repo.switchTo('feature', { create: true })
    sha.cart = await repo.commit({ write: { 'services/cart/index.ts': 'export const cart = 2\n' } })
    sha.feature = await repo.commit({ rename: { 'services/catalog/index.ts': 'services/catalog/main.ts' } })
    await repo.push('feature')
    await repo.switchTo('main')
    sha.main = await repo.commit({ write: { 'services/search/index.ts': 'export const search = 1\n' } })
    await repo.push('main')
    sha.mergeBase = sha.docs
    const pr = await repo.pullRequest(1, { base: 'main', head: 'feature' })
    sha.merge = pr.mergeSha

    await repo.tag('v0.1.0', { sha: sha.root })
    await repo.tag('v1.9.0', { sha: sha.root, annotated: true })
    await repo.tag('v1.10.0', { sha: sha.main, annotated: true })
    await repo.tag('v2.0.0', { sha: sha.main })

    await repo.switchTo('topic', { create: true, from: sha.docs })
    sha.oldTopic = await repo.commit({ write: { 'services/cart/old-topic.ts': 'old\n' } })
    await repo.push('topic')
    await repo.switchTo('topic', { create: true, from: sha.docs })
    sha.topic = await repo.commit({ write: { 'services/catalog/new-topic.ts': 'new\n' } })
    await repo.push('topic', { force: true })
    await repo.forgetUnreachable()

    await repo.switchTo('odd', { create: true, from: sha.main })
    sha.odd = await repo.commit({
      write: {
        'services/cart/with space.ts': '1',
        'services/cart/ünïcødé 文件.ts': '2',
        'services/cart/new\nline.ts': '3',
        '-leading-dash.ts': '4',
        'services/cart/"quoted" \'single\'.ts': '5',
        'services/cart/$(touch pwned).ts': '6',
        'services/cart/tab\there.ts': '7'
      }
    })
    await repo.push('odd')
  })

  afterAll(async () => {
    await repo?.cleanup()
  })

  describe('pull requests', () => {
    it('compares the head with the merge base, leaving out what the base branch gained since (three-dot)', async () => {
      const checkout = await repo.checkout({ pullRequest: 1 })
      const api = recordingApi()
      const payload = pullRequestPayload({
        number: 1,
        base: { ref: 'main', sha: sha.main },
        head: { ref: 'feature', sha: sha.feature }
      })
      const changes = await detect(checkout, eventContext('pull_request', payload, { sha: checkout.sha, ref: 'refs/pull/1/merge' }), { api })

      expect(byPath(changes.files)).toEqual(featureFiles)
      expect(changes).toMatchObject({ base: sha.mergeBase, head: sha.feature, all: false, source: 'git', warnings: [] })
      expect(changes.reason).toBe(`pull_request #1: merge-base(main, feature) ${sha.mergeBase.slice(0, 7)}..${sha.feature.slice(0, 7)}`)
      expect(api.calls).toEqual([])
    })

    it('does the same for pull_request_target, which checks out the base branch', async () => {
      const checkout = await repo.checkout({ branch: 'main' })
      const api = recordingApi()
      const payload = pullRequestPayload({
        number: 1,
        base: { ref: 'main', sha: sha.main },
        head: { ref: 'feature', sha: sha.feature }
      })
      const changes = await detect(checkout, eventContext('pull_request_target', payload, { sha: sha.main, ref: 'refs/heads/main' }), { api })

      expect(byPath(changes.files)).toEqual(featureFiles)
      expect(changes.base).toBe(sha.mergeBase)
      expect(api.calls).toEqual([])
    })

    describe('when git cannot reach the merge base (no remote)', () => {
      let checkout: Checkout
      let context: EventContext
      beforeAll(async () => {
        checkout = await repo.checkout({ pullRequest: 1 })
        await runGit(checkout.dir, ['remote', 'remove', 'origin'])
        const payload = pullRequestPayload({
          number: 1,
          base: { ref: 'main', sha: sha.main },
          head: { ref: 'feature', sha: sha.feature },
          changedFiles: 2
        })
        context = eventContext('pull_request', payload, { sha: checkout.sha, ref: 'refs/pull/1/merge' })
      })

      it('lists the files with the compare API', async () => {
        const api = recordingApi({
          compare: async (base, head) => {
            expect([base, head]).toEqual([sha.main, sha.feature])
            return { files: featureFiles as ChangedFile[], complete: true, mergeBase: sha.mergeBase }
          }
        })
        const changes = await detect(checkout, context, { api })

        expect(changes).toMatchObject({ base: sha.mergeBase, all: false, source: 'api', files: featureFiles })
        expect(changes.warnings.join(' ')).toMatch(/not in git history; asked the GitHub API/)
        expect(api.calls).toEqual(['compare'])
      })

      it('moves on to the pull request files API when compare is capped', async () => {
        const api = recordingApi({
          compare: async () => ({ files: [featureFiles[0] as ChangedFile], complete: false }),
          pullRequestFiles: async (number, expected) => {
            expect([number, expected]).toEqual([1, 2])
            return { files: featureFiles as ChangedFile[], complete: true }
          }
        })
        const changes = await detect(checkout, context, { api })

        expect(changes).toMatchObject({ all: false, source: 'api', files: featureFiles })
        expect(changes.warnings.join(' ')).toMatch(/at most 300 files/)
      })

      it('selects everything when both listings are capped, naming the caps', async () => {
        const api = recordingApi({
          compare: async () => ({ files: [], complete: false }),
          pullRequestFiles: async () => ({ files: [featureFiles[0] as ChangedFile], complete: true })
        })
        const changes = await detect(checkout, context, { api })

        expect(changes).toMatchObject({ all: true, source: 'none', base: undefined })
        expect(changes.warnings.join(' ')).toMatch(/at most 300 files.*at most 3000 files/)
        expect(api.calls).toEqual(['compare', 'pullRequestFiles'])
      })

      it('selects everything, saying why, without an API', async () => {
        const changes = await detect(checkout, context)
        expect(changes.all).toBe(true)
        expect(changes.reason).toMatch(/GitHub API is not available; every service is selected$/)
      })
    })
  })

  describe('pushes', () => {
    it('compares before with after without fetching the history between them', async () => {
      const checkout = await repo.checkout({ branch: 'feature' })
      const api = recordingApi()
      const payload = pushPayload({ ref: 'refs/heads/feature', before: sha.cart, after: sha.feature })
      const changes = await detect(checkout, eventContext('push', payload, { sha: sha.feature, ref: 'refs/heads/feature' }), { api })

      expect(changes.files).toEqual([featureFiles[1]])
      expect(changes).toMatchObject({ base: sha.cart, head: sha.feature, all: false })
      expect(changes.reason).toMatch(/^push to feature: before\.\.after /)
      expect(await runGit(checkout.dir, ['rev-list', '--count', 'HEAD'])).toBe('1')
      expect(api.calls).toEqual([])
    })

    it('compares a new branch with its merge base on the default branch', async () => {
      const checkout = await repo.checkout({ branch: 'feature' })
      const payload = pushPayload({ ref: 'refs/heads/feature', before: ZERO_SHA, after: sha.feature })
      const changes = await detect(checkout, eventContext('push', payload, { sha: sha.feature, ref: 'refs/heads/feature' }))

      expect(byPath(changes.files)).toEqual(featureFiles)
      expect(changes.base).toBe(sha.mergeBase)
      expect(changes.reason).toMatch(/^push of new branch feature: merge-base\(main, feature\)/)
    })

    it('selects everything for a new default branch', async () => {
      const checkout = await repo.checkout({ branch: 'main' })
      const payload = pushPayload({ ref: 'refs/heads/main', before: ZERO_SHA, after: sha.main })
      const changes = await detect(checkout, eventContext('push', payload, { sha: sha.main, ref: 'refs/heads/main' }))

      expect(changes).toMatchObject({ all: true, base: undefined, head: sha.main, files: [] })
      expect(changes.reason).toMatch(/new default branch main/)
    })

    it('falls back to the merge base with the default branch when a force push pruned before', async () => {
      const checkout = await repo.checkout({ branch: 'topic' })
      const payload = pushPayload({ ref: 'refs/heads/topic', before: sha.oldTopic, after: sha.topic, forced: true })
      const changes = await detect(checkout, eventContext('push', payload, { sha: sha.topic, ref: 'refs/heads/topic' }))

      expect(changes.files).toEqual([{ path: 'services/catalog/new-topic.ts', status: 'added' }])
      expect(changes.base).toBe(sha.docs)
      expect(changes.reason).toMatch(/^force push to topic: merge-base\(main, topic\)/)
      expect(changes.warnings.join(' ')).toMatch(new RegExp(`before commit ${sha.oldTopic.slice(0, 7)} cannot be fetched`))
    })

    it('compares a tag with the previous tag of its shape, in semver order', async () => {
      const checkout = await repo.checkout({ tag: 'v1.10.0' })
      const payload = pushPayload({ ref: 'refs/tags/v1.10.0', before: ZERO_SHA, after: sha.main })
      const changes = await detect(checkout, eventContext('push', payload, { sha: checkout.sha, ref: 'refs/tags/v1.10.0' }))

      expect(changes).toMatchObject({ base: sha.root, head: sha.main, all: false })
      expect(byPath(changes.files).map((file) => file.path)).toEqual(['README.md', 'services/search/index.ts'])
      expect(changes.reason).toMatch(/^tag v1\.10\.0: since previous tag v1\.9\.0 /)
    })

    it('selects everything for the first tag of its shape', async () => {
      const checkout = await repo.checkout({ tag: 'v0.1.0' })
      const payload = pushPayload({ ref: 'refs/tags/v0.1.0', before: ZERO_SHA, after: sha.root })
      const changes = await detect(checkout, eventContext('push', payload, { sha: checkout.sha, ref: 'refs/tags/v0.1.0' }))

      expect(changes.all).toBe(true)
      expect(changes.reason).toMatch(/first tag matching v\*/)
    })
  })

  it('compares a merge group with its base_sha', async () => {
    const checkout = await repo.checkout({ sha: sha.merge })
    const api = recordingApi()
    const payload = mergeGroupPayload({ baseSha: sha.main, headSha: sha.merge })
    const changes = await detect(checkout, eventContext('merge_group', payload, { sha: sha.merge, ref: 'refs/heads/gh-readonly-queue/main/pr-1' }), { api })

    expect(byPath(changes.files)).toEqual(featureFiles)
    expect(changes).toMatchObject({ base: sha.main, head: sha.merge })
    expect(api.calls).toEqual([])
  })

  describe('workflow_dispatch and other events', () => {
    let checkout: Checkout
    let context: EventContext
    const sinceRoot = ['README.md', 'services/search/index.ts']
    beforeAll(async () => {
      checkout = await repo.checkout({ branch: 'main' })
      context = eventContext('workflow_dispatch', workflowDispatchPayload({ ref: 'refs/heads/main' }), {
        sha: sha.main,
        ref: 'refs/heads/main',
        workflowRef: 'acme/shop/.github/workflows/release.yml@refs/heads/main',
        runId: 42
      })
    })
    const paths = (changes: ChangeSet) => byPath(changes.files).map((file) => file.path)

    it('compares with a since ref fetched from the remote', async () => {
      const api = recordingApi()
      const changes = await detect(checkout, context, { request: { since: 'v1.9.0' }, api })
      expect(paths(changes)).toEqual(sinceRoot)
      expect(changes.base).toBe(sha.root)
      expect(changes.reason).toMatch(/^workflow_dispatch: since v1\.9\.0 /)
      expect(api.calls).toEqual([])
    })

    it('compares with the last successful deployment', async () => {
      const api = recordingApi({ lastDeploymentSha: async (environment) => (environment === 'staging' ? sha.root : undefined) })
      const changes = await detect(checkout, context, { request: { since: 'last-deploy:staging' }, api })
      expect(paths(changes)).toEqual(sinceRoot)
      expect(changes.reason).toMatch(/since last-deploy:staging /)
    })

    it('compares with the last successful run of this workflow on this branch', async () => {
      const api = recordingApi({
        lastSuccessfulRunSha: async (query) => {
          expect(query).toEqual({ workflow: 'release.yml', branch: 'main', excludeRunId: 42 })
          return sha.docs
        }
      })
      const changes = await detect(checkout, context, { request: { since: 'last-success' }, api })
      expect(paths(changes)).toEqual(['services/search/index.ts'])
    })

    it('selects everything when the API knows no deployment', async () => {
      const api = recordingApi({ lastDeploymentSha: async () => undefined })
      const changes = await detect(checkout, context, { request: { since: 'last-deploy:production' }, api })
      expect(changes.all).toBe(true)
      expect(changes.warnings).toEqual(['the GitHub API found no successful deployment to production'])
    })

    it('selects everything without a since, saying how to set one', async () => {
      const changes = await detect(checkout, eventContext('schedule', {}, { sha: sha.main, ref: 'refs/heads/main' }))
      expect(changes).toMatchObject({ all: true, head: sha.main, source: 'none' })
      expect(changes.reason).toMatch(/^schedule: no base to compare with \(set since to a ref, last-deploy:<environment> or last-success\)/)
    })
  })

  it('returns hostile file names exactly, with an explicit base overriding the event', async () => {
    const checkout = await repo.checkout({ branch: 'odd' })
    const payload = pushPayload({ ref: 'refs/heads/odd', before: ZERO_SHA, after: sha.odd })
    const changes = await detect(checkout, eventContext('push', payload, { sha: sha.odd, ref: 'refs/heads/odd' }), {
      request: { base: sha.main }
    })

    expect(changes.files.map((file) => file.path).sort()).toEqual(
      [
        'services/cart/with space.ts',
        'services/cart/ünïcødé 文件.ts',
        'services/cart/new\nline.ts',
        '-leading-dash.ts',
        'services/cart/"quoted" \'single\'.ts',
        'services/cart/$(touch pwned).ts',
        'services/cart/tab\there.ts'
      ].sort()
    )
    expect(changes.files.every((file) => file.status === 'added')).toBe(true)
    expect(changes.reason).toMatch(new RegExp(`^base ${sha.main}: `))
  })
})
