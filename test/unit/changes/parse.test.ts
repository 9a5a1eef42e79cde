import { describe, expect, it } from '@jest/globals'
import { parseNameStatusZ } from '../../../shared/src/changes/parse.js'

/** Builds `git diff --name-status -z` output from its fields. */
function nameStatus(...fields: string[]): Buffer {
  return Buffer.from(fields.map((field) => `${field}\0`).join(''), 'utf8')
}

describe('parseNameStatusZ', () => {
  it('maps every status letter', () => {
    const output = nameStatus('A', 'added.ts', 'M', 'modified.ts', 'D', 'deleted.ts', 'T', 'link', 'U', 'conflict.ts', 'X', 'odd')
    expect(parseNameStatusZ(output)).toEqual([
      { path: 'added.ts', status: 'added' },
      { path: 'modified.ts', status: 'modified' },
      { path: 'deleted.ts', status: 'deleted' },
      { path: 'link', status: 'type-changed' },
      { path: 'conflict.ts', status: 'unmerged' },
      { path: 'odd', status: 'unknown' }
    ])
  })

  it('gives renames and copies both paths, whatever their similarity score', () => {
    const output = nameStatus('R087', 'old/name.ts', 'new/name.ts', 'C100', 'src/a.ts', 'src/b.ts', 'M', 'after.ts')
    expect(parseNameStatusZ(output)).toEqual([
      { path: 'new/name.ts', status: 'renamed', previousPath: 'old/name.ts' },
      { path: 'src/b.ts', status: 'copied', previousPath: 'src/a.ts' },
      { path: 'after.ts', status: 'modified' }
    ])
  })

  it('keeps every byte of a path except NUL', () => {
    const names = ['with space.ts', 'ünïcødé/文件.ts', 'new\nline.ts', 'tab\there.ts', '-leading-dash', '"quoted"', '$(touch pwned)', '\\back']
    const output = nameStatus(...names.flatMap((name) => ['A', name]))
    expect(parseNameStatusZ(output).map((file) => file.path)).toEqual(names)
  })

  it('returns nothing for an empty diff', () => {
    expect(parseNameStatusZ(Buffer.alloc(0))).toEqual([])
  })

  it('rejects output that is not name-status', () => {
    expect(() => parseNameStatusZ(nameStatus('modified.ts'))).toThrow(/unexpected status/)
    expect(() => parseNameStatusZ(nameStatus('R100', 'only-one-path'))).toThrow(/missing its path/)
  })
})
