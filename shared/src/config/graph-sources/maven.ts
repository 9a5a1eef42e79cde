import { posix } from 'node:path'
import { readXml } from '../../testing/reports/xml.js'
import { ReportError } from '../../testing/reports/errors.js'
import type { ManifestProblem } from '../types.js'
import { mapConcurrent, repositoryPath } from './files.js'
import { fileProblem, lineIndex } from './text.js'
import type { GraphSource, SourcePackage, SourcePosition } from './types.js'

/** What Flotilla reads of a pom.xml. */
export interface Pom {
  directory: string
  file: string
  groupId?: string
  artifactId?: string
  parentGroupId?: string
  properties: Map<string, string>
  /** `<module>` entries (also those of `<profiles>`): directories, or pom files, relative to this one. */
  modules: Array<{ path: string } & SourcePosition>
  dependencies: Array<{ groupId?: string; artifactId?: string; scope?: string } & SourcePosition>
}

const DEPENDENCY = /^project(\/profiles\/profile)?\/dependencies\/dependency$/
const MODULE = /^project(\/profiles\/profile)?\/modules\/module$/

/**
 * A pom.xml read with the same XML reader as test reports (entity declarations and external DTDs
 * refused): coordinates, properties, modules, and the project's own `<dependencies>` (not
 * `<dependencyManagement>` or plugin dependencies, which are no module of this build).
 */
export async function readPom(text: string, file: string): Promise<Pom> {
  const pom: Pom = { directory: posix.dirname(file), file, properties: new Map(), modules: [], dependencies: [] }
  const position = lineIndex(text)
  const path: string[] = []
  let buffer = ''
  let dependency: Pom['dependencies'][number] | undefined
  let moduleAt: SourcePosition | undefined
  await readXml([text], file, {
    open(name, _attributes, read) {
      path.push(name)
      buffer = ''
      const joined = path.join('/')
      const at = () => ({ file, ...position(Math.max(0, text.lastIndexOf('<', read - 1))) })
      if (DEPENDENCY.test(joined)) dependency = at()
      if (MODULE.test(joined)) moduleAt = at()
    },
    text(text) {
      buffer += text
    },
    close() {
      const joined = path.join('/')
      const value = buffer.trim()
      if (joined === 'project/groupId') pom.groupId = value
      else if (joined === 'project/artifactId') pom.artifactId = value
      else if (joined === 'project/parent/groupId') pom.parentGroupId = value
      else if (path.length === 3 && joined.startsWith('project/properties/')) pom.properties.set(path[2], value)
      else if (MODULE.test(joined) && moduleAt !== undefined) pom.modules.push({ path: value, ...moduleAt })
      else if (DEPENDENCY.test(joined) && dependency !== undefined) pom.dependencies.push(dependency)
      else if (dependency !== undefined && DEPENDENCY.test(path.slice(0, -1).join('/'))) {
        const field = path[path.length - 1]
        if (field === 'groupId' || field === 'artifactId' || field === 'scope') dependency[field] = value
      }
      path.pop()
      buffer = ''
    }
  })
  return pom
}

/**
 * Maven multi-module builds: the root pom.xml and its `<modules>`, followed down, plus the
 * pom.xml of the manifest's directories. A module depends on the modules its `<dependencies>`
 * name by groupId and artifactId (`${project.groupId}` and the pom's own `<properties>` resolved);
 * `<scope>test</scope>` makes a development dependency. `<parent>` makes no edge: a parent POM is
 * usually the repository root, and a change there is a `global` pattern's job.
 */
export const readMavenModules: GraphSource = async ({ files, starts }) => {
  const problems: ManifestProblem[] = []
  const notices: ManifestProblem[] = []
  const poms = new Map<string, Pom>()
  const seen = new Set<string>()
  let level = [...new Set(['pom.xml', ...starts.map((directory) => posix.join(directory, 'pom.xml'))])]
  while (level.length > 0) {
    level.forEach((file) => seen.add(file))
    const read = await mapConcurrent(level, async (file) => {
      const text = await files.read(file)
      if (text === undefined) return undefined
      try {
        return await readPom(text, file)
      } catch (error) {
        const at = error instanceof ReportError ? { line: error.line ?? 0, column: error.column ?? 0 } : { line: 0, column: 0 }
        const reason = error instanceof ReportError ? error.reason : (error as Error).message
        problems.push(fileProblem({ file, ...at }, `not valid XML (${reason}); needed to infer Maven module dependencies`))
        return undefined
      }
    })
    const next = new Set<string>()
    for (const pom of read) {
      if (pom === undefined) continue
      poms.set(pom.file, pom)
      for (const module of pom.modules) {
        const target = repositoryPath(pom.directory, module.path)
        if (target === undefined) {
          notices.push(fileProblem(module, `module "${module.path}" leads outside the repository; left out`))
          continue
        }
        const file = target.endsWith('.xml') ? target : posix.join(target, 'pom.xml')
        if (!seen.has(file)) next.add(file)
      }
    }
    level = [...next]
  }
  return { packages: linkPoms([...poms.values()]), problems, notices }
}

/** Pure: each pom with coordinates, depending on the others its dependencies name. */
export function linkPoms(poms: readonly Pom[]): SourcePackage[] {
  const coordinates = (pom: Pom) => {
    const groupId = pom.groupId ?? pom.parentGroupId
    return groupId === undefined || pom.artifactId === undefined ? undefined : `${groupId}:${pom.artifactId}`
  }
  const byCoordinates = new Map<string, Pom>()
  for (const pom of poms) {
    const key = coordinates(pom)
    if (key !== undefined && !byCoordinates.has(key)) byCoordinates.set(key, pom)
  }
  return poms.flatMap((pom): SourcePackage[] => {
    const name = coordinates(pom)
    if (name === undefined) return []
    const dependencies = pom.dependencies.flatMap(({ groupId, artifactId, scope, ...at }) => {
      const group = interpolate(groupId, pom)
      const artifact = interpolate(artifactId, pom)
      if (group === undefined || artifact === undefined) return []
      const key = `${group}:${artifact}`
      const target = byCoordinates.get(key)
      if (target === undefined || target.directory === pom.directory) return []
      return [{ ...at, name: key, directory: target.directory, via: `<dependency>${scope === undefined ? '' : ` (${scope})`}`, dev: scope === 'test' }]
    })
    return [{ source: 'maven', name, directory: pom.directory, file: pom.file, dependencies }]
  })
}

/** `${project.groupId}`, `${project.parent.groupId}`, `${project.artifactId}` and the pom's `<properties>`; undefined when something is left unresolved. */
function interpolate(value: string | undefined, pom: Pom): string | undefined {
  if (value === undefined) return undefined
  const known: Record<string, string | undefined> = {
    'project.groupId': pom.groupId ?? pom.parentGroupId,
    'pom.groupId': pom.groupId ?? pom.parentGroupId,
    'project.parent.groupId': pom.parentGroupId,
    'project.artifactId': pom.artifactId
  }
  let unresolved = false
  const result = value.replace(/\$\{([^}]*)\}/g, (_, key: string) => {
    const replacement = Object.hasOwn(known, key) ? known[key] : pom.properties.get(key)
    if (replacement === undefined) unresolved = true
    return replacement ?? ''
  })
  return unresolved ? undefined : result
}
