/**
 * The committed deploy bundle deploying to a real Docker engine (the test's dockerd, host
 * networking), recorded as a Deployment in the fake GitHub API.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { runBundle } from '../support/action-runner.js'
import { describeWithEngine, startDockerd, type TestDockerd } from '../support/engines.js'
import { buildServerImages, freePort, stopDaemonWithContainers } from '../integration/deploy/server-images.js'

const SHA = 'b'.repeat(40)
const manifest = (port: number, host: string): string => `version: 1
services:
  cart:
    path: services/cart
    deploy:
      staging:
        target: docker
        host: ${host}
        network: host
        env: { REGISTRY_HTTP_ADDR: "127.0.0.1:${port}" }
        health: { url: "http://127.0.0.1:${port}/v2/", timeout: 20s }
        url: http://127.0.0.1:${port}/
environments:
  staging: {}
`

describeWithEngine('dockerd', 'deploy bundle to a Docker engine', () => {
  let daemon: TestDockerd
  let workspace: string
  let github: FakeGitHub
  let apiUrl: string

  beforeAll(async () => {
    daemon = await startDockerd()
    await buildServerImages(daemon, 'localhost:5000/shop/cart', ['1', 'broken'])
    workspace = await mkdtemp(join(tmpdir(), 'flotilla-deploy-docker-'))
    await mkdir(join(workspace, 'services', 'cart'), { recursive: true })
    await writeFile(join(workspace, 'flotilla.yml'), manifest(await freePort(), daemon.host))
    github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
    apiUrl = await github.start()
  }, 180_000)

  afterAll(async () => {
    await github?.stop()
    if (daemon) await stopDaemonWithContainers(daemon, ['cart', 'cart-previous'])
    await rm(workspace, { recursive: true, force: true })
  }, 60_000)

  const deploy = (tag: string) =>
    runBundle('deploy', {
      workspace,
      // The images exist only in the test's engine (no registry holds them), so tags are deployed as given.
      inputs: { service: 'cart', environment: 'staging', image: `localhost:5000/shop/cart:${tag}`, sha: SHA, token: 'ghs_contracttoken', 'pin-digest': 'false' },
      env: { GITHUB_REPOSITORY: 'acme-shop/shop', GITHUB_API_URL: apiUrl, DOCKER_HOST: undefined }
    })

  it('starts the service and records success; a broken version fails, is rolled back and recorded as failure', async () => {
    const first = await deploy('1')
    expect(first.stderr).toBe('')
    expect(first.exitCode).toBe(0)
    expect(first.outputs['new-image']).toBe('localhost:5000/shop/cart:1')
    const running = () => exec(['docker', 'container', 'inspect', 'cart', '--format', '{{.Config.Image}} {{.State.Status}}'], { env: daemon.env }).then((result) => result.stdout.toString().trim())
    expect(await running()).toBe('localhost:5000/shop/cart:1 running')

    const broken = await deploy('broken')
    expect(broken.exitCode).toBe(1)
    expect(broken.annotations.map((annotation) => annotation.level)).toEqual(['warning', 'error'])
    expect(broken.annotations[1].message).toMatch(/^cart stopped \((exited|restarting)\) before it became healthy; its last output: .*; localhost:5000\/shop\/cart:1 runs again$/)
    expect(await running()).toBe('localhost:5000/shop/cart:1 running')

    expect(github.state.deployments.map((deployment) => deployment.statuses.map((status) => status.state))).toEqual([
      ['in_progress', 'success'],
      ['in_progress', 'failure']
    ])
    expect(github.violations).toEqual([])
  }, 120_000)
})
