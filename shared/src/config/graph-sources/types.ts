import type { ManifestProblem } from '../types.js'

/**
 * What every graph source returns: the packages a build tool already knows about, with the
 * dependencies among them and where each one is written. Paths are repository-relative, POSIX,
 * normalised (`.` for the root); a dependency always names another package of the same result.
 */
export type GraphSourceName = 'npm' | 'go' | 'cargo' | 'nx' | 'maven' | 'gradle'

/** Where something is written: a file relative to the root, 1-based line and column (0 when unknown). */
export interface SourcePosition {
  file: string
  line: number
  column: number
}

export interface SourceDependency extends SourcePosition {
  /** The dependency as its file names it: a package, module, crate, project or artifact. */
  name: string
  /** The directory of the package it names. */
  directory: string
  /** Where it is declared, e.g. `devDependencies`, `require`, `[dev-dependencies]`, `testImplementation`. */
  via: string
  /** Needed only to develop or test (npm devDependencies, Cargo dev-dependencies, Maven test scope, Gradle test configurations). */
  dev: boolean
}

export interface SourcePackage {
  source: GraphSourceName
  /** Its name in its own ecosystem: `@acme/ui`, `example.com/acme/ui`, `:libs:ui`, `com.acme:ui`. */
  name: string
  directory: string
  /** The file that declares it, e.g. `packages/ui/package.json`. */
  file: string
  dependencies: SourceDependency[]
}

export interface GraphSourceResult {
  packages: SourcePackage[]
  /** Files that cannot be read as their tool would (invalid JSON, TOML or XML), located. */
  problems: ManifestProblem[]
  /** Things left out on purpose, said once each (a dynamic Gradle `include`, a path leaving the repository). */
  notices: ManifestProblem[]
}

/** The repository as a graph source reads it: paths relative to its root, never outside it. */
export interface RepositoryFiles {
  /** The text of a file; undefined when it is missing, not a regular file, or outside the repository. */
  read(path: string): Promise<string | undefined>
  /** The names of a directory's sub-directories and of its files (symbolic links are neither), sorted; empty when it is no directory. */
  list(path: string): Promise<{ directories: string[]; files: string[] }>
}

/** What a source reads from: the files, and the directories of the manifest's libraries and services that want edges. */
export interface GraphSourceInput {
  files: RepositoryFiles
  starts: readonly string[]
}

export type GraphSource = (input: GraphSourceInput) => Promise<GraphSourceResult>
