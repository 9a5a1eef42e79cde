/** Reading the build's user-facing options (action inputs, CLI flags) into plain data. */
import type { Manifest } from '../config/types.js'

/**
 * The service a build input names: a plain name, or a matrix entry from the plan
 * (`${{ toJSON(matrix) }}`), whose `service` field names it.
 */
export function serviceFromInput(text: string): string {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return trimmed
  let entry: unknown
  try {
    entry = JSON.parse(trimmed)
  } catch {
    throw new Error('service: looks like a matrix entry but is not valid JSON')
  }
  const service = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).service : undefined
  if (typeof service !== 'string' || service === '') throw new Error('service: the matrix entry has no "service" field')
  return service
}

/** `NAME=value` lines (blank lines and `#` comments skipped); the value may hold '=' and is kept as written. */
export function parseKeyValueLines(text: string, what: string): Record<string, string> {
  const pairs: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const at = line.indexOf('=')
    const name = at === -1 ? '' : line.slice(0, at).trim()
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`${what}: expected NAME=value lines, got a line without a valid name`)
    pairs[name] = line.slice(at + 1)
  }
  return pairs
}

/** A list given as commas or lines: `linux/amd64,linux/arm64`. */
export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

export { resolveCredentials, type CredentialSources } from '../registry/credentials.js'

/** The manifest with one service's platforms replaced (an input or flag overriding the manifest), for hashing and building alike. */
export function withPlatforms(manifest: Manifest, service: string, platforms: readonly string[]): Manifest {
  const config = manifest.services[service]
  if (config === undefined || platforms.length === 0) return manifest
  return { ...manifest, services: { ...manifest.services, [service]: { ...config, image: { ...config.image, platforms: [...platforms] } } } }
}
