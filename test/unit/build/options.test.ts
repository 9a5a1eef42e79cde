import { describe, expect, it } from '@jest/globals'
import {
  mergeSecretInputs,
  parseKeyValueLines,
  parseList,
  resolveCredentials,
  secretsFromEnvironment,
  serviceFromInput
} from '../../../shared/src/build/options.js'

describe('serviceFromInput', () => {
  it('takes a name or the service of a matrix entry', () => {
    expect(serviceFromInput('cart')).toBe('cart')
    expect(serviceFromInput('{"service":"cart","path":"src/cart"}')).toBe('cart')
    expect(() => serviceFromInput('{"path":"src/cart"}')).toThrow('no "service" field')
    expect(() => serviceFromInput('{oops')).toThrow('not valid JSON')
  })
})

describe('parseKeyValueLines', () => {
  it('keeps values as written, = included, and skips blanks and comments', () => {
    expect(parseKeyValueLines('A=1\n\n# note\nTOKEN=abc==\n', 'labels')).toEqual({ A: '1', TOKEN: 'abc==' })
    expect(() => parseKeyValueLines('no equals sign', 'labels')).toThrow('labels: expected NAME=value lines')
  })

  it('names a bad line by its number, never by its content (it may be a secret)', () => {
    const error = (() => {
      try {
        parseKeyValueLines('A=1\nnpm_pastedTokenWithoutName\n', 'secrets')
      } catch (caught) {
        return caught as Error
      }
    })()
    expect(error?.message).toBe('secrets: expected NAME=value lines, line 2 has no valid name')
  })

  it('reads comma or line separated lists', () => {
    expect(parseList('linux/amd64, linux/arm64\nlinux/s390x')).toEqual(['linux/amd64', 'linux/arm64', 'linux/s390x'])
  })
})

describe('build secrets from inputs and flags', () => {
  it('merges the secrets input with its former name, and refuses a name given in both', () => {
    expect(mergeSecretInputs([{ name: 'secrets', secrets: { A: '1' } }, { name: 'secret-build-args', secrets: { B: '2' } }])).toEqual({ A: '1', B: '2' })
    expect(() => mergeSecretInputs([{ name: 'secrets', secrets: { A: '1' } }, { name: 'secret-build-args', secrets: { A: '2' } }])).toThrow(
      'build secret A is given in both secrets and secret-build-args: give it once'
    )
  })

  it('reads --secret NAME from the environment, and refuses a value on the command line without echoing it', () => {
    expect(secretsFromEnvironment(['NPM_TOKEN'], { NPM_TOKEN: 'npm_x' })).toEqual({ NPM_TOKEN: 'npm_x' })
    expect(() => secretsFromEnvironment(['NPM_TOKEN=npm_onTheCommandLine'], {})).toThrow('--secret NPM_TOKEN=…: give the name only')
    expect(() => secretsFromEnvironment(['NPM_TOKEN=npm_onTheCommandLine'], {})).not.toThrow(/npm_onTheCommandLine/)
    expect(() => secretsFromEnvironment(['NPM_TOKEN'], {})).toThrow('--secret NPM_TOKEN: the environment variable NPM_TOKEN is not set')
    expect(() => secretsFromEnvironment(['a,b'], { 'a,b': 'x' })).toThrow('not a valid name')
  })
})

describe('resolveCredentials', () => {
  const noDockerConfig = { DOCKER_CONFIG: '/nonexistent' }

  it('prefers explicit credentials, then the token for ghcr.io, else the docker config', async () => {
    expect(await resolveCredentials({ registry: 'ghcr.io', username: 'bot', password: 'pw', token: 't' })).toEqual({ username: 'bot', password: 'pw' })
    expect(await resolveCredentials({ registry: 'ghcr.io', token: 'ghs_x', actor: 'octocat', env: noDockerConfig })).toEqual({
      username: 'octocat',
      password: 'ghs_x'
    })
    expect(await resolveCredentials({ registry: 'registry.example.com', token: 'ghs_x', env: noDockerConfig })).toBeUndefined()
  })

  it('refuses a username without a password', async () => {
    await expect(resolveCredentials({ registry: 'ghcr.io', username: 'bot' })).rejects.toThrow('registry-password is empty')
  })
})
