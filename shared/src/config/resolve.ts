import { posix } from 'node:path'
import { outsideMessage, type Resolution } from '../containment/index.js'
import { findCycle, isCyclic, shortestCycle, stronglyConnectedComponents } from '../graph/index.js'
import { ManifestError } from './errors.js'
import { globBase, joinPath, normalisePath, normalisePattern, ownershipPattern } from './paths.js'
import { childKeyPath, itemKeyPath, own, type Locations, type RawManifest, type RawOwnership, type RawService } from './raw.js'
import { didYouMean } from './suggest.js'
import { parseGateConfig } from '../gate/config.js'
import { MAX_NAME_LENGTH } from '../image/reference.js'
import type {
  DeployTarget,
  EnvironmentConfig,
  ImageConfig,
  LibraryConfig,
  Manifest,
  ManifestProblem,
  ServiceConfig,
  TestConfig
} from './types.js'
import { inferDependencies, type Workspace } from './workspaces.js'
import type { SourceDependency } from './graph-sources/index.js'

export const DEFAULT_PLATFORMS = ['linux/amd64']
export const DEFAULT_TEST_TIMEOUT_SECONDS = 600
const PRODUCTION_NAMES = new Set(['production', 'prod'])

/** The one question the checks ask of the repository on disk. */
export interface RepositoryPaths {
  /** Where `path` (normalised, relative to the root) leads, every symbolic link followed (`resolveInside`). */
  resolve(path: string): Resolution
}

export interface ResolveInput {
  raw: RawManifest
  locations: Locations
  /** Problems found so far (syntax, schema); reported together with the ones found here. */
  problems: readonly ManifestProblem[]
  source: string
  workspace?: Workspace
}

/**
 * Turn a schema-checked manifest into the `Manifest` every stage reads: paths normalised and
 * kept inside the repository, references and cycles checked, workspace edges inferred where
 * none are declared, defaults filled in. Throws one `ManifestError` holding every problem.
 */
export function resolveManifest(input: ResolveInput, paths: RepositoryPaths): Manifest {
  const resolver = new Resolver(input, paths)
  const manifest = resolver.resolve()
  if (resolver.problems.length > 0) throw new ManifestError(resolver.problems)
  return manifest
}

class Resolver {
  readonly problems: ManifestProblem[]
  readonly notices: ManifestProblem[]
  private readonly raw: RawManifest
  private readonly locations: Locations
  /** Where each inferred edge comes from: node → target → the dependency that made it. */
  private readonly inferredOrigins = new Map<string, Map<string, SourceDependency>>()

  constructor(private readonly input: ResolveInput, private readonly disk: RepositoryPaths) {
    this.problems = [...input.problems]
    this.notices = [...(input.workspace?.notices ?? [])]
    this.raw = input.raw
    this.locations = input.locations
  }

  resolve(): Manifest {
    const rawLibraries = this.raw.libraries ?? {}
    const rawServices = this.raw.services ?? {}
    for (const name of Object.keys(rawServices)) {
      if (own(rawLibraries, name) !== undefined) this.reportAtKey(childKeyPath('services', name), `"${name}" is both a library and a service; a name may be only one of them`)
    }

    // Directories by node name, for workspace inference; undefined when missing or invalid.
    const directories = new Map<string, string | undefined>()
    const libraries: Record<string, LibraryConfig> = {}
    for (const [name, raw] of Object.entries(rawLibraries)) {
      const keyPath = childKeyPath('libraries', name)
      const path = raw.path === undefined ? undefined : this.directory(childKeyPath(keyPath, 'path'), raw.path)
      directories.set(name, path)
      libraries[name] = { name, patterns: this.ownership(keyPath, path, raw), dependsOn: raw.depends_on ?? [] }
    }
    const services: Record<string, ServiceConfig> = {}
    for (const [name, raw] of Object.entries(rawServices)) {
      const keyPath = childKeyPath('services', name)
      const path = raw.path === undefined ? undefined : this.directory(childKeyPath(keyPath, 'path'), raw.path)
      directories.set(name, path)
      if (path !== undefined) services[name] = this.service(name, keyPath, path, raw)
    }

    this.inferEdges(directories, libraries, services)
    this.checkDependencies(libraries, services)

    return {
      version: 1,
      source: this.input.source,
      ...(this.raw.registry === undefined ? {} : { registry: this.raw.registry }),
      global: this.patterns('global', this.raw.global ?? []),
      libraries,
      services,
      environments: this.environments(rawServices),
      ...(this.notices.length > 0 ? { notices: this.notices } : {})
    }
  }

  private service(name: string, keyPath: string, path: string, raw: RawService): ServiceConfig {
    const service: ServiceConfig = {
      name,
      path,
      patterns: this.ownership(keyPath, path, raw),
      dependsOn: raw.depends_on ?? [],
      image: this.image(name, childKeyPath(keyPath, 'image'), path, raw),
      deploy: {}
    }
    const test = raw.test === undefined ? undefined : this.test(childKeyPath(keyPath, 'test'), path, raw.test)
    if (test !== undefined) service.test = test
    for (const [environment, target] of Object.entries(raw.deploy ?? {})) {
      if (target.target !== undefined) service.deploy[environment] = target as DeployTarget
    }
    return service
  }

  private image(service: string, keyPath: string, servicePath: string, raw: RawService): ImageConfig {
    const image = raw.image ?? {}
    const contextPath = childKeyPath(keyPath, 'context')
    const written = image.context === undefined ? servicePath : this.path(contextPath, image.context) ?? servicePath
    const dockerfilePath = childKeyPath(keyPath, 'dockerfile')
    const dockerfile = joinPath(written, image.dockerfile ?? 'Dockerfile')
    if (!dockerfile.ok) this.report(childKeyPath(keyPath, 'dockerfile'), `${dockerfile.reason} (it is relative to the build context "${written}")`)
    // The builder reads, and the input hash covers, the real directory and file behind any link.
    const context = this.real(contextPath, written)
    // A Dockerfile in a refused context would only name the same link again.
    const dockerfileReal = dockerfile.ok && context !== undefined ? this.real(dockerfilePath, dockerfile.path) : undefined
    const registry = this.raw.registry?.toLowerCase()
    const name = image.name ?? (registry === undefined ? service : `${registry}/${service}`)
    if (image.name === undefined && name.length > MAX_NAME_LENGTH) {
      this.reportAtKey(childKeyPath('services', service), `the image name "${name}" is longer than ${MAX_NAME_LENGTH} characters; shorten the service name or the registry, or set image.name`)
    }
    return {
      name,
      context: context ?? written,
      dockerfile: dockerfileReal ?? (dockerfile.ok ? dockerfile.path : posix.join(written, 'Dockerfile')),
      buildArgs: image.build_args ?? {},
      platforms: image.platforms ?? [...DEFAULT_PLATFORMS],
      ...(image.target === undefined ? {} : { target: image.target })
    }
  }

  private test(keyPath: string, servicePath: string, raw: NonNullable<RawService['test']>): TestConfig | undefined {
    const shell = raw.shell ?? false
    const commandPath = childKeyPath(keyPath, 'command')
    if (shell && Array.isArray(raw.command)) this.report(commandPath, 'with `shell: true` the command is one string for `sh -c`')
    if (!shell && typeof raw.command === 'string') {
      this.report(commandPath, 'a command string needs `shell: true`; otherwise write it as an argv array, e.g. ["npm", "test"]')
    }
    const reports = (raw.reports ?? []).flatMap((report, index) => {
      const itemPath = itemKeyPath(childKeyPath(keyPath, 'reports'), index)
      const joined = joinPath(servicePath, report.replace(/^!/, ''))
      if (!joined.ok) {
        this.report(itemPath, `${joined.reason} (report patterns are relative to the service path "${servicePath}")`)
        return []
      }
      // Reports are deleted before every run: the directory a pattern walks must not lead out.
      if (!report.startsWith('!')) this.real(itemPath, posix.join(servicePath, globBase(report)))
      return [posix.normalize(report).replace(/\/+$/, '').replace(/^\.\//, '')]
    })
    if (raw.command === undefined) return undefined
    return {
      command: typeof raw.command === 'string' ? [raw.command] : raw.command,
      shell,
      reports,
      timeoutSeconds: raw.timeout ?? DEFAULT_TEST_TIMEOUT_SECONDS,
      retries: raw.retries ?? 0,
      env: raw.env ?? {}
    }
  }

  /** `<path>/**` (when there is a path) followed by the normalised `paths`. */
  private ownership(keyPath: string, path: string | undefined, raw: RawOwnership): string[] {
    const extra = this.patterns(childKeyPath(keyPath, 'paths'), raw.paths ?? [])
    return path === undefined ? extra : [ownershipPattern(path), ...extra]
  }

  private patterns(keyPath: string, patterns: readonly string[]): string[] {
    return patterns.flatMap((pattern, index) => {
      const normalised = normalisePattern(pattern)
      if (normalised.ok) return [normalised.path]
      this.report(itemKeyPath(keyPath, index), normalised.reason)
      return []
    })
  }

  private path(keyPath: string, raw: string): string | undefined {
    const normalised = normalisePath(raw)
    if (normalised.ok) return normalised.path
    this.report(keyPath, normalised.reason)
    return undefined
  }

  /** A path that must name an existing directory inside the repository. */
  private directory(keyPath: string, raw: string): string | undefined {
    const path = this.path(keyPath, raw)
    if (path === undefined) return undefined
    const resolution = this.disk.resolve(path)
    if (resolution.kind === 'inside' && resolution.isDirectory) return path
    this.report(
      keyPath,
      resolution.kind === 'outside'
        ? outsideMessage(path, resolution, 'repository')
        : resolution.kind === 'missing'
          ? `directory "${path}" does not exist`
          : `"${path}" is not a directory`
    )
    return undefined
  }

  /**
   * The repository path `path` really names, every symbolic link followed; a path that does not
   * exist (yet) stays as written. A link out of the repository is a problem at `keyPath`, and
   * gives undefined.
   */
  private real(keyPath: string, path: string): string | undefined {
    const resolution = this.disk.resolve(path)
    if (resolution.kind === 'outside') {
      this.report(keyPath, outsideMessage(path, resolution, 'repository'))
      return undefined
    }
    return resolution.kind === 'inside' ? resolution.path : path
  }

  /** Workspace edges for every library and service that does not declare `depends_on`. */
  private inferEdges(
    directories: ReadonlyMap<string, string | undefined>,
    libraries: Record<string, LibraryConfig>,
    services: Record<string, ServiceConfig>
  ): void {
    if (this.input.workspace === undefined) return
    const declared = (raw: RawOwnership | undefined) => raw?.depends_on !== undefined
    // Services first: a directory that is both a service and a library path belongs to the service.
    const nodes = [...Object.keys(services), ...Object.keys(libraries)].map((name) => ({
      name,
      path: directories.get(name),
      declared: declared(own(this.raw.services, name) ?? own(this.raw.libraries, name))
    }))
    const devDependencies = this.raw.workspaces?.dev_dependencies ?? true
    const inferred = inferDependencies(nodes, this.input.workspace.packages, { devDependencies })
    for (const library of inferred.libraries) libraries[library.name] = { name: library.name, patterns: library.patterns, dependsOn: [] }
    for (const [name, edges] of inferred.edges) {
      const node = own(services, name) ?? own(libraries, name)
      if (node === undefined) continue
      node.dependsOn = edges.map((edge) => edge.target)
      this.inferredOrigins.set(name, new Map(edges.map((edge) => [edge.target, edge.origin])))
    }
  }

  private checkDependencies(libraries: Record<string, LibraryConfig>, services: Record<string, ServiceConfig>): void {
    const known = new Set([...Object.keys(this.raw.libraries ?? {}), ...Object.keys(this.raw.services ?? {}), ...Object.keys(libraries)])
    const declared: Array<[string, RawOwnership]> = [
      ...Object.entries(this.raw.libraries ?? {}).map(([name, raw]): [string, RawOwnership] => [childKeyPath('libraries', name), raw]),
      ...Object.entries(this.raw.services ?? {}).map(([name, raw]): [string, RawOwnership] => [childKeyPath('services', name), raw])
    ]
    for (const [keyPath, raw] of declared) {
      raw.depends_on?.forEach((dependency, index) => {
        if (!known.has(dependency)) {
          this.report(itemKeyPath(childKeyPath(keyPath, 'depends_on'), index), `unknown library or service "${dependency}"${didYouMean(dependency, known)}`)
        }
      })
    }
    // Every node joins the cycle checks, even one dropped for a bad path, so all problems show at once.
    const edges = new Map<string, string[]>()
    const declaredEdges = new Map<string, string[]>()
    const kindOf = new Map<string, string>()
    const addNode = (kind: string, name: string, dependsOn: readonly string[]) => {
      const targets = dependsOn.filter((dependency) => known.has(dependency))
      edges.set(name, targets)
      if (!this.inferredOrigins.has(name)) declaredEdges.set(name, targets)
      kindOf.set(name, kind)
    }
    for (const library of Object.values(libraries)) addNode('libraries', library.name, library.dependsOn)
    for (const [name, raw] of Object.entries(this.raw.services ?? {})) addNode('services', name, own(services, name)?.dependsOn ?? raw.depends_on ?? [])
    // Only a cycle written by hand is an error; one an inferred edge closes is a fact of the repository, said once.
    const cycle = findCycle(declaredEdges)
    if (cycle !== undefined) {
      const keyPath = childKeyPath(childKeyPath(kindOf.get(cycle[0]) ?? 'services', cycle[0]), 'depends_on')
      this.report(keyPath, `dependency cycle: ${cycle.join(' -> ')}`)
      return
    }
    for (const component of stronglyConnectedComponents(edges)) {
      if (isCyclic(component, edges)) this.notices.push(this.cycleNotice(component, edges, kindOf))
    }
  }

  /**
   * One notice for a group of nodes that depend on each other through inferred edges: a shortest
   * cycle through its first member, each step located where it is written.
   */
  private cycleNotice(component: readonly string[], edges: ReadonlyMap<string, readonly string[]>, kindOf: ReadonlyMap<string, string>): ManifestProblem {
    const cycle = shortestCycle(edges, component[0])!
    const steps = cycle.slice(0, -1).map((from, index) => {
      const to = cycle[index + 1]
      const origin = this.inferredOrigins.get(from)?.get(to)
      if (origin !== undefined) return { from, to, at: { file: origin.file, line: origin.line, column: origin.column }, via: origin.via }
      const keyPath = childKeyPath(childKeyPath(kindOf.get(from) ?? 'services', from), 'depends_on')
      const item = (own(this.raw.services, from) ?? own(this.raw.libraries, from))?.depends_on?.indexOf(to) ?? -1
      return { from, to, at: this.locations.value(item >= 0 ? itemKeyPath(keyPath, item) : keyPath), via: 'depends_on' }
    })
    const where = steps.map(({ from, to, at, via }) => `${from} -> ${to} at ${at.file}${at.line > 0 ? `:${at.line}:${at.column}` : ''} (${via})`)
    const shown = component.slice(0, 10).join(', ') + (component.length > 10 ? ` and ${component.length - 10} more` : '')
    const group = component.length > cycle.length - 1 ? `${component.length} depend on each other: ${shown}; ` : ''
    return {
      ...steps[0].at,
      keyPath: '',
      message: `dependency cycle among inferred dependencies, accepted: ${cycle.join(' -> ')} (${group}a change to any of them selects them all). ${where.join('; ')}`
    }
  }

  /** Declared environments in order, then the ones only named under services' `deploy`. */
  private environments(rawServices: Record<string, RawService>): Record<string, EnvironmentConfig> {
    const rawEnvironments = this.raw.environments ?? {}
    const names = new Set(Object.keys(rawEnvironments))
    for (const service of Object.values(rawServices)) for (const name of Object.keys(service.deploy ?? {})) names.add(name)

    const environments: Record<string, EnvironmentConfig> = {}
    const edges = new Map<string, string[]>()
    for (const name of names) {
      const raw = own(rawEnvironments, name) ?? {}
      const keyPath = childKeyPath('environments', name)
      const requires = raw.requires ?? []
      requires.forEach((required, index) => {
        if (!names.has(required)) {
          this.report(itemKeyPath(childKeyPath(keyPath, 'requires'), index), `unknown environment "${required}"${didYouMean(required, names)}`)
        }
      })
      edges.set(name, requires.filter((required) => names.has(required)))
      environments[name] = {
        name,
        requires,
        production: raw.production ?? PRODUCTION_NAMES.has(name),
        transient: raw.transient ?? false,
        ...(raw.url === undefined ? {} : { url: raw.url }),
        ...(raw.gate === undefined ? {} : { gate: raw.gate })
      }
      if (raw.gate !== undefined) {
        for (const problem of parseGateConfig(raw.gate, childKeyPath(keyPath, 'gate'), { addressFromRun: true }).problems) this.report(problem.keyPath, problem.message)
      }
    }
    const cycle = findCycle(edges)
    if (cycle !== undefined) {
      this.report(childKeyPath(childKeyPath('environments', cycle[0]), 'requires'), `environment cycle: ${cycle.join(' -> ')}`)
    }
    return environments
  }

  private report(keyPath: string, message: string): void {
    this.problems.push({ ...this.locations.value(keyPath), keyPath, message })
  }

  private reportAtKey(keyPath: string, message: string): void {
    this.problems.push({ ...this.locations.key(keyPath), keyPath, message })
  }
}
