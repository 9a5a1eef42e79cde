/**
 * The committed deploy bundle deploying to a real Docker engine (the test's dockerd, host
 * networking), recorded as a Deployment in the fake GitHub API. Each test deploys its own
 * service, so they share the engine without sharing containers.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { repositoryRoot, runBundle, runNodeScript, type BundleOptions } from '../support/action-runner.js'
import { describeWithEngine, startDockerd, type TestDockerd } from '../support/engines.js'
import { buildServerImages, freePort, stopDaemonWithContainers } from '../integration/deploy/server-images.js'

const SHA = 'b'.repeat(40)
const IMAGE = 'localhost:5000/shop/cart'

/** Where each service's environment listens, and the health URL when it is not that server's `/v2/`. */
type Deploys = Record<string, Record<string, { port: number; health?: string }>>

const manifest = (host: string, deploys: Deploys): string => `version: 1
services:
${Object.entries(deploys)
  .map(
    ([service, environments]) => `  ${service}:
    path: services/${service}
    deploy:
${Object.entries(environments)
  .map(
    ([environment, { port, health }]) => `      ${environment}:
        target: docker
        host: ${host}
        network: host
        env: { REGISTRY_HTTP_ADDR: "127.0.0.1:${port}" }
        health: { url: "${health ?? `http://127.0.0.1:${port}/v2/`}", timeout: 20s }
        url: http://127.0.0.1:${port}/`
  )
  .join('\n')}`
  )
  .join('\n')}
environments:
  staging: {}
  production: { production: true }
`

/** A TCP server that accepts connections and never answers; `connected` resolves at the first one. */
async function silentServer(): Promise<{ port: number; connected: Promise<void>; close(): Promise<void> }> {
  const sockets: Socket[] = []
  let seen: () => void = () => undefined
  const connected = new Promise<void>((resolve) => (seen = resolve))
  const server: Server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => undefined)
    seen()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    connected,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

describeWithEngine('dockerd', 'deploy bundle to a Docker engine', () => {
  let daemon: TestDockerd
  let workspace: string
  let github: FakeGitHub
  let apiUrl: string
  let deploys: Deploys

  beforeAll(async () => {
    daemon = await startDockerd()
    await buildServerImages(daemon, IMAGE, ['1', '2', 'broken'])
    workspace = await mkdtemp(join(tmpdir(), 'flotilla-deploy-docker-'))
    deploys = {}
    for (const service of ['cart', 'basket', 'orders', 'payments', 'ledger']) {
      await mkdir(join(workspace, 'services', service), { recursive: true })
      deploys[service] = { staging: { port: await freePort() }, production: { port: await freePort() } }
    }
    await writeFile(join(workspace, 'flotilla.yml'), manifest(daemon.host, deploys))
    github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
    apiUrl = await github.start()
  }, 180_000)

  afterAll(async () => {
    await github?.stop()
    if (daemon) {
      const all = await exec(['docker', 'ps', '--all', '--quiet'], { env: daemon.env, allowFailure: true })
      await stopDaemonWithContainers(daemon, all.stdout.toString('utf8').split('\n').filter(Boolean))
    }
    await rm(workspace, { recursive: true, force: true })
  }, 60_000)

  const deploy = (service: string, environment: string, tag: string, more: Partial<BundleOptions> & { manifest?: string } = {}) =>
    runBundle('deploy', {
      workspace,
      // The images exist only in the test's engine (no registry holds them), so tags are deployed as given.
      inputs: {
        service,
        environment,
        image: `${IMAGE}:${tag}`,
        sha: SHA,
        token: 'ghs_contracttoken',
        'pin-digest': 'false',
        ...(more.manifest === undefined ? {} : { manifest: more.manifest })
      },
      env: { GITHUB_REPOSITORY: 'acme-shop/shop', GITHUB_API_URL: apiUrl, DOCKER_HOST: undefined },
      ...(more.cancel === undefined ? {} : { cancel: more.cancel })
    })
  const docker = (args: string[]) => exec(['docker', ...args], { env: daemon.env }).then((result) => result.stdout.toString('utf8').trim())
  const running = (container: string) => docker(['container', 'inspect', container, '--format', '{{.Config.Image}} {{.State.Status}}'])
  /** Every container (running or not) whose labels say it is `service`: name, image and state, sorted. */
  const containersOf = async (service: string) =>
    (await docker(['ps', '--all', '--filter', `label=flotilla.service=${service}`, '--format', '{{.Names}} {{.Image}} {{.State}}'])).split('\n').filter(Boolean).sort()
  const deploymentsOf = (service: string) => github.state.deployments.filter((deployment) => (deployment.payload as Record<string, unknown>).service === service)
  /** The server in a restarted container answers once it is listening again. */
  const answers = async (port: number): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const status = await fetch(`http://127.0.0.1:${port}/v2/`).then((response) => response.status, () => 0)
      if (status !== 0 || attempt === 50) return status
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  it('starts the service and records success; a broken version fails, is rolled back and recorded as failure', async () => {
    const first = await deploy('cart', 'staging', '1')
    expect(first.stderr).toBe('')
    expect(first.exitCode).toBe(0)
    expect(first.outputs['new-image']).toBe(`${IMAGE}:1`)
    expect(await running('cart_staging')).toBe(`${IMAGE}:1 running`)

    const broken = await deploy('cart', 'staging', 'broken')
    expect(broken.exitCode).toBe(1)
    expect(broken.annotations.map((annotation) => annotation.level)).toEqual(['warning', 'error'])
    expect(broken.annotations[1].message).toMatch(/^cart_staging stopped \((exited|restarting)\) before it became healthy; its last output: .*; localhost:5000\/shop\/cart:1 runs again$/)
    expect(await running('cart_staging')).toBe(`${IMAGE}:1 running`)
    expect(await containersOf('cart')).toEqual([`cart_staging ${IMAGE}:1 running`])

    expect(deploymentsOf('cart').map((deployment) => deployment.statuses.map((status) => status.state))).toEqual([
      ['in_progress', 'success'],
      ['in_progress', 'failure']
    ])
    expect(github.violations).toEqual([])
  }, 120_000)

  it("keeps one container per service and environment: production never replaces staging's, nor takes its image as previous", async () => {
    const staging = await deploy('basket', 'staging', '1')
    expect(staging.exitCode).toBe(0)
    expect(staging.outputs['previous-image']).toBe('')

    const production = await deploy('basket', 'production', '2')
    expect(production.exitCode).toBe(0)
    expect(production.outputs['previous-image']).toBe('')
    expect(await containersOf('basket')).toEqual([`basket_production ${IMAGE}:2 running`, `basket_staging ${IMAGE}:1 running`])
    expect(await docker(['container', 'inspect', 'basket_staging', '--format', '{{index .Config.Labels "flotilla.environment"}}'])).toBe('staging')
    expect(await answers(deploys.basket.staging.port)).toBe(200)

    const again = await deploy('basket', 'production', '1')
    expect(again.exitCode).toBe(0)
    expect(again.outputs['previous-image']).toBe(`${IMAGE}:2`)
    expect(again.summary).toContain(`\`${IMAGE}:2\` → \`${IMAGE}:1\``)
    expect(await containersOf('basket')).toEqual([`basket_production ${IMAGE}:1 running`, `basket_staging ${IMAGE}:1 running`])
    expect(github.violations).toEqual([])
  }, 120_000)

  it("takes over the container an earlier version named after the service alone, for its own environment only", async () => {
    // What Flotilla wrote before containers were named per environment: `orders`, labelled staging.
    await docker([
      'run', '--detach', '--name', 'orders', '--restart', 'unless-stopped', '--network', 'host',
      '--label', 'flotilla.service=orders', '--label', 'flotilla.environment=staging', '--label', `flotilla.sha=${SHA}`,
      '--env', `REGISTRY_HTTP_ADDR=127.0.0.1:${deploys.orders.staging.port}`, `${IMAGE}:1`
    ])

    const production = await deploy('orders', 'production', '2')
    expect(production.exitCode).toBe(0)
    expect(production.outputs['previous-image']).toBe('')
    expect(await containersOf('orders')).toEqual([`orders ${IMAGE}:1 running`, `orders_production ${IMAGE}:2 running`])

    const staging = await deploy('orders', 'staging', '2')
    expect(staging.exitCode).toBe(0)
    expect(staging.outputs['previous-image']).toBe(`${IMAGE}:1`)
    expect(await containersOf('orders')).toEqual([`orders_production ${IMAGE}:2 running`, `orders_staging ${IMAGE}:2 running`])
  }, 120_000)

  /** Deploys `service`'s staging with its health URL on a server that accepts the probe and never answers; `run` is cancelled once the probe has connected. */
  const deployNeverHealthy = async <T>(service: string, run: (manifest: string, probed: Promise<void>) => Promise<T>): Promise<T> => {
    const silent = await silentServer()
    try {
      const file = `flotilla.${service}-silent.yml`
      await writeFile(join(workspace, file), manifest(daemon.host, { [service]: { staging: { ...deploys[service].staging, health: `http://127.0.0.1:${silent.port}/v2/` } } }))
      return await run(file, silent.connected)
    } finally {
      await silent.close()
    }
  }

  it('a cancelled step (SIGTERM) while the health probe waits removes the new container, restarts the previous one, then records the cancel', async () => {
    const first = await deploy('payments', 'staging', '1')
    expect(first.exitCode).toBe(0)

    const cancelled = await deployNeverHealthy('payments', (file, probed) => deploy('payments', 'staging', '2', { manifest: file, cancel: { when: probed } }))
    expect(cancelled.exitCode).toBe(130)

    expect(await containersOf('payments')).toEqual([`payments_staging ${IMAGE}:1 running`])
    expect(await answers(deploys.payments.staging.port)).toBe(200)
    const last = deploymentsOf('payments').at(-1)!
    expect(last.statuses.map((status) => status.state)).toEqual(['in_progress', 'error'])
    expect(last.statuses[1].description).toBe(`cancelled and rolled back: ${IMAGE}:1 runs again`)
    expect(github.violations).toEqual([])
  }, 120_000)

  it('flotilla deploy without GitHub rolls back on Ctrl-C (SIGINT) while the health probe waits', async () => {
    expect((await deploy('ledger', 'staging', '1')).exitCode).toBe(0)

    const cli = join(repositoryRoot, 'dist', 'cli', 'index.js')
    const args = (file: string) => ['deploy', 'ledger', '--env', 'staging', '--image', `${IMAGE}:2`, '--sha', SHA, '--pin-digest', 'false', '--manifest', file]
    const env = { PATH: process.env.PATH, HOME: process.env.HOME }
    const interrupted = await deployNeverHealthy('ledger', (file, probed) => runNodeScript(cli, args(file), { cwd: workspace, env, cancel: { when: probed, signal: 'SIGINT' } }))
    expect(interrupted.exitCode).toBe(130)
    expect(interrupted.stderr).toContain('ledger_staging: restoring the previous container')
    expect(await containersOf('ledger')).toEqual([`ledger_staging ${IMAGE}:1 running`])
  }, 120_000)
})
