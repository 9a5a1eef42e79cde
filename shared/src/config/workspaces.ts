import { normalisePath, ownershipPattern } from './paths.js'
import type { RawManifest, RawOwnership } from './raw.js'
import type { ManifestProblem } from './types.js'
import { readRepositoryGraph, type SourceDependency, type SourcePackage } from './graph-sources/index.js'

/** What the build tools' files say about the repository: packages and their dependencies. */
export interface Workspace {
  packages: SourcePackage[]
  /** Left out on purpose (a computed Gradle include, a path leaving the repository): said, not refused. */
  notices: ManifestProblem[]
}

/**
 * The directories of the libraries and services that take inferred edges: those with a `path`
 * and no `depends_on`. When there is none, nothing is read: declared edges always win, and a
 * library is only ever discovered by following an inferred edge.
 */
export function inferenceStarts(raw: RawManifest): string[] {
  const nodes: RawOwnership[] = [...Object.values(raw.services ?? {}), ...Object.values(raw.libraries ?? {})]
  const starts = new Set<string>()
  for (const node of nodes) {
    if (node.depends_on !== undefined || typeof node.path !== 'string') continue
    const normalised = normalisePath(node.path)
    if (normalised.ok) starts.add(normalised.path)
  }
  return [...starts]
}

/** The repository's graph sources, read only when some library or service takes inferred edges. */
export async function readWorkspace(root: string, raw: RawManifest): Promise<{ workspace?: Workspace; problems: ManifestProblem[] }> {
  const starts = inferenceStarts(raw)
  if (starts.length === 0) return { problems: [] }
  const { packages, problems, notices } = await readRepositoryGraph(root, starts)
  return { workspace: { packages, notices }, problems }
}

/** A node of the dependency graph as inference sees it. */
export interface GraphNode {
  name: string
  /** Its directory, when it has one. */
  path?: string
  /** True when the manifest declares `depends_on` for it: declared edges always win. */
  declared: boolean
}

/** An inferred edge: the node it leads to, and the dependency (file, line, section) that made it. */
export interface InferredEdge {
  target: string
  origin: SourceDependency
}

export interface InferredDependencies {
  /** Edges for the nodes without declared `depends_on` whose directory is a package, in the order their files name them. */
  edges: Map<string, InferredEdge[]>
  /** Packages that something depends on but the manifest does not name: new libraries. */
  libraries: Array<{ name: string; path: string; patterns: string[] }>
}

/**
 * Edges from the graph sources: a node whose directory is a package depends on the nodes owning
 * the packages that package depends on. A package no library or service owns becomes a library,
 * and its own dependencies are followed in turn. Without `devDependencies`, dependencies only
 * needed for development make no edge.
 */
export function inferDependencies(
  nodes: readonly GraphNode[],
  packages: readonly SourcePackage[],
  options: { devDependencies: boolean } = { devDependencies: true }
): InferredDependencies {
  // Several tools may describe one directory (an Nx project that is also an npm workspace member).
  const packagesByDirectory = new Map<string, SourcePackage[]>()
  for (const pkg of packages) {
    const list = packagesByDirectory.get(pkg.directory)
    if (list === undefined) packagesByDirectory.set(pkg.directory, [pkg])
    else list.push(pkg)
  }
  const ownerByDirectory = new Map<string, string>()
  for (const node of nodes) if (node.path !== undefined && !ownerByDirectory.has(node.path)) ownerByDirectory.set(node.path, node.name)
  const taken = new Set(nodes.map((node) => node.name))

  const edges = new Map<string, InferredEdge[]>()
  const libraries: InferredDependencies['libraries'] = []
  const pending = nodes.filter((node) => !node.declared && node.path !== undefined).map((node) => ({ name: node.name, path: node.path! }))

  const ownerOf = (directory: string): string => {
    const owner = ownerByDirectory.get(directory)
    if (owner !== undefined) return owner
    const name = libraryName(packagesByDirectory.get(directory)![0].name, taken)
    taken.add(name)
    ownerByDirectory.set(directory, name)
    libraries.push({ name, path: directory, patterns: [ownershipPattern(directory)] })
    pending.push({ name, path: directory })
    return name
  }

  for (let i = 0; i < pending.length; i++) {
    const { name, path } = pending[i]
    const found: InferredEdge[] = []
    for (const pkg of packagesByDirectory.get(path) ?? []) {
      for (const dependency of pkg.dependencies) {
        if (dependency.dev && !options.devDependencies) continue
        if (dependency.directory === path || !packagesByDirectory.has(dependency.directory)) continue
        const target = ownerOf(dependency.directory)
        if (target !== name && !found.some((edge) => edge.target === target)) found.push({ target, origin: dependency })
      }
    }
    if (found.length > 0) edges.set(name, found)
  }
  return { edges, libraries }
}

/**
 * A valid, unused library name for a package: its last segment (`@acme/protos`,
 * `example.com/acme/protos`, `com.acme:protos`, `:libs:protos` → `protos`), else the whole name
 * (`acme-protos`), else that with a number (`acme-protos-2`).
 */
export function libraryName(packageName: string, taken: ReadonlySet<string>): string {
  const sanitise = (text: string) => text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '') || 'library'
  // A Go major-version suffix (`/v2`) is not the module's name.
  const name = packageName.replace(/\/v\d+$/, '')
  const last = sanitise(name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf(':')) + 1))
  const whole = sanitise(name.replace(/^@/, '').replace(/^:/, '').replace(/[/:]/g, '-'))
  for (const candidate of [last, whole]) if (!taken.has(candidate)) return candidate
  let suffix = 2
  while (taken.has(`${whole}-${suffix}`)) suffix++
  return `${whole}-${suffix}`
}
