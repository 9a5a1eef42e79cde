/**
 * The input hash: one value that changes exactly when what goes into a service's image changes,
 * so a registry already holding `<image>:inputs-<hash>` means the build can be skipped.
 *
 * The inputs are git objects, not files on disk: tree ids of the directories that feed the image
 * (its build context and every path its `depends_on` closure owns), the Dockerfile's blob id, and
 * the build settings (build args, target, platforms). Git already hashes contents, so one
 * `git ls-tree` answers for a whole tree without reading a file. Build secrets are never hashed:
 * a hash in a public tag would let anyone test guesses of a secret.
 */
import { createHash } from 'node:crypto'
import { exec } from '../exec/index.js'
import { dependenciesOf } from '../graph/index.js'
import type { Manifest } from '../config/types.js'

/** Hex digits of the hash kept in the tag: 80 bits, far past any chance of two inputs colliding in one repository. */
export const INPUT_HASH_LENGTH = 20

/** Bumped when the hashed document changes shape, so old tags stop matching instead of matching wrongly. */
const HASH_SCHEME = 1

/** A path the hash covers and the git object it names at the commit (`missing` when absent). */
export interface InputObject {
  path: string
  /** `tree`, `blob`, `commit` (a submodule) or `missing`. */
  type: string
  id: string
}

export interface InputHashParts {
  /** Directories (and files) feeding the image, with their git object ids. */
  objects: InputObject[]
  /** The Dockerfile's blob id. */
  dockerfile: InputObject
  /** Build args (public by nature: the image records them). */
  buildArgs: Record<string, string>
  target?: string
  platforms: readonly string[]
}

/**
 * The hash of the parts: sha256 over a canonical document (sorted keys and lists, so the order
 * of `depends_on` or of build args does not matter), truncated to INPUT_HASH_LENGTH hex digits.
 */
export function inputHash(parts: InputHashParts): string {
  const document = {
    scheme: HASH_SCHEME,
    objects: [...parts.objects].sort((a, b) => compare(a.path, b.path)).map((object) => [object.path, object.type, object.id]),
    dockerfile: [parts.dockerfile.type, parts.dockerfile.id],
    buildArgs: Object.keys(parts.buildArgs)
      .sort(compare)
      .map((name) => [name, parts.buildArgs[name]]),
    target: parts.target ?? null,
    platforms: [...new Set(parts.platforms)].sort(compare)
  }
  return createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, INPUT_HASH_LENGTH)
}

/**
 * The repository paths whose trees feed a service's image: its build context, its own path, and
 * the paths owned by everything in its `depends_on` closure (libraries and services).
 *
 * A context at the repository root would make every file of every service part of the hash, so
 * a change anywhere would rebuild everything; for a root context the hash instead covers the
 * service's own path and its dependencies' paths (plus the Dockerfile), on the assumption that
 * a root-context Dockerfile copies only those. A Dockerfile that copies other files from the root
 * must list them in a library the service depends on.
 *
 * Ownership patterns become directories by their static prefix (`libs/money/**` → `libs/money`,
 * `protos/*.proto` → `protos`); exclusions (`!…`) are ignored. Both err on the side of hashing
 * more, which costs a rebuild, never a stale image.
 */
export function inputPaths(manifest: Manifest, serviceName: string): string[] {
  const service = manifest.services[serviceName]
  if (service === undefined) throw new Error(`unknown service '${serviceName}'`)
  const edges = new Map<string, readonly string[]>()
  for (const library of Object.values(manifest.libraries)) edges.set(library.name, library.dependsOn)
  for (const other of Object.values(manifest.services)) edges.set(other.name, other.dependsOn)

  const paths: string[] = []
  if (service.image.context !== '') paths.push(service.image.context)
  paths.push(...patternDirectories(service.patterns))
  for (const name of dependenciesOf(edges, [serviceName])) {
    const owner = manifest.libraries[name] ?? manifest.services[name]
    if (owner !== undefined) paths.push(...patternDirectories(owner.patterns))
  }
  return minimalCover(paths)
}

/** The directory part of each including pattern before its first glob character. */
export function patternDirectories(patterns: readonly string[]): string[] {
  const directories: string[] = []
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue
    const segments = pattern.split('/')
    const firstGlob = segments.findIndex((segment) => /[*?[\]{}!]/.test(segment))
    const kept = firstGlob === -1 ? segments : segments.slice(0, firstGlob)
    directories.push(kept.join('/'))
  }
  return directories
}

/** Drops duplicates and paths inside another listed path (the outer tree already covers them); '' is the root. */
function minimalCover(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort(compare)
  if (sorted.includes('')) return ['']
  const kept: string[] = []
  for (const path of sorted) {
    if (!kept.some((outer) => path.startsWith(`${outer}/`))) kept.push(path)
  }
  return kept
}

export interface ServiceInputs {
  hash: string
  parts: InputHashParts
  /** Input paths with uncommitted changes: the working tree differs from what the hash describes. */
  uncommitted: string[]
}

export interface HashServiceOptions {
  /** The manifest's root directory (inside a git work tree). */
  root: string
  manifest: Manifest
  service: string
  /** The commit whose inputs are hashed; `HEAD` by default. */
  commit?: string
  env?: NodeJS.ProcessEnv
}

/** Hashes a service's build inputs at a commit with git, and lists input paths the working tree has changed. */
export async function hashServiceInputs(options: HashServiceOptions): Promise<ServiceInputs> {
  const service = options.manifest.services[options.service]
  if (service === undefined) throw new Error(`unknown service '${options.service}'`)
  const commit = options.commit ?? 'HEAD'
  if (commit.startsWith('-')) throw new Error(`invalid commit '${commit}'`)
  const paths = inputPaths(options.manifest, options.service)
  const git = (args: string[]) => exec(['git', ...args], { cwd: options.root, env: options.env })

  const rootTree = paths.length === 1 && paths[0] === ''
  const objects = rootTree ? [await rootObject(git, commit)] : await lsTree(git, commit, paths)
  const [dockerfile] = await lsTree(git, commit, [service.image.dockerfile])
  const parts: InputHashParts = {
    objects,
    dockerfile,
    buildArgs: { ...service.image.buildArgs },
    ...(service.image.target === undefined ? {} : { target: service.image.target }),
    platforms: service.image.platforms
  }
  const status = await git(['status', '--porcelain', '-z', '--untracked-files=all', '--', ...pathspecs([...paths, service.image.dockerfile])])
  const uncommitted = status.stdout
    .toString('utf8')
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3))
  return { hash: inputHash(parts), parts, uncommitted }
}

type Git = (args: string[]) => ReturnType<typeof exec>

/** The object each path names at the commit, one `git ls-tree` for all of them. */
async function lsTree(git: Git, commit: string, paths: readonly string[]): Promise<InputObject[]> {
  const result = await git(['ls-tree', '-z', commit, '--', ...pathspecs(paths)])
  const found = new Map<string, InputObject>()
  for (const entry of result.stdout.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t')
    if (tab === -1) continue
    const [, type, id] = entry.slice(0, tab).split(' ')
    const path = entry.slice(tab + 1)
    found.set(path, { path, type, id })
  }
  return paths.map((path) => found.get(path) ?? { path, type: 'missing', id: '' })
}

async function rootObject(git: Git, commit: string): Promise<InputObject> {
  const result = await git(['rev-parse', '--verify', `${commit}^{tree}`])
  return { path: '', type: 'tree', id: result.stdout.toString('utf8').trim() }
}

/** Literal pathspecs relative to the current directory: names with glob characters mean themselves. */
function pathspecs(paths: readonly string[]): string[] {
  return paths.map((path) => `:(literal)${path === '' ? '.' : path}`)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
