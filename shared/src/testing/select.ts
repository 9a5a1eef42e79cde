import type { Manifest } from '../config/types.js'
import { isTestable, type TestableService } from './run.js'

export interface TestSelection {
  services: TestableService[]
  /** Services asked for by name that have no test command. */
  withoutTests: string[]
}

/**
 * The services to test, in manifest order: those named (an unknown name is an error, naming the
 * known ones), or every service with a test command when none are named.
 */
export function selectTestServices(manifest: Manifest, names?: readonly string[]): TestSelection {
  const all = Object.values(manifest.services)
  if (names === undefined || names.length === 0) return { services: all.filter(isTestable), withoutTests: [] }
  const unknown = names.filter((name) => !(name in manifest.services))
  if (unknown.length > 0) {
    throw new Error(`unknown ${unknown.length === 1 ? 'service' : 'services'} ${unknown.map((name) => `'${name}'`).join(', ')}; the manifest has ${Object.keys(manifest.services).join(', ')}`)
  }
  const wanted = new Set(names)
  const chosen = all.filter((service) => wanted.has(service.name))
  return { services: chosen.filter(isTestable), withoutTests: chosen.filter((service) => !isTestable(service)).map((service) => service.name) }
}

/** The `services` input: a JSON array of names (detect's output) or one plain name. */
export function parseServiceNames(text: string): string[] {
  const trimmed = text.trim()
  if (!trimmed.startsWith('[')) return [trimmed]
  let parsed: unknown
  try {
    parsed = JSON.parse(trimmed)
  } catch (error) {
    throw new Error(`services is not a JSON array: ${(error as Error).message}`)
  }
  if (!Array.isArray(parsed) || !parsed.every((name) => typeof name === 'string' && name !== '')) {
    throw new Error('services must be a JSON array of service names')
  }
  return parsed
}

/** The service of one detect matrix entry (`toJSON(matrix)`). */
export function parseMatrixEntry(text: string): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new Error(`matrix-entry is not JSON: ${(error as Error).message}`)
  }
  const service = (parsed as { service?: unknown } | null)?.service
  if (typeof service !== 'string' || service === '') throw new Error('matrix-entry has no "service" (pass toJSON(matrix) of a detect matrix job)')
  return service
}
