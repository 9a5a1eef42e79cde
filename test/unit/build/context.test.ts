import { describe, expect, it } from '@jest/globals'
import { sourceUrl, tagContextFromEvent } from '../../../shared/src/build/context.js'
import { imageLabels, OCI_LABELS } from '../../../shared/src/build/labels.js'
import type { EventContext } from '../../../shared/src/changes/types.js'

const event = (fields: Partial<EventContext>): EventContext => ({ eventName: 'push', sha: 'a'.repeat(40), ref: '', payload: {}, ...fields })

describe('tagContextFromEvent', () => {
  it('reads the branch of a push and the default branch', () => {
    expect(tagContextFromEvent(event({ ref: 'refs/heads/feature/x', defaultBranch: 'main' }))).toEqual({ branch: 'feature/x', defaultBranch: 'main' })
  })

  it('reads the git tag of a tag push', () => {
    expect(tagContextFromEvent(event({ ref: 'refs/tags/cart/v1.2.3' }))).toEqual({ gitTag: 'cart/v1.2.3' })
  })

  it('reads the pull request number', () => {
    expect(tagContextFromEvent(event({ eventName: 'pull_request', ref: 'refs/pull/7/merge', payload: { pull_request: { number: 7 } } }))).toEqual({
      pullRequest: 7
    })
  })
})

describe('labels', () => {
  it('sets the OCI labels from the commit, with user labels winning', () => {
    const labels = imageLabels(
      { source: 'https://github.com/acme/shop', revision: 'abc', version: '1.2.3', created: new Date(1_700_000_000_000), title: 'cart' },
      { [OCI_LABELS.title]: 'Cart service', team: 'payments' }
    )
    expect(labels).toEqual({
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.revision': 'abc',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.created': '2023-11-14T22:13:20.000Z',
      'org.opencontainers.image.title': 'Cart service',
      team: 'payments'
    })
  })

  it('knows the repository address on GitHub and GitHub Enterprise', () => {
    const repository = { owner: 'acme', repo: 'shop' }
    expect(sourceUrl(event({ repository }))).toBe('https://github.com/acme/shop')
    expect(sourceUrl(event({ repository }), 'https://git.example.com/')).toBe('https://git.example.com/acme/shop')
    expect(sourceUrl(event({}))).toBeUndefined()
  })
})
