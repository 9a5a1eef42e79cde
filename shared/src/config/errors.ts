import type { ManifestProblem } from './types.js'

/** `file:line:col: keyPath: message`; the position and key path are left out when unknown. */
export function formatProblem(problem: ManifestProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file
  return problem.keyPath === '' ? `${where}: ${problem.message}` : `${where}: ${problem.keyPath}: ${problem.message}`
}

/** Every problem found in a manifest (or in what discovery read), in file and position order. */
export class ManifestError extends Error {
  readonly problems: ManifestProblem[]

  constructor(problems: ManifestProblem[]) {
    const sorted = [...problems].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column
    )
    super(sorted.map(formatProblem).join('\n'))
    this.name = 'ManifestError'
    this.problems = sorted
  }
}
