import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml'
import { Locations, childKeyPath, itemKeyPath, own, type RawManifest } from './raw.js'
import { manifestSchema, nameProblem, type ValueSchema } from './schema.js'
import { didYouMean } from './suggest.js'
import type { ManifestProblem } from './types.js'
import type { YamlSource } from './yaml-source.js'

export interface ValidatedDocument {
  manifest: RawManifest
  locations: Locations
  problems: ManifestProblem[]
}

/**
 * Check a parsed manifest against the schema: every unknown key, wrong type and missing
 * required key becomes a problem located at its node. Values that pass are kept (durations as
 * seconds, scalar maps as strings) and values that fail are dropped, so one bad key does not
 * hide the problems elsewhere.
 */
export function validateDocument(source: YamlSource): ValidatedDocument {
  const walker = new SchemaWalker(source)
  const root = source.document.contents
  walker.locations.record('', source.locate(root))
  const manifest = walker.walk(root, manifestSchema.type, '') as RawManifest | undefined
  return { manifest: manifest ?? {}, locations: walker.locations, problems: walker.problems }
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/

/** Seconds in a duration such as `90s`, `10m` or `1h30m`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim())
  if (match === null || text.trim() === '') return undefined
  const [, hours = '0', minutes = '0', seconds = '0'] = match
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)
}

class SchemaWalker {
  readonly problems: ManifestProblem[] = []
  readonly locations: Locations

  constructor(private readonly source: YamlSource) {
    this.locations = new Locations({ file: source.file, line: 1, column: 1 })
  }

  /** The checked value of `node`, or undefined (with a problem recorded) when it does not fit. */
  walk(node: unknown, schema: ValueSchema, keyPath: string): unknown {
    const target = this.resolve(node)
    const fail = (message: string): undefined => {
      this.report(keyPath, this.source.locate(target), message)
      return undefined
    }
    const scalar = isScalar(target) ? target.value : undefined
    const mismatch = (): undefined => fail(`expected ${expected(schema)}, got ${describe(target)}`)

    switch (schema.kind) {
      case 'string':
        if (typeof scalar !== 'string') return mismatch()
        if (schema.pattern !== undefined && !schema.pattern.test(scalar)) {
          return fail(`${JSON.stringify(scalar)} is not valid: ${schema.patternDescription ?? `must match ${schema.pattern}`}`)
        }
        if (schema.check !== undefined) {
          const problem = schema.check(scalar)
          if (problem !== undefined) return fail(`${JSON.stringify(scalar)} ${problem}`)
        }
        return scalar
      case 'version':
        return scalar === 1 ? 1 : fail(`unsupported version ${JSON.stringify(scalar ?? describe(target))}; the only version is 1`)
      case 'boolean':
        return typeof scalar === 'boolean' ? scalar : mismatch()
      case 'count':
        return typeof scalar === 'number' && Number.isInteger(scalar) && scalar >= 0 ? scalar : mismatch()
      case 'duration': {
        const seconds = typeof scalar === 'number' ? scalar : typeof scalar === 'string' ? parseDuration(scalar) : undefined
        return seconds !== undefined && seconds > 0 ? seconds : mismatch()
      }
      case 'command':
        if (typeof scalar === 'string') return scalar.trim() === '' ? fail('the command is empty') : scalar
        if (!isSeq(target)) return mismatch()
        if (target.items.length === 0) return fail('the command is empty')
        return this.walk(target, { kind: 'list', items: { kind: 'string' } }, keyPath)
      case 'enum':
        if (typeof scalar !== 'string') return mismatch()
        return schema.values.includes(scalar) ? scalar : fail(`"${scalar}" is not one of ${schema.values.join(', ')}${didYouMean(scalar, schema.values)}`)
      case 'list':
        if (!isSeq(target)) return mismatch()
        return target.items.flatMap((item, index) => {
          const itemPath = itemKeyPath(keyPath, index)
          this.locations.record(itemPath, this.source.locate(this.resolve(item)))
          const value = this.walk(item, schema.items, itemPath)
          return value === undefined ? [] : [value]
        })
      case 'scalarMap':
        return this.mapEntries(target, keyPath, schema, (value, path) => {
          const node = this.resolve(value)
          const text = isScalar(node) ? node.value : undefined
          if (typeof text === 'string' || typeof text === 'number' || typeof text === 'boolean') return String(text)
          return this.walkMismatch(value, path, 'a string, number or boolean')
        })
      case 'anyMap':
        if (!isMap(target) && !isNull(target)) return mismatch()
        // The stage that owns this subtree validates it later; record where each of its keys is so
        // that stage's problems point at the right line too.
        this.recordNested(target, keyPath)
        return isNull(target) ? {} : this.source.toJS(target)
      case 'named':
        return this.mapEntries(target, keyPath, schema, (value, path) => this.walk(value, schema.entry, path))
      case 'object':
        return this.object(target, schema, keyPath)
    }
  }

  private recordNested(node: Node | null, keyPath: string): void {
    if (isMap(node)) {
      for (const pair of node.items as Array<Pair<unknown, unknown>>) {
        const keyNode = this.resolve(pair.key)
        const key = isScalar(keyNode) ? keyNode.value : undefined
        if (typeof key !== 'string') continue
        const path = childKeyPath(keyPath, key)
        const value = this.resolve(pair.value)
        this.locations.record(path, this.source.locate(value ?? keyNode), this.source.locate(keyNode))
        this.recordNested(value, path)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const value = this.resolve(item)
        const path = itemKeyPath(keyPath, index)
        this.locations.record(path, this.source.locate(value))
        this.recordNested(value, path)
      })
    }
  }

  private object(node: Node | null, schema: Extract<ValueSchema, { kind: 'object' }>, keyPath: string): unknown {
    const present = new Set<string>()
    const result = this.mapEntries(node, keyPath, schema, (value, path, key, keyNode) => {
      present.add(key)
      const field = own(schema.fields, key)
      if (field !== undefined) return this.walk(value, field.type, path)
      if (schema.passThrough) return this.source.toJS(value)
      const known = Object.keys(schema.fields)
      const message = key === '<<'
        ? 'YAML merge keys ("<<") are not supported; alias a whole value instead'
        : `unknown key "${key}"${didYouMean(key, known)}`
      this.report(path, this.source.locate(keyNode), message)
      return undefined
    })
    if (result === undefined) return undefined
    for (const [key, field] of Object.entries(schema.fields)) {
      if (field.required && !present.has(key)) {
        this.report(keyPath, this.locations.key(keyPath), `missing required key "${key}"`)
      }
    }
    return result
  }

  /**
   * Walk a mapping's entries; `null` (a key with nothing after it) counts as an empty mapping.
   * Keys of `named` mappings must be valid names; `check` returns undefined to drop an entry.
   */
  private mapEntries(
    node: Node | null,
    keyPath: string,
    schema: ValueSchema,
    check: (value: unknown, path: string, key: string, keyNode: Node | null) => unknown
  ): Record<string, unknown> | undefined {
    if (isNull(node)) return {}
    if (!isMap(node)) {
      this.report(keyPath, this.source.locate(node), `expected ${expected(schema)}, got ${describe(node)}`)
      return undefined
    }
    const entries: Array<[string, unknown]> = []
    for (const pair of node.items as Array<Pair<unknown, unknown>>) {
      const keyNode = this.resolve(pair.key)
      const key = isScalar(keyNode) ? keyNode.value : undefined
      if (typeof key !== 'string') {
        this.report(keyPath, this.source.locate(keyNode), `keys must be strings, got ${describe(keyNode)}`)
        continue
      }
      const path = childKeyPath(keyPath, key)
      this.locations.record(path, this.source.locate(this.resolve(pair.value) ?? keyNode), this.source.locate(keyNode))
      if (schema.kind === 'named') {
        const problem = nameProblem(key, schema.names)
        if (problem !== undefined) {
          this.report(path, this.source.locate(keyNode), problem)
          continue
        }
      }
      const value = check(pair.value, path, key, keyNode)
      if (value !== undefined) entries.push([key, value])
    }
    // fromEntries defines own properties, so a key such as `__proto__` stays plain data.
    return Object.fromEntries(entries)
  }

  private walkMismatch(value: unknown, path: string, wanted: string): undefined {
    const node = this.resolve(value)
    this.report(path, this.source.locate(node), `expected ${wanted}, got ${describe(node)}`)
    return undefined
  }

  /** The node an alias names (bounded: the document passed the expanded-size check). */
  private resolve(node: unknown): Node | null {
    return this.source.resolve(node)
  }

  private report(keyPath: string, location: { file: string; line: number; column: number }, message: string): void {
    this.problems.push({ ...location, keyPath, message })
  }
}

function isNull(node: Node | null): node is null {
  return node === null || (isScalar(node) && node.value === null)
}

/** What a schema expects, for "expected …, got …" messages. */
function expected(schema: ValueSchema): string {
  switch (schema.kind) {
    case 'string':
    case 'enum':
      return 'a string'
    case 'version':
      return 'the number 1'
    case 'boolean':
      return 'true or false'
    case 'count':
      return 'a whole number of 0 or more'
    case 'duration':
      return 'a duration such as 90s, 10m or 1h30m (or a number of seconds)'
    case 'command':
      return 'an argv array such as ["npm", "test"] (or one string with shell: true)'
    case 'list':
      return `a list of ${expected(schema.items).replace(/^an? /, '')}s`
    case 'scalarMap':
      return 'a mapping of names to strings'
    case 'named':
    case 'object':
    case 'anyMap':
      return 'a mapping'
  }
}

/** What a node actually is, in YAML's words. */
function describe(node: Node | null): string {
  if (isNull(node)) return 'nothing (null)'
  if (isMap(node)) return 'a mapping'
  if (isSeq(node)) return 'a list'
  if (isScalar(node)) {
    const value = node.value
    if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
    if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`
  }
  return 'an unsupported value'
}
