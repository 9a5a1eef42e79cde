import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { outsideMessage, resolveInside } from '../containment/index.js'
import { ManifestError } from './errors.js'
import { MAX_MANIFEST_FILE_BYTES, oversizeProblem } from './yaml-source.js'

/**
 * The text of `path`, or undefined when it is not a regular file. A file over `MAX_MANIFEST_FILE_BYTES`
 * is refused, named as `file`, before it is read: its size is checked on the opened file and the
 * read stops one byte past the limit, so a file that grows meanwhile is refused too.
 */
export async function readFileIfPresent(path: string, file: string = path): Promise<string | undefined> {
  // Non-blocking, so a FIFO put where a file was expected cannot hang the open; it is refused below.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'ELOOP') return undefined
    throw error
  })
  if (handle === undefined) return undefined
  try {
    const info = await handle.stat()
    if (!info.isFile()) return undefined
    if (info.size > MAX_MANIFEST_FILE_BYTES) throw new ManifestError([oversizeProblem(file, info.size)])
    // Up to one byte past the limit, in case the file grew since the stat.
    const chunks: Buffer[] = []
    let length = 0
    while (length <= MAX_MANIFEST_FILE_BYTES) {
      const wanted = info.size > length ? info.size - length + 1 : 64 * 1024
      const chunk = Buffer.alloc(Math.min(wanted, MAX_MANIFEST_FILE_BYTES + 1 - length))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      length += bytesRead
    }
    if (length > MAX_MANIFEST_FILE_BYTES) throw new ManifestError([oversizeProblem(file, Math.max((await handle.stat()).size, length))])
    return Buffer.concat(chunks, length).toString('utf8')
  } finally {
    await handle.close()
  }
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
  return resolution.kind === 'inside' ? readFileIfPresent(resolution.real, file) : undefined
}

export async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false)
}
