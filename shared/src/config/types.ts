/**
 * The manifest as every stage sees it after loading: validated, defaults filled in, paths
 * normalised to POSIX form relative to the repository root (no leading `./`, no trailing `/`).
 */

export interface ImageConfig {
  /** Full image repository without tag, e.g. `ghcr.io/acme/cart` (`<registry>/<service>` by default). */
  name: string
  /** Build context, relative to the repository root (default: the service path). */
  context: string
  /** Dockerfile, relative to the repository root (default: `<context>/Dockerfile`). */
  dockerfile: string
  buildArgs: Record<string, string>
  platforms: string[]
  target?: string
}

export interface TestConfig {
  /** argv array; a single string is only accepted together with `shell: true`. */
  command: string[]
  shell: boolean
  /** Glob patterns of report files, relative to the service path. */
  reports: string[]
  timeoutSeconds: number
  retries: number
  env: Record<string, string>
}

/** One environment's deploy settings for a service; the deploy stage validates the target fields. */
export interface DeployTarget {
  target: 'gitops' | 'docker' | 'kubernetes' | 'command'
  [key: string]: unknown
}

export interface ServiceConfig {
  name: string
  path: string
  /**
   * Effective ownership patterns in order: `<path>/**` first, then the manifest's `paths`.
   * Evaluated like GitHub's `paths:` filter: the last matching pattern wins (`!` excludes).
   */
  patterns: string[]
  /** Direct dependencies (library or service names) as declared or inferred. */
  dependsOn: string[]
  image: ImageConfig
  test?: TestConfig
  deploy: Record<string, DeployTarget>
}

export interface LibraryConfig {
  name: string
  /** Effective ownership patterns (`<path>/**` first when `path` is given, then `paths`). */
  patterns: string[]
  dependsOn: string[]
}

export interface EnvironmentConfig {
  name: string
  requires: string[]
  production: boolean
  /** Goes away after use (a review app); recorded as GitHub Deployments' `transient_environment`. */
  transient: boolean
  url?: string
  /** Gate criteria; validated by the gate stage. */
  gate?: Record<string, unknown>
}

export interface Manifest {
  version: 1
  /** Where it came from: the manifest file (relative to the root) or `discovered (<how>)`. */
  source: string
  registry?: string
  /** A change matching any of these selects every service. */
  global: string[]
  libraries: Record<string, LibraryConfig>
  services: Record<string, ServiceConfig>
  environments: Record<string, EnvironmentConfig>
  /**
   * Facts worth saying that are no problem, located: a cycle among inferred dependencies (legal:
   * selection is a closure), a build-tool setting too dynamic to read. Absent means none.
   */
  notices?: ManifestProblem[]
}

/** One thing wrong with a manifest, located precisely enough to jump to. */
export interface ManifestProblem {
  file: string
  /** 1-based; 0 when the problem has no single location (e.g. a missing file). */
  line: number
  column: number
  /** Dotted key path, e.g. `services.cart.depends_on[1]`. */
  keyPath: string
  message: string
}
