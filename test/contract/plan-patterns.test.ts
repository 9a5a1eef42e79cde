/**
 * Path patterns are user input and changed paths come from the pull request: `flotilla plan` (the
 * committed CLI bundle) must match them in linear time, whatever the pattern.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { repositoryRoot } from '../support/action-runner.js'
import { RepoFixture } from '../support/git-fixtures.js'

const cli = join(repositoryRoot, 'dist', 'cli', 'index.js')

// On a backtracking engine, 14 stars each able to take any run of the 60 a's backtrack for ages.
const HOSTILE_GLOB = `services/cart/${'*a'.repeat(14)}*b`
const HOSTILE_PATH = `services/cart/${'a'.repeat(60)}`

let repo: RepoFixture
beforeAll(async () => {
  repo = await RepoFixture.create()
  await repo.commit(
    {
      write: {
        'flotilla.yml': ['version: 1', 'services:', '  cart:', '    path: services/cart', `    paths: ['${HOSTILE_GLOB}', 'services/cart/src/**']`, '  web: { path: services/web }', ''].join('\n'),
        'services/cart/Dockerfile': 'FROM scratch\n',
        'services/web/Dockerfile': 'FROM scratch\n'
      }
    },
    'the shop'
  )
  await repo.commit({ write: { [HOSTILE_PATH]: 'x\n', 'services/web/index.html': 'hi\n' } }, 'a long name')
})
afterAll(() => repo.cleanup())

describe('flotilla plan with a pattern that backtracks', () => {
  it('decides which services changed', async () => {
    const result = await exec(['node', cli, 'plan', '--json', '--base', 'HEAD~1', '--head', 'HEAD', '-C', repo.work], { allowFailure: true, timeoutMs: 60_000 })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    // The hostile glob does not match (no "b"); services/cart itself is the service's path.
    const plan = JSON.parse(result.stdout.toString('utf8'))
    expect(plan.services.sort()).toEqual(['cart', 'web'])
  })
})
