import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { credentialsFromDockerConfig } from '../../../shared/src/registry/docker-config.js'

const base64 = (text: string) => Buffer.from(text).toString('base64')

describe('credentialsFromDockerConfig', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-docker-config-'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const writeConfig = (config: unknown, at = dir) => writeFile(join(at, 'config.json'), JSON.stringify(config))

  it('decodes the auth entry of the host from $DOCKER_CONFIG', async () => {
    await writeConfig({ auths: { 'ghcr.io': { auth: base64('octocat:pa:ss') }, '127.0.0.1:5000': { auth: base64('a:b') } } })
    expect(await credentialsFromDockerConfig('ghcr.io', { DOCKER_CONFIG: dir })).toEqual({ username: 'octocat', password: 'pa:ss' })
    expect(await credentialsFromDockerConfig('127.0.0.1:5000', { DOCKER_CONFIG: dir })).toEqual({ username: 'a', password: 'b' })
  })

  it('matches URL keys and Docker Hub spellings', async () => {
    await writeConfig({
      auths: {
        'https://index.docker.io/v1/': { username: 'hubuser', password: 'hubpass' },
        'https://Registry.Example.com': { auth: base64('u:p') }
      }
    })
    expect(await credentialsFromDockerConfig('docker.io', { DOCKER_CONFIG: dir })).toEqual({ username: 'hubuser', password: 'hubpass' })
    expect(await credentialsFromDockerConfig('registry.example.com', { DOCKER_CONFIG: dir })).toEqual({ username: 'u', password: 'p' })
  })

  it('reads ~/.docker/config.json when DOCKER_CONFIG is unset', async () => {
    await mkdir(join(dir, '.docker'))
    await writeConfig({ auths: { 'ghcr.io': { auth: base64('me:token') } } }, join(dir, '.docker'))
    expect(await credentialsFromDockerConfig('ghcr.io', { HOME: dir })).toEqual({ username: 'me', password: 'token' })
  })

  it('finds nothing without a file or an entry for the host', async () => {
    expect(await credentialsFromDockerConfig('ghcr.io', { DOCKER_CONFIG: dir })).toBeUndefined()
    await writeConfig({ auths: { 'ghcr.io.evil.example': { auth: base64('x:y') } }, credsStore: 'desktop' })
    expect(await credentialsFromDockerConfig('ghcr.io', { DOCKER_CONFIG: dir })).toBeUndefined()
  })

  it('names a malformed entry without showing its value', async () => {
    const secret = base64('no-colon-secret')
    await writeConfig({ auths: { 'ghcr.io': { auth: secret } } })
    const error = await credentialsFromDockerConfig('ghcr.io', { DOCKER_CONFIG: dir }).catch((caught: Error) => caught)
    const message = (error as Error).message
    expect(message).toBe(`docker config ${join(dir, 'config.json')} auths["ghcr.io"].auth is not the base64 of user:password`)
    expect(message).not.toContain(secret)
    expect(message).not.toContain('no-colon-secret')
  })

  it('rejects a config that is not JSON', async () => {
    await writeFile(join(dir, 'config.json'), '{ auths: ')
    await expect(credentialsFromDockerConfig('ghcr.io', { DOCKER_CONFIG: dir })).rejects.toThrow(`docker config ${join(dir, 'config.json')} is not valid JSON`)
  })
})
