import type { RegistryCredentials } from './auth.js'
import { credentialsFromDockerConfig } from './docker-config.js'

/** Where a registry login may come from: the `registry-username`/`registry-password` inputs, the workflow token, the docker config. */
export interface CredentialSources {
  registry: string
  username?: string
  password?: string
  /** GITHUB_TOKEN, which GHCR accepts as a password for the workflow's actor. */
  token?: string
  actor?: string
  env?: NodeJS.ProcessEnv
}

/**
 * The login for a registry: explicit username/password first; for ghcr.io the workflow token
 * (so GHCR works with no setup); else the docker config (`docker login` done earlier in the job
 * or on a laptop); else none, which suits open registries and pulls of public images.
 */
export async function resolveCredentials(sources: CredentialSources): Promise<RegistryCredentials | undefined> {
  if (sources.password !== undefined) {
    return { username: sources.username ?? sources.actor ?? 'flotilla', password: sources.password }
  }
  if (sources.username !== undefined) throw new Error('registry-username is set but registry-password is empty')
  if (sources.registry === 'ghcr.io' && sources.token !== undefined) {
    return { username: sources.actor ?? 'github-actions', password: sources.token }
  }
  return credentialsFromDockerConfig(sources.registry, sources.env)
}
