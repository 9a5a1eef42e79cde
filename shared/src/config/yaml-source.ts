import { LineCounter, parseDocument, visit, type Document, type Node } from 'yaml'
import type { ManifestProblem } from './types.js'

/**
 * Alias expansions allowed when a document is turned into data. Real manifests use a handful;
 * a "billion laughs" document needs millions, so it fails here before using time or memory.
 */
export const MAX_ALIAS_EXPANSIONS = 100

export interface SourceLocation {
  file: string
  line: number
  column: number
}

/** A parsed YAML file whose nodes can be located as `file:line:column`. */
export interface YamlSource {
  file: string
  document: Document.Parsed
  locate(node: Node | null | undefined): SourceLocation
}

/**
 * Parse `text` (read from `file`, relative to the repository root); `mergeKeys` turns on YAML
 * 1.1 `<<` merges, which docker-compose files use. Syntax errors and alias
 * bombs come back as problems; on success every node has a position, and walking it while
 * following aliases is bounded by `MAX_ALIAS_EXPANSIONS`.
 */
export function parseYaml(
  text: string,
  file: string,
  options: { mergeKeys?: boolean } = {}
): { source: YamlSource } | { problems: ManifestProblem[] } {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: options.mergeKeys ?? false })
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset)
    return { file, line, column: col }
  }
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => ({ ...at(error.pos[0]), keyPath: '', message: `YAML syntax error: ${error.message}` }))
    }
  }
  try {
    document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const bomb = /excessive alias count/i.test(message)
    return {
      problems: [
        {
          ...at(firstAliasOffset(document) ?? 0),
          keyPath: '',
          message: bomb
            ? `YAML aliases expand to more than ${MAX_ALIAS_EXPANSIONS} copies; refusing a document that looks like an alias bomb ("billion laughs")`
            : `YAML error: ${message}`
        }
      ]
    }
  }
  const start: SourceLocation = { file, line: 1, column: 1 }
  return {
    source: {
      file,
      document,
      locate: (node) => (node?.range ? at(node.range[0]) : start)
    }
  }
}

/**
 * Where the value at `path` (keys from the document root) is written in `text`; the nearest
 * ancestor that exists when it is missing, and the document start when the text does not parse.
 */
export function locatePath(text: string, file: string, path: readonly string[]): SourceLocation {
  const parsed = parseYaml(text, file)
  if ('problems' in parsed) return { file, line: 1, column: 1 }
  for (let depth = path.length; depth > 0; depth--) {
    const node = parsed.source.document.getIn(path.slice(0, depth), true) as Node | undefined
    if (node !== undefined) return parsed.source.locate(node)
  }
  return { file, line: 1, column: 1 }
}

function firstAliasOffset(document: Document): number | undefined {
  let offset: number | undefined
  visit(document, {
    Alias(_, alias) {
      offset = alias.range?.[0]
      return visit.BREAK
    }
  })
  return offset
}
