/**
 * Validation of `services.<name>.deploy.<env>` (passed through by the manifest loader as a
 * `DeployTarget`). Every problem is collected with its key path, so one run reports them all.
 */
import { childKeyPath, itemKeyPath } from '../config/raw.js'
import { didYouMean } from '../config/suggest.js'
import { describeValue, isRecord } from '../config/values.js'
import { parseDuration } from '../config/validate.js'
import type { CommandTarget } from './targets/command.js'
import type { KubernetesTarget } from './targets/kubernetes.js'

export interface GitOpsTarget {
  target: 'gitops'
  /** `owner/name` on the workflow's GitHub server, or a git URL or absolute path (a local bare repository). */
  repo: string
  branch: string
  /** The file to edit, relative to the deploy repository's root. */
  file: string
  kind: 'kustomize' | 'helm' | 'manifests'
  mode: 'push' | 'pull-request'
  /** kustomize: the `images:` entry's name (default the image repository); helm: the values key path (default `image`). */
  key?: string
  url?: string
}

export interface DockerTarget {
  target: 'docker'
  /** `DOCKER_HOST` for the engine (`unix://…`, `ssh://user@host`, `tcp://…`); the local engine by default. */
  host?: string
  /** `host:container` port mappings, as `docker run -p` takes them. */
  ports: string[]
  /** `docker run --network`, e.g. `host`; the engine's default otherwise. */
  network?: string
  env: Record<string, string>
  /** An HTTP probe that must answer 2xx; without it the image's own HEALTHCHECK decides. */
  health?: { url?: string; timeoutSeconds: number }
  url?: string
}

export type DeployTargetConfig = GitOpsTarget | DockerTarget | KubernetesTarget | CommandTarget

export interface DeployConfigProblem {
  keyPath: string
  message: string
}

export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 600
export const DEFAULT_ROLLOUT_TIMEOUT_SECONDS = 300
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 60

const COMMON_KEYS = ['target', 'url'] as const
const KEYS = {
  gitops: [...COMMON_KEYS, 'repo', 'branch', 'file', 'kind', 'mode', 'key'],
  command: [...COMMON_KEYS, 'command', 'shell', 'timeout', 'env'],
  kubernetes: [...COMMON_KEYS, 'manifests', 'rollout', 'namespace', 'timeout'],
  docker: [...COMMON_KEYS, 'host', 'network', 'ports', 'env', 'health']
} as const

type Raw = Record<string, unknown>

/** Parses one environment's deploy settings for a service; `keyPath` is where they sit in the manifest. */
export function parseDeployTarget(raw: unknown, keyPath: string): { target?: DeployTargetConfig; problems: DeployConfigProblem[] } {
  const problems: DeployConfigProblem[] = []
  const read = new Fields(problems, keyPath)
  if (!isRecord(raw)) return { problems: [{ keyPath, message: `expected a mapping with a target, got ${describeValue(raw)}` }] }
  const kind = raw.target
  if (typeof kind !== 'string' || !(kind in KEYS)) {
    const hint = typeof kind === 'string' ? didYouMean(kind, Object.keys(KEYS)) : ''
    return { problems: [{ keyPath: childKeyPath(keyPath, 'target'), message: `expected one of ${Object.keys(KEYS).join(', ')}, got ${describeValue(kind)}${hint}` }] }
  }
  read.only(raw, KEYS[kind as keyof typeof KEYS], `target ${kind}`)
  const url = read.url(raw, 'url')
  const withUrl = url === undefined ? {} : { url }
  let target: DeployTargetConfig | undefined
  if (kind === 'gitops') {
    const repo = read.string(raw, 'repo', { required: true })
    const file = read.string(raw, 'file', { required: true })
    if (file !== undefined && (file.startsWith('/') || file.split('/').includes('..'))) read.problem('file', `"${file}" must be a path inside the deploy repository`)
    const fileKind = (read.oneOf(raw, 'kind', ['kustomize', 'helm', 'manifests']) ?? (file === undefined ? undefined : inferKind(file))) as GitOpsTarget['kind']
    const mode = (read.oneOf(raw, 'mode', ['push', 'pull-request']) ?? 'push') as GitOpsTarget['mode']
    const branch = read.string(raw, 'branch') ?? 'main'
    const key = read.string(raw, 'key')
    if (repo !== undefined && file !== undefined) target = { target: 'gitops', repo, branch, file, kind: fileKind, mode, ...(key === undefined ? {} : { key }), ...withUrl }
  } else if (kind === 'command') {
    const shell = read.boolean(raw, 'shell') ?? false
    if (shell && Array.isArray(raw.command) && raw.command.length !== 1) read.problem('command', 'with shell: true, give one script as a string')
    if (!shell && typeof raw.command === 'string') read.problem('command', 'a single string runs through a shell: give an argv list, or set shell: true')
    const command = typeof raw.command === 'string' ? (shell ? [read.string(raw, 'command')] : undefined) : read.strings(raw, 'command', { required: true })
    const timeoutSeconds = read.duration(raw, 'timeout') ?? DEFAULT_COMMAND_TIMEOUT_SECONDS
    const env = read.stringMap(raw, 'env') ?? {}
    if (command !== undefined && command.every((part) => part !== undefined)) target = { target: 'command', command: command as string[], shell, timeoutSeconds, env, ...withUrl }
  } else if (kind === 'kubernetes') {
    const manifests = read.strings(raw, 'manifests', { required: true })
    const rollout = read.strings(raw, 'rollout')
    rollout?.forEach((workload, index) => {
      if (!/^[a-z]+(\.[a-z0-9.]+)?\/[a-z0-9][a-z0-9.-]*$/.test(workload)) read.problem(`rollout[${index}]`, `"${workload}" is not kind/name, e.g. deployment/cart`)
    })
    const namespace = read.string(raw, 'namespace')
    const timeoutSeconds = read.duration(raw, 'timeout') ?? DEFAULT_ROLLOUT_TIMEOUT_SECONDS
    if (manifests !== undefined) target = { target: 'kubernetes', manifests, timeoutSeconds, ...(rollout && { rollout }), ...(namespace && { namespace }), ...withUrl }
  } else {
    const host = read.string(raw, 'host')
    if (host !== undefined && !/^(unix|ssh|tcp|npipe):\/\/./.test(host)) read.problem('host', `"${host}" is not a Docker host URL (unix://, ssh://, tcp://)`)
    const ports = read.strings(raw, 'ports') ?? []
    ports.forEach((port, index) => {
      if (!/^(\d{1,3}(\.\d{1,3}){3}:)?\d{1,5}:\d{1,5}(\/(tcp|udp))?$/.test(port)) read.problem(`ports[${index}]`, `"${port}" is not host:container, e.g. 8080:80`)
    })
    const env = read.stringMap(raw, 'env') ?? {}
    const health = read.health(raw)
    const network = read.string(raw, 'network')
    target = { target: 'docker', ports, env, ...(host && { host }), ...(network && { network }), ...(health && { health }), ...withUrl }
  }
  return problems.length > 0 ? { problems } : { target, problems }
}

function inferKind(file: string): GitOpsTarget['kind'] {
  const name = file.split('/').pop() ?? file
  if (/^kustomization\.ya?ml$/.test(name)) return 'kustomize'
  if (/^values([.-].*)?\.ya?ml$/.test(name)) return 'helm'
  return 'manifests'
}



/** Typed reads of one mapping's keys, each recording a located problem instead of throwing. */
class Fields {
  constructor(
    private readonly problems: DeployConfigProblem[],
    private readonly path: string
  ) {}

  problem(key: string, message: string): void {
    this.problems.push({ keyPath: key === '' ? this.path : `${this.path}.${key}`, message })
  }

  /** Reports keys outside `keys`; `owner` says whose keys they are (`target gitops`). */
  only(raw: Raw, keys: readonly string[], owner: string): void {
    for (const key of Object.keys(raw)) {
      if (!keys.includes(key)) this.problems.push({ keyPath: childKeyPath(this.path, key), message: `unknown key "${key}" for ${owner}${didYouMean(key, keys)}` })
    }
  }

  string(raw: Raw, key: string, options: { required?: boolean } = {}): string | undefined {
    const value = raw[key]
    if (value === undefined) {
      if (options.required) this.problem('', `missing required key "${key}"`)
      return undefined
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(key, `expected a non-empty string, got ${describeValue(value)}`)
      return undefined
    }
    return value
  }

  strings(raw: Raw, key: string, options: { required?: boolean } = {}): string[] | undefined {
    const value = raw[key]
    if (value === undefined) {
      if (options.required) this.problem('', `missing required key "${key}"`)
      return undefined
    }
    if (!Array.isArray(value) || value.length === 0) {
      this.problem(key, `expected a non-empty list of strings, got ${describeValue(value)}`)
      return undefined
    }
    const strings = value.filter((item): item is string => typeof item === 'string' && item.trim() !== '')
    value.forEach((item, index) => {
      if (typeof item !== 'string' || item.trim() === '') this.problems.push({ keyPath: itemKeyPath(childKeyPath(this.path, key), index), message: `expected a non-empty string, got ${describeValue(item)}` })
    })
    return strings.length === value.length ? strings : undefined
  }

  stringMap(raw: Raw, key: string): Record<string, string> | undefined {
    const value = raw[key]
    if (value === undefined) return undefined
    if (!isRecord(value)) {
      this.problem(key, `expected a mapping of names to strings, got ${describeValue(value)}`)
      return undefined
    }
    const map: Record<string, string> = {}
    for (const [name, item] of Object.entries(value)) {
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') map[name] = String(item)
      else this.problems.push({ keyPath: childKeyPath(childKeyPath(this.path, key), name), message: `expected a string, got ${describeValue(item)}` })
    }
    return map
  }

  boolean(raw: Raw, key: string): boolean | undefined {
    const value = raw[key]
    if (value === undefined) return undefined
    if (typeof value !== 'boolean') {
      this.problem(key, `expected true or false, got ${describeValue(value)}`)
      return undefined
    }
    return value
  }

  oneOf(raw: Raw, key: string, values: readonly string[]): string | undefined {
    const value = raw[key]
    if (value === undefined) return undefined
    if (typeof value !== 'string' || !values.includes(value)) {
      this.problem(key, `expected one of ${values.join(', ')}, got ${describeValue(value)}${typeof value === 'string' ? didYouMean(value, values) : ''}`)
      return undefined
    }
    return value
  }

  duration(raw: Raw, key: string): number | undefined {
    const value = raw[key]
    if (value === undefined) return undefined
    const seconds = typeof value === 'number' && Number.isInteger(value) ? value : typeof value === 'string' ? parseDuration(value) : undefined
    if (seconds === undefined || seconds <= 0) {
      this.problem(key, `expected a positive duration such as 30s, 5m or 1h30m, got ${describeValue(value)}`)
      return undefined
    }
    return seconds
  }

  url(raw: Raw, key: string): string | undefined {
    const text = this.string(raw, key)
    if (text === undefined) return undefined
    if (!/^https?:\/\/[^\s/]+/.test(text) || !URL.canParse(text)) {
      this.problem(key, `expected an http:// or https:// URL, got "${text}"`)
      return undefined
    }
    return text
  }

  health(raw: Raw): DockerTarget['health'] {
    const value = raw.health
    if (value === undefined) return undefined
    if (!isRecord(value)) {
      this.problem('health', `expected a mapping with url and timeout, got ${describeValue(value)}`)
      return undefined
    }
    const nested = new Fields(this.problems, childKeyPath(this.path, 'health'))
    nested.only(value, ['url', 'timeout'], 'health')
    const url = nested.url(value, 'url')
    const timeoutSeconds = nested.duration(value, 'timeout') ?? DEFAULT_HEALTH_TIMEOUT_SECONDS
    return { timeoutSeconds, ...(url && { url }) }
  }
}
