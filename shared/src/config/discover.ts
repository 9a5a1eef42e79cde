import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isFile, readRepositoryFile } from './files.js'
import { isRecord } from './values.js'
import { isMap, isScalar, type Node, type Pair } from 'yaml'
import { Locations, childKeyPath, own, type RawManifest, type RawService } from './raw.js'
import { nameProblem } from './schema.js'
import type { ManifestProblem } from './types.js'
import { parseYaml, type YamlSource } from './yaml-source.js'

export const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml']
export const SERVICE_DIRECTORIES = ['services', 'apps', 'src']

/** A manifest made up from what the repository holds, in the same shape as a written one. */
export interface DiscoveredManifest {
  raw: RawManifest
  locations: Locations
  problems: ManifestProblem[]
  /** `discovered (<how>)`. */
  source: string
}

/**
 * Services when there is no manifest: the `build:` contexts of the first compose file found,
 * else the directories directly under `services/`, `apps/` or `src/` that hold a Dockerfile.
 * Undefined when neither finds a service.
 */
export async function discoverServices(root: string): Promise<DiscoveredManifest | undefined> {
  for (const file of COMPOSE_FILES) {
    const text = await readRepositoryFile(root, file)
    if (text === undefined) continue
    const discovered = fromCompose(text, file)
    if (discovered.problems.length > 0 || Object.keys(discovered.raw.services ?? {}).length > 0) return discovered
  }
  return fromDockerfiles(root)
}

/** Compose services with a local `build:` context; image-only services and remote contexts are not ours to build. */
function fromCompose(text: string, file: string): DiscoveredManifest {
  const locations = new Locations({ file, line: 0, column: 0 })
  const discovered = (problems: ManifestProblem[], services: Record<string, RawService> = {}): DiscoveredManifest => ({
    raw: { version: 1, services },
    locations,
    problems,
    source: `discovered (${file})`
  })
  const parsed = parseYaml(text, file, { mergeKeys: true })
  if ('problems' in parsed) return discovered(parsed.problems)
  const data: unknown = parsed.source.toJS(parsed.source.document.contents)
  const composeServices = isRecord(data) && isRecord(data.services) ? data.services : {}
  const problems: ManifestProblem[] = []
  const services: Record<string, RawService> = {}
  const keyNodes = serviceKeyNodes(parsed.source)

  for (const [name, definition] of Object.entries(composeServices)) {
    const build = isRecord(definition) ? definition.build : undefined
    const context = typeof build === 'string' ? build : isRecord(build) ? (typeof build.context === 'string' ? build.context : '.') : undefined
    if (context === undefined || isRemoteContext(context)) continue
    const keyPath = childKeyPath('services', name)
    const keyNode = keyNodes.get(name)
    const at = parsed.source.locate(keyNode?.value as Node | undefined)
    locations.record(keyPath, at, parsed.source.locate(keyNode?.key as Node | undefined))
    locations.record(childKeyPath(keyPath, 'path'), at)
    const problem = nameProblem(name, 'service')
    if (problem !== undefined) {
      problems.push({ ...locations.key(keyPath), keyPath, message: `compose service ${problem}; or write a flotilla.yml` })
      continue
    }
    services[name] = { path: context, image: isRecord(build) ? composeImage(build) : {} }
  }
  return discovered(problems, services)
}

function composeImage(build: Record<string, unknown>): NonNullable<RawService['image']> {
  const args = build.args
  const buildArgs: Record<string, string> = {}
  // Compose takes args as a mapping or as KEY=VALUE items; a bare KEY (value from the environment) has no value to pass on.
  if (Array.isArray(args)) {
    for (const item of args) {
      const text = String(item)
      const equals = text.indexOf('=')
      if (equals > 0) buildArgs[text.slice(0, equals)] = text.slice(equals + 1)
    }
  } else if (isRecord(args)) {
    for (const [key, value] of Object.entries(args)) if (value !== null && value !== undefined) buildArgs[key] = String(value)
  }
  return {
    ...(typeof build.dockerfile === 'string' ? { dockerfile: build.dockerfile } : {}),
    ...(typeof build.target === 'string' ? { target: build.target } : {}),
    ...(Array.isArray(build.platforms) && build.platforms.every((p) => typeof p === 'string') ? { platforms: build.platforms as string[] } : {}),
    ...(Object.keys(buildArgs).length > 0 ? { build_args: buildArgs } : {})
  }
}

/** The pairs under the compose file's `services:`, by name, to locate problems. */
function serviceKeyNodes(source: YamlSource): Map<string, Pair> {
  const services = source.document.get('services', true)
  const pairs = new Map<string, Pair>()
  if (!isMap(services)) return pairs
  for (const pair of services.items as Pair[]) if (isScalar(pair.key) && typeof pair.key.value === 'string') pairs.set(pair.key.value, pair)
  return pairs
}

function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || context.startsWith('github.com/')
}

async function fromDockerfiles(root: string): Promise<DiscoveredManifest | undefined> {
  const services: Record<string, RawService> = {}
  const problems: ManifestProblem[] = []
  const locations = new Locations({ file: '.', line: 0, column: 0 })
  const used: string[] = []
  for (const parent of SERVICE_DIRECTORIES) {
    const entries = await readdir(join(root, parent), { withFileTypes: true }).catch(() => [])
    const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
    for (const name of names) {
      const path = `${parent}/${name}`
      if (!(await isFile(join(root, path, 'Dockerfile')))) continue
      if (!used.includes(parent)) used.push(parent)
      const keyPath = childKeyPath('services', name)
      const at = { file: `${path}/Dockerfile`, line: 0, column: 0 }
      locations.record(keyPath, at)
      const problem = nameProblem(name, 'service')
      if (problem !== undefined) {
        problems.push({ ...at, keyPath, message: `directory ${JSON.stringify(path)}: ${problem}; or write a flotilla.yml` })
      } else if (own(services, name) !== undefined) {
        problems.push({ ...at, keyPath, message: `"${services[name].path}" and "${path}" would both be service "${name}"; write a flotilla.yml to name them` })
      } else {
        services[name] = { path }
      }
    }
  }
  if (used.length === 0) return undefined
  return {
    raw: { version: 1, services },
    locations,
    problems,
    source: `discovered (${used.map((parent) => `${parent}/*/Dockerfile`).join(', ')})`
  }
}
