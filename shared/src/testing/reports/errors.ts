/** A report that cannot be read: malformed XML, a refused DTD, or a root no parser knows. */
export class ReportError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: number
  ) {
    super(`${file}${line === undefined ? '' : `:${line}:${column ?? 1}`}: ${reason}`)
    this.name = 'ReportError'
  }
}

/** The message of anything thrown; Node's own errors may come from another realm than `Error`. */
export function messageOf(thrown: unknown): string {
  if (typeof thrown === 'object' && thrown !== null && 'message' in thrown) return String(thrown.message)
  return String(thrown)
}
