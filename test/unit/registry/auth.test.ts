import { describe, expect, it } from '@jest/globals'
import { basicAuthorization, parseAuthenticateChallenge, secretsToMask } from '../../../shared/src/registry/auth.js'

describe('parseAuthenticateChallenge', () => {
  it('reads a bearer challenge whose quoted scope holds a comma', () => {
    expect(
      parseAuthenticateChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/cart:pull,push"')
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:acme/cart:pull,push' }
    })
  })

  it('reads a basic challenge, unquoted values and escapes', () => {
    expect(parseAuthenticateChallenge('Basic realm="flotilla \\"test\\""')).toEqual({ scheme: 'basic', params: { realm: 'flotilla "test"' } })
    expect(parseAuthenticateChallenge('bearer Realm=https://auth.example/token, service=registry')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry' }
    })
  })

  it('keeps only the first of several challenges', () => {
    expect(parseAuthenticateChallenge('Basic realm="a", Bearer realm="b"')).toEqual({ scheme: 'basic', params: { realm: 'a' } })
  })

  it('finds no challenge in a header without a scheme', () => {
    expect(parseAuthenticateChallenge('')).toBeUndefined()
    expect(parseAuthenticateChallenge('="x"')).toBeUndefined()
  })
})

describe('secretsToMask', () => {
  it('lists the password and the base64 form basic auth and docker config carry', () => {
    const credentials = { username: 'octocat', password: 'ghp_secret' }
    const encoded = Buffer.from('octocat:ghp_secret').toString('base64')
    expect(secretsToMask(credentials)).toEqual(['ghp_secret', encoded])
    expect(basicAuthorization(credentials)).toBe(`Basic ${encoded}`)
  })

  it('has nothing to mask without a password', () => {
    expect(secretsToMask(undefined)).toEqual([])
    expect(secretsToMask({ username: 'anonymous', password: '' })).toEqual([])
  })
})
