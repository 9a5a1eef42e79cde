/**
 * What a pull request's test command can reach and how its process is waited for, through the
 * committed run-tests bundle (the runner's contract) and the committed CLI: the environment it
 * gets (an allow-list, never the runner's tokens), a background process left holding its output,
 * and output that ends without a newline.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { repositoryRoot, runBundle, type BundleRun } from '../support/action-runner.js'
import { daemonScript as daemon, envDumpCommand, killByPidFile as killDaemon, RUNNER_SECRETS } from '../support/processes.js'

/** Variables of a hosted runner's step a test command gets: its context, locale, a proxy, toolchains. */
const RUNNER_CONTEXT = {
  GITHUB_RUN_ID: '77',
  RUNNER_OS: 'Linux',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  JAVA_HOME: '/usr/lib/jvm/temurin-17',
  JAVA_HOME_17_X64: '/usr/lib/jvm/temurin-17',
  https_proxy: 'http://proxy.invalid:3128'
}

let dir: string
let workspace: string

/** A manifest with one service `svc` whose test is `test` (YAML flow), written under its own name. */
async function manifest(name: string, test: string): Promise<string> {
  const file = `flotilla.${name}.yml`
  await writeFile(join(workspace, file), `version: 1\nservices:\n  ${name}:\n    path: services/${name}\n    test: ${test}\n`)
  await mkdir(join(workspace, 'services', name), { recursive: true })
  return file
}

function runTestsAction(file: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<BundleRun> {
  return runBundle('run-tests', {
    workspace,
    inputs: { token: 'ghs_inputtokensecret', parallel: '1', 'check-runs': 'false', 'fail-on-error': 'true', manifest: file, ...inputs },
    env: { GITHUB_REPOSITORY: 'acme-shop/shop', GITHUB_SHA: 'c'.repeat(40), GITHUB_EVENT_NAME: 'pull_request', ...env }
  })
}

async function flotillaTest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await exec(['node', join(repositoryRoot, 'dist', 'cli', 'index.js'), 'test', ...args, '-C', workspace], { allowFailure: true, timeoutMs: 60_000 })
  return { code: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-test-processes-'))
  workspace = join(dir, 'workspace')
  await mkdir(workspace)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('the environment of a test command (run-tests bundle)', () => {
  const dump = (): string => join(dir, 'env.json')
  const envDumpTest = (): string =>
    JSON.stringify({
      command: envDumpCommand(dump()),
      env: { DATABASE_URL: 'postgres://from-the-manifest' }
    })

  it("holds none of the runner's tokens or file commands, the documented runner and toolchain variables, pass-env's names, and the manifest's env on top", async () => {
    const file = await manifest('envdump', envDumpTest())
    const githubEnv = join(dir, 'github-env')
    const run = await runTestsAction(
      file,
      { 'pass-env': 'EXTRA_SETTING\nNOT_SET_ANYWHERE' },
      {
        ...RUNNER_SECRETS,
        GITHUB_ENV: githubEnv,
        GITHUB_PATH: join(dir, 'github-path'),
        ...RUNNER_CONTEXT,
        // The workflow's own `env:`: only what pass-env names gets through, the manifest's value wins.
        DATABASE_URL: 'postgres://from-the-workflow-secret',
        EXTRA_SETTING: 'from-the-workflow'
      }
    )
    expect(run.annotations).toEqual([])
    expect(run.exitCode).toBe(0)
    const env = JSON.parse(await readFile(dump(), 'utf8')) as Record<string, string>
    for (const name of [...Object.keys(RUNNER_SECRETS), 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'INPUT_TOKEN', 'INPUT_PASS-ENV']) {
      expect([name, env[name]]).toEqual([name, undefined])
    }
    const everything = JSON.stringify(env)
    for (const secret of [...Object.values(RUNNER_SECRETS), 'ghs_inputtokensecret', 'from-the-workflow-secret']) expect(everything).not.toContain(secret)
    expect(env).toMatchObject({
      PATH: process.env.PATH,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'acme-shop/shop',
      GITHUB_SHA: 'c'.repeat(40),
      ...RUNNER_CONTEXT,
      EXTRA_SETTING: 'from-the-workflow',
      DATABASE_URL: 'postgres://from-the-manifest'
    })
    expect(existsSync(githubEnv)).toBe(false)
  })

  it("refuses a pass-env that names the runner's tokens, before any test runs", async () => {
    await rm(dump(), { force: true })
    const file = await manifest('envdump', envDumpTest())
    const run = await runTestsAction(file, { 'pass-env': 'EXTRA_SETTING ACTIONS_RUNTIME_TOKEN' }, RUNNER_SECRETS)
    expect(run.exitCode).toBe(1)
    expect(run.annotations).toEqual([expect.objectContaining({ level: 'error', message: expect.stringMatching(/input 'pass-env'.*ACTIONS_RUNTIME_TOKEN/) })])
    expect(existsSync(dump())).toBe(false)
  })
})

describe('a background process left holding the output', () => {
  const pidFile = (): string => join(dir, 'daemon.pid')
  afterAll(() => killDaemon(pidFile()))

  it('bundle: the step ends soon after the command exits 0, passes, and says a background process held the output', async () => {
    const file = await manifest('daemon', JSON.stringify({ command: `${daemon(pidFile())} sleep 1; echo done; exit 0`, shell: true, timeout: '3s' }))
    try {
      const run = await runTestsAction(file)
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
      expect(run.stdout).toMatch(/^done$/m)
      expect(run.annotations).toEqual([
        expect.objectContaining({ level: 'warning', message: expect.stringMatching(/daemon: .*background process.*kept .*output open/) })
      ])
      expect(run.summary).toMatch(/### Warnings[\s\S]*background process/)
      const document = JSON.parse(run.runnerTempFiles['flotilla-tests.json'])
      expect(document.services[0]).toMatchObject({ exitCode: 0, timedOut: false, passed: true })
      expect(document.services[0].warnings).toEqual([expect.stringMatching(/background process/)])
    } finally {
      await killDaemon(pidFile())
    }
  }, 90_000)

  it('bundle: a command killed at its timeout whose background process ignores SIGTERM still ends the step, as a timeout', async () => {
    const script = `trap '' TERM; ${daemon(pidFile(), true)} sleep 300`
    const file = await manifest('stubborn', JSON.stringify({ command: script, shell: true, timeout: '2s' }))
    try {
      const run = await runTestsAction(file)
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      expect(run.annotations.at(-1)).toMatchObject({ level: 'error', message: expect.stringContaining('killed after its 2s timeout') })
      const document = JSON.parse(run.runnerTempFiles['flotilla-tests.json'])
      expect(document.services[0]).toMatchObject({ timedOut: true, passed: false })
      expect(document.services[0].warnings).toEqual([expect.stringMatching(/background process/)])
    } finally {
      await killDaemon(pidFile())
    }
  }, 90_000)

  it('CLI: flotilla test reports the exit code the command really ended with, and the background process', async () => {
    const file = await manifest('daemon', JSON.stringify({ command: `${daemon(pidFile())} sleep 1; echo done; exit 3`, shell: true, timeout: '3s' }))
    try {
      const text = await flotillaTest(['daemon', '--manifest', file])
      expect(text.code).toBe(1)
      expect(text.stdout).toContain('daemon: the test command exited with 3')
      expect(text.stdout).toMatch(/daemon: warning: .*background process/)
      expect(text.stderr).toContain('daemon | done')

      await killDaemon(pidFile())
      const json = await flotillaTest(['daemon', '--json', '--manifest', file])
      expect(json.code).toBe(1)
      const service = JSON.parse(json.stdout).services[0]
      expect(service).toMatchObject({ exitCode: 3, timedOut: false, problems: ['the test command exited with 3'] })
      expect(service.warnings).toEqual([expect.stringMatching(/background process/)])
    } finally {
      await killDaemon(pidFile())
    }
  }, 150_000)
})

describe('output that ends without a newline (run-tests bundle, one service)', () => {
  it('leaves the workflow commands after it at the start of a line, so the runner still honours them', async () => {
    const file = await manifest('dots', JSON.stringify({ command: "printf 'running....'; exit 1", shell: true }))
    const run = await runTestsAction(file)
    expect(run.exitCode).toBe(1)
    const lines = run.stdout.split('\n')
    expect(lines).toContain('running....')
    expect(lines.filter((line) => /^::flotilla-[0-9a-f-]+::$/.test(line))).toHaveLength(1)
    expect(lines).toContain('::endgroup::')
    expect(run.annotations.at(-1)).toMatchObject({ level: 'error', message: 'tests failed: dots (the test command exited with 1)' })
  })
})
