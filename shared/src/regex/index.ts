/**
 * Regular expressions written by users (the gate's http `body`) run on RE2 (`re2js`): matching
 * takes time linear in the input whatever the pattern, so no pattern can hold the event loop, and
 * with it a gate's timeout (a backtracking engine takes minutes for `^(a+)+$` against 41 bytes).
 * The syntax is RE2's, Go's `regexp`: no backreferences, lookahead or lookbehind, which cannot
 * be matched in linear time. Compile when loading the manifest, so such a pattern is a manifest
 * error with its location rather than a failure at run time.
 */
import { RE2JS } from 're2js'

export interface LinearRegex {
  /** The pattern as the user wrote it. */
  source: string
  /** Whether the pattern matches anywhere in `text` (like `RegExp.prototype.test`). */
  test(text: string): boolean
}

export type LinearRegexParse = { ok: true; regex: LinearRegex } | { ok: false; message: string }

export function compileLinearRegex(source: string): LinearRegexParse {
  let compiled: RE2JS
  try {
    compiled = RE2JS.compile(source)
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^error parsing regexp: /, '')
    return { ok: false, message: `not a regular expression in RE2 syntax, which runs in linear time (no backreferences, lookahead or lookbehind): ${reason}` }
  }
  return { ok: true, regex: { source, test: (text) => compiled.test(text) } }
}
