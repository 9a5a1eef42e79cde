import type { EnvironmentConfig, Manifest } from '../config/types.js'
import { parseGateConfig } from '../gate/config.js'
import { MATRIX_LIMIT } from './limits.js'

/**
 * The order a commit travels through the environments: `waves[0]` holds the environments that
 * require none, and every other environment sits one wave after the last environment it requires.
 * Environments in one wave are independent of each other, so a workflow deploys them side by side.
 */
export interface Promotion {
  /** Environment names per wave, each wave in manifest order. */
  waves: string[][]
  /** Environments that declare a `gate`, in manifest order: promotion into them waits for it. */
  gated: string[]
}

/**
 * Layers the environments by `requires` (longest path from an environment that requires none).
 * Pure; the manifest loader has already rejected unknown names and cycles, so an unknown
 * requirement is ignored here and a cycle is an error only as a guard.
 */
export function promotionOrder(environments: Record<string, Pick<EnvironmentConfig, 'requires' | 'gate'>>): Promotion {
  const names = Object.keys(environments)
  const wave = new Map<string, number>()
  const visiting = new Set<string>()
  const waveOf = (name: string): number => {
    const known = wave.get(name)
    if (known !== undefined) return known
    if (visiting.has(name)) throw new Error(`environment cycle through ${name}`)
    visiting.add(name)
    const required = environments[name].requires.filter((other) => Object.hasOwn(environments, other))
    const index = required.length === 0 ? 0 : Math.max(...required.map(waveOf)) + 1
    visiting.delete(name)
    wave.set(name, index)
    return index
  }
  const waves: string[][] = []
  for (const name of names) (waves[waveOf(name)] ??= []).push(name)
  return { waves, gated: names.filter((name) => environments[name].gate !== undefined) }
}

/** The promotion path through the deepest wave, as people read it: `dev → staging → production`. */
export function describePromotion(waves: string[][]): string {
  return waves.map((wave) => (wave.length === 1 ? wave[0] : `{${wave.join(', ')}}`)).join(' → ')
}

/**
 * One environment's share of a promotion step: at most 256 services, GitHub's matrix limit. Only
 * names: a job's outputs are capped at 1 MB (counted as UTF-16), and a deploy job finds the rest
 * (image name, target) in flotilla.yml.
 */
export interface DeployShard {
  environment: string
  /** `1/1`, or `2/8` when the environment's services fill several shards; for job names. */
  part: string
  services: string[]
}

/** One wave of the promotion, with what the selected services need in it. */
export interface PromotionStep {
  environments: string[]
  /** Environments of this step that declare a gate and receive at least one selected service. */
  gated: string[]
  /** A matrix for `fromJSON`: one entry per environment and shard; empty when nothing deploys here. */
  deploy: { include: DeployShard[] }
}

/**
 * What each promotion step deploys: the selected services that have deploy settings for each of
 * its environments, in manifest order. A step is kept even when it deploys nothing, so the step
 * count (and a workflow's limit on it) does not depend on the change.
 */
export function promotionSteps(manifest: Pick<Manifest, 'environments' | 'services'>, selected: string[]): PromotionStep[] {
  const { waves } = promotionOrder(manifest.environments)
  return waves.map((environments) => {
    const include: DeployShard[] = []
    const receiving: string[] = []
    for (const environment of environments) {
      const names = selected.filter((name) => manifest.services[name] !== undefined && Object.hasOwn(manifest.services[name].deploy, environment))
      if (names.length > 0) receiving.push(environment)
      const shards = chunks(names, MATRIX_LIMIT)
      shards.forEach((services, index) => include.push({ environment, part: `${index + 1}/${shards.length}`, services }))
    }
    const gated = receiving.filter((environment) => manifest.environments[environment].gate !== undefined)
    return { environments, gated, deploy: { include } }
  })
}

/** `items` in order, in chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size))
  return result
}

/**
 * Gate criteria that cannot pass where a pipeline evaluates them: before the gated environment is
 * deployed, and after only the environments it requires (transitively). A `soak` needs one of
 * those, and a `deployment` may only name them. Pure, from the manifest alone.
 */
export function promotionWarnings(environments: Record<string, Pick<EnvironmentConfig, 'requires' | 'gate'>>): string[] {
  const warnings: string[] = []
  const before = (name: string, seen = new Set<string>()): Set<string> => {
    for (const required of environments[name]?.requires ?? []) {
      if (!seen.has(required)) {
        seen.add(required)
        before(required, seen)
      }
    }
    return seen
  }
  for (const [name, environment] of Object.entries(environments)) {
    if (environment.gate === undefined) continue
    const { gate } = parseGateConfig(environment.gate, `environments.${name}.gate`, { addressFromRun: true })
    const earlier = before(name)
    for (const criterion of gate?.criteria ?? []) {
      if (criterion.kind === 'soak' && environment.requires.length === 0) {
        warnings.push(`environments.${name}.gate.soak: ${name} requires no environment, so no deployment of the commit exists when its gate runs; soak counts from the environments it requires`)
      }
      if (criterion.kind === 'deployment') {
        for (const named of criterion.environments.filter((other) => !earlier.has(other))) {
          warnings.push(`environments.${name}.gate.deployment: ${named} is not deployed before ${name} (it is not among what ${name} requires), so this criterion cannot pass when the gate runs; add ${named} to requires`)
        }
      }
    }
  }
  return warnings
}
