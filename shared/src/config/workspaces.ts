import { readdir } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { readRepositoryFile } from './files.js'
import { isRecord } from './values.js'
import picomatch from 'picomatch'
import { normalisePattern, ownershipPattern } from './paths.js'
import type { ManifestProblem } from './types.js'
import { parseYaml } from './yaml-source.js'

/** One package of an npm, yarn or pnpm workspace. */
export interface WorkspacePackage {
  /** The `name` in its package.json. */
  name: string
  /** Its directory, normalised and relative to the repository root. */
  directory: string
  /** Names in `dependencies` then `devDependencies`. */
  dependencies: string[]
}

export interface Workspace {
  /** Where the member patterns came from, e.g. `package.json workspaces`. */
  sources: string[]
  packages: WorkspacePackage[]
}

/**
 * The workspace members declared by the root package.json (`workspaces`, as an array or as
 * `{ packages }`) and pnpm-workspace.yaml (`packages`); undefined when there is no workspace.
 */
export async function readWorkspace(root: string): Promise<{ workspace?: Workspace; problems: ManifestProblem[] }> {
  const problems: ManifestProblem[] = []
  const patterns: string[] = []
  const sources: string[] = []

  const rootPackage = await readJson(root, 'package.json', problems)
  const declared = rootPackage?.workspaces
  const npmPatterns = Array.isArray(declared) ? declared : isRecord(declared) && Array.isArray(declared.packages) ? declared.packages : undefined
  if (npmPatterns !== undefined) {
    patterns.push(...npmPatterns.filter((pattern): pattern is string => typeof pattern === 'string'))
    sources.push('package.json workspaces')
  }

  const pnpmText = await readRepositoryFile(root, 'pnpm-workspace.yaml')
  if (pnpmText !== undefined) {
    const parsed = parseYaml(pnpmText, 'pnpm-workspace.yaml')
    if ('problems' in parsed) problems.push(...parsed.problems)
    else {
      const data: unknown = parsed.source.toJS(parsed.source.document.contents)
      if (isRecord(data) && Array.isArray(data.packages)) {
        patterns.push(...data.packages.filter((pattern): pattern is string => typeof pattern === 'string'))
        sources.push('pnpm-workspace.yaml')
      }
    }
  }

  if (sources.length === 0) return { problems }
  const packages: WorkspacePackage[] = []
  for (const directory of await expandDirectoryPatterns(root, patterns)) {
    const manifest = await readJson(root, posix.join(directory, 'package.json'), problems)
    if (typeof manifest?.name !== 'string') continue
    const dependencies = [...Object.keys(recordOf(manifest.dependencies)), ...Object.keys(recordOf(manifest.devDependencies))]
    packages.push({ name: manifest.name, directory, dependencies: [...new Set(dependencies)] })
  }
  return { workspace: { sources, packages }, problems }
}

/** A node of the dependency graph as inference sees it. */
export interface GraphNode {
  name: string
  /** Its directory, when it has one. */
  path?: string
  /** True when the manifest declares `depends_on` for it: declared edges always win. */
  declared: boolean
}

export interface InferredDependencies {
  /** Edges for the nodes without declared `depends_on` whose directory is a workspace package. */
  edges: Map<string, string[]>
  /** Workspace packages that something depends on but the manifest does not name: new libraries. */
  libraries: Array<{ name: string; path: string; patterns: string[] }>
}

/**
 * Edges from workspace dependencies: a node whose directory is a workspace package depends on
 * the nodes owning the workspace packages its package.json names. A named package that no
 * library or service owns becomes a library, and its own dependencies are followed in turn.
 */
export function inferDependencies(nodes: readonly GraphNode[], packages: readonly WorkspacePackage[]): InferredDependencies {
  const packageByDirectory = new Map(packages.map((pkg) => [pkg.directory, pkg]))
  const packageByName = new Map(packages.map((pkg) => [pkg.name, pkg]))
  const ownerByDirectory = new Map<string, string>()
  for (const node of nodes) if (node.path !== undefined && !ownerByDirectory.has(node.path)) ownerByDirectory.set(node.path, node.name)
  const taken = new Set(nodes.map((node) => node.name))

  const edges = new Map<string, string[]>()
  const libraries: InferredDependencies['libraries'] = []
  const pending = nodes.filter((node) => !node.declared && node.path !== undefined).map((node) => ({ name: node.name, path: node.path! }))

  const ownerOf = (pkg: WorkspacePackage): string => {
    const owner = ownerByDirectory.get(pkg.directory)
    if (owner !== undefined) return owner
    const name = libraryName(pkg.name, taken)
    taken.add(name)
    ownerByDirectory.set(pkg.directory, name)
    libraries.push({ name, path: pkg.directory, patterns: [ownershipPattern(pkg.directory)] })
    pending.push({ name, path: pkg.directory })
    return name
  }

  for (let i = 0; i < pending.length; i++) {
    const { name, path } = pending[i]
    const pkg = packageByDirectory.get(path)
    if (pkg === undefined) continue
    const targets = pkg.dependencies
      .map((dependency) => packageByName.get(dependency))
      .filter((target): target is WorkspacePackage => target !== undefined && target !== pkg)
      .map(ownerOf)
    if (targets.length > 0) edges.set(name, [...new Set(targets)])
  }
  return { edges, libraries }
}

/** A valid, unused library name for an npm package: `@acme/protos` → `protos`, else `acme-protos`, else `acme-protos-2`. */
function libraryName(packageName: string, taken: ReadonlySet<string>): string {
  const sanitise = (text: string) => text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'library'
  const unscoped = sanitise(packageName.replace(/^@[^/]+\//, ''))
  const scoped = sanitise(packageName.replace(/^@/, '').replace(/\//g, '-'))
  for (const candidate of [unscoped, scoped]) if (!taken.has(candidate)) return candidate
  let suffix = 2
  while (taken.has(`${scoped}-${suffix}`)) suffix++
  return `${scoped}-${suffix}`
}

/**
 * Directories matching workspace patterns (the last matching pattern wins; `!` excludes).
 * Each pattern is walked from its literal prefix, never below `node_modules` or dot directories,
 * and no deeper than the pattern reaches unless it holds `**`.
 */
async function expandDirectoryPatterns(root: string, rawPatterns: readonly string[]): Promise<string[]> {
  const patterns = rawPatterns.flatMap((raw) => {
    const normalised = normalisePattern(raw)
    return normalised.ok ? [{ negated: normalised.path.startsWith('!'), glob: normalised.path.replace(/^!/, '') }] : []
  })
  const candidates = new Set<string>()
  for (const { negated, glob } of patterns) {
    if (negated) continue
    const segments = glob.split('/')
    const firstGlob = segments.findIndex((segment) => picomatch.scan(segment).isGlob)
    if (firstGlob === -1) {
      candidates.add(glob)
      continue
    }
    const base = segments.slice(0, firstGlob).join('/') || '.'
    const maxDepth = segments.includes('**') ? Infinity : segments.length - firstGlob
    const matches = picomatch(glob)
    for (const directory of await walkDirectories(root, base, maxDepth)) if (matches(directory)) candidates.add(directory)
  }
  const matchers = patterns.map(({ negated, glob }) => ({ negated, matches: picomatch(glob) }))
  const included = (directory: string) => {
    let result = false
    for (const { negated, matches } of matchers) if (matches(directory)) result = !negated
    return result
  }
  return [...candidates].filter(included).sort()
}

async function walkDirectories(root: string, base: string, maxDepth: number): Promise<string[]> {
  const found: string[] = []
  const queue: Array<{ directory: string; depth: number }> = [{ directory: base, depth: 0 }]
  for (let i = 0; i < queue.length; i++) {
    const { directory, depth } = queue[i]
    if (depth >= maxDepth) continue
    const entries = await readdir(join(root, directory), { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      const child = directory === '.' ? entry.name : `${directory}/${entry.name}`
      found.push(child)
      queue.push({ directory: child, depth: depth + 1 })
    }
  }
  return found
}


async function readJson(root: string, file: string, problems: ManifestProblem[]): Promise<Record<string, unknown> | undefined> {
  const text = await readRepositoryFile(root, file)
  if (text === undefined) return undefined
  try {
    const data: unknown = JSON.parse(text)
    return isRecord(data) ? data : undefined
  } catch (error) {
    problems.push({ file, line: 0, column: 0, keyPath: '', message: `not valid JSON (needed to infer workspace dependencies): ${(error as Error).message}` })
    return undefined
  }
}


function recordOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {}
}
