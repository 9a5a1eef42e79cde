/**
 * One path pattern with the semantics of GitHub's `on.<event>.paths` filter (the "filter pattern
 * cheat sheet"), so a pattern copied from a workflow selects the same files here:
 *
 * - `*` matches any characters except `/`; `**` matches any characters including `/`. A whole
 *   `**` segment followed by `/` may also match no directory at all, so `**` + `/README.md`
 *   matches a root `README.md` and `docs/**` + `/*.md` matches `docs/a.md`.
 * - `?` makes the preceding character optional and `+` repeats it (`*.jsx?` matches `a.js` and
 *   `a.jsx`), as GitHub documents; they are not wildcards of their own.
 * - `[…]` matches one listed character or range; `\` makes the next character literal.
 * - A leading `!` negates the pattern (handled by the caller, see `compilePatterns`).
 * - Dot files are ordinary files. Matching is case-sensitive and covers the whole path, which is
 *   taken as the exact bytes git stored (spaces, newlines, `$(…)` are plain characters).
 *
 * Patterns come from the manifest and paths from the pull request, so matching must stay linear
 * in the path: a pattern with two unbounded pieces that can take the same characters (two `*` or
 * `+` in one segment, two `**`), or many optional characters, runs on RE2 (see regex/index.ts); a backtracking engine would
 * take ages for `*a*a*a…*b` against a long run of a's. The rest, nearly every real pattern, stays
 * on V8's faster engine, where it cannot backtrack more than quadratically.
 */
import { compileLinearRegex } from '../regex/index.js'

export interface PathPattern {
  /** The pattern without its `!`. */
  glob: string
  negated: boolean
  regex: { test(path: string): boolean }
  /**
   * The deepest directory every matching path lies under, e.g. `src/cart` for `src/cart/**`;
   * '' when the pattern can match anywhere (one starting with `**`, or a root file name).
   */
  directory: string
}

/** Optional characters a pattern may have before it runs on RE2: 2^4 tries at most. */
const MAX_OPTIONAL = 4

const WILDCARDS = new Set(['*', '?', '+', '[', '\\'])
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/

export function parsePattern(pattern: string): PathPattern {
  const negated = pattern.startsWith('!')
  const glob = negated ? pattern.slice(1) : pattern
  return { glob, negated, regex: globToRegExp(glob), directory: literalDirectory(glob) }
}

function globToRegExp(glob: string): { test(path: string): boolean } {
  const chars = [...glob] // code points, so `?` after an emoji makes the whole emoji optional
  let source = ''
  // Whether the last emitted piece is a single character a `?` or `+` may apply to.
  let quantifiable = false
  // Unbounded pieces: `**` (any characters) in all, and `*` or `+` in the current segment; and
  // optional characters, each doubling what a backtracking engine may try (`a?a?a?…aaa`).
  let spanning = 0
  let inSegment = 0
  let optional = 0
  let backtracks = false
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]
    if (char === '/') inSegment = 0
    if (char === '*') {
      let stars = 1
      while (chars[i + 1] === '*') {
        stars++
        i++
      }
      if (stars === 1) {
        source += '[^/]*'
        inSegment++
      } else if (chars[i + 1] === '/' && (i + 1 - stars === 0 || chars[i - stars] === '/')) {
        source += '(?:.*/)?' // a whole `**/` segment also matches zero directories
        i++
        spanning++
        inSegment = 0
      } else {
        source += '.*'
        spanning++
      }
      backtracks ||= spanning > 1 || inSegment > 1
      quantifiable = false
    } else if (char === '?' || char === '+') {
      // A quantifier after a wildcard (or at the start) adds nothing: the wildcard already
      // matches any count, and `(.*)+` would only invite catastrophic backtracking.
      if (quantifiable) source += char
      if (quantifiable && char === '+') backtracks ||= ++inSegment > 1
      if (quantifiable && char === '?') backtracks ||= ++optional > MAX_OPTIONAL
      quantifiable = false
    } else if (char === '[') {
      const end = chars.indexOf(']', i + 2)
      if (end === -1) {
        source += escape(char)
      } else {
        source += characterClass(chars.slice(i + 1, end))
        i = end
      }
      quantifiable = true
    } else if (char === '\\' && i + 1 < chars.length) {
      source += escape(chars[++i])
      quantifiable = true
    } else {
      source += escape(char)
      quantifiable = true
    }
  }
  if (!backtracks) return new RegExp(`^${source}$`, 'su')
  const linear = compileLinearRegex(`(?s)^${source}$`)
  if (!linear.ok) throw new Error(`path pattern "${glob}": ${linear.message}`)
  return linear.regex
}

/** `[a-z0-9_]` → a regex class; every member is literal except the `-` of a range. */
function characterClass(members: string[]): string {
  let body = ''
  for (let i = 0; i < members.length; i++) {
    if (members[i + 1] === '-' && i + 2 < members.length) {
      body += `${classMember(members[i])}-${classMember(members[i + 2])}`
      i += 2
    } else body += classMember(members[i])
  }
  return `[${body}]`
}

function classMember(char: string): string {
  return char === '-' || char === '^' || REGEX_SYNTAX.test(char) ? `\\${char}` : char
}

function escape(char: string): string {
  return REGEX_SYNTAX.test(char) ? `\\${char}` : char
}

/** The literal text before the first wildcard, cut back to the last `/` before it. */
function literalDirectory(glob: string): string {
  let end = 0
  while (end < glob.length && !WILDCARDS.has(glob[end])) end++
  // `?` and `+` act on the character before them, so that character is not literal either.
  if (glob[end] === '?' || glob[end] === '+') end--
  const slash = glob.lastIndexOf('/', end - 1)
  return slash <= 0 ? '' : glob.slice(0, slash)
}
