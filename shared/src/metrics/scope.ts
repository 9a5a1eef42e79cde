import type { Manifest } from '../config/types.js'
import { didYouMean } from '../config/suggest.js'
import type { MetricsScope } from './types.js'

export interface ScopeFilter {
  /** Only these environments (default every one the manifest declares). */
  environments?: readonly string[]
  /** Only these services (default every one). */
  services?: readonly string[]
  /** How the filters are named in errors (`--env`, input 'environments'). */
  names?: { environments: string; services: string }
}

/**
 * What the metrics measure, from the manifest: its environments in order, each with the services
 * that have deploy settings there and the gated environments that require it directly. Unknown
 * names in the filters are errors.
 */
export function metricsScope(manifest: Manifest, filter: ScopeFilter = {}): MetricsScope {
  const names = filter.names ?? { environments: 'environment', services: 'service' }
  const environments = Object.keys(manifest.environments)
  const services = Object.keys(manifest.services)
  for (const name of filter.environments ?? []) {
    if (!environments.includes(name)) throw new Error(`${names.environments} ${name} is not an environment in ${manifest.source}${didYouMean(name, environments)}`)
  }
  for (const name of filter.services ?? []) {
    if (!services.includes(name)) throw new Error(`${names.services} ${name} is not a service in ${manifest.source}${didYouMean(name, services)}`)
  }
  const measured = services.filter((name) => filter.services === undefined || filter.services.length === 0 || filter.services.includes(name))
  return {
    environments: environments
      .filter((name) => filter.environments === undefined || filter.environments.length === 0 || filter.environments.includes(name))
      .map((name) => ({
        name,
        services: measured.filter((service) => Object.hasOwn(manifest.services[service].deploy, name)),
        gatedBy: environments.filter((other) => manifest.environments[other].gate !== undefined && manifest.environments[other].requires.includes(name))
      })),
    known: environments,
    services: measured,
    knownServices: services
  }
}
