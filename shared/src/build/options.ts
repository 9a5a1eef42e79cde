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

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/

/**
 * `NAME=value` lines (blank lines and `#` comments skipped); the value may hold '=' and is kept as
 * written. An error names the line by number, never by content: the values may be secrets.
 */
export function parseKeyValueLines(text: string, what: string): Record<string, string> {
  const pairs: Record<string, string> = {}
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const at = line.indexOf('=')
    const name = at === -1 ? '' : line.slice(0, at).trim()
    if (!NAME.test(name)) throw new Error(`${what}: expected NAME=value lines, line ${index + 1} has no valid name`)
    pairs[name] = line.slice(at + 1)
  }
  return pairs
}

/** Build secrets given under several names (an input and its former name): one map, a name given twice is an error. */
export function mergeSecretInputs(inputs: ReadonlyArray<{ name: string; secrets: Readonly<Record<string, string>> }>): Record<string, string> {
  const merged: Record<string, string> = {}
  const from = new Map<string, string>()
  for (const input of inputs) {
    for (const [id, value] of Object.entries(input.secrets)) {
      const earlier = from.get(id)
      if (earlier !== undefined) throw new Error(`build secret ${id} is given in both ${earlier} and ${input.name}: give it once`)
      from.set(id, input.name)
      merged[id] = value
    }
  }
  return merged
}

/**
 * `--secret NAME` flags: each secret's value comes from the environment variable of that name,
 * never from the command line (where `ps` shows it to everyone on the machine).
 */
export function secretsFromEnvironment(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const secrets: Record<string, string> = {}
  for (const name of names) {
    if (name.includes('=')) {
      throw new Error(`--secret ${name.slice(0, name.indexOf('='))}=…: give the name only; the value is read from the environment variable of that name, never from the command line`)
    }
    if (!NAME.test(name)) throw new Error(`--secret ${JSON.stringify(name)}: not a valid name (letters, digits, '_', '.', '-')`)
    const value = env[name]
    if (value === undefined) throw new Error(`--secret ${name}: the environment variable ${name} is not set`)
    secrets[name] = value
  }
  return secrets
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
