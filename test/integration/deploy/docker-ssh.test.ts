/**
 * The docker target with `host: ssh://…`: the docker CLI reaches the test's dockerd through a
 * real sshd (test/support/sshd.ts), exactly as it would reach a remote Docker host.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { deployToDocker, type DeployRequest, type DockerTarget } from '../../../shared/src/deploy/index.js'
import { exec } from '../../../shared/src/exec/index.js'
import type { Logger } from '../../../shared/src/log/index.js'
import { describeWithEngine, startDockerd, type TestDockerd } from '../../support/engines.js'
import { describeWithSshd, startSshdForDocker, type TestSshd } from '../../support/sshd.js'
import { buildServerImages, freePort, servedImageTarget, stopDaemonWithContainers } from './server-images.js'

describeWithEngine('dockerd', 'the docker target over ssh://', () => {
  describeWithSshd('a Docker host behind sshd', () => {
    let daemon: TestDockerd
    let sshd: TestSshd
    let port: number
    let target: DockerTarget
    const logged: string[] = []
    const log: Logger = { info: (message) => logged.push(message), warn: (message) => logged.push(message), debug: (message) => logged.push(message) }
    // Inspected over the daemon's own unix socket: what runs there is what the ssh deploy did.
    const docker = (args: string[]) => exec(['docker', ...args], { env: daemon.env }).then((result) => result.stdout.toString('utf8').trim())
    const request = (tag: string): DeployRequest => ({ service: 'cart', environment: 'staging', image: `localhost:5000/shop/cart:${tag}`, sha: 'c'.repeat(40) })
    const runningImage = () => docker(['container', 'inspect', 'cart_staging', '--format', '{{.Config.Image}} {{.State.Status}}'])
    const deploy = (tag: string, host = sshd.dockerHost) => deployToDocker({ ...target, host }, request(tag), { env: sshd.clientEnv, pollMs: 200, log })
    /** The key's base64 body, line by line: none of it may show in an error or a log. */
    const keyLines = () => sshd.privateKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----'))
    const expectNoKeyIn = (text: string) => {
      for (const line of keyLines()) expect(text).not.toContain(line)
    }

    beforeAll(async () => {
      daemon = await startDockerd()
      sshd = await startSshdForDocker(daemon.host)
      await buildServerImages(daemon, 'localhost:5000/shop/cart', ['1', '2', 'broken'])
      port = await freePort()
      target = servedImageTarget(port)
    }, 180_000)

    afterAll(async () => {
      await sshd?.stop()
      if (daemon) await stopDaemonWithContainers(daemon, ['cart_staging', 'cart_staging_previous'])
    }, 60_000)

    it('deploys through ssh into the remote engine, then replaces the version with a healthy new one', async () => {
      expect(await deploy('1')).toEqual({})
      expect(await runningImage()).toBe('localhost:5000/shop/cart:1 running')
      expect(await deploy('2')).toEqual({ previous: 'localhost:5000/shop/cart:1' })
      expect(await runningImage()).toBe('localhost:5000/shop/cart:2 running')
      expect(await docker(['container', 'inspect', 'cart_staging', '--format', '{{index .Config.Labels "flotilla.sha"}}'])).toBe('c'.repeat(40))
      expect((await fetch(`http://127.0.0.1:${port}/v2/`)).status).toBe(200)
      expect(await docker(['ps', '--all', '--format', '{{.Names}}'])).toBe('cart_staging')
    }, 120_000)

    it('rolls an unhealthy version back over ssh: the previous container runs again', async () => {
      await expect(deploy('broken')).rejects.toThrow(/cart_staging stopped \((exited|restarting)\) before it became healthy.*localhost:5000\/shop\/cart:2 runs again/)
      expect(await runningImage()).toBe('localhost:5000/shop/cart:2 running')
      expect(await docker(['ps', '--all', '--format', '{{.Names}}'])).toBe('cart_staging')
      expect(logged).toContain('cart_staging: restoring the previous container (localhost:5000/shop/cart:2)')
    }, 120_000)

    it('fails before touching anything when the ssh host does not answer, saying which host and why', async () => {
      const closed = `ssh://root@127.0.0.1:${await freePort()}`
      const error = await deploy('1', closed).catch((caught: Error) => caught)
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).toMatch(new RegExp(`^reaching the Docker engine at ${closed.replaceAll('.', '\\.')} failed: .*Connection refused`))
      expectNoKeyIn((error as Error).message)
      expect(await runningImage()).toBe('localhost:5000/shop/cart:2 running')
    }, 60_000)

    it('fails clearly when the host refuses the key, and never shows the key', async () => {
      const error = await deploy('1', `ssh://nobody@127.0.0.1:${sshd.port}`).catch((caught: Error) => caught)
      expect((error as Error).message).toMatch(/^reaching the Docker engine at ssh:\/\/nobody@127\.0\.0\.1:\d+ failed: .*Permission denied \(publickey\)/)
      expectNoKeyIn((error as Error).message)
      expectNoKeyIn(logged.join('\n'))
      expect(await runningImage()).toBe('localhost:5000/shop/cart:2 running')
    }, 60_000)

    it('keeps a password written into the host URL out of the error', async () => {
      const error = await deploy('1', `ssh://root:hunter2@127.0.0.1:${sshd.port}`).catch((caught: Error) => caught)
      expect((error as Error).message).toMatch(/^reaching the Docker engine at ssh:\/\/root:\*\*\*@127\.0\.0\.1:\d+ failed: /)
      expect((error as Error).message).not.toContain('hunter2')
    }, 60_000)
  })
})
