/**
 * scripts/release.mjs in a clone of this repository (its committed HEAD): it rebuilds the bundles
 * for real, so each release run takes as long as `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { gitEnv, runGit } from '../support/git-fixtures.js'
import { repositoryRoot } from '../support/action-runner.js'

let dir: string
let clone: string
let start: string

const release = (...args: string[]) =>
  exec(['node', join(clone, 'scripts', 'release.mjs'), ...args], { cwd: clone, env: gitEnv, allowFailure: true, timeoutMs: 300_000 })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-release-'))
  clone = join(dir, 'flotilla')
  await runGit(dir, ['clone', '--quiet', '--no-hardlinks', repositoryRoot, clone])
  // Hard links, not a symbolic link: ncc names modules by their paths, and a link elsewhere would
  // change every bundle.
  await exec(['cp', '-al', join(repositoryRoot, 'node_modules'), join(clone, 'node_modules')])
  start = await runGit(clone, ['rev-parse', 'HEAD'])
}, 120_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('scripts/release.mjs', () => {
  it('refuses a working tree with uncommitted changes', async () => {
    await writeFile(join(clone, 'README.md'), 'edited\n', { flag: 'a' })
    const result = await release('0.2.0')
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('uncommitted changes')
    await runGit(clone, ['checkout', '--', 'README.md'])
  })

  it('refuses a commit whose dist/ differs from a fresh build, and leaves no tag and no change', async () => {
    const main = join(clone, 'cli', 'src', 'main.ts')
    await writeFile(main, (await readFile(main, 'utf8')).replace('plan, build, test, deploy and gate', 'plan and more'))
    await runGit(clone, ['commit', '--quiet', '-am', 'change the CLI without rebuilding'])

    const result = await release('0.2.0')

    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('dist/ differs from a fresh build')
    expect(await runGit(clone, ['tag', '--list'])).toBe('')
    expect(await runGit(clone, ['status', '--porcelain'])).toBe('')
    await runGit(clone, ['reset', '--quiet', '--hard', start])
  }, 300_000)

  it('sets the version, tags vX.Y.Z and moves vX to the same commit', async () => {
    const result = await release('0.2.0')
    expect([result.exitCode, result.stderr]).toEqual([0, ''])

    expect(JSON.parse(await readFile(join(clone, 'package.json'), 'utf8')).version).toBe('0.2.0')
    const released = await runGit(clone, ['rev-parse', 'v0.2.0^{commit}'])
    expect(await runGit(clone, ['rev-parse', 'v0^{commit}'])).toBe(released)
    expect(await runGit(clone, ['cat-file', '-t', 'v0.2.0'])).toBe('tag') // annotated
    expect(await runGit(clone, ['log', '-1', '--format=%s', released])).toBe('Release v0.2.0')
    const version = await exec(['node', join(clone, 'dist', 'cli', 'index.js'), '--version'])
    expect(version.stdout.toString().trim()).toBe('0.2.0')
    expect(await runGit(clone, ['status', '--porcelain'])).toBe('')
  }, 300_000)
})
