import { describe, expect, it } from '@jest/globals'
import { computeImageTags, inputHashTag, InvalidTagError, sanitizeTag, semverTags } from '../../../shared/src/build/tags.js'
import { isTag } from '../../../shared/src/image/reference.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const HASH = 'f'.repeat(64)

const names = (...args: Parameters<typeof computeImageTags>) => computeImageTags(...args).map((tag) => tag.name)

describe('computeImageTags', () => {
  it('tags a default-branch push with the input hash, sha, branch and latest', () => {
    expect(computeImageTags({ context: { sha: SHA, branch: 'main', defaultBranch: 'main' }, inputHash: HASH })).toEqual([
      { name: `inputs-${HASH}`, source: 'input-hash' },
      { name: 'sha-0123456', source: 'sha' },
      { name: 'main', source: 'branch' },
      { name: 'latest', source: 'latest' }
    ])
  })

  it('gives other branches no latest', () => {
    expect(names({ context: { sha: SHA, branch: 'feature/cart', defaultBranch: 'main' } })).toEqual(['sha-0123456', 'feature-cart'])
  })

  it('tags a pull request pr-<n> instead of its branch', () => {
    expect(names({ context: { sha: SHA, branch: 'main', defaultBranch: 'main', pullRequest: 42 } })).toEqual(['sha-0123456', 'pr-42'])
  })

  it('derives semver tags from a release tag', () => {
    expect(names({ context: { sha: SHA, gitTag: 'v1.2.3' }, rules: { sha: false } })).toEqual(['1.2.3', '1.2', '1'])
    expect(names({ context: { sha: SHA, gitTag: 'cart/v2.0.1' }, rules: { sha: false } })).toEqual(['2.0.1', '2.0', '2'])
  })

  it('switches rules off', () => {
    const context = { sha: SHA, branch: 'main', defaultBranch: 'main' }
    expect(names({ context, rules: { latest: false, branch: false } })).toEqual(['sha-0123456'])
    expect(names({ context: { sha: SHA, pullRequest: 3 }, rules: { pullRequest: false, sha: false } })).toEqual([])
    expect(names({ context: { sha: SHA, gitTag: 'v1.0.0' }, rules: { semver: false } })).toEqual(['sha-0123456'])
  })

  it('adds raw tags as written, once', () => {
    expect(names({ context: { sha: SHA }, raw: ['Stable', 'sha-0123456', 'stable'] })).toEqual(['sha-0123456', 'Stable', 'stable'])
  })

  it('rejects an invalid raw tag instead of altering it', () => {
    expect(() => computeImageTags({ context: { sha: SHA }, raw: ['release candidate'] })).toThrow(
      new InvalidTagError('release candidate', "a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
    )
  })

  it('rejects a sha or input hash that is not hex', () => {
    expect(() => computeImageTags({ context: { sha: 'HEAD' } })).toThrow('invalid image tag "HEAD"')
    expect(() => inputHashTag('../etc')).toThrow('an input hash is 8 to 64 lowercase hex digits')
  })
})

describe('semverTags', () => {
  it('gives a pre-release only its full version', () => {
    expect(semverTags('v1.2.3-rc.1')).toEqual(['1.2.3-rc.1'])
  })

  it('turns build metadata into a valid tag', () => {
    expect(semverTags('v1.2.3+build.5')).toEqual(['1.2.3-build.5', '1.2', '1'])
  })

  it('gives no bare 0 for a 0.x release', () => {
    expect(semverTags('v0.4.1')).toEqual(['0.4.1', '0.4'])
  })

  it('ignores tags that are not versions', () => {
    expect(semverTags('release-2024')).toEqual([])
    expect(semverTags('v1.2')).toEqual([])
    expect(semverTags('v01.2.3')).toEqual([])
  })
})

describe('sanitizeTag', () => {
  it('makes a valid tag of a hostile branch name', () => {
    const tag = sanitizeTag('feature/Fix_$(id)#1')
    expect(tag).toBe('feature-fix_-id-1')
    expect(isTag(tag)).toBe(true)
  })

  it.each(['-leading', '.dotted.', 'ÜNICODE/ветка', '__init__', 'a--b', 'refs/heads/x y'])('gives a valid lowercase tag for %j', (branch) => {
    const tag = sanitizeTag(branch)
    expect(isTag(tag)).toBe(true)
    expect(tag).toBe(tag.toLowerCase())
    expect(tag).not.toMatch(/--|^[.-]|[.-]$/)
  })

  it('gives a name with no usable character a hash tag', () => {
    const tag = sanitizeTag('///')
    expect(tag).toMatch(/^[0-9a-f]{8}$/)
    expect(sanitizeTag('$$$')).not.toBe(tag)
  })

  it('cuts long names to 128 characters and keeps distinct ones distinct', () => {
    const prefix = `feature/${'x'.repeat(200)}`
    const first = sanitizeTag(`${prefix}-one`)
    const second = sanitizeTag(`${prefix}-two`)
    expect(first).toHaveLength(128)
    expect(isTag(first)).toBe(true)
    expect(first).not.toBe(second)
    expect(first.startsWith('feature-xxx')).toBe(true)
  })

  it('leaves a name of exactly 128 valid characters alone', () => {
    const name = 'a'.repeat(128)
    expect(sanitizeTag(name)).toBe(name)
  })
})
