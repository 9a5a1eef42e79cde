import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parse,
  parseAllDocuments,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq
} from 'yaml'
import { readStructure } from '../../config/yaml-source.js'

/**
 * Format-preserving YAML edits. The `yaml` Document API finds the nodes and their source ranges;
 * the edits are then spliced into the original text, so every byte outside the edited values
 * (comments, blank lines, key order, quoting, indentation, document markers) stays as it was.
 */

/** What an edit did to a file's text. */
export interface EditResult {
  /** The new text; the original text, unchanged, when `changed` is false. */
  text: string
  /** False when the file already holds the target image: the caller does not rewrite it. */
  changed: boolean
  /** The image the file named before the edit, when it named one. */
  previous?: string
}

/** A YAML file that cannot be edited safely, located as `file:line:column` with the offending key. */
export class YamlEditError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** Dotted key path of the offending node, e.g. `images[2].newTag`; empty for the document itself. */
    readonly key: string,
    readonly reason: string
  ) {
    super(`${file}:${line}:${column}${key === '' ? '' : ` (${key})`}: ${reason}`)
    this.name = 'YamlEditError'
  }
}

/** A replacement of `text.slice(start, end)`. */
interface TextEdit {
  start: number
  end: number
  text: string
}

/** A value to write under a new key: a scalar, or a mapping of them (Helm paths created on the way). */
export type NewValue = string | { [key: string]: NewValue }

/** A parsed file plus the edits queued against its text. */
export class YamlText {
  private readonly edits: TextEdit[] = []
  private readonly flowItems = new Map<YAMLMap | YAMLSeq, string[]>()

  private constructor(
    readonly text: string,
    readonly file: string,
    readonly documents: Document.Parsed[],
    private readonly lines: LineCounter
  ) {}

  /**
   * Parses one document (or every document with `multi`) and refuses syntax errors and alias
   * bombs before anything is edited.
   */
  static parse(text: string, file: string, options: { multi?: boolean } = {}): YamlText {
    const lines = new LineCounter()
    const parseOptions = { lineCounter: lines, prettyErrors: false, uniqueKeys: true }
    const parsed = options.multi ? parseAllDocuments(text, parseOptions) : [parseDocument(text, parseOptions)]
    const documents = Array.isArray(parsed) ? parsed : []
    const yaml = new YamlText(text, file, documents, lines)
    for (const document of documents) {
      const [error] = document.errors
      if (error) throw yaml.errorAt(error.pos[0], '', `YAML syntax error: ${firstLine(error.message)}`)
      // Unresolved and recursive aliases and alias bombs, bounded by the expanded size as for the manifest.
      const [problem] = readStructure(document).problems
      if (problem) throw yaml.errorAt(problem.offset, '', problem.message)
    }
    return yaml
  }

  errorAt(offset: number, key: string, reason: string): YamlEditError {
    const { line, col } = this.lines.linePos(offset)
    return new YamlEditError(this.file, line, col, key, reason)
  }

  error(node: Node | null | undefined, key: string, reason: string): YamlEditError {
    return this.errorAt(node?.range?.[0] ?? 0, key, reason)
  }

  /** The node an alias points at; other nodes are returned as they are. */
  resolve(node: unknown, document: Document.Parsed): unknown {
    return isAlias(node) ? node.resolve(document) : node
  }

  /** The string a scalar (or an alias of one) holds; undefined for anything else. */
  stringAt(node: unknown, document: Document.Parsed): string | undefined {
    const target = this.resolve(node, document)
    if (!isScalar(target) || target.value === null || typeof target.value === 'object') return undefined
    return String(target.value)
  }

  /**
   * Writes `value` in place of a scalar, keeping its quoting style and any anchor or tag before it.
   * An alias is replaced by a plain (or quoted) scalar, so only this occurrence changes.
   */
  replaceScalar(node: Scalar | Node, value: string): void {
    const [start, end] = node.range!
    const style = isScalar(node) ? node.type : undefined
    if (start === end) {
      // An empty value (`newTag:`) has no text of its own; the new one goes right after the colon.
      const colon = this.text.lastIndexOf(':', start - 1)
      if (colon === -1 || this.text.slice(colon + 1, start).trim() !== '') throw this.errorAt(start, '', 'cannot place a value here')
      this.edits.push({ start: colon + 1, end: colon + 1, text: ` ${renderScalar(value)}` })
      return
    }
    if (style === 'BLOCK_LITERAL' || style === 'BLOCK_FOLDED') {
      // A block scalar's range ends after its line break, which must survive the replacement.
      const source = this.text.slice(start, end)
      this.edits.push({ start, end, text: renderScalar(value, 'QUOTE_DOUBLE') + (source.endsWith('\n') ? '\n' : '') })
      return
    }
    this.edits.push({ start, end, text: renderScalar(value, style) })
  }

  /** Adds `key: value` as the mapping's last entry, in the mapping's own indentation (block) or inline (flow). */
  insertPair(map: YAMLMap, key: string, value: NewValue): void {
    if (map.flow) {
      this.insertIntoFlow(map, `${key}: ${renderFlow(value)}`)
      return
    }
    const first = map.items[0]
    if (!first) throw this.error(map, key, 'cannot add a key to an empty block mapping')
    const indent = this.column((first.key as Node).range![0])
    this.insertLines(this.endOfNode(map), renderBlockPair(key, value, indent))
  }

  /** Adds a mapping as the sequence's last item, in the sequence's own layout. */
  appendMapToSeq(seq: YAMLSeq, entry: Record<string, string>): void {
    if (seq.flow) {
      this.insertIntoFlow(seq, renderFlow(entry))
      return
    }
    const dash = this.column(seq.range![0])
    const firstItem = seq.items.find(isMap)
    const firstKey = firstItem?.items[0]?.key as Node | undefined
    const bodyIndent = firstKey?.range ? this.column(firstKey.range[0]) : dash + 2
    const lines = Object.entries(entry).map(([key, value], index) =>
      index === 0
        ? `${' '.repeat(dash)}-${' '.repeat(bodyIndent - dash - 1)}${key}: ${renderScalar(value)}`
        : `${' '.repeat(bodyIndent)}${key}: ${renderScalar(value)}`
    )
    this.insertLines(this.endOfNode(seq), lines.join('\n'))
  }

  /** Adds `key:` holding a block sequence with one mapping at the end of a top-level block mapping. */
  insertSeqPair(map: YAMLMap, key: string, entry: Record<string, string>): void {
    const first = map.items[0]
    const indent = first ? this.column((first.key as Node).range![0]) : 0
    const pad = ' '.repeat(indent)
    const lines = Object.entries(entry).map(
      ([name, value], index) => `${pad}${index === 0 ? '- ' : '  '}${name}: ${renderScalar(value)}`
    )
    const block = [`${pad}${key}:`, ...lines].join('\n')
    if (first) this.insertLines(this.endOfNode(map), block)
    else this.insertLines(this.text.length, block)
  }

  /**
   * Removes a pair whose key opens its own line and whose value is a one-line scalar; returns
   * false (removing nothing) for any other layout, where removal would disturb its neighbours.
   */
  removePair(map: YAMLMap, pair: Pair): boolean {
    const key = pair.key as Node
    const value = pair.value as Node | null
    if (map.flow || !key.range || !isScalar(value) || !value.range) return false
    const lineStart = this.text.lastIndexOf('\n', key.range[0] - 1) + 1
    if (this.text.slice(lineStart, key.range[0]).trim() !== '') return false
    if (this.text.slice(key.range[0], value.range[1]).includes('\n')) return false
    this.edits.push({ start: lineStart, end: this.lineEnd(value.range[1]), text: '' })
    return true
  }

  get changed(): boolean {
    return this.edits.length > 0 || this.flowItems.size > 0
  }

  /** The text with every queued edit applied, checked to parse as cleanly as the original did. */
  result(): string {
    let text = this.text
    // From the end backwards, so earlier offsets stay valid; insertions at one offset keep the order they were queued in.
    const edits = [...this.edits, ...[...this.flowItems].map(([collection, items]) => this.flowEdit(collection, items))]
    const ordered = edits
      .map((edit, queued) => ({ ...edit, queued }))
      .sort((a, b) => b.start - a.start || b.queued - a.queued)
    ordered.forEach((edit, index) => {
      const next = ordered[index - 1]
      if (next && edit.end > next.start) throw new Error(`overlapping YAML edits in ${this.file}`)
      text = text.slice(0, edit.start) + edit.text + text.slice(edit.end)
    })
    const check = parseAllDocuments(text, { uniqueKeys: true })
    const broken = Array.isArray(check) ? check.find((document) => document.errors.length > 0) : undefined
    if (broken) throw new Error(`editing ${this.file} produced invalid YAML: ${firstLine(broken.errors[0].message)}`)
    return text
  }

  /** Zero-based column of an offset. */
  private column(offset: number): number {
    return this.lines.linePos(offset).col - 1
  }

  /** Where a node's last character sits, looking through block collections to their last leaf (not past trailing comments). */
  private endOfNode(node: Node): number {
    if ((isMap(node) || isSeq(node)) && !node.flow) {
      const last = node.items.at(-1)
      if (last === undefined) return node.range![1]
      if (isMap(node)) {
        const pair = last as Pair
        const value = pair.value as Node | null
        return value?.range ? this.endOfNode(value) : (pair.key as Node).range![1]
      }
      return this.endOfNode(last as Node)
    }
    return node.range![1]
  }

  /** Offset just past the line break that ends the line holding `offset` (the text's end when none does). */
  private lineEnd(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === '\n') return offset
    const newline = this.text.indexOf('\n', offset)
    return newline === -1 ? this.text.length : newline + 1
  }

  /** Inserts whole lines after the line holding `offset`. */
  private insertLines(offset: number, lines: string): void {
    const at = this.lineEnd(offset)
    const needsBreak = at > 0 && this.text[at - 1] !== '\n'
    this.edits.push({ start: at, end: at, text: `${needsBreak ? '\n' : ''}${lines}\n` })
  }

  /** Queues an item for the end of a flow collection; `result()` writes each collection's items as one insertion. */
  private insertIntoFlow(collection: YAMLMap | YAMLSeq, item: string): void {
    const items = this.flowItems.get(collection) ?? []
    this.flowItems.set(collection, [...items, item])
  }

  /** The edit adding `items` before a flow collection's closing bracket, after a comma unless it is empty. */
  private flowEdit(collection: YAMLMap | YAMLSeq, items: string[]): TextEdit {
    const close = collection.range![1] - 1
    let last = close - 1
    while (last >= 0 && /\s/.test(this.text[last])) last--
    const joined = items.join(', ')
    if ('[{'.includes(this.text[last])) return { start: last + 1, end: close, text: isMap(collection) ? ` ${joined} ` : joined }
    return { start: last + 1, end: last + 1, text: `, ${joined}` }
  }
}

/**
 * Renders a string as a YAML scalar in the given style. A plain scalar that YAML 1.2 or 1.1
 * readers (Helm, kubectl and kustomize use YAML 1.1 rules) would take for a number, boolean or
 * null, or that holds indicator characters, is double-quoted instead.
 */
export function renderScalar(value: string, style?: Scalar.Type): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`
  if (style === 'QUOTE_DOUBLE' || !isSafePlain(value)) return JSON.stringify(value)
  return value
}

function isSafePlain(value: string): boolean {
  if (!/^[A-Za-z0-9_./][A-Za-z0-9_./:@+-]*$/.test(value) || value.endsWith(':')) return false
  return parse(value) === value && parse(value, { version: '1.1' }) === value
}

function renderFlow(value: NewValue): string {
  if (typeof value === 'string') return renderScalar(value)
  return `{ ${Object.entries(value)
    .map(([key, item]) => `${key}: ${renderFlow(item)}`)
    .join(', ')} }`
}

function renderBlockPair(key: string, value: NewValue, indent: number): string {
  const pad = ' '.repeat(indent)
  if (typeof value === 'string') return `${pad}${key}: ${renderScalar(value)}`
  const children = Object.entries(value).map(([name, item]) => renderBlockPair(name, item, indent + 2))
  return [`${pad}${key}:`, ...children].join('\n')
}

function firstLine(message: string): string {
  return message.split('\n')[0]
}

/** Sets `field` of a mapping to `value` unless it already holds it. */
export function setField(yaml: YamlText, document: Document.Parsed, map: YAMLMap, key: string, field: string, value: string): void {
  const pair = findPair(map, field)
  if (pair === undefined) {
    yaml.insertPair(map, field, value)
    return
  }
  const node = pair.value
  const target = yaml.resolve(node, document)
  if (!isScalar(target) || (target.value !== null && typeof target.value === 'object')) {
    throw yaml.error(node as never, key, `${field} must be a single value`)
  }
  if (target.value !== null && String(target.value) === value) return
  yaml.replaceScalar(node as Node, value)
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key)
}
