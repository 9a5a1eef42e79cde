import { describe, expect, it } from '@jest/globals'
import { parseKeyValueLines, parseList, resolveCredentials, serviceFromInput } from '../../../shared/src/build/options.js'

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

  it('reads comma or line separated lists', () => {
    expect(parseList('linux/amd64, linux/arm64\nlinux/s390x')).toEqual(['linux/amd64', 'linux/arm64', 'linux/s390x'])
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
