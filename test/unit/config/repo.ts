import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { ManifestError, type ManifestProblem } from '../../../shared/src/config/index.js'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * A throwaway repository directory: `files` maps relative paths to contents; a path ending in
 * `/` is an empty directory.
 */
export async function makeRepo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'flotilla-config-'))
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) {
      await mkdir(join(root, path), { recursive: true })
    } else {
      await mkdir(dirname(join(root, path)), { recursive: true })
      await writeFile(join(root, path), content)
    }
  }
  return root
}

export async function removeRepo(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true })
}

/** Strip the common indentation so manifests can be written inline in tests. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ''), '')
  const lines = text.replace(/^\n/, '').split('\n')
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length))
  return lines.map((line) => line.slice(indent)).join('\n')
}

/** The problems a rejected load reports; fails the test when the load succeeds or throws something else. */
export async function problemsOf(loading: Promise<unknown>): Promise<ManifestProblem[]> {
  try {
    await loading
  } catch (error) {
    if (error instanceof ManifestError) return error.problems
    throw error
  }
  throw new Error('expected a ManifestError, but the manifest loaded')
}
