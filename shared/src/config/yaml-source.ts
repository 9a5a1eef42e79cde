import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml'
import type { ManifestProblem } from './types.js'

/**
 * The largest file the manifest loader reads (the manifest, a compose file, pnpm-workspace.yaml,
 * workspace package.json files): 4 MiB. The 2,000-service benchmark manifest is about 270 kB,
 * and 10,000 services with image, test and two deploy targets each come to about 4 MiB; the
 * `yaml` package needs about 100 bytes of memory per byte it parses.
 */
export const MAX_MANIFEST_FILE_BYTES = 4 * 1024 * 1024

/**
 * Aliases may make a document this many times larger than what is written (counted in nodes),
 * and never less than `MIN_EXPANDED_NODES`: sharing settings through anchors stays well within
 * it, while an alias bomb ("billion laughs") grows exponentially and is refused before any
 * value is copied.
 */
export const MAX_ALIAS_EXPANSION_FACTOR = 10
export const MIN_EXPANDED_NODES = 100_000

/**
 * How deep aliases may nest values (the `yaml` parser itself stops near 1,000 written levels):
 * deeper values would overflow the stack of whatever walks them.
 */
export const MAX_EXPANDED_DEPTH = 1000

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
  /** The node itself, or the node an alias names (anchored before it, as YAML requires). */
  resolve(node: unknown): Node | null
  /** A node as plain data, following aliases (and `<<` merge keys when they are on). */
  toJS(node: unknown): unknown
}

/** The problem of a file over `MAX_MANIFEST_FILE_BYTES`, naming its size and the limit. */
export function oversizeProblem(file: string, bytes: number): ManifestProblem {
  const mebibytes = (value: number) => `${(value / (1024 * 1024)).toFixed(value % (1024 * 1024) === 0 ? 0 : 1)} MiB`
  return {
    file,
    line: 0,
    column: 0,
    keyPath: '',
    message:
      `the file is ${mebibytes(bytes)} (${bytes} bytes), over the ${mebibytes(MAX_MANIFEST_FILE_BYTES)} limit (${MAX_MANIFEST_FILE_BYTES} bytes) ` +
      'for manifest and workspace files; refusing to read it'
  }
}

/**
 * Parse `text` (read from `file`, relative to the repository root); `mergeKeys` turns on YAML
 * 1.1 `<<` merges, which docker-compose files use. Text over `MAX_MANIFEST_FILE_BYTES`, syntax
 * errors (duplicate keys included), unresolved or recursive aliases and alias bombs come back as
 * problems. Everything here takes time linear in the text: duplicate keys are found with one set
 * per mapping and aliases resolved through one table, where the `yaml` package would scan the
 * mapping for every key (`uniqueKeys`) and the document for every alias (`Alias.resolve`).
 */
export function parseYaml(
  text: string,
  file: string,
  options: { mergeKeys?: boolean } = {}
): { source: YamlSource } | { problems: ManifestProblem[] } {
  // UTF-16 length first: at most 3 UTF-8 bytes per code unit, so only long texts are measured.
  if (text.length * 3 > MAX_MANIFEST_FILE_BYTES) {
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > MAX_MANIFEST_FILE_BYTES) return { problems: [oversizeProblem(file, bytes)] }
  }
  const mergeKeys = options.mergeKeys ?? false
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: mergeKeys })
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset)
    return { file, line, column: col }
  }
  const problem = (offset: number, message: string): ManifestProblem => ({ ...at(offset), keyPath: '', message })
  if (document.errors.length > 0) {
    return { problems: document.errors.map((error) => problem(error.pos[0], `YAML syntax error: ${error.message}`)) }
  }
  const structure = readStructure(document, { mergeKeys })
  if (structure.problems.length > 0) return { problems: structure.problems.map(({ offset, message }) => problem(offset, message)) }

  const start: SourceLocation = { file, line: 1, column: 1 }
  const resolve = (node: unknown): Node | null => (isAlias(node) ? structure.targets.get(node) ?? null : ((node ?? null) as Node | null))
  return {
    source: {
      file,
      document,
      locate: (node) => (node?.range ? at(node.range[0]) : start),
      resolve,
      toJS: (node) => toData(node, resolve, mergeKeys)
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

/**
 * What one walk over a parsed document found: the node each alias names, and the problems as
 * offsets into the text. Exported for the other YAML readers (the deploy stage's editor).
 */
export interface YamlStructure {
  /** Each alias and the node it names. */
  targets: Map<Node, Node>
  problems: Array<{ offset: number; message: string }>
}

/**
 * One walk over the document in written order: anchors are recorded as they appear, so an
 * alias names the last node anchored before it; each mapping's keys go into a set (duplicate
 * keys are an error, as `uniqueKeys` would report); and the size and depth the document would
 * have with every alias expanded are summed as it goes, memoised per anchored node, so the walk
 * stays linear however the aliases nest. The first alias that takes the size past its limit, or
 * the depth past `MAX_EXPANDED_DEPTH`, is the one reported.
 */
export function readStructure(document: Document.Parsed, options: { mergeKeys?: boolean } = {}): YamlStructure {
  const anchors = new Map<string, Node>()
  const targets = new Map<Node, Node>()
  const expandedOf = new Map<Node, { size: number; depth: number }>()
  const open = new Set<Node>()
  const problems: YamlStructure['problems'] = []
  const aliasSums: Array<{ alias: Node; sum: number }> = []
  let deepAlias: Node | undefined
  let written = 0
  let expanded = 0

  // The node's size and depth with aliases expanded; `level` is how deep it is written.
  const walk = (node: unknown, level: number): { size: number; depth: number } => {
    if (node === null || node === undefined || typeof node !== 'object') return { size: 0, depth: 0 }
    const current = node as Node
    written += 1
    if (isAlias(current)) {
      const target = anchors.get(current.source)
      if (target === undefined) {
        problems.push({ offset: offsetOf(current), message: `YAML alias *${current.source} names no anchor before it (write &${current.source} on an earlier value)` })
        return { size: 1, depth: 1 }
      }
      if (open.has(target)) {
        problems.push({ offset: offsetOf(current), message: `YAML alias *${current.source} refers to the value that holds it; a value cannot contain itself` })
        return { size: 1, depth: 1 }
      }
      targets.set(current, target)
      const size = expandedOf.get(target) ?? { size: 1, depth: 1 }
      expanded += size.size
      aliasSums.push({ alias: current, sum: expanded })
      if (deepAlias === undefined && level + size.depth > MAX_EXPANDED_DEPTH) deepAlias = current
      return size
    }
    if (current.anchor !== undefined) anchors.set(current.anchor, current)
    expanded += 1
    let size = 1
    let depth = 0
    const add = (child: unknown) => {
      const measured = walk(child, level + 1)
      size += measured.size
      depth = Math.max(depth, measured.depth)
    }
    if (isMap(current) || isSeq(current)) {
      open.add(current)
      const keys = isMap(current) ? new Set<unknown>() : undefined
      for (const item of current.items as unknown[]) {
        if (keys === undefined) {
          add(item)
          continue
        }
        const { key, value } = item as Pair
        add(key)
        if (isScalar(key)) {
          if (keys.has(key.value)) problems.push({ offset: offsetOf(key), message: 'YAML syntax error: Map keys must be unique' })
          keys.add(key.value)
        }
        add(value)
        if (options.mergeKeys && isMergeKey(key) && !isMergeSource(value, targets)) {
          problems.push({ offset: offsetOf(key as Node), message: 'YAML merge key "<<" needs a mapping, an alias of one, or a list of them' })
        }
      }
      open.delete(current)
    }
    const measured = { size, depth: depth + 1 }
    if (current.anchor !== undefined) expandedOf.set(current, measured)
    return measured
  }
  walk(document.contents, 1)

  const limit = Math.max(MIN_EXPANDED_NODES, MAX_ALIAS_EXPANSION_FACTOR * written)
  const bomb = aliasSums.find(({ sum }) => sum > limit)
  if (bomb !== undefined) {
    problems.push({
      offset: offsetOf(bomb.alias),
      message:
        `YAML aliases expand this document to more than ${limit} nodes (${MAX_ALIAS_EXPANSION_FACTOR} times the ${written} written, ` +
        `at least ${MIN_EXPANDED_NODES}); refusing a document that looks like an alias bomb ("billion laughs")`
    })
  } else if (deepAlias !== undefined) {
    problems.push({ offset: offsetOf(deepAlias), message: `YAML aliases nest values more than ${MAX_EXPANDED_DEPTH} levels deep; refusing the document` })
  }
  return { targets, problems: problems.sort((a, b) => a.offset - b.offset) }
}

function isMergeSource(value: unknown, targets: ReadonlyMap<Node, Node>): boolean {
  const resolve = (node: unknown) => (isAlias(node) ? targets.get(node) : node)
  const source = resolve(value)
  return isMap(source) || (isSeq(source) && source.items.every((item) => isMap(resolve(item))))
}

function offsetOf(node: Node): number {
  return node.range?.[0] ?? 0
}

/**
 * Plain data of a node: scalars as their values, sequences as arrays, mappings as objects whose
 * keys are own properties (`__proto__` stays data). Aliases are copied, never shared, which the
 * expanded-size bound keeps affordable. Merge keys follow YAML 1.1: keys written in the mapping
 * win over merged ones, and earlier merge sources over later ones.
 */
function toData(node: unknown, resolve: (node: unknown) => Node | null, mergeKeys: boolean): unknown {
  const target = resolve(node)
  if (target === null) return null
  if (isScalar(target)) return target.value
  if (isSeq(target)) return target.items.map((item) => toData(item, resolve, mergeKeys))
  if (!isMap(target)) return null
  const entries = new Map<string, unknown>()
  const merge = (source: unknown) => {
    const from = resolve(source)
    if (!isMap(from)) return
    for (const [key, value] of Object.entries(toData(from, resolve, mergeKeys) as Record<string, unknown>)) {
      if (!entries.has(key)) entries.set(key, value)
    }
  }
  for (const pair of target.items as Array<Pair<unknown, unknown>>) {
    const key = resolve(pair.key)
    if (mergeKeys && isMergeKey(key)) {
      const sources = resolve(pair.value)
      if (isSeq(sources)) sources.items.forEach(merge)
      else merge(sources)
      continue
    }
    entries.set(keyText(key, resolve, mergeKeys), toData(pair.value, resolve, mergeKeys))
  }
  return Object.fromEntries(entries)
}

/** `<<` read as a merge key: the `yaml` package resolves a plain `<<` to a symbol when merges are on. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<'
}

function keyText(key: Node | null, resolve: (node: unknown) => Node | null, mergeKeys: boolean): string {
  if (key === null) return ''
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value)
  return JSON.stringify(toData(key, resolve, mergeKeys))
}
