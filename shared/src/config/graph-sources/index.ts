/**
 * Graph sources: the dependency graphs users already maintain for their build tools, read as
 * plain data. Each source reads through `RepositoryFiles` (which keeps every read inside the
 * repository) and returns packages with their dependencies; inferring the manifest's edges from
 * them is pure (`../workspaces.ts`).
 */
import { readCargoWorkspace } from './cargo.js'
import { repositoryFiles } from './files.js'
import { readGoModules } from './go.js'
import { readGradleBuilds } from './gradle.js'
import { readMavenModules } from './maven.js'
import { readNpmWorkspace } from './npm.js'
import { readNxWorkspace } from './nx.js'
import { fileProblem } from './text.js'
import type { GraphSource, GraphSourceName, GraphSourceResult, RepositoryFiles } from './types.js'

export type * from './types.js'

export const GRAPH_SOURCES: Readonly<Record<GraphSourceName, GraphSource>> = {
  npm: readNpmWorkspace,
  go: readGoModules,
  cargo: readCargoWorkspace,
  nx: readNxWorkspace,
  maven: readMavenModules,
  gradle: readGradleBuilds
}

/** Every source at once, over the same files; their packages, problems and notices together, in source order. */
export async function readGraphSources(files: RepositoryFiles, starts: readonly string[]): Promise<GraphSourceResult> {
  const results = await Promise.all(Object.values(GRAPH_SOURCES).map((source) => source({ files, starts })))
  return {
    packages: results.flatMap((result) => result.packages),
    problems: results.flatMap((result) => result.problems),
    notices: results.flatMap((result) => result.notices)
  }
}

/** The graph sources of the repository at `root`; a file reached through a symbolic link that leaves it is not read, and said so. */
export async function readRepositoryGraph(root: string, starts: readonly string[]): Promise<GraphSourceResult> {
  const files = repositoryFiles(root)
  const result = await readGraphSources(files, starts)
  const refused = [...new Set(files.refused)].map((file) =>
    fileProblem({ file, line: 0, column: 0 }, 'leads outside the repository through a symbolic link; not read')
  )
  return { ...result, notices: [...result.notices, ...refused] }
}
