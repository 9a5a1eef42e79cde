import { readFile, stat } from 'node:fs/promises'
import { outsideMessage, resolveInside } from '../containment/index.js'
import { ManifestError } from './errors.js'

/** The text of `path`, or undefined when it is not a regular file. */
export async function readFileIfPresent(path: string): Promise<string | undefined> {
  return (await isFile(path)) ? readFile(path, 'utf8') : undefined
}

/**
 * The text of the repository file `file` (relative to `root`: a manifest, compose file or
 * workspace file), or undefined when it is not a regular file. One that is a symbolic link out
 * of the repository is a `ManifestError` naming the link, and is not read.
 */
export async function readRepositoryFile(root: string, file: string): Promise<string | undefined> {
  const resolution = resolveInside(root, file)
  if (resolution.kind === 'outside') {
    throw new ManifestError([{ file, line: 0, column: 0, keyPath: '', message: outsideMessage(file, resolution, 'repository') }])
  }
  return resolution.kind === 'inside' ? readFileIfPresent(resolution.real) : undefined
}

export async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false)
}
