import { describe, expect, it } from '@jest/globals'
import {
  basicCredential,
  commitMessage,
  isLostRace,
  pullRequestBranch,
  retryDelayMs,
  withGitAuthorization
} from '../../../shared/src/deploy/index.js'

const SHA = '3f2a9c1d4b5e6f708192a3b4c5d6e7f809123456'

describe('commitMessage', () => {
  it('names service, environment, old and new image and the source commit', () => {
    expect(
      commitMessage({ service: 'cart', environment: 'staging', previous: 'ghcr.io/acme/cart:1.4.0', next: 'ghcr.io/acme/cart:1.5.0', sourceSha: SHA })
    ).toBe(
      [
        'Deploy cart to staging: ghcr.io/acme/cart:1.4.0 → ghcr.io/acme/cart:1.5.0',
        '',
        'Flotilla-Service: cart',
        'Flotilla-Environment: staging',
        'Flotilla-Previous-Image: ghcr.io/acme/cart:1.4.0',
        'Flotilla-Image: ghcr.io/acme/cart:1.5.0',
        `Flotilla-Source-Commit: ${SHA}`,
        ''
      ].join('\n')
    )
  })

  it('says (none) on a first deploy', () => {
    expect(commitMessage({ service: 'cart', environment: 'staging', next: 'ghcr.io/acme/cart:1', sourceSha: SHA })).toMatch(
      /^Deploy cart to staging: \(none\) → ghcr\.io\/acme\/cart:1\n/
    )
  })
})

describe('pullRequestBranch', () => {
  it('is flotilla/<environment>/<service>', () => {
    expect(pullRequestBranch('production', 'cart')).toBe('flotilla/production/cart')
  })

  it('refuses names git would reject or read as an option', () => {
    expect(() => pullRequestBranch('prod', '../main')).toThrow('service name "../main" cannot be part of a git branch name')
    expect(() => pullRequestBranch('-x', 'cart')).toThrow('environment name "-x" cannot be part of a git branch name')
    expect(() => pullRequestBranch('prod', 'cart.lock')).toThrow(/cannot be part of a git branch name/)
  })
})

describe('isLostRace', () => {
  it('recognises the pushes a fetch and re-apply can fix', () => {
    expect(isLostRace('To file:///tmp/origin.git\n!\trefs/heads/main:refs/heads/main\t[rejected] (fetch first)\nDone')).toBe(true)
    expect(isLostRace(' ! [rejected]        main -> main (non-fast-forward)')).toBe(true)
    expect(isLostRace('!\tHEAD:refs/heads/flotilla/prod/cart\t[rejected] (stale info)')).toBe(true)
    expect(isLostRace("! [remote rejected] main -> main (cannot lock ref 'refs/heads/main': is at 1 but expected 2)")).toBe(true)
  })

  it('does not retry refusals that no retry fixes', () => {
    expect(isLostRace('!\trefs/heads/main:refs/heads/main\t[remote rejected] (protected branch hook declined)')).toBe(false)
    expect(isLostRace('remote: Permission to acme/deploy.git denied to bot.\nfatal: unable to access')).toBe(false)
  })
})

describe('retryDelayMs', () => {
  it('draws from a window that doubles per attempt and stops growing at eight times the jitter', () => {
    const top = (): number => 0.999999
    expect(retryDelayMs(1, 100, top)).toBe(99)
    expect(retryDelayMs(2, 100, top)).toBe(199)
    expect(retryDelayMs(4, 100, top)).toBe(799)
    expect(retryDelayMs(9, 100, top)).toBe(799)
    expect(retryDelayMs(3, 100, () => 0)).toBe(0)
  })
})

describe('withGitAuthorization', () => {
  it('adds the header as environment config after any the environment already has, never touching the URL', () => {
    const env = withGitAuthorization({ PATH: '/usr/bin', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.x', GIT_CONFIG_VALUE_0: 'y' }, 'ghs_secret')

    expect(env).toEqual({
      PATH: '/usr/bin',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'core.x',
      GIT_CONFIG_VALUE_0: 'y',
      GIT_CONFIG_KEY_1: 'http.extraheader',
      GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${Buffer.from('x-access-token:ghs_secret').toString('base64')}`
    })
    expect(basicCredential('ghs_secret')).toBe('eC1hY2Nlc3MtdG9rZW46Z2hzX3NlY3JldA==')
  })
})
