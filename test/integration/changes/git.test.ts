import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Git } from '../../../shared/src/git/index.js'
import { gitEnv, RepoFixture, type Checkout } from '../../support/git-fixtures.js'

describe('Git on a depth-1 checkout', () => {
  let repo: RepoFixture
  let checkout: Checkout
  let git: Git
  let first: string
  let second: string
  const logged: string[] = []

  beforeAll(async () => {
    repo = await RepoFixture.create()
    first = await repo.commit({ write: { 'a.txt': 'a\n' } })
    second = await repo.commit({ write: { 'b.txt': 'b\n' } })
    await repo.push('main')
    await repo.tag('v1.0.0', { sha: first, annotated: true })
    checkout = await repo.checkout({ branch: 'main' })
    git = new Git({ cwd: checkout.dir, env: gitEnv, log: (line) => logged.push(line) })
  })

  afterAll(async () => {
    await repo?.cleanup()
  })

  it('sees only the checked-out commit until it fetches more', async () => {
    expect(await git.isShallow()).toBe(true)
    expect(await git.resolve('HEAD')).toBe(second)
    expect(await git.currentBranch()).toBe('main')
    expect(await git.hasCommit(first)).toBe(false)
    expect(await git.fetch([first], { depth: 1 })).toBe(true)
    expect(await git.hasCommit(first)).toBe(true)
    expect(await git.isAncestor(first, second)).toBe(false)
    expect(await git.fetch([second], { deepen: 1 })).toBe(true)
    expect(await git.isAncestor(first, second)).toBe(true)
    expect(await git.mergeBase(first, second)).toBe(first)
  })

  it('reports a commit the remote does not serve as a failed fetch, and logs why', async () => {
    expect(await git.fetch(['0123456789012345678901234567890123456789'], { depth: 1 })).toBe(false)
    expect(logged.at(-1)).toMatch(/not our ref/)
  })

  it('lists remote tags with the commit an annotated tag points at', async () => {
    expect(await git.remoteTags()).toEqual([{ name: 'v1.0.0', sha: first }])
  })

  it('refuses arguments git would read as options', async () => {
    await expect(git.fetch(['--upload-pack=touch pwned'])).rejects.toThrow(/refusing/)
    await expect(git.diff('--output=/tmp/x', 'HEAD')).rejects.toThrow(/refusing/)
  })
})
