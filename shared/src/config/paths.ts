import { posix } from 'node:path'
import picomatch from 'picomatch'

/**
 * Repository paths and patterns as the manifest stores them: POSIX, relative to the root, no
 * leading `./`, no trailing `/`, `.` for the root itself.
 */
export type NormalisedPath = { ok: true; path: string } | { ok: false; reason: string }

/** Normalise a repository-relative path, or say why it is not one (absolute, or leaving the root). */
export function normalisePath(raw: string): NormalisedPath {
  if (raw.trim() === '') return { ok: false, reason: 'is empty' }
  if (isAbsolute(raw)) return { ok: false, reason: `"${raw}" is absolute; paths are relative to the repository root` }
  const normalised = posix.normalize(raw).replace(/\/+$/, '')
  if (normalised === '..' || normalised.startsWith('../')) {
    return { ok: false, reason: `"${raw}" escapes the repository` }
  }
  return { ok: true, path: normalised === '' ? '.' : normalised }
}

/** Like `normalisePath` for a glob pattern, keeping a leading `!` (exclusion). */
export function normalisePattern(raw: string): NormalisedPath {
  const negated = raw.startsWith('!')
  const result = normalisePath(negated ? raw.slice(1) : raw)
  return result.ok && negated ? { ok: true, path: `!${result.path}` } : result
}

/** `base/relative`, normalised; `relative` must itself stay inside the repository once joined. */
export function joinPath(base: string, relative: string): NormalisedPath {
  if (isAbsolute(relative)) return { ok: false, reason: `"${relative}" is absolute; paths are relative to the repository root` }
  const joined = normalisePath(posix.join(base, relative))
  return joined.ok ? joined : { ok: false, reason: `"${relative}" escapes the repository` }
}

/** The pattern that owns everything under a directory: `dir/**`, or `**` for the root. */
export function ownershipPattern(directory: string): string {
  return directory === '.' ? '**' : `${directory}/**`
}

function isAbsolute(raw: string): boolean {
  return raw.startsWith('/') || raw.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(raw) || raw === '~' || raw.startsWith('~/')
}

/**
 * The directory a glob's matches all lie under: its part before the first glob character
 * (`reports` for `reports/*.xml`, `''` for `**` + `/junit.xml`), or the directory of a pattern
 * without one (`reports` for `reports/junit.xml`). Only it, and what lies under it, is walked.
 */
export function globBase(glob: string): string {
  const scanned = picomatch.scan(glob)
  return scanned.isGlob ? scanned.base : posix.dirname(glob).replace(/^\.$/, '')
}
