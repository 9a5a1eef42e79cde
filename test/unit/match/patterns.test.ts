import { describe, expect, it } from '@jest/globals'
import { compilePatterns, parsePattern } from '../../../shared/src/match/index.js'

/** The paths among `paths` that `patterns` select. */
function selected(patterns: string[], paths: string[]): string[] {
  const matches = compilePatterns(patterns)
  return paths.filter(matches)
}

describe('compilePatterns: single patterns (GitHub filter pattern cheat sheet)', () => {
  it('`*` stays inside one directory', () => {
    expect(selected(['*'], ['README.md', 'server.rb', 'docs/file.txt'])).toEqual(['README.md', 'server.rb'])
    expect(selected(['*.js'], ['app.js', 'index.js', 'src/app.js'])).toEqual(['app.js', 'index.js'])
    expect(selected(['docs/*'], ['docs/README.md', 'docs/file.txt', 'docs/mona/octocat.txt'])).toEqual([
      'docs/README.md',
      'docs/file.txt'
    ])
  })

  it('`**` crosses directories', () => {
    expect(selected(['**'], ['a', 'all/the/files.md'])).toEqual(['a', 'all/the/files.md'])
    expect(selected(['**.js'], ['index.js', 'js/index.js', 'src/js/app.js', 'app.ts'])).toEqual([
      'index.js',
      'js/index.js',
      'src/js/app.js'
    ])
    expect(selected(['docs/**'], ['docs/README.md', 'docs/mona/octocat.txt', 'docsy/a', 'src/docs/a'])).toEqual([
      'docs/README.md',
      'docs/mona/octocat.txt'
    ])
  })

  it('a `**/` segment also matches no directory at all', () => {
    const paths = ['README.md', 'js/README.md', 'a/b/README.md', 'README.mdx', 'NOT-README.md']
    expect(selected(['**/README.md'], paths)).toEqual(['README.md', 'js/README.md', 'a/b/README.md'])
    expect(selected(['docs/**/*.md'], ['docs/README.md', 'docs/mona/hello.md', 'docs/a/b/c.md', 'docs.md'])).toEqual([
      'docs/README.md',
      'docs/mona/hello.md',
      'docs/a/b/c.md'
    ])
    expect(selected(['**/docs/**'], ['docs/hello.md', 'dir/docs/my-file.txt', 'space/docs/plan/space.doc', 'xdocs/a'])).toEqual([
      'docs/hello.md',
      'dir/docs/my-file.txt',
      'space/docs/plan/space.doc'
    ])
  })

  it('`**` in the middle of a segment', () => {
    expect(selected(['**/*src/**'], ['a/src/app.js', 'my-src/code/js/app.js', 'source/app.js'])).toEqual([
      'a/src/app.js',
      'my-src/code/js/app.js'
    ])
    expect(selected(['**/migrate-*.sql'], ['migrate-10909.sql', 'db/migrate-v1.0.sql', 'db/sept/migrate-v1.sql', 'db/migrate.sql'])).toEqual([
      'migrate-10909.sql',
      'db/migrate-v1.0.sql',
      'db/sept/migrate-v1.sql'
    ])
  })

  it('`?` makes the preceding character optional and `+` repeats it', () => {
    expect(selected(['*.jsx?'], ['page.js', 'page.jsx', 'page.jsxx', 'page.j'])).toEqual(['page.js', 'page.jsx'])
    expect(selected(['lo+g.txt'], ['log.txt', 'looog.txt', 'lg.txt'])).toEqual(['log.txt', 'looog.txt'])
    expect(selected(['café?.txt'], ['caf.txt', 'café.txt'])).toEqual(['caf.txt', 'café.txt'])
  })

  it('character classes match one listed character or range', () => {
    expect(selected(['[CB]at'], ['Cat', 'Bat', 'Hat', 'CBat'])).toEqual(['Cat', 'Bat'])
    expect(selected(['[1-2]00'], ['100', '200', '300'])).toEqual(['100', '200'])
    expect(selected(['v[0-9a-z].txt'], ['v7.txt', 'vq.txt', 'vQ.txt', 'v-.txt'])).toEqual(['v7.txt', 'vq.txt'])
  })

  it('dot files and dot directories are ordinary files', () => {
    expect(selected(['**'], ['.env', '.github/workflows/ci.yml'])).toEqual(['.env', '.github/workflows/ci.yml'])
    expect(selected(['src/*'], ['src/.eslintrc', 'src/app.ts'])).toEqual(['src/.eslintrc', 'src/app.ts'])
  })

  it('matches the whole path, case-sensitively', () => {
    expect(selected(['src/cart'], ['src/cart', 'src/cart/a', 'src/Cart', 'x/src/cart'])).toEqual(['src/cart'])
  })

  it('treats every other character as itself, whatever git stored', () => {
    const odd = [
      'svc/with space/file name.txt',
      'svc/ünï/cødé-日本.ts',
      'svc/new\nline.txt',
      'svc/-leading-dash',
      `svc/"double" and 'single'.txt`,
      'svc/$(rm -rf ~).sh',
      'svc/a|b;c&d>e.txt',
      'svc/{braces},(parens).txt',
      'svc/😀.txt'
    ]
    expect(selected(['svc/**'], odd)).toEqual(odd)
    expect(selected(['svc/*'], odd)).toEqual(odd.filter((path) => path.split('/').length === 2))
    for (const path of odd) expect(selected([path], odd)).toEqual([path])
    expect(selected(['svc/$(rm*'], odd)).toEqual(['svc/$(rm -rf ~).sh'])
  })

  it('a backslash makes the next character literal', () => {
    expect(selected(['a\\*b'], ['a*b', 'axb'])).toEqual(['a*b'])
    expect(selected(['what\\?'], ['what?', 'what', 'wha'])).toEqual(['what?'])
  })

  it('an unclosed bracket is literal', () => {
    expect(selected(['a[b'], ['a[b', 'ab'])).toEqual(['a[b'])
  })

  it('patterns that would backtrack (several stars in a segment, several `**`, many `?`) match the same, in linear time', () => {
    expect(selected(['src/*-*.js'], ['src/a-b.js', 'src/a-b-c.js', 'src/ab.js', 'src/a/-b.js'])).toEqual(['src/a-b.js', 'src/a-b-c.js'])
    expect(selected(['**/docs/**/*.md'], ['docs/a.md', 'x/docs/y/z.md', 'x/docs.md', 'docs/a.txt'])).toEqual(['docs/a.md', 'x/docs/y/z.md'])
    expect(selected(['a?b?c?d?e?f'], ['f', 'abcdef', 'acef', 'abcdeff'])).toEqual(['f', 'abcdef', 'acef'])
    expect(selected(['*x+.txt'], ['x.txt', 'axxx.txt', 'a.txt', 'a/x.txt'])).toEqual(['x.txt', 'axxx.txt'])
    expect(selected(['[a-c]*é*', '!**/*/**'], ['bé', 'cxéy', 'dé', 'b/é'])).toEqual(['bé', 'cxéy'])
    // A backtracking engine would not finish this one.
    expect(selected([`${'*a'.repeat(20)}*b`], ['a'.repeat(5000), `${'a'.repeat(30)}b`])).toEqual([`${'a'.repeat(30)}b`])
  })
})

describe('compilePatterns: pattern lists', () => {
  it('selects nothing without patterns or when no pattern matches', () => {
    expect(selected([], ['a', 'b/c'])).toEqual([])
    expect(selected(['docs/**'], ['src/a'])).toEqual([])
  })

  it('a later `!pattern` excludes what an earlier pattern included', () => {
    expect(selected(['src/cart/**', '!src/cart/**/*.md'], ['src/cart/a.ts', 'src/cart/README.md', 'src/cart/x/y.md'])).toEqual([
      'src/cart/a.ts'
    ])
  })

  it('the last matching pattern decides, so a later positive pattern includes again', () => {
    const patterns = ['*.md', '!README.md', 'README*']
    expect(selected(patterns, ['hello.md', 'README.md', 'README.doc', 'docs/hello.md'])).toEqual([
      'hello.md',
      'README.md',
      'README.doc'
    ])
  })

  it('a negation before any positive pattern has nothing to exclude', () => {
    expect(selected(['!docs/**', 'docs/**'], ['docs/a'])).toEqual(['docs/a'])
    expect(selected(['!docs/**'], ['docs/a', 'src/a'])).toEqual([])
  })

  it('`!` only negates at the start of a pattern', () => {
    expect(selected(['a!b'], ['a!b'])).toEqual(['a!b'])
  })
})

describe('parsePattern: literal directory used for routing', () => {
  it.each([
    ['src/cart/**', 'src/cart'],
    ['src/cart/**/*.md', 'src/cart'],
    ['!src/cart/docs/**', 'src/cart/docs'],
    ['src/cart', 'src'],
    ['src/ca*', 'src'],
    ['src/cart?/x', 'src'],
    ['src/?x', ''],
    ['src/[ab]/x', 'src'],
    ['**/*.proto', ''],
    ['*.md', ''],
    ['Makefile', '']
  ])('%s → %j', (pattern, directory) => {
    expect(parsePattern(pattern).directory).toBe(directory)
  })
})
