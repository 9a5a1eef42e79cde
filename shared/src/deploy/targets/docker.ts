import { setTimeout as sleep } from 'node:timers/promises'
import { exec } from '../../exec/index.js'
import type { Logger } from '../../log/index.js'
import type { DockerTarget } from '../config.js'
import { DeployError, type DeployRequest, type TargetResult } from './request.js'

export interface DockerRunOptions {
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  log?: Logger
  /** Milliseconds between health probes; 1000 by default. */
  pollMs?: number
}

/** How long a container without any health check must keep running to count as started. */
const SETTLE_MS = 3000

/**
 * Replaces the container named after the service with one running the new image. The old one
 * is renamed `<service>-previous` and stopped first (the new one needs its ports), the new one
 * must pass its health check (the HTTP probe, else the image's HEALTHCHECK, else stay running),
 * and only then is the old one removed. On failure the new container is removed and the old one
 * renamed back and started again.
 */
export async function deployToDocker(target: DockerTarget, request: DeployRequest, options: DockerRunOptions = {}): Promise<TargetResult> {
  const env = target.host === undefined ? (options.env ?? process.env) : { ...(options.env ?? process.env), DOCKER_HOST: target.host }
  const docker = (args: string[]) => exec(['docker', ...args], { env, allowFailure: true, timeoutMs: 300_000 })
  const name = request.service
  const backup = `${name}-previous`
  const must = async (args: string[], what: string): Promise<string> => {
    const result = await docker(args)
    if (result.exitCode !== 0) throw new DeployError(`${what} failed: ${(result.stderr.trim() || result.stdout.toString('utf8').trim()).split('\n').slice(-3).join(' / ')}`)
    return result.stdout.toString('utf8').trim()
  }

  // Every later call would fail the same way, under a misleading name (`docker pull` for an
  // unreachable host): say first that the engine itself cannot be reached, and why.
  await must(['version', '--format', '{{.Server.Version}}'], `reaching the Docker engine${target.host === undefined ? '' : ` at ${withoutPassword(target.host)}`}`)
  if ((await docker(['image', 'inspect', request.image])).exitCode !== 0) await must(['pull', request.image], `docker pull ${request.image}`)
  const existing = await docker(['container', 'inspect', name, '--format', '{{.Config.Image}}'])
  const previous = existing.exitCode === 0 ? existing.stdout.toString('utf8').trim() : undefined
  if (previous !== undefined) {
    await docker(['rm', '--force', backup])
    await must(['rename', name, backup], `renaming the running ${name}`)
    await must(['stop', backup], `stopping the previous ${name}`)
  }

  try {
    await must(
      [
        'run', '--detach', '--name', name, '--restart', 'unless-stopped',
        '--label', `flotilla.service=${request.service}`, '--label', `flotilla.environment=${request.environment}`, '--label', `flotilla.sha=${request.sha}`,
        ...(target.network === undefined ? [] : ['--network', target.network]),
        ...target.ports.flatMap((port) => ['--publish', port]),
        ...Object.entries(target.env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
        request.image
      ],
      `docker run ${request.image}`
    )
    await waitHealthy(target, name, docker, options)
  } catch (error) {
    const logs = await docker(['logs', '--tail', '5', name])
    const tail = `${logs.stdout.toString('utf8')}${logs.stderr}`.trim()
    await docker(['rm', '--force', name])
    if (previous !== undefined) {
      options.log?.warn(`${name}: restoring the previous container (${previous})`)
      await must(['rename', backup, name], `restoring the previous ${name}`)
      await must(['start', name], `restarting the previous ${name}`)
    }
    throw new DeployError(`${(error as Error).message}${tail === '' ? '' : `; its last output: ${tail.split('\n').join(' / ')}`}${previous === undefined ? '' : `; ${previous} runs again`}`)
  }
  if (previous !== undefined) await docker(['rm', '--force', backup])
  return { ...(previous === undefined ? {} : { previous }), ...(target.url === undefined ? {} : { url: target.url }) }
}

async function waitHealthy(
  target: DockerTarget,
  name: string,
  docker: (args: string[]) => ReturnType<typeof exec>,
  options: DockerRunOptions
): Promise<void> {
  const timeoutMs = (target.health?.timeoutSeconds ?? 60) * 1000
  const deadline = Date.now() + timeoutMs
  const started = Date.now()
  for (;;) {
    if (options.signal?.aborted) throw new DeployError(`${name} was cancelled before it became healthy`)
    const state = await docker(['container', 'inspect', name, '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}'])
    const [status, health] = state.stdout.toString('utf8').trim().split(' ')
    if (status !== 'running' && status !== 'created') throw new DeployError(`${name} stopped (${status}) before it became healthy`)
    if (target.health?.url !== undefined) {
      if (await answers(target.health.url)) return
    } else if (health === 'healthy') {
      return
    } else if (health === 'unhealthy') {
      throw new DeployError(`${name} reports unhealthy`)
    } else if (health === undefined && Date.now() - started >= SETTLE_MS) {
      return
    }
    if (Date.now() >= deadline) throw new DeployError(`${name} was not healthy within ${timeoutMs / 1000}s`)
    await sleep(options.pollMs ?? 1000)
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
    await response.arrayBuffer()
    return response.ok
  } catch {
    return false
  }
}

/** `host` for messages: a password in its URL (`tcp://user:secret@…`) must not reach logs. */
function withoutPassword(host: string): string {
  return host.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/]*@/i, '$1:***@')
}
