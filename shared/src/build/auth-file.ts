import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DOCKER_HUB } from '../image/reference.js'
import type { RegistryCredentials } from '../registry/auth.js'

/** Docker's config keys Docker Hub logins by its old index address. */
const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/'

/**
 * Runs `work` with a private docker-style `config.json` holding one registry login, then deletes
 * it. Builders read it (`DOCKER_CONFIG` for docker, `--authfile` for buildah and podman), so the
 * password never reaches argv, and no login lingers in the user's own docker config.
 */
export async function withAuthFile<T>(
  registry: string,
  credentials: RegistryCredentials | undefined,
  work: (authFile: string | undefined) => Promise<T>
): Promise<T> {
  if (credentials === undefined) return work(undefined)
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-auth-'))
  try {
    const file = join(dir, 'config.json')
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')
    const key = registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry
    await writeFile(file, JSON.stringify({ auths: { [key]: { auth } } }), { mode: 0o600 })
    return await work(file)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
