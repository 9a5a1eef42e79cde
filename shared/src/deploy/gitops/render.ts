import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { basename, delimiter, dirname, join } from 'node:path'
import { exec } from '../../exec/index.js'

/** A check of the edited file in its checkout, run before anything is committed; throws to stop the deploy. */
export type ManifestCheck = (edited: { repoDir: string; file: string }) => Promise<void>

/** The file names kustomize reads as a kustomization. */
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization'])

export class RenderError extends Error {
  constructor(
    readonly file: string,
    readonly output: string
  ) {
    super(`kubectl kustomize cannot render ${file} after the edit; nothing was pushed: ${output.trim().split('\n').slice(-5).join(' / ')}`)
    this.name = 'RenderError'
  }
}

/**
 * Renders an edited kustomization with `kubectl kustomize <dir>` when kubectl is on PATH, so an
 * edit that breaks the overlay fails the deploy instead of the cluster's sync. Other files, and
 * machines without kubectl, pass unchecked.
 */
export function kustomizeRenderCheck(options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): ManifestCheck {
  const env = options.env ?? process.env
  return async ({ repoDir, file }) => {
    if (!KUSTOMIZATION_FILES.has(basename(file))) return
    const kubectl = await findExecutable('kubectl', env.PATH ?? '')
    if (kubectl === undefined) return
    const result = await exec([kubectl, 'kustomize', dirname(join(repoDir, file))], {
      env,
      timeoutMs: options.timeoutMs ?? 60_000,
      allowFailure: true
    })
    if (result.exitCode !== 0) throw new RenderError(file, result.timedOut ? 'timed out' : result.stderr)
  }
}

/** The first executable named `name` in a PATH-style list of directories. */
export async function findExecutable(name: string, searchPath: string): Promise<string | undefined> {
  for (const directory of searchPath.split(delimiter)) {
    if (directory === '') continue
    const candidate = join(directory, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}
