import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandName, exec, ExecError } from '../../shared/src/exec/index.js'

describe('commandName', () => {
  it("names git's subcommand past its global options and their values", () => {
    expect(commandName(['git', '-c', 'core.quotepath=off', '-c', 'user.name=Flotilla', 'commit', '--quiet'])).toBe('git commit')
    expect(commandName(['git', '-C', 'repo', '--no-pager', '--git-dir=x', 'push', 'origin'])).toBe('git push')
    expect(commandName(['buildah', '--root', '/r', '--storage-driver', 'vfs', 'bud', '.'])).toBe('buildah bud')
    expect(commandName(['docker', '-H', 'unix:///d.sock', 'container', 'inspect'])).toBe('docker container')
  })

  it('names another program with its first argument', () => {
    expect(commandName(['kustomize', 'build', '.'])).toBe('kustomize build')
    expect(commandName(['sh', '-c', 'echo hello'])).toBe('sh -c')
    expect(commandName(['git', '-c', 'core.quotepath=off'])).toBe('git')
  })
})

describe('ExecError', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-exec-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('of a git command run with -c options names the subcommand and leaves the option values out', async () => {
    const error = await exec(['git', '-c', 'user.name=Flotilla Bot', '-c', 'http.extraheader=AUTHORIZATION: basic c2VjcmV0', 'commit', '--quiet'], {
      cwd: dir,
      env: { ...process.env, GIT_CEILING_DIRECTORIES: tmpdir() }
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ExecError)
    expect((error as Error).message).toMatch(/^git commit exited with 128: .*not a git repository/)
    expect((error as Error).message).not.toContain('c2VjcmV0')
  })
})
