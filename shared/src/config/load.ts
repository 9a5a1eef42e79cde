import { realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { resolveInside } from '../containment/index.js'
import { discoverServices } from './discover.js'
import { ManifestError } from './errors.js'
import { readFileIfPresent, readRepositoryFile } from './files.js'
import { resolveManifest, type RepositoryPaths } from './resolve.js'
import type { Manifest } from './types.js'
import { validateDocument } from './validate.js'
import { readWorkspace } from './workspaces.js'
import { parseYaml } from './yaml-source.js'

export const MANIFEST_FILES = ['flotilla.yml', 'flotilla.yaml']

export interface LoadOptions {
  /** The manifest file, relative to `root` or absolute; by default `flotilla.yml` or `flotilla.yaml` at the root. */
  file?: string
}

/**
 * The repository's manifest, validated and with defaults filled in; discovered from the
 * repository when there is no manifest file. Throws a `ManifestError` listing every problem.
 */
export async function loadManifest(root: string, options: LoadOptions = {}): Promise<Manifest> {
  const candidates = options.file === undefined ? MANIFEST_FILES : [options.file]
  for (const candidate of candidates) {
    // A manifest in the repository (a pull request's flotilla.yml) must not be a link out of it;
    // a --manifest given outside the repository (absolute, or `../`) is the caller's choice.
    const file = displayName(root, candidate)
    const fromRoot = relative(root, resolve(root, candidate))
    const outside = isAbsolute(candidate) || fromRoot === '..' || fromRoot.startsWith(`..${sep}`)
    const text = outside ? await readFileIfPresent(resolve(root, candidate), file) : await readRepositoryFile(root, candidate)
    if (text !== undefined) return validateManifestText(text, file, root)
  }
  if (options.file !== undefined) {
    throw new ManifestError([{ file: options.file, line: 0, column: 0, keyPath: '', message: 'manifest file not found' }])
  }
  return discoverManifest(root)
}

/**
 * Validate manifest text as if read from `file` (the name used in problems and `source`);
 * paths are checked against the repository at `root`.
 */
export async function validateManifestText(text: string, file: string, root: string): Promise<Manifest> {
  const parsed = parseYaml(text, file)
  if ('problems' in parsed) throw new ManifestError(parsed.problems)
  const { manifest, locations, problems } = validateDocument(parsed.source)
  const { workspace, problems: workspaceProblems } = await readWorkspace(root, manifest)
  return resolveManifest(
    { raw: manifest, locations, problems: [...problems, ...workspaceProblems], source: file, workspace },
    repositoryPaths(root)
  )
}

/** A manifest made from docker-compose build contexts or service directories with Dockerfiles. */
export async function discoverManifest(root: string): Promise<Manifest> {
  const discovered = await discoverServices(root)
  if (discovered === undefined) {
    throw new ManifestError([
      {
        file: MANIFEST_FILES[0],
        line: 0,
        column: 0,
        keyPath: '',
        message:
          'no flotilla.yml and nothing to discover: no docker-compose.yml, docker-compose.yaml, compose.yml or compose.yaml ' +
          'with a build: context, and no directory under services/, apps/ or src/ holding a Dockerfile'
      }
    ])
  }
  const { workspace, problems } = await readWorkspace(root, discovered.raw)
  return resolveManifest(
    { ...discovered, problems: [...discovered.problems, ...problems], workspace },
    repositoryPaths(root)
  )
}

/** The repository as the checks see it: symbolic links followed, and refused where they lead out of the root. */
function repositoryPaths(root: string): RepositoryPaths {
  const realRoot = realpathSync.native(root)
  return { resolve: (path) => resolveInside(root, path, realRoot) }
}

/** How problems name the manifest: relative to the root when it lies inside, else as given. */
function displayName(root: string, file: string): string {
  if (!isAbsolute(file)) return file
  const inside = relative(root, file)
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside.split(sep).join('/')
}

