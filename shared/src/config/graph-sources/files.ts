import { realpathSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import picomatch from 'picomatch'
import { resolveInside } from '../../containment/index.js'
import { readFileIfPresent } from '../files.js'
import { joinPath, normalisePath, normalisePattern } from '../paths.js'
import type { RepositoryFiles } from './types.js'

/** Files read at once: enough to keep the disk busy, few enough to stay far from the descriptor limit. */
export const READ_CONCURRENCY = 32

/** The repository at `root` on disk; `refused` lists the paths that lead outside it through a symbolic link. */
export function repositoryFiles(root: string): RepositoryFiles & { refused: string[] } {
  let realRoot: string | undefined
  const refused: string[] = []
  /** The containment check of every graph source (the shared one): the path normalised, then resolved and kept under the root. */
  const inside = (path: string): string | undefined => {
    const normalised = normalisePath(path)
    if (!normalised.ok) return undefined
    realRoot ??= realpathSync.native(root)
    const resolution = resolveInside(root, normalised.path, realRoot)
    if (resolution.kind === 'inside') return resolution.real
    if (resolution.kind === 'outside') refused.push(normalised.path)
    return undefined
  }
  return {
    refused,
    async read(path) {
      const real = inside(path)
      // Size-limited like the manifest: a huge package.json is refused, never read whole.
      return real === undefined ? undefined : readFileIfPresent(real, path)
    },
    async list(path) {
      const real = inside(path)
      const entries = real === undefined ? [] : await readdir(real, { withFileTypes: true }).catch(() => [])
      const names = (keep: (entry: (typeof entries)[number]) => boolean) => entries.filter(keep).map((entry) => entry.name).sort()
      return { directories: names((entry) => entry.isDirectory()), files: names((entry) => entry.isFile()) }
    }
  }
}

/** `items` mapped by `work`, at most `limit` at a time, results in the order of `items`. */
export async function mapConcurrent<T, R>(items: readonly T[], work: (item: T) => Promise<R>, limit = READ_CONCURRENCY): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const at = next++
      results[at] = await work(items[at])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** `relative` (a path a tool's file names, relative to `base`) as a repository path; undefined when it leaves the repository. */
export function repositoryPath(base: string, relative: string): string | undefined {
  const joined = joinPath(base, relative.replace(/\\/g, '/'))
  return joined.ok ? joined.path : undefined
}

/**
 * Directories matching member patterns (workspaces, Cargo members; the last matching pattern
 * wins, `!` excludes). Each pattern is walked from its literal prefix, never below
 * `node_modules` or dot directories, and no deeper than the pattern reaches unless it holds `**`.
 */
export async function expandDirectoryPatterns(files: RepositoryFiles, rawPatterns: readonly string[]): Promise<string[]> {
  const patterns = rawPatterns.flatMap((raw) => {
    const normalised = normalisePattern(raw)
    return normalised.ok ? [{ negated: normalised.path.startsWith('!'), glob: normalised.path.replace(/^!/, '') }] : []
  })
  const candidates = new Set<string>()
  const walks = patterns.flatMap(({ negated, glob }) => {
    if (negated) return []
    const segments = glob.split('/')
    const firstGlob = segments.findIndex((segment) => picomatch.scan(segment).isGlob)
    if (firstGlob === -1) {
      candidates.add(glob)
      return []
    }
    const base = segments.slice(0, firstGlob).join('/') || '.'
    const maxDepth = segments.includes('**') ? Infinity : segments.length - firstGlob
    return [{ base, maxDepth }]
  })
  for (const found of await Promise.all(walks.map(({ base, maxDepth }) => walkDirectories(files, base, maxDepth)))) {
    found.forEach(({ directory }) => candidates.add(directory))
  }
  const matchers = patterns.map(({ negated, glob }) => ({ negated, matches: picomatch(glob) }))
  const included = (directory: string) => {
    let result = false
    for (const { negated, matches } of matchers) if (matches(directory)) result = !negated
    return result
  }
  return [...candidates].filter(included).sort()
}

/** A directory found by a walk, with the names of its files when they were asked for. */
export interface WalkedDirectory {
  directory: string
  files: string[]
}

/**
 * Every directory under `base` (itself excluded) down to `maxDepth` levels, never below
 * `node_modules` or dot directories, a level at a time, each level read concurrently; each
 * directory is listed once, the deepest ones only `withFiles`.
 */
export async function walkDirectories(files: RepositoryFiles, base: string, maxDepth: number, withFiles = false): Promise<WalkedDirectory[]> {
  const found: WalkedDirectory[] = []
  let level: WalkedDirectory[] = [{ directory: base, files: [] }]
  for (let depth = 0; level.length > 0; depth++) {
    const list = depth < maxDepth || withFiles
    const listed = await mapConcurrent(level, async (entry) => (list ? { entry, listing: await files.list(entry.directory) } : { entry, listing: undefined }))
    const next: WalkedDirectory[] = []
    for (const { entry, listing } of listed) {
      if (listing === undefined) continue
      entry.files = listing.files
      if (depth >= maxDepth) continue
      for (const name of listing.directories) {
        if (name === 'node_modules' || name.startsWith('.')) continue
        const child = { directory: entry.directory === '.' ? name : `${entry.directory}/${name}`, files: [] }
        found.push(child)
        next.push(child)
      }
    }
    level = next
  }
  return found
}
