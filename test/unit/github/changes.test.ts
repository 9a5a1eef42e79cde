import { describe, expect, it } from '@jest/globals'
import { parseRepository, toChangedFile } from '../../../shared/src/github/index.js'

describe('parseRepository', () => {
  it('splits owner/repo', () => {
    expect(parseRepository('acme/shop.api')).toEqual({ owner: 'acme', repo: 'shop.api' })
    expect(parseRepository('Octo-Org/my_repo-2')).toEqual({ owner: 'Octo-Org', repo: 'my_repo-2' })
  })

  it.each(['acme', 'acme/', '/shop', 'acme/shop/extra', 'acme/..', '-acme/shop', 'ac me/shop', ''])('rejects %j', value => {
    expect(() => parseRepository(value)).toThrow(/owner\/repo/)
  })
})

describe('toChangedFile', () => {
  it.each([
    ['added', 'added'],
    ['removed', 'deleted'],
    ['modified', 'modified'],
    ['renamed', 'renamed'],
    ['copied', 'copied'],
    ['changed', 'type-changed'],
    ['unchanged', 'unknown'],
    ['something-new', 'unknown']
  ])('maps GitHub status %s to %s', (status, expected) => {
    expect(toChangedFile({ filename: 'a b/ç.txt', status })).toEqual({ path: 'a b/ç.txt', status: expected })
  })

  it('keeps the old path of a rename', () => {
    expect(toChangedFile({ filename: 'new.ts', status: 'renamed', previous_filename: 'old.ts' })).toEqual({
      path: 'new.ts',
      status: 'renamed',
      previousPath: 'old.ts'
    })
  })
})
