/**
 * The committed detect bundle, run as the runner runs it, in depth-1 checkouts of a real git
 * repository holding the embedded example (services users, orders, catalog, cart; library money).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { RepoFixture, REPOSITORY, runGit, pushPayload, pullRequestPayload, workflowDispatchPayload, writeEventPayload } from '../support/git-fixtures.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { exampleFiles, runBundle, type BundleRun } from '../support/action-runner.js'

let repo: RepoFixture
let github: FakeGitHub
let apiUrl: string

beforeAll(async () => {
  repo = await RepoFixture.create()
  await repo.commit({ write: await exampleFiles() }, 'the shop')
  await repo.push('main')
  github = new FakeGitHub(REPOSITORY)
  apiUrl = await github.start()
})
afterAll(async () => {
  await github.stop()
  await repo.cleanup()
})

/** Pushes one commit to main and runs the bundle on the push event from a depth-1 checkout. */
async function pushAndDetect(changes: Parameters<RepoFixture['commit']>[0]): Promise<BundleRun> {
  const before = await repo.sha('main')
  await repo.switchTo('main')
  const after = await repo.commit(changes)
  await repo.push('main')
  const { dir } = await repo.checkout({ branch: 'main' })
  const event = await writeEventPayload(dir + '-event', pushPayload({ ref: 'refs/heads/main', before, after }))
  return runDetect(dir, 'push', event, { sha: after, ref: 'refs/heads/main' })
}

function runDetect(workspace: string, eventName: string, eventPath: string, context: { sha: string; ref: string }, inputs: Record<string, string> = {}): Promise<BundleRun> {
  return runBundle('detect', {
    workspace,
    inputs: { token: 'ghs_contracttoken', ...inputs },
    env: {
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: context.sha,
      GITHUB_REF: context.ref,
      GITHUB_REPOSITORY: `${REPOSITORY.owner}/${REPOSITORY.repo}`,
      GITHUB_WORKFLOW_REF: `${REPOSITORY.owner}/${REPOSITORY.repo}/.github/workflows/ci.yml@${context.ref}`,
      GITHUB_RUN_ID: '4242',
      // GitHub Enterprise Server's API lives under /api/v3: the fallbacks must follow GITHUB_API_URL.
      GITHUB_API_URL: `${apiUrl}/api/v3`
    }
  })
}

const services = (run: BundleRun): string[] => JSON.parse(run.outputs.services)

/**
 * Pushes the example's manifest as `edit` changes it, runs the bundle on that push, then pushes
 * the valid manifest back for later tests.
 */
async function detectWithManifest(edit: (manifest: string) => string): Promise<{ run: BundleRun; broken: string }> {
  const manifest = (await exampleFiles())['flotilla.yml']
  const broken = edit(manifest)
  expect(broken).not.toBe(manifest)
  await repo.switchTo('main')
  const before = await repo.sha('main')
  const after = await repo.commit({ write: { 'flotilla.yml': broken } })
  await repo.push('main')
  try {
    const { dir } = await repo.checkout({ branch: 'main' })
    const event = await writeEventPayload(dir + '-event', pushPayload({ ref: 'refs/heads/main', before, after }))
    return { run: await runDetect(dir, 'push', event, { sha: after, ref: 'refs/heads/main' }), broken }
  } finally {
    await repo.commit({ write: { 'flotilla.yml': manifest } })
    await repo.push('main')
  }
}

describe('detect bundle through the runner contract', () => {
  it('a push selects the changed service, with a matrix, outputs and a summary, and makes no API call', async () => {
    const requestsBefore = github.requests.length
    const run = await pushAndDetect({ write: { 'services/users/app/greeting.py': 'HELLO = "hi"\n' } })

    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(services(run)).toEqual(['users'])
    expect(run.outputs['any-changed']).toBe('true')
    expect(run.outputs.all).toBe('false')
    expect(run.outputs['changed-files']).toBe('1')
    expect(run.outputs.base).toMatch(/^[0-9a-f]{40}$/)
    expect(JSON.parse(run.outputs.matrix)).toEqual({
      include: [
        {
          service: 'users',
          path: 'services/users',
          image: 'ghcr.io/acme-shop/users',
          context: 'services/users',
          dockerfile: 'services/users/Dockerfile',
          platforms: 'linux/amd64',
          'test-command': JSON.stringify(['python3', '-m', 'tests.run'])
        }
      ]
    })
    expect(JSON.parse(run.outputs.shards)).toHaveLength(1)
    // The example promotes staging, then production behind its gate; users goes to both.
    expect(JSON.parse(run.outputs['service-shards'])).toEqual([['users']])
    expect(JSON.parse(run.outputs.promotion)).toEqual([
      { environments: ['staging'], gated: [], deploy: { include: [{ environment: 'staging', part: '1/1', services: ['users'] }] } },
      { environments: ['production'], gated: ['production'], deploy: { include: [{ environment: 'production', part: '1/1', services: ['users'] }] } }
    ])
    expect(run.summary).toContain('**Promotion:** staging (1 service) → production (1 service, gated)')
    expect(JSON.parse(run.outputs.reasons)).toEqual({ users: ['changed services/users/app/greeting.py'] })
    expect(run.summary).toContain('1 of 4 services selected')
    expect(run.summary).toContain('```mermaid')
    expect(run.stdout).toContain('::group::Flotilla plan')
    // The token is registered for masking before anything else is logged, and appears nowhere else.
    const lines = run.stdout.split('\n')
    expect(lines[0]).toBe('::add-mask::ghs_contracttoken')
    expect(lines.slice(1).join('\n')).not.toContain('ghs_contracttoken')
    expect(github.requests.length).toBe(requestsBefore)
    // The plan file, in RUNNER_TEMP, is the whole plan: the document `flotilla plan --json` prints.
    expect(run.outputs['plan-file']).toMatch(/\/flotilla-plan\.json$/)
    const document = JSON.parse(run.runnerTempFiles['flotilla-plan.json'])
    expect(document).toMatchObject({ services: ['users'], anyChanged: true, all: false, source: 'git', manifest: 'flotilla.yml' })
    expect(document.matrix).toEqual(JSON.parse(run.outputs.matrix))
  })

  it('a change only in the shared library selects exactly the services that depend on it', async () => {
    const run = await pushAndDetect({ write: { 'libs/money/src/index.js': 'export const cents = (n) => n\n' } })
    expect(services(run)).toEqual(['catalog', 'cart'])
    expect(JSON.parse(run.outputs.reasons).cart).toEqual(['depends on money (changed libs/money/src/index.js)'])
    expect(run.summary).toMatch(/n\d+\[\("money"\)\]:::changed/)
  })

  it('a rename from one service into another selects both', async () => {
    const run = await pushAndDetect({ rename: { 'services/users/app/store.py': 'services/orders/app/user_store.py' } })
    expect(services(run)).toEqual(['users', 'orders'])
  })

  it('a change to a global file selects every service', async () => {
    const run = await pushAndDetect({ write: { 'docker-compose.yml': '# touched\n' + (await exampleFiles())['docker-compose.yml'] } })
    expect(services(run)).toEqual(['users', 'orders', 'catalog', 'cart'])
    expect(JSON.parse(run.outputs.reasons).orders).toEqual(['global file changed: docker-compose.yml'])
  })

  it('matches hostile file names exactly and never hands them to a shell', async () => {
    const names = ['a b.py', 'ünïcödé.py', 'new\nline.py', '-leading-dash.py', `q"uo'te.py`, '$(touch pwned).py']
    const write = Object.fromEntries(names.map((name) => [`services/orders/data/${name}`, 'x\n']))
    const run = await pushAndDetect({ write })

    expect(run.exitCode).toBe(0)
    expect(services(run)).toEqual(['orders'])
    expect(run.outputs['changed-files']).toBe(String(names.length))
    const reasons: string[] = JSON.parse(run.outputs.reasons).orders
    for (const reason of reasons.filter((text) => text.startsWith('changed '))) {
      expect(names.map((name) => `changed services/orders/data/${name}`)).toContain(reason)
    }
    expect(existsSync(join(repo.root, 'pwned'))).toBe(false)
    expect(existsSync('pwned')).toBe(false)
  })

  it('a pull request compares against the merge base, not the base branch tip (three dots)', async () => {
    await repo.switchTo('main')
    await repo.switchTo('feature/cart', { create: true })
    const head = await repo.commit({ write: { 'services/cart/src/discount.js': 'export const discount = 0\n' } })
    await repo.push('feature/cart')
    await repo.switchTo('main')
    await repo.commit({ write: { 'services/catalog/src/extra.js': 'export {}\n' } }) // main moves on
    await repo.push('main')
    const pr = await repo.pullRequest(12, { base: 'main', head: 'feature/cart' })
    const { dir, sha } = await repo.checkout({ pullRequest: 12 })
    const event = await writeEventPayload(
      dir + '-event',
      pullRequestPayload({ number: 12, base: { ref: 'main', sha: pr.baseSha }, head: { ref: 'feature/cart', sha: head }, changedFiles: 1 })
    )

    const run = await runDetect(dir, 'pull_request', event, { sha, ref: 'refs/pull/12/merge' })

    expect(services(run)).toEqual(['cart'])
    expect(run.outputs.head).toBe(head)
    expect(run.outputs['base-reason']).toContain('pull_request #12')
  })

  it('a pull request whose history cannot be fetched falls back to the API, and to all services at its file caps', async () => {
    await repo.switchTo('main')
    await repo.switchTo('feature/huge', { create: true })
    const head = await repo.commit({ write: { 'services/users/app/huge.py': 'X = 1\n' } })
    await repo.push('feature/huge')
    const pr = await repo.pullRequest(13, { base: 'main', head: 'feature/huge' })
    const { dir, sha } = await repo.checkout({ pullRequest: 13 })
    // The checkout's remote goes away: no deepening can find the merge base now.
    await runGit(dir, ['remote', 'set-url', 'origin', `file://${repo.root}/gone.git`])
    const many = Array.from({ length: 300 }, (_, i) => `services/users/generated/f${i}.py`)
    github.setCompare(pr.baseSha, head, many)
    github.setPullFiles(13, many.slice(0, 120))
    const event = await writeEventPayload(
      dir + '-event',
      pullRequestPayload({ number: 13, base: { ref: 'main', sha: pr.baseSha }, head: { ref: 'feature/huge', sha: head }, changedFiles: 4000 })
    )

    const run = await runDetect(dir, 'pull_request', event, { sha, ref: 'refs/pull/13/merge' })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.all).toBe('true')
    expect(services(run)).toEqual(['users', 'orders', 'catalog', 'cart'])
    const warnings = run.annotations.filter((annotation) => annotation.level === 'warning').map((annotation) => annotation.message)
    expect(warnings.join('\n')).toMatch(/300/)
    expect(warnings.join('\n')).toMatch(/3,?000|4000/)
    expect(github.requestsTo('repos/compare-commits-with-basehead').length + github.requestsTo('repos/compare-commits').length).toBeGreaterThan(0)
    expect(github.requestsTo('pulls/list-files').length).toBeGreaterThan(0)
    expect(github.violations).toEqual([])
  })

  it('since: last-deploy:staging reads the Deployments API through GITHUB_API_URL', async () => {
    await repo.switchTo('main')
    const deployed = await repo.commit({ write: { 'services/orders/app/v2.py': 'V = 2\n' } })
    const head = await repo.commit({ write: { 'services/catalog/src/v3.js': 'export const v = 3\n' } })
    await repo.push('main')
    github.addDeployment({ environment: 'staging', sha: deployed, statuses: ['in_progress', 'success'] })
    github.addDeployment({ environment: 'staging', sha: head, statuses: ['in_progress', 'failure'] })
    const { dir } = await repo.checkout({ branch: 'main' })
    const event = await writeEventPayload(dir + '-event', workflowDispatchPayload({ ref: 'refs/heads/main' }))

    const run = await runDetect(dir, 'workflow_dispatch', event, { sha: head, ref: 'refs/heads/main' }, { since: 'last-deploy:staging' })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.base).toBe(deployed)
    expect(services(run)).toEqual(['catalog', 'cart'])
    const listed = github.requestsTo('repos/list-deployments')
    expect(listed.length).toBeGreaterThan(0)
    expect(listed.at(-1)?.url).toMatch(/^\/api\/v3\/repos\/acme\/shop\/deployments\?/)
    expect(listed.at(-1)?.headers.authorization).toBe('token ghs_contracttoken')
    expect(github.violations).toEqual([])
  })

  it('workflow_dispatch with no since selects everything and says why', async () => {
    await repo.switchTo('main')
    const { dir, sha } = await repo.checkout({ branch: 'main' })
    const event = await writeEventPayload(dir + '-event', workflowDispatchPayload({ ref: 'refs/heads/main' }))
    const run = await runDetect(dir, 'workflow_dispatch', event, { sha, ref: 'refs/heads/main' })
    expect(run.outputs.all).toBe('true')
    expect(services(run)).toHaveLength(4)
    expect(run.summary).toContain('every service is selected')
  })

  it('promotion-limit fails the step, before any output, when the environments need more steps', async () => {
    await repo.switchTo('main')
    const { dir, sha } = await repo.checkout({ branch: 'main' })
    const event = await writeEventPayload(dir + '-event', workflowDispatchPayload({ ref: 'refs/heads/main' }))
    const within = await runDetect(dir, 'workflow_dispatch', event, { sha, ref: 'refs/heads/main' }, { 'promotion-limit': '2' })
    expect(within.exitCode).toBe(0)

    const run = await runDetect(dir, 'workflow_dispatch', event, { sha, ref: 'refs/heads/main' }, { 'promotion-limit': '1' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toEqual({})
    // Located at the `requires` that makes the last step, as every manifest problem is.
    const line = (await exampleFiles())['flotilla.yml'].split('\n').indexOf('    requires: [staging]') + 1
    expect(run.annotations).toContainEqual({
      level: 'error',
      properties: expect.objectContaining({ file: 'flotilla.yml', line: String(line), title: 'flotilla.yml: environments.production.requires' }),
      message: expect.stringMatching(/^environments need 2 promotion steps \(staging → production\) but this workflow deploys at most 1 \(input 'promotion-limit'\)/)
    })
  })

  it('a bad manifest fails the step with annotations at its lines and writes no output', async () => {
    const { run, broken } = await detectWithManifest((manifest) => manifest.replace('  users:\n', '  users:\n    depnds_on: [mony]\n'))
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toEqual({})
    const line = broken.split('\n').indexOf('    depnds_on: [mony]') + 1
    expect(run.annotations).toContainEqual({
      level: 'error',
      properties: expect.objectContaining({ file: 'flotilla.yml', line: String(line), col: '5' }),
      message: expect.stringContaining('did you mean "depends_on"')
    })
  })

  it('a service name that cannot become an image name fails the step at its line and writes no output', async () => {
    const { run, broken } = await detectWithManifest((manifest) => manifest.replace('  orders:\n', '  orders-:\n'))
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toEqual({})
    expect(run.annotations).toContainEqual({
      level: 'error',
      properties: expect.objectContaining({ file: 'flotilla.yml', line: String(broken.split('\n').indexOf('  orders-:') + 1), col: '3' }),
      message: expect.stringMatching(/^"orders-" is not a valid service name: it ends with "-"; a service name becomes its image's name/)
    })
  })
})
