/** Plain-data checks shared by every reader of untyped YAML or JSON (manifest, deploy and gate settings, registry answers). */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A value as an error message names it: `"text"`, `3`, `a list`, `a mapping`, `null`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `"${value}"`
  return String(value)
}
