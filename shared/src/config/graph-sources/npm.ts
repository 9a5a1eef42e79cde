import { posix } from 'node:path'
import { isRecord } from '../values.js'
import type { ManifestProblem } from '../types.js'
import { parseYaml } from '../yaml-source.js'
import { expandDirectoryPatterns, mapConcurrent } from './files.js'
import { jsonLocator, parseJsonFile } from './text.js'
import type { GraphSource, SourceDependency, SourcePackage } from './types.js'

/** The package.json sections that name other packages, and whether each is only for development. */
export const NPM_DEPENDENCY_SECTIONS: ReadonlyArray<readonly [section: string, dev: boolean]> = [
  ['dependencies', false],
  ['devDependencies', true],
  ['optionalDependencies', false],
  ['peerDependencies', false]
]

const PURPOSE = 'infer workspace dependencies'

/**
 * npm, yarn and pnpm workspaces: the members declared by the root package.json (`workspaces`,
 * as an array or as `{ packages }`) and pnpm-workspace.yaml (`packages`); a member depends on
 * every member its package.json names in any of `NPM_DEPENDENCY_SECTIONS`.
 */
export const readNpmWorkspace: GraphSource = async ({ files }) => {
  const problems: ManifestProblem[] = []
  const patterns: string[] = []
  const [rootText, pnpmText] = await Promise.all([files.read('package.json'), files.read('pnpm-workspace.yaml')])

  if (rootText !== undefined) {
    const root = parseJsonFile(rootText, 'package.json', PURPOSE)
    if (!root.ok) problems.push(root.problem)
    else {
      const declared = root.data.workspaces
      const list = Array.isArray(declared) ? declared : isRecord(declared) && Array.isArray(declared.packages) ? declared.packages : []
      patterns.push(...list.filter((pattern): pattern is string => typeof pattern === 'string'))
    }
  }
  if (pnpmText !== undefined) {
    const parsed = parseYaml(pnpmText, 'pnpm-workspace.yaml')
    if ('problems' in parsed) problems.push(...parsed.problems)
    else {
      const data: unknown = parsed.source.toJS(parsed.source.document.contents)
      if (isRecord(data) && Array.isArray(data.packages)) {
        patterns.push(...data.packages.filter((pattern): pattern is string => typeof pattern === 'string'))
      }
    }
  }
  if (patterns.length === 0) return { packages: [], problems, notices: [] }

  const directories = await expandDirectoryPatterns(files, patterns)
  const manifests = await mapConcurrent(directories, async (directory) => {
    const file = posix.join(directory, 'package.json')
    const text = await files.read(file)
    return text === undefined ? undefined : { directory, parsed: parseJsonFile(text, file, PURPOSE) }
  })
  const members: PackageJson[] = []
  for (const manifest of manifests) {
    if (manifest === undefined) continue
    if (!manifest.parsed.ok) problems.push(manifest.parsed.problem)
    else members.push({ directory: manifest.directory, file: manifest.parsed.file, text: manifest.parsed.text, data: manifest.parsed.data })
  }
  return { packages: linkPackageJsons(members, 'npm'), problems, notices: [] }
}

/** A parsed package.json of a package in `directory`. */
export interface PackageJson {
  directory: string
  file: string
  text: string
  data: Record<string, unknown>
}

/**
 * Packages with a `name`, each depending on the others its dependency sections name (the first
 * package of a name wins; a package never depends on itself).
 */
export function linkPackageJsons(members: readonly PackageJson[], source: SourcePackage['source']): SourcePackage[] {
  const named = members.filter((member) => typeof member.data.name === 'string')
  const byName = new Map<string, PackageJson>()
  for (const member of named) if (!byName.has(member.data.name as string)) byName.set(member.data.name as string, member)
  return named.map((member) => ({
    source,
    name: member.data.name as string,
    directory: member.directory,
    file: member.file,
    dependencies: packageJsonDependencies(member, (name) => byName.get(name)?.directory)
  }))
}

/** The dependencies a package.json names that `directoryOf` knows, in section order, each once. */
export function packageJsonDependencies(member: PackageJson, directoryOf: (name: string) => string | undefined): SourceDependency[] {
  const dependencies: SourceDependency[] = []
  const seen = new Set<string>()
  const locate = jsonLocator(member.text)
  for (const [section, dev] of NPM_DEPENDENCY_SECTIONS) {
    const declared = member.data[section]
    if (!isRecord(declared)) continue
    for (const name of Object.keys(declared)) {
      const directory = directoryOf(name)
      if (directory === undefined || directory === member.directory) continue
      // Named in a run-time and a development section, it gives an edge of each kind: leaving development dependencies out keeps the other.
      const key = `${name}\0${dev}`
      if (seen.has(key)) continue
      seen.add(key)
      dependencies.push({ name, directory, via: section, dev, file: member.file, ...locate(section, name) })
    }
  }
  return dependencies
}
