import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { deployService, type ServiceDeploy } from '../../../shared/src/deploy/index.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'
import { gitEnv, runGit } from '../../support/git-fixtures.js'
import { servePulls } from './pulls.js'

const VALUES = '# cart chart values\nimage:\n  repository: ghcr.io/acme/cart\n  tag: "1.4.0" # set by flotilla\nreplicas: 2\n'
const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined }

const plan: ServiceDeploy = {
  request: { service: 'cart', environment: 'production', image: 'ghcr.io/acme/cart:1.5.0', sha: 'a'.repeat(40) },
  target: { target: 'gitops', repo: 'acme/deploy', branch: 'main', file: 'charts/cart/values-production.yaml', kind: 'helm', mode: 'pull-request' },
  production: true,
  transient: false
}

describe('deployService in gitops pull-request mode', () => {
  let dir: string
  let origin: string
  let fake: FakeGitHub

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-service-pr-'))
    origin = join(dir, 'server', 'acme', 'deploy.git')
    const seed = join(dir, 'seed')
    await mkdir(join(seed, 'charts', 'cart'), { recursive: true })
    await writeFile(join(seed, 'charts', 'cart', 'values-production.yaml'), VALUES)
    await runGit(dir, ['init', '--quiet', '--bare', '--initial-branch=main', origin])
    await runGit(dir, ['init', '--quiet', '--initial-branch=main', seed])
    await runGit(seed, ['add', '--all'])
    await runGit(seed, ['commit', '--quiet', '--message', 'cart chart'])
    await runGit(seed, ['push', '--quiet', origin, 'main'])
    fake = new FakeGitHub({ owner: 'acme', repo: 'deploy' })
  })

  afterEach(async () => {
    expect(fake.violations).toEqual([])
    await fake.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('pushes the Helm edit to the bot branch, leaves main alone and opens the pull request', async () => {
    const pulls = servePulls(fake, { owner: 'acme', repo: 'deploy' })
    const client = createGitHubClient({ baseUrl: await fake.start(), token: 't', retryBaseMs: 1 })
    const main = await runGit(origin, ['rev-parse', 'main'])

    const result = await deployService(plan, {
      root: dir,
      workdir: join(dir, 'work'),
      env: gitEnv,
      log: silent,
      gitops: { serverUrl: `file://${join(dir, 'server')}`, author: { name: 'Flotilla', email: 'flotilla@acme.invalid' }, token: 't', client }
    })

    expect(result).toEqual({
      service: 'cart',
      environment: 'production',
      target: 'gitops',
      image: 'ghcr.io/acme/cart:1.5.0',
      previous: 'ghcr.io/acme/cart:1.4.0',
      pushedCommit: await runGit(origin, ['rev-parse', 'flotilla/production/cart']),
      pullRequest: 'https://github.com/acme/deploy/pull/100'
    })
    expect(await runGit(origin, ['rev-parse', 'main'])).toBe(main)
    expect(await runGit(origin, ['show', 'flotilla/production/cart:charts/cart/values-production.yaml'])).toBe(VALUES.replace('"1.4.0"', '"1.5.0"').trimEnd())
    expect(pulls).toMatchObject([{ number: 100, head: 'flotilla/production/cart', base: 'main', title: 'Deploy cart to production' }])
    expect(pulls[0].body).toContain('| before | `ghcr.io/acme/cart:1.4.0` |')
  })

  it('refuses pull-request mode for a repository that is not owner/name on GitHub, pushing nothing', async () => {
    await fake.start()
    const local = { ...plan, target: { ...plan.target, repo: origin } } as ServiceDeploy
    await expect(
      deployService(local, { root: dir, workdir: join(dir, 'work'), env: gitEnv, log: silent, gitops: { serverUrl: 'https://github.com', author: { name: 'F', email: 'f@x.invalid' } } })
    ).rejects.toThrow(`mode: pull-request needs the deploy repository as owner/name on GitHub and a token, not ${origin}`)
    await expect(runGit(origin, ['rev-parse', '--verify', '--quiet', 'flotilla/production/cart'])).rejects.toThrow()
  })
})
