import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  commitMessage,
  deployGitOps,
  GitOpsError,
  kustomizeRenderCheck,
  pullRequestBranch,
  RenderError,
  setKustomizeImage,
  type GitOpsDeployOptions
} from '../../../shared/src/deploy/index.js'
import { exec } from '../../../shared/src/exec/index.js'
import { gitEnv, RepoFixture, runGit } from '../../support/git-fixtures.js'
import { itWithProgram } from '../../support/tools.js'

const SERVICES = Array.from({ length: 10 }, (_, index) => `svc-${index}`)
const SOURCE_SHA = '3f2a9c1d4b5e6f708192a3b4c5d6e7f809123456'
const AUTHOR = { name: 'Flotilla', email: 'flotilla@acme.invalid' }

/** The staging overlay with one images entry per service, each with a comment that must survive every edit. */
function overlay(tags: Record<string, string>): string {
  return [
    '# staging: Argo CD syncs this directory',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml',
    '',
    'images:',
    ...SERVICES.flatMap((service) => [`  # ${service} is deployed by flotilla`, `  - name: ghcr.io/acme/${service}`, `    newTag: "${tags[service]}"`]),
    ''
  ].join('\n')
}

const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: svc-0\n          image: ghcr.io/acme/svc-0\n'
const FILE = 'envs/staging/kustomization.yaml'
const initialTags = Object.fromEntries(SERVICES.map((service) => [service, '1.0.0']))

describe('deployGitOps against a bare repository', () => {
  let repo: RepoFixture
  let workdir: string
  let base: string

  beforeEach(async () => {
    repo = await RepoFixture.create()
    workdir = await mkdtemp(join(tmpdir(), 'flotilla-gitops-'))
    await repo.commit({ write: { [FILE]: overlay(initialTags), 'envs/staging/deployment.yaml': DEPLOYMENT } }, 'staging overlay')
    base = await repo.push('main')
  })

  afterEach(async () => {
    await repo.cleanup()
    await rm(workdir, { recursive: true, force: true })
  })

  /** A deploy of `service` at `tag` to staging, with the git identity and config isolation of the fixtures. */
  function deployment(service: string, tag: string, overrides: Partial<GitOpsDeployOptions> = {}): GitOpsDeployOptions {
    const next = `ghcr.io/acme/${service}:${tag}`
    return {
      repoUrl: repo.url,
      branch: 'main',
      file: FILE,
      edit: (text) => setKustomizeImage(text, { name: `ghcr.io/acme/${service}`, newTag: tag }, FILE),
      message: (edit) => commitMessage({ service, environment: 'staging', previous: edit.previous, next, sourceSha: SOURCE_SHA }),
      author: AUTHOR,
      workdir,
      maxAttempts: 20,
      jitterMs: 50,
      check: async () => undefined,
      env: gitEnv,
      ...overrides
    }
  }

  /** The file as the origin holds it, byte for byte (`runGit` would drop its final newline). */
  const originFile = async (ref = 'main'): Promise<string> =>
    (await exec(['git', 'show', `${ref}:${FILE}`], { cwd: repo.origin, env: gitEnv })).stdout.toString('utf8')
  const originSha = (ref = 'main'): Promise<string> => runGit(repo.origin, ['rev-parse', ref])

  it('lands ten concurrent deploys of ten services to one file: every change present, ten commits, no merges', async () => {
    const results = await Promise.all(SERVICES.map((service) => deployGitOps(deployment(service, '2.0.0'))))

    expect(results.every((result) => result.changed && result.pushedCommit !== undefined)).toBe(true)
    expect(await originFile()).toBe(overlay(Object.fromEntries(SERVICES.map((service) => [service, '2.0.0']))))
    expect(await runGit(repo.origin, ['rev-list', '--count', `${base}..main`])).toBe('10')
    expect(await runGit(repo.origin, ['rev-list', '--merges', 'main'])).toBe('')
    const subjects = (await runGit(repo.origin, ['log', '--format=%s', `${base}..main`])).split('\n').sort()
    expect(subjects).toEqual(SERVICES.map((service) => `Deploy ${service} to staging: ghcr.io/acme/${service}:1.0.0 → ghcr.io/acme/${service}:2.0.0`).sort())
    const pushed = results.map((result) => result.pushedCommit).sort()
    expect(pushed).toEqual((await runGit(repo.origin, ['rev-list', `${base}..main`])).split('\n').sort())
  })

  it('re-applies the edit on the new tip when another push lands first, without merging', async () => {
    let raced = false
    const competitor = async (): Promise<void> => {
      if (raced) return
      raced = true
      await repo.commit({ write: { [FILE]: overlay({ ...initialTags, 'svc-9': '9.9.9' }) } }, 'someone else deploys svc-9')
      await repo.push('main')
    }

    const result = await deployGitOps(deployment('svc-1', '2.0.0', { check: competitor }))

    expect(result).toMatchObject({ changed: true, attempts: 2, previous: 'ghcr.io/acme/svc-1:1.0.0', branch: 'main' })
    expect(await originFile()).toBe(overlay({ ...initialTags, 'svc-1': '2.0.0', 'svc-9': '9.9.9' }))
    expect(await originSha()).toBe(result.pushedCommit)
    expect(await runGit(repo.origin, ['rev-list', '--count', `${base}..main`])).toBe('2')
    expect(await runGit(repo.origin, ['rev-list', '--merges', 'main'])).toBe('')
  })

  it('makes no commit when the file already names the image', async () => {
    const result = await deployGitOps(deployment('svc-3', '1.0.0'))

    expect(result).toEqual({ changed: false, previous: 'ghcr.io/acme/svc-3:1.0.0', branch: 'main', attempts: 1 })
    expect(await originSha()).toBe(base)
  })

  it('pushes nothing when the check of the edited checkout fails', async () => {
    const failing = async (): Promise<void> => {
      throw new RenderError(FILE, 'error: accumulating resources: missing.yaml: no such file')
    }

    await expect(deployGitOps(deployment('svc-2', '2.0.0', { check: failing }))).rejects.toThrow(
      `kubectl kustomize cannot render ${FILE} after the edit; nothing was pushed`
    )
    expect(await originSha()).toBe(base)
  })

  it('pushes nothing when the deploy is cancelled while it edits', async () => {
    const controller = new AbortController()
    const cancelledDuringCheck = deployment('svc-1', '2.0.0', { signal: controller.signal, check: async () => controller.abort() })
    await expect(deployGitOps(cancelledDuringCheck)).rejects.toThrow('the deploy was cancelled; nothing was pushed to main')
    expect(await originSha()).toBe(base)
  })

  it('kills a git push in flight when the deploy is cancelled, and the branch stays where it was', async () => {
    // The origin's pre-receive hook says it started, then holds the push for a minute.
    const started = join(workdir, 'push-started')
    const finished = join(workdir, 'hook-finished')
    const hook = join(repo.origin, 'hooks', 'pre-receive')
    await writeFile(hook, `#!/bin/sh\ntouch '${started}'\nsleep 60\ntouch '${finished}'\n`)
    await chmod(hook, 0o755)
    const controller = new AbortController()
    const deploying = deployGitOps(deployment('svc-2', '2.0.0', { signal: controller.signal }))
    while (!existsSync(started)) await new Promise((resolve) => setTimeout(resolve, 20))
    controller.abort()

    await expect(deploying).rejects.toThrow('the deploy was cancelled during git push to main; the push was stopped')
    expect(await originSha()).toBe(base)
    // Killed with its process group, the hook never got past its sleep.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(existsSync(finished)).toBe(false)
  })

  it('gives up at once, with git’s reason, on a refusal that a retry cannot fix', async () => {
    const hook = join(repo.origin, 'hooks', 'pre-receive')
    await writeFile(hook, '#!/bin/sh\necho "main is protected" >&2\nexit 1\n')
    await chmod(hook, 0o755)

    await expect(deployGitOps(deployment('svc-2', '2.0.0'))).rejects.toThrow(/^git push to main was refused: .*main is protected/)
    expect(await originSha()).toBe(base)
  })

  it('refuses a file outside the repository, directly or through a symbolic link', async () => {
    await expect(deployGitOps(deployment('svc-2', '2.0.0', { file: '../outside.yaml' }))).rejects.toThrow(
      'deploy file "../outside.yaml" must be a path inside the deploy repository'
    )
    const outside = join(repo.root, 'outside.yaml')
    await writeFile(outside, overlay(initialTags))
    await symlink(outside, join(repo.work, 'link.yaml'))
    await repo.commit({}, 'a link out of the repository')
    await repo.push('main')

    await expect(deployGitOps(deployment('svc-2', '2.0.0', { file: 'link.yaml' }))).rejects.toThrow(GitOpsError)
    await expect(deployGitOps(deployment('svc-2', '2.0.0', { file: 'link.yaml' }))).rejects.toThrow(
      `"link.yaml" leads outside the deploy repository through the symbolic link link.yaml (pointing to ${outside})`
    )
  })

  it('names a missing branch or file', async () => {
    await expect(deployGitOps(deployment('svc-2', '2.0.0', { branch: 'release' }))).rejects.toThrow(/^cannot clone branch release of file:/)
    await expect(deployGitOps(deployment('svc-2', '2.0.0', { file: 'envs/prod/kustomization.yaml' }))).rejects.toThrow(
      'deploy file envs/prod/kustomization.yaml does not exist in the deploy repository'
    )
  })

  it('in pull-request mode, pushes a commit on the tip of the base branch to the bot branch and replaces it on the next deploy', async () => {
    const branch = pullRequestBranch('staging', 'svc-4')

    const first = await deployGitOps(deployment('svc-4', '2.0.0', { pullRequestBranch: branch }))
    const second = await deployGitOps(deployment('svc-4', '3.0.0', { pullRequestBranch: branch }))

    expect(first).toMatchObject({ changed: true, branch: 'flotilla/staging/svc-4' })
    expect(await originSha()).toBe(base)
    expect(await originSha(branch)).toBe(second.pushedCommit)
    expect(await runGit(repo.origin, ['rev-parse', `${branch}^`])).toBe(base)
    expect(await originFile(branch)).toBe(overlay({ ...initialTags, 'svc-4': '3.0.0' }))
  })

  itWithProgram('kubectl', 'kubernetes-client', 'renders the edited kustomization with kubectl and stops on a render error', async () => {
    const check = kustomizeRenderCheck({ env: gitEnv })

    const rendered = await deployGitOps(deployment('svc-0', '2.0.0', { check }))
    expect(rendered.changed).toBe(true)

    await runGit(repo.work, ['pull', '--quiet', '--ff-only', 'origin', 'main'])
    await repo.commit({ remove: ['envs/staging/deployment.yaml'] }, 'break the overlay')
    const broken = await repo.push('main')
    await expect(deployGitOps(deployment('svc-0', '3.0.0', { check }))).rejects.toThrow(RenderError)
    expect(await originSha()).toBe(broken)
  })
})
