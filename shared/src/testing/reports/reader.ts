import type { XmlVisitor } from './xml.js'

/** Reads one report format from XML events into a collector. */
export interface FormatReader extends XmlVisitor {
  /** Called once the document has ended: cross-checks and late completion of kept cases. */
  finish(): void
}

/** Counts a format declares about itself, to compare with what its cases add up to. */
export interface DeclaredCounts {
  tests?: number
  failed?: number
  errors?: number
  skipped?: number
}

/**
 * A warning when counts a report declares disagree with its cases, or undefined. Only declared
 * counts are compared; the cases always win.
 */
export function disagreement(element: string, declared: DeclaredCounts, counted: Required<DeclaredCounts>): string | undefined {
  const keys = (Object.keys(declared) as (keyof DeclaredCounts)[]).filter((key) => declared[key] !== undefined)
  if (keys.every((key) => declared[key] === counted[key])) return undefined
  const list = (counts: DeclaredCounts) => keys.map((key) => `${key}=${counts[key]}`).join(' ')
  return `<${element}> declares ${list(declared)} but its test cases give ${list(counted)}; the test cases are used`
}
