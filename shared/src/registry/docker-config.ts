import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { RegistryCredentials } from './auth.js'

/** Names docker's config.json may file Docker Hub logins under. */
const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])

interface DockerConfigEntry {
  auth?: unknown
  username?: unknown
  password?: unknown
}

/**
 * The login `docker login` stored for `host` (host[:port]) in `$DOCKER_CONFIG/config.json`, or
 * `~/.docker/config.json` when DOCKER_CONFIG is unset: the `auth` field (base64 of
 * `user:password`) or `username` and `password` fields. Undefined when there is no file or no
 * entry for the host; logins kept by credential helpers (`credsStore`, `credHelpers`) are not read.
 */
export async function credentialsFromDockerConfig(
  host: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<RegistryCredentials | undefined> {
  const file = env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(env.HOME || homedir(), '.docker', 'config.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  let config: unknown
  try {
    config = JSON.parse(text)
  } catch {
    throw new Error(`docker config ${file} is not valid JSON`)
  }
  const auths = isObject(config) && isObject(config.auths) ? config.auths : {}
  const wanted = configHostName(host)
  const key = Object.keys(auths).find((name) => configHostName(name) === wanted)
  if (key === undefined || !isObject(auths[key])) return undefined
  return entryCredentials(auths[key] as DockerConfigEntry, `${file} auths[${JSON.stringify(key)}]`)
}

function entryCredentials(entry: DockerConfigEntry, where: string): RegistryCredentials | undefined {
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    // The message names the entry only: its value is the secret.
    if (colon <= 0) throw new Error(`docker config ${where}.auth is not the base64 of user:password`)
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username !== '') {
    return { username: entry.username, password: entry.password }
  }
  return undefined
}

/** Config keys may be bare hosts or URLs (`https://index.docker.io/v1/`); compares them as hosts. */
function configHostName(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase()
  return DOCKER_HUB_NAMES.has(host) ? 'docker.io' : host
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
