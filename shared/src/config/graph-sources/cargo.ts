import { posix } from 'node:path'
import { parse as parseToml, TomlError } from 'smol-toml'
import { isRecord } from '../values.js'
import type { ManifestProblem } from '../types.js'
import { expandDirectoryPatterns, mapConcurrent, repositoryPath } from './files.js'
import { fileProblem } from './text.js'
import type { GraphSource, SourceDependency, SourcePackage } from './types.js'

/** Dependency tables of a Cargo.toml, and whether each is only for development (tests, examples, benchmarks). */
const TABLES: ReadonlyArray<readonly [table: string, dev: boolean]> = [
  ['dependencies', false],
  ['dev-dependencies', true],
  ['build-dependencies', false]
]

interface Crate {
  directory: string
  file: string
  text: string
  data: Record<string, unknown>
}

/** Where a crate's dependency on a local directory is declared. */
interface PathDependency {
  name: string
  table: string
  dev: boolean
  directory: string
}

/**
 * Cargo: the members of the root Cargo.toml's `[workspace]` (globs, minus `exclude`), the root
 * package if there is one, the Cargo.toml of the manifest's directories, and every local path
 * dependency, followed in turn. A crate depends on the crates its `[dependencies]`,
 * `[dev-dependencies]` and `[build-dependencies]` (also under `[target.<cfg>]`) reach by `path`,
 * by `workspace = true` to a `[workspace.dependencies]` path, or through a root `[patch]` path.
 */
export const readCargoWorkspace: GraphSource = async ({ files, starts }) => {
  const problems: ManifestProblem[] = []
  const notices: ManifestProblem[] = []
  const parse = (directory: string, text: string): Crate | undefined => {
    const file = posix.join(directory, 'Cargo.toml')
    try {
      return { directory, file, text, data: parseToml(text) }
    } catch (error) {
      const at = error instanceof TomlError ? { line: error.line, column: error.column } : { line: 0, column: 0 }
      const reason = (error as Error).message.split('\n')[0].replace(/^Invalid TOML document: /, '')
      problems.push(fileProblem({ file, ...at }, `not valid TOML (${reason}); needed to infer Cargo dependencies`))
      return undefined
    }
  }

  const rootText = await files.read('Cargo.toml')
  const root = rootText === undefined ? undefined : parse('.', rootText)
  const workspace = isRecord(root?.data.workspace) ? root.data.workspace : undefined
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [])
  const members = workspace === undefined ? [] : await expandDirectoryPatterns(files, [...strings(workspace.members), ...strings(workspace.exclude).map((path) => `!${path}`)])
  const shared = new Map<string, string>()
  for (const [name, spec] of Object.entries(isRecord(workspace?.dependencies) ? workspace.dependencies : {})) {
    const path = isRecord(spec) && typeof spec.path === 'string' ? repositoryPath('.', spec.path) : undefined
    if (path !== undefined) shared.set(name, path)
  }
  // `[patch.<registry>]` at the root replaces a crate everywhere in the workspace, a version-only dependency included.
  const patches = new Map<string, string>()
  for (const registry of Object.values(isRecord(root?.data.patch) ? root.data.patch : {})) {
    for (const [name, spec] of Object.entries(isRecord(registry) ? registry : {})) {
      const path = isRecord(spec) && typeof spec.path === 'string' ? repositoryPath('.', spec.path) : undefined
      if (path !== undefined) patches.set(isRecord(spec) && typeof spec.package === 'string' ? spec.package : name, path)
    }
  }

  const crates = new Map<string, Crate>()
  const links = new Map<string, PathDependency[]>()
  const seen = new Set<string>()
  const unseen = (directories: Iterable<string>) => [...new Set(directories)].filter((directory) => !seen.has(directory))
  /** Keeps a crate and its path dependencies; returns the directories they reach. */
  const keep = (crate: Crate): string[] => {
    crates.set(crate.directory, crate)
    const found = pathDependencies(crate, shared, patches, notices)
    links.set(crate.directory, found)
    return found.map((dependency) => dependency.directory)
  }
  seen.add('.')
  let level = unseen([...(root === undefined ? [] : keep(root)), ...members, ...starts, ...shared.values(), ...patches.values()])
  while (level.length > 0) {
    level.forEach((directory) => seen.add(directory))
    const read = await mapConcurrent(level, async (directory) => {
      const text = await files.read(posix.join(directory, 'Cargo.toml'))
      return text === undefined ? undefined : parse(directory, text)
    })
    level = unseen(read.flatMap((crate) => (crate === undefined ? [] : keep(crate))))
  }

  const packages: SourcePackage[] = []
  for (const crate of crates.values()) {
    const name = isRecord(crate.data.package) ? crate.data.package.name : undefined
    if (typeof name !== 'string') continue
    const dependencies = (links.get(crate.directory) ?? [])
      .filter((dependency) => dependency.directory !== crate.directory && isPackage(crates.get(dependency.directory)))
      .map((dependency): SourceDependency => ({
        name: dependency.name,
        directory: dependency.directory,
        via: `[${dependency.table}]`,
        dev: dependency.dev,
        file: crate.file,
        ...tomlKeyPosition(crate.text, dependency.table, dependency.name)
      }))
    packages.push({ source: 'cargo', name, directory: crate.directory, file: crate.file, dependencies })
  }
  return { packages, problems, notices }
}

function isPackage(crate: Crate | undefined): boolean {
  return crate !== undefined && isRecord(crate.data.package) && typeof crate.data.package.name === 'string'
}

/** The local directories a crate's dependency tables reach, with the table and key that name each. */
function pathDependencies(crate: Crate, shared: ReadonlyMap<string, string>, patches: ReadonlyMap<string, string>, notices: ManifestProblem[]): PathDependency[] {
  const tables: Array<{ table: string; dev: boolean; entries: Record<string, unknown> }> = []
  for (const [table, dev] of TABLES) if (isRecord(crate.data[table])) tables.push({ table, dev, entries: crate.data[table] })
  for (const [cfg, targetTables] of Object.entries(isRecord(crate.data.target) ? crate.data.target : {})) {
    for (const [table, dev] of TABLES) {
      if (isRecord(targetTables) && isRecord(targetTables[table])) tables.push({ table: `target.${cfg}.${table}`, dev, entries: targetTables[table] })
    }
  }
  const found: PathDependency[] = []
  for (const { table, dev, entries } of tables) {
    for (const [key, spec] of Object.entries(entries)) {
      const name = isRecord(spec) && typeof spec.package === 'string' ? spec.package : key
      let directory: string | undefined
      if (isRecord(spec) && typeof spec.path === 'string') {
        directory = repositoryPath(crate.directory, spec.path)
        if (directory === undefined) {
          notices.push(fileProblem({ file: crate.file, ...tomlKeyPosition(crate.text, table, key) }, `the path of "${key}" leads outside the repository; no dependency is inferred from it`))
        }
      } else if (isRecord(spec) && spec.workspace === true) {
        directory = shared.get(key) ?? patches.get(name)
      } else {
        directory = patches.get(name)
      }
      if (directory !== undefined) found.push({ name: key, table, dev, directory })
    }
  }
  return found
}

/**
 * Where `key` is written under `[table]` (or as its own `[table.key]`): TOML parsers keep no
 * positions, and Cargo's tables are written one key per line, so a scan of the lines finds it.
 * Quotes and spaces in headers are ignored (`[target.'cfg(unix)'.dependencies]`); the fallback is
 * the table's header, then the first line.
 */
export function tomlKeyPosition(text: string, table: string, key: string): { line: number; column: number } {
  const lines = text.split('\n')
  const plain = (header: string) => header.replace(/["'\s]/g, '')
  const wanted = plain(table)
  let current = ''
  let headerAt: { line: number; column: number } | undefined
  for (let index = 0; index < lines.length; index++) {
    const header = /^\s*\[([^[\]]+)\]/.exec(lines[index])
    if (header !== null) {
      current = plain(header[1])
      if (current === `${wanted}.${plain(key)}`) return { line: index + 1, column: lines[index].indexOf('[') + 1 }
      if (current === wanted) headerAt ??= { line: index + 1, column: lines[index].indexOf('[') + 1 }
      continue
    }
    if (current !== wanted) continue
    const entry = /^(\s*)(["']?)([^"'=.\s]+)\2\s*[.=]/.exec(lines[index])
    if (entry !== null && entry[3] === key) return { line: index + 1, column: entry[1].length + 1 }
  }
  return headerAt ?? { line: 1, column: 1 }
}
