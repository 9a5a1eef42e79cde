/** The docker target against a real dockerd (started by the test, host networking) and local images (see server-images.ts). */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { deployToDocker, type DeployRequest, type DockerTarget } from '../../../shared/src/deploy/index.js'
import { exec } from '../../../shared/src/exec/index.js'
import { describeWithEngine, startDockerd, type TestDockerd } from '../../support/engines.js'
import { buildServerImages, freePort, servedImageTarget, stopDaemonWithContainers } from './server-images.js'

describeWithEngine('dockerd', 'the docker target', () => {
  let daemon: TestDockerd
  let port: number
  let target: DockerTarget
  const docker = (args: string[]) => exec(['docker', ...args], { env: daemon.env }).then((result) => result.stdout.toString('utf8').trim())
  const request = (tag: string): DeployRequest => ({ service: 'cart', environment: 'staging', image: `localhost:5000/shop/cart:${tag}`, sha: 'a'.repeat(40) })
  const runningImage = () => docker(['container', 'inspect', 'cart_staging', '--format', '{{.Config.Image}} {{.State.Status}}'])
  const answers = async () => (await fetch(`http://127.0.0.1:${port}/v2/`)).status

  beforeAll(async () => {
    daemon = await startDockerd()
    await buildServerImages(daemon, 'localhost:5000/shop/cart', ['1', '2', 'broken'])
    port = await freePort()
    target = servedImageTarget(port)
  }, 180_000)

  afterAll(async () => {
    if (daemon) await stopDaemonWithContainers(daemon, ['cart_staging', 'cart_staging_previous', 'cart_production'])
  }, 60_000)

  it('starts the first version, then replaces it with a healthy new one', async () => {
    expect(await deployToDocker(target, request('1'), { env: daemon.env, pollMs: 200 })).toEqual({})
    expect(await runningImage()).toBe('localhost:5000/shop/cart:1 running')
    expect(await deployToDocker(target, request('2'), { env: daemon.env, pollMs: 200 })).toEqual({ previous: 'localhost:5000/shop/cart:1' })
    expect(await runningImage()).toBe('localhost:5000/shop/cart:2 running')
    expect(await answers()).toBe(200)
    expect(await docker(['ps', '--all', '--format', '{{.Names}}'])).toBe('cart_staging')
  }, 120_000)

  it('rolls an unhealthy version back: the old container runs and answers again', async () => {
    await expect(deployToDocker(target, request('broken'), { env: daemon.env, pollMs: 200 })).rejects.toThrow(
      /cart_staging stopped \((exited|restarting)\) before it became healthy.*localhost:5000\/shop\/cart:2 runs again/
    )
    expect(await runningImage()).toBe('localhost:5000/shop/cart:2 running')
    expect(await docker(['ps', '--all', '--format', '{{.Names}}'])).toBe('cart_staging')
    let status = 0
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = await answers().catch(() => 0)
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(status).toBe(200)
  }, 120_000)

  it("refuses to replace a container it did not start under the name it needs, and leaves it alone", async () => {
    await docker(['create', '--name', 'cart_production', 'localhost:5000/shop/cart:1'])
    await expect(deployToDocker(target, { ...request('2'), environment: 'production' }, { env: daemon.env, pollMs: 200 })).rejects.toThrow(
      "the container cart_production on the Docker host is not cart's production deployment (it has no Flotilla labels): rename or remove it"
    )
    expect(await docker(['container', 'inspect', 'cart_production', '--format', '{{.Config.Image}} {{.State.Status}}'])).toBe('localhost:5000/shop/cart:1 created')
    expect(await runningImage()).toBe('localhost:5000/shop/cart:2 running')
  }, 60_000)
})
