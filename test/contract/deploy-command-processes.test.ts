/**
 * The deploy bundle's command target, run as the runner runs it: the environment the manifest's
 * command gets (an allow-list, never the runner's tokens) and a background process left holding
 * its output. No GitHub Deployment is recorded (no GITHUB_REPOSITORY) and no registry is asked
 * (pin-digest false): only the command matters here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runBundle, type BundleRun } from '../support/action-runner.js'
import { daemonScript, envDumpCommand, killByPidFile, RUNNER_SECRETS } from '../support/processes.js'

let dir: string
let workspace: string
const dump = (): string => join(dir, 'deploy-env.json')
const pidFile = (): string => join(dir, 'daemon.pid')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-deploy-processes-'))
  workspace = join(dir, 'workspace')
  await mkdir(join(workspace, 'services', 'cart'), { recursive: true })
  const dumpCommand = JSON.stringify(envDumpCommand(dump()))
  const daemon = JSON.stringify(`${daemonScript(pidFile())} sleep 1; echo deployed; exit 0`)
  const forger = JSON.stringify("printf '::error title=forged::deploy output forged this\\nno newline at the end'; exit 3")
  await writeFile(
    join(workspace, 'flotilla.yml'),
    `version: 1
services:
  cart:
    path: services/cart
    deploy:
      staging: { target: command, command: ${dumpCommand}, env: { DATABASE_URL: 'postgres://from-the-manifest' } }
      daemon: { target: command, shell: true, command: ${daemon}, timeout: 3s }
      forger: { target: command, shell: true, command: ${forger} }
environments:
  staging: {}
  daemon: {}
  forger: {}
`
  )
})
afterAll(async () => {
  await killByPidFile(pidFile())
  await rm(dir, { recursive: true, force: true })
})

function deployAction(environment: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<BundleRun> {
  return runBundle('deploy', {
    workspace,
    inputs: { token: 'ghs_inputtokensecret', service: 'cart', environment, image: 'ghcr.io/acme-shop/cart:2.0.0', 'pin-digest': 'false', sha: 'c'.repeat(40), ...inputs },
    env: { DOCKER_CONFIG: join(dir, 'no-docker-config'), GITHUB_SHA: 'c'.repeat(40), ...env }
  })
}

describe('the command target through the deploy bundle', () => {
  it("gets no runner token, the documented runner variables, pass-env's names, the manifest's env and the deploy's variables", async () => {
    const run = await deployAction(
      'staging',
      { 'pass-env': '["KUBE_CONTEXT"]' },
      { ...RUNNER_SECRETS, GITHUB_RUN_ID: '77', RUNNER_OS: 'Linux', KUBE_CONTEXT: 'staging-cluster', DATABASE_URL: 'postgres://from-the-workflow-secret' }
    )
    expect(run.exitCode).toBe(0)
    const env = JSON.parse(await readFile(dump(), 'utf8')) as Record<string, string>
    for (const name of [...Object.keys(RUNNER_SECRETS), 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'INPUT_TOKEN']) expect([name, env[name]]).toEqual([name, undefined])
    const everything = JSON.stringify(env)
    for (const secret of [...Object.values(RUNNER_SECRETS), 'ghs_inputtokensecret', 'from-the-workflow-secret']) expect(everything).not.toContain(secret)
    expect(env).toMatchObject({
      PATH: process.env.PATH,
      CI: 'true',
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_RUN_ID: '77',
      RUNNER_OS: 'Linux',
      KUBE_CONTEXT: 'staging-cluster',
      DATABASE_URL: 'postgres://from-the-manifest',
      FLOTILLA_SERVICE: 'cart',
      FLOTILLA_ENVIRONMENT: 'staging',
      FLOTILLA_IMAGE: 'ghcr.io/acme-shop/cart:2.0.0'
    })
  })

  it("cannot issue workflow commands with its output, and the step's own commands still count after output without a final newline", async () => {
    const run = await deployAction('forger')
    expect(run.stdout).toContain('::error title=forged::deploy output forged this')
    expect(run.annotations.filter((annotation) => annotation.properties.title === 'forged')).toEqual([])
    expect(run.exitCode).toBe(1)
    expect(run.annotations.filter((annotation) => annotation.level === 'error')).toEqual([expect.objectContaining({ message: expect.stringMatching(/exited with 3$/) })])
  }, 90_000)

  it('a command that exits 0 leaving a background process on its output deploys, and the step says so', async () => {
    try {
      const run = await deployAction('daemon')
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs['new-image']).toBe('ghcr.io/acme-shop/cart:2.0.0')
      expect(run.stdout).toMatch(/^deployed$/m)
      expect(run.annotations).toEqual(
        expect.arrayContaining([expect.objectContaining({ level: 'warning', message: expect.stringMatching(/background process.*kept .*output open/) })])
      )
    } finally {
      await killByPidFile(pidFile())
    }
  }, 90_000)
})
