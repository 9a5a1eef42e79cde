/** An environment's gate: the manifest's, with criteria given at run time (an action input) over it. */
import { parse } from 'yaml'
import type { Manifest } from '../config/types.js'
import { didYouMean } from '../config/suggest.js'
import { parseGateConfig, type GateParseOptions } from './config.js'
import type { DeploymentScope, GateConfig } from './types.js'

/** Where an override's problems are reported from. */
export const OVERRIDE_KEY_PATH = 'gate override'

/**
 * `override` is a YAML (or JSON) mapping with the keys of `environments.<env>.gate`; each of its
 * top-level keys replaces the manifest's (`soak: 5m`, a whole `prometheus:` block, …).
 * `options.prometheusAddress` is the run's Prometheus, for every prometheus and canary criterion.
 */
export function environmentGate(
  manifest: Pick<Manifest, 'source' | 'environments'>,
  environment: string,
  override?: string,
  options: Pick<GateParseOptions, 'prometheusAddress'> = {}
): GateConfig {
  const declared = manifest.environments[environment]
  if (declared === undefined) {
    const known = Object.keys(manifest.environments)
    const hint = known.length === 0 ? '; it declares none' : didYouMean(environment, known)
    throw new Error(`environment "${environment}" is not in ${manifest.source}${hint}`)
  }
  const keyPath = `environments.${environment}.gate`
  const overrides = override === undefined ? undefined : parseOverride(override)
  if (declared.gate === undefined && overrides === undefined) throw new Error(`${keyPath} is not declared in ${manifest.source}: there is nothing to gate on`)
  const { gate, problems } = parseGateConfig({ ...declared.gate, ...overrides }, keyPath, options)
  // A problem in a key the override replaced is the override's, not the manifest's.
  const located = (problemPath: string): string => {
    const rest = problemPath.slice(keyPath.length)
    const key = /^\.([^.[]+)/.exec(rest)?.[1]
    return key !== undefined && overrides !== undefined && key in overrides ? `${OVERRIDE_KEY_PATH}${rest}` : problemPath
  }
  if (gate === undefined) throw new Error(problems.map((problem) => `${located(problem.keyPath)}: ${problem.message}`).join('\n'))
  return gate
}

function parseOverride(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = parse(text)
  } catch (error) {
    throw new Error(`${OVERRIDE_KEY_PATH}: not YAML: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${OVERRIDE_KEY_PATH}: expected a mapping of gate criteria, e.g. "soak: 10m"`)
  return value as Record<string, unknown>
}

/**
 * Where the gate of `environment` looks for this commit's deployments. A gate runs before its own
 * environment is deployed, so `soak` counts from the environments it requires (from itself only
 * when it requires none); with services, each is waited for only where it has deploy settings.
 */
export function gateScope(
  manifest: Pick<Manifest, 'environments' | 'services'>,
  environment: string,
  services?: readonly string[]
): { soakEnvironments: string[]; scope: DeploymentScope } {
  const requires = manifest.environments[environment]?.requires ?? []
  const soakEnvironments = requires.length > 0 ? [...requires] : [environment]
  if (services === undefined) return { soakEnvironments, scope: {} }
  const deploysTo = Object.fromEntries(services.map((service) => [service, Object.keys(manifest.services[service]?.deploy ?? {})]))
  return { soakEnvironments, scope: { services, deploysTo } }
}
