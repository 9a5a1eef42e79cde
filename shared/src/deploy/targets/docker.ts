import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { exec, type ExecResult } from '../../exec/index.js'
import type { Logger } from '../../log/index.js'
import type { DockerTarget } from '../config.js'
import { DeployError, type DeployRequest, type TargetResult } from './request.js'

export interface DockerRunOptions {
  env?: NodeJS.ProcessEnv
  /** Aborting it (a cancelled workflow) stops the deploy at once and rolls back what it changed. */
  signal?: AbortSignal
  log?: Logger
  /** Milliseconds between health probes; 1000 by default. */
  pollMs?: number
}

/** How long a container without any health check must keep running to count as started. */
const SETTLE_MS = 3000

/** How long one HTTP health probe may wait for an answer. */
const PROBE_TIMEOUT_MS = 5000

/**
 * Seconds the previous container gets to stop (`docker stop --time`) before the engine kills it.
 * Stopping is the longest step a cancel cannot cut short, so this plus the rollback must fit in
 * the cancel grace (`CANCEL_GRACE_MS`).
 */
export const PREVIOUS_STOP_SECONDS = 5

/** The labels every container the docker target starts carries. */
const LABEL = { service: 'flotilla.service', environment: 'flotilla.environment', sha: 'flotilla.sha' } as const

/** Names docker accepts as they are and that need no hash: no `_`, which separates the parts. */
const PLAIN_PART = /^[a-zA-Z0-9][a-zA-Z0-9.-]*$/
const PLAIN_NAME_LENGTH = 100

/**
 * The container that runs `service` in `environment`, and what it is renamed to while a new one
 * is tried. `<service>_<environment>` when both names are made of letters, digits, `.` and `-`;
 * otherwise each part with other characters replaced by `-`, and a hash of the two names
 * (`my-svc_eu-west_1a2b3c4d5e`), so names that only differ in replaced characters never share a
 * container. Plain names hold exactly one `_`, hashed ones end in `_<10 hex>`, and the previous
 * one is `<name>_previous`: no deploy's name can be another's.
 */
export function containerNames(service: string, environment: string): { name: string; backup: string } {
  const plain = PLAIN_PART.test(service) && PLAIN_PART.test(environment) && service.length + environment.length < PLAIN_NAME_LENGTH
  const clean = (part: string): string => part.replace(/[^a-zA-Z0-9.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 40)
  const hash = createHash('sha256').update(JSON.stringify([service, environment])).digest('hex').slice(0, 10)
  const name = plain ? `${service}_${environment}` : `${clean(service) || 'service'}_${clean(environment)}_${hash}`
  return { name, backup: `${name}_previous` }
}

/** One container on the engine, as `docker ps --all` lists it. */
export interface HostContainer {
  name: string
  /** `running`, `exited`, `restarting`, … */
  state: string
  /** Its `flotilla.service` and `flotilla.environment` labels; empty when it has none. */
  service: string
  environment: string
}

/** `docker ps --all --format` for `parseContainers`: one JSON array per container, so no label value can break a line. */
export const CONTAINER_LIST_FORMAT = `[{{json .Names}},{{json .State}},{{json (.Label "${LABEL.service}")}},{{json (.Label "${LABEL.environment}")}}]`

export function parseContainers(listing: string): HostContainer[] {
  return listing
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, state, service, environment] = JSON.parse(line) as string[]
      return { name, state, service, environment }
    })
}

/** What a deploy of `service` to `environment` replaces on a host holding `containers`. */
export interface Replacement {
  /** The new container's name. */
  name: string
  /** What the previous container is called while the new one is tried. */
  backup: string
  /** The container this environment runs now, by its current name. */
  previous?: HostContainer
  /** This environment's leftover backup from a deploy that died, removed before the previous one takes its name. */
  staleBackup: boolean
}

/**
 * Finds the container a deploy replaces, by its labels: the one named for this service and
 * environment, else (a host set up by an earlier Flotilla, which named containers after the
 * service alone, or one where a deploy died half-way) this environment's running container,
 * else its previous one. Containers of other environments or services are never chosen, and a
 * name this deploy needs that a container of anything else holds is an error, not a removal.
 */
export function planReplacement(containers: readonly HostContainer[], service: string, environment: string): Replacement {
  const { name, backup } = containerNames(service, environment)
  const ours = (container: HostContainer): boolean => container.service === service && container.environment === environment
  for (const taken of containers.filter((container) => (container.name === name || container.name === backup) && !ours(container))) {
    const labels = taken.service === '' && taken.environment === '' ? 'no Flotilla labels' : `labels ${LABEL.service}=${taken.service}, ${LABEL.environment}=${taken.environment}`
    throw new DeployError(`the container ${taken.name} on the Docker host is not ${service}'s ${environment} deployment (it has ${labels}): rename or remove it`)
  }
  const mine = containers.filter(ours)
  const previous =
    mine.find((container) => container.name === name) ??
    mine.find((container) => isRunning(container.state)) ??
    mine.find((container) => container.name === backup) ??
    mine[0]
  return { name, backup, ...(previous === undefined ? {} : { previous }), staleBackup: previous?.name !== backup && mine.some((container) => container.name === backup) }
}

function isRunning(state: string): boolean {
  return state === 'running' || state === 'restarting'
}

/**
 * Replaces the container of the service's environment (see `containerNames`) with one running
 * the new image. The previous one is renamed `<name>_previous` and stopped first (the new one
 * needs its ports), the new one must pass its health check (the HTTP probe, else the image's
 * HEALTHCHECK, else stay running), and only then is the previous one removed. On failure, and
 * when `signal` aborts (which stops every wait at once), the new container is removed and the
 * previous one gets its name back and runs again if it ran before.
 */
export async function deployToDocker(target: DockerTarget, request: DeployRequest, options: DockerRunOptions = {}): Promise<TargetResult> {
  const env = target.host === undefined ? (options.env ?? process.env) : { ...(options.env ?? process.env), DOCKER_HOST: target.host }
  const { signal } = options
  // Reads and waits take the signal; steps that change the host run to their end, so a rollback
  // always starts from a state it knows.
  const docker = (args: string[], abortable = false): Promise<ExecResult> =>
    exec(['docker', ...args], { env, allowFailure: true, timeoutMs: 300_000, ...(abortable && signal !== undefined ? { signal } : {}) })
  const must = async (args: string[], what: string, abortable = false): Promise<string> => {
    const result = await docker(args, abortable)
    if (result.cancelled) throw new DeployError(`${what} was cancelled; nothing was changed`)
    if (result.exitCode !== 0) throw new DeployError(`${what} failed: ${(result.stderr.trim() || result.stdout.toString('utf8').trim()).split('\n').slice(-3).join(' / ')}`)
    return result.stdout.toString('utf8').trim()
  }

  // Every later call would fail the same way, under a misleading name (`docker pull` for an
  // unreachable host): say first that the engine itself cannot be reached, and why.
  await must(['version', '--format', '{{.Server.Version}}'], `reaching the Docker engine${target.host === undefined ? '' : ` at ${withoutPassword(target.host)}`}`, true)
  if ((await docker(['image', 'inspect', request.image], true)).exitCode !== 0) await must(['pull', request.image], `docker pull ${request.image}`, true)
  const listing = await must(['ps', '--all', '--format', CONTAINER_LIST_FORMAT], 'listing the containers', true)
  const plan = planReplacement(parseContainers(listing), request.service, request.environment)
  const { name, backup } = plan
  const previous =
    plan.previous === undefined
      ? undefined
      : { ...plan.previous, image: await must(['container', 'inspect', plan.previous.name, '--format', '{{.Config.Image}}'], `inspecting ${plan.previous.name}`, true) }
  if (signal?.aborted) throw new DeployError(`the deploy of ${name} was cancelled; nothing was changed`)

  let renamed = false
  try {
    if (previous !== undefined) {
      if (plan.staleBackup) await must(['rm', '--force', backup], `removing the stale ${backup}`)
      if (previous.name !== backup) await must(['rename', previous.name, backup], `renaming the running ${previous.name}`)
      renamed = true
      await must(['stop', '--time', String(PREVIOUS_STOP_SECONDS), backup], `stopping the previous ${previous.name}`)
    }
    if (signal?.aborted) throw cancelled(name)
    await must(
      [
        'run', '--detach', '--name', name, '--restart', 'unless-stopped',
        '--label', `${LABEL.service}=${request.service}`, '--label', `${LABEL.environment}=${request.environment}`, '--label', `${LABEL.sha}=${request.sha}`,
        ...(target.network === undefined ? [] : ['--network', target.network]),
        ...target.ports.flatMap((port) => ['--publish', port]),
        ...Object.entries(target.env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
        request.image
      ],
      `docker run ${request.image}`
    )
    await waitHealthy(target, name, docker, options)
  } catch (error) {
    // A cancelled job has seconds left: the new container's output is not worth them.
    const logs = signal?.aborted ? undefined : await docker(['logs', '--tail', '5', name])
    const tail = logs === undefined ? '' : `${logs.stdout.toString('utf8')}${logs.stderr}`.trim()
    await must(['rm', '--force', name], `${(error as Error).message}; then removing the new ${name}`)
    let restored = previous === undefined ? `${name} was removed; nothing ran before` : `${previous.image} was left as it was`
    if (previous !== undefined && renamed) {
      options.log?.warn(`${name}: restoring the previous container (${previous.image})`)
      if (previous.name !== backup) await must(['rename', backup, previous.name], `restoring the previous ${previous.name}`)
      if (isRunning(previous.state)) await must(['start', previous.name], `restarting the previous ${previous.name}`)
      restored = isRunning(previous.state) ? `${previous.image} runs again` : `${previous.image} is back, stopped as it was`
    }
    throw new DeployError(`${(error as Error).message}${tail === '' ? '' : `; its last output: ${tail.split('\n').join(' / ')}`}${previous === undefined ? '' : `; ${restored}`}`, restored)
  }
  if (previous !== undefined) await docker(['rm', '--force', backup])
  return { ...(previous === undefined ? {} : { previous: previous.image }), ...(target.url === undefined ? {} : { url: target.url }) }
}

function cancelled(name: string): DeployError {
  return new DeployError(`the deploy was cancelled before ${name} became healthy`)
}

async function waitHealthy(
  target: DockerTarget,
  name: string,
  docker: (args: string[], abortable?: boolean) => Promise<ExecResult>,
  options: DockerRunOptions
): Promise<void> {
  const { signal } = options
  const timeoutMs = (target.health?.timeoutSeconds ?? 60) * 1000
  const deadline = Date.now() + timeoutMs
  const started = Date.now()
  for (;;) {
    if (signal?.aborted) throw cancelled(name)
    const state = await docker(['container', 'inspect', name, '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}'], true)
    if (signal?.aborted) throw cancelled(name)
    const [status, health] = state.stdout.toString('utf8').trim().split(' ')
    if (status !== 'running' && status !== 'created') throw new DeployError(`${name} stopped (${status}) before it became healthy`)
    if (target.health?.url !== undefined) {
      if (await answers(target.health.url, signal)) return
      if (signal?.aborted) throw cancelled(name)
    } else if (health === 'healthy') {
      return
    } else if (health === 'unhealthy') {
      throw new DeployError(`${name} reports unhealthy`)
    } else if (health === undefined && Date.now() - started >= SETTLE_MS) {
      return
    }
    if (Date.now() >= deadline) throw new DeployError(`${name} was not healthy within ${timeoutMs / 1000}s`)
    await sleep(options.pollMs ?? 1000, undefined, signal === undefined ? {} : { signal }).catch(() => undefined)
  }
}

/** Whether `url` answers 2xx within the probe timeout; an abort ends the wait at once. */
async function answers(url: string, signal: AbortSignal | undefined): Promise<boolean> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS)
  try {
    const response = await fetch(url, { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) })
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
