import { posix } from 'node:path'
import picomatch from 'picomatch'
import type { ManifestProblem } from '../types.js'
import { mapConcurrent, walkDirectories } from './files.js'
import { packageJsonDependencies, type PackageJson } from './npm.js'
import { fileProblem, jsonLocator, parseJsonFile } from './text.js'
import type { GraphSource, SourceDependency, SourcePackage } from './types.js'

const PURPOSE = 'infer Nx project dependencies'

interface NxProject {
  directory: string
  file: string
  name: string
  tags: string[]
  implicit: Array<{ item: string; line: number; column: number }>
  packageJson?: PackageJson
}

/**
 * Nx (a root nx.json): every project.json in the repository is a project, named by its `name`,
 * else by the package.json beside it, else by its directory's name (as Nx does). A project depends
 * on the projects its `implicitDependencies` name (names, globs, `tag:<tag>`; `!name` removes a
 * dependency) and on those whose package.json name its package.json lists in any dependency section.
 */
export const readNxWorkspace: GraphSource = async ({ files }) => {
  if ((await files.read('nx.json')) === undefined) return { packages: [], problems: [], notices: [] }
  const problems: ManifestProblem[] = []
  const directories = (await walkDirectories(files, '.', Infinity, true)).filter((entry) => entry.files.includes('project.json'))
  const read = await mapConcurrent(directories, async ({ directory, files: names }): Promise<NxProject | undefined> => {
    const file = posix.join(directory, 'project.json')
    const packageFile = posix.join(directory, 'package.json')
    const [text, packageText] = await Promise.all([files.read(file), names.includes('package.json') ? files.read(packageFile) : undefined])
    if (text === undefined) return undefined
    const project = parseJsonFile(text, file, PURPOSE)
    const packageJson = packageText === undefined ? undefined : parseJsonFile(packageText, packageFile, PURPOSE)
    if (!project.ok) problems.push(project.problem)
    if (packageJson?.ok === false) problems.push(packageJson.problem)
    if (!project.ok) return undefined
    const locate = jsonLocator(text)
    const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [])
    const packageName = packageJson?.ok ? packageJson.data.name : undefined
    return {
      directory,
      file,
      name: typeof project.data.name === 'string' ? project.data.name : typeof packageName === 'string' ? packageName : posix.basename(directory).toLowerCase(),
      tags: strings(project.data.tags),
      implicit: strings(project.data.implicitDependencies).map((item) => ({ item, ...locate('implicitDependencies', item, false) })),
      ...(packageJson?.ok ? { packageJson: { directory, file: packageFile, text: packageJson.text, data: packageJson.data } } : {})
    }
  })
  const projects = read.filter((project): project is NxProject => project !== undefined)
  const { packages, notices } = linkNxProjects(projects)
  return { packages, problems, notices }
}

function linkNxProjects(projects: readonly NxProject[]): { packages: SourcePackage[]; notices: ManifestProblem[] } {
  const notices: ManifestProblem[] = []
  const byName = new Map<string, NxProject>()
  const byPackageName = new Map<string, NxProject>()
  for (const project of projects) {
    if (!byName.has(project.name)) byName.set(project.name, project)
    const packageName = project.packageJson?.data.name
    if (typeof packageName === 'string' && !byPackageName.has(packageName)) byPackageName.set(packageName, project)
  }
  const packages = projects.map((project): SourcePackage => {
    let dependencies: SourceDependency[] =
      project.packageJson === undefined ? [] : packageJsonDependencies(project.packageJson, (name) => byPackageName.get(name)?.directory)
    for (const { item, line, column } of project.implicit) {
      const at = { file: project.file, line, column }
      const removed = item.startsWith('!')
      const targets = matchProjects(item.replace(/^!/, ''), projects, byName)
      if (targets.length === 0) {
        notices.push(fileProblem(at, `implicitDependencies names "${item}", which matches no Nx project; left out`))
        continue
      }
      const directories = new Set(targets.map((target) => target.directory))
      if (removed) {
        dependencies = dependencies.filter((dependency) => !directories.has(dependency.directory))
        continue
      }
      for (const target of targets) {
        if (target.directory === project.directory) continue
        dependencies.push({ ...at, name: target.name, directory: target.directory, via: 'implicitDependencies', dev: false })
      }
    }
    return { source: 'nx', name: project.name, directory: project.directory, file: project.file, dependencies }
  })
  return { packages, notices }
}

/** The projects an `implicitDependencies` item names: a project name, `tag:<tag>`, or a glob over names. */
function matchProjects(item: string, projects: readonly NxProject[], byName: ReadonlyMap<string, NxProject>): NxProject[] {
  const exact = byName.get(item)
  if (exact !== undefined) return [exact]
  if (item.startsWith('tag:')) return projects.filter((project) => project.tags.includes(item.slice(4)))
  if (!picomatch.scan(item).isGlob) return []
  const matches = picomatch(item)
  return projects.filter((project) => matches(project.name))
}
