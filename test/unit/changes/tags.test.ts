import { describe, expect, it } from '@jest/globals'
import { previousTag, tagFamily } from '../../../shared/src/changes/tags.js'
import { parseLsRemoteTags } from '../../../shared/src/git/index.js'

const named = (...names: string[]) => names.map((name) => ({ name }))

function previous(current: string, names: string[], pattern?: string): string | undefined {
  return previousTag(named(...names), current, tagFamily(current, pattern))?.name
}

describe('previous tag', () => {
  it('orders versions by semver, not as text', () => {
    expect(previous('v1.10.0', ['v1.9.0', 'v1.2.0', 'v2.0.0', 'v1.10.0'])).toBe('v1.9.0')
  })

  it('ranks a release above its prereleases, and prereleases by identifier', () => {
    expect(previous('v2.0.0', ['v2.0.0-rc.2', 'v2.0.0-rc.10', 'v1.9.9'])).toBe('v2.0.0-rc.10')
    expect(previous('v2.0.0-rc.1', ['v2.0.0-beta.9', 'v2.0.0-alpha', 'v2.0.0'])).toBe('v2.0.0-beta.9')
    expect(previous('v2.0.0-rc.1', ['v2.0.0-rc', 'v2.0.0-rc.0'])).toBe('v2.0.0-rc.0')
  })

  it('compares a tag only with tags of the same shape by default', () => {
    const tags = ['cart/v1.4.0', 'catalog/v1.5.0', 'v1.6.0', 'version-1.0', 'cart/v1.3.0']
    expect(previous('cart/v1.5.0', tags)).toBe('cart/v1.4.0')
    expect(previous('v1.7.0', tags)).toBe('v1.6.0')
    expect(tagFamily('cart/v1.5.0').pattern).toBe('cart/v*')
  })

  it('uses the given pattern instead of the shape', () => {
    expect(previous('cart/v1.5.0', ['cart/v1.4.0', 'catalog/v1.4.9'], '*/v*')).toBe('catalog/v1.4.9')
  })

  it('falls back to text order for tags that are not versions', () => {
    expect(previous('release-c', ['release-a', 'release-b', 'release-d'], 'release-*')).toBe('release-b')
  })

  it('finds none for the first tag of its family', () => {
    expect(previous('v1.0.0', ['cart/v0.1.0', 'v1.0.1'])).toBeUndefined()
  })
})

describe('parseLsRemoteTags', () => {
  it('maps annotated tags to the commit they point at', () => {
    const output = [
      'aaaa\trefs/tags/v1.0.0',
      'bbbb\trefs/tags/v1.1.0',
      'cccc\trefs/tags/v1.1.0^{}',
      'dddd\trefs/tags/cart/v2.0.0',
      ''
    ].join('\n')
    expect(parseLsRemoteTags(output)).toEqual([
      { name: 'v1.0.0', sha: 'aaaa' },
      { name: 'v1.1.0', sha: 'cccc' },
      { name: 'cart/v2.0.0', sha: 'dddd' }
    ])
  })
})
