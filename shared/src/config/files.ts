import { readFile, stat } from 'node:fs/promises'

/** The text of `path`, or undefined when it is not a regular file. */
export async function readFileIfPresent(path: string): Promise<string | undefined> {
  return (await isFile(path)) ? readFile(path, 'utf8') : undefined
}

export async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false)
}
