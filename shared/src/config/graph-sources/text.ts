import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser'
import { isRecord } from '../values.js'
import type { ManifestProblem } from '../types.js'
import type { SourcePosition } from './types.js'

/** Line and column (1-based) of offsets in `text`, by a binary search over the line starts. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  let starts: number[] | undefined
  return (offset) => {
    if (starts === undefined) {
      starts = [0]
      for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1)
    }
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (starts[middle] <= offset) low = middle
      else high = middle - 1
    }
    return { line: low + 1, column: offset - starts[low] + 1 }
  }
}

/** A problem or notice about a file a source read. */
export function fileProblem(at: SourcePosition, message: string): ManifestProblem {
  return { ...at, keyPath: '', message }
}

export type JsonFile = { ok: true; data: Record<string, unknown>; text: string; file: string } | { ok: false; problem: ManifestProblem }

/**
 * A JSON object file (package.json, project.json), parsed with `JSON.parse` as the tools do; when
 * it is not valid JSON, the problem is located by jsonc-parser in strict mode (comments and
 * trailing commas refused), since V8's messages carry no reliable position.
 */
export function parseJsonFile(text: string, file: string, purpose: string): JsonFile {
  let data: unknown
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (error) {
    const errors: ParseError[] = []
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false })
    const offset = errors[0]?.offset ?? 0
    const reason = errors[0] === undefined ? (error as Error).message : printParseErrorCode(errors[0].error)
    return { ok: false, problem: fileProblem({ file, ...lineIndex(text)(offset) }, `not valid JSON (${reason}); needed to ${purpose}`) }
  }
  if (!isRecord(data)) return { ok: false, problem: fileProblem({ file, line: 1, column: 1 }, `not a JSON object; needed to ${purpose}`) }
  return { ok: true, data, text, file }
}

/**
 * Where keys (or string items) are written inside top-level members of a JSON document, e.g.
 * `"@acme/ui"` under `"devDependencies"`: the first occurrence of the quoted text after the
 * member's key. `JSON.parse` keeps no positions and these sections are flat, so a search is exact
 * in practice and cheap; it falls back to the member, then to the start of the file.
 */
export function jsonLocator(text: string): (member: string, item: string, itemIsKey?: boolean) => { line: number; column: number } {
  const position = lineIndex(text)
  return (member, item, itemIsKey = true) => {
    const memberAt = findQuoted(text, member, 0, true)
    const itemAt = memberAt === -1 ? -1 : findQuoted(text, item, memberAt + 1, itemIsKey)
    return position(itemAt !== -1 ? itemAt : memberAt !== -1 ? memberAt : 0)
  }
}

/** The offset of `"value"` at or after `from`; as a key, only where a `:` follows. */
function findQuoted(text: string, value: string, from: number, asKey: boolean): number {
  const quoted = JSON.stringify(value)
  for (let at = text.indexOf(quoted, from); at !== -1; at = text.indexOf(quoted, at + 1)) {
    if (!asKey || /^\s*:/.test(text.slice(at + quoted.length, at + quoted.length + 64))) return at
  }
  return -1
}
