import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { locateInStack } from './reports/index.js'
import type { FailureLocation } from './model.js'
import type { TestCase } from './types.js'

/** What a failure's location is resolved against; the file system is reached only through `exists` and `serviceFiles`. */
export interface LocateContext {
  /** Absolute paths. */
  workspace: string
  root: string
  serviceDir: string
  /** The report the case came from (absolute). */
  report: string
  exists(file: string): boolean
  /** Every file under the service directory (absolute); asked only when a name must be searched for. */
  serviceFiles(): readonly string[]
}

/**
 * Where a failure should be shown, most precise first: the case's own file and line, then the
 * first frame of its stack trace that names a file, then a file of that name under the service
 * (reports written inside a container or on another machine name paths that do not exist here),
 * then the file its class name spells (`tests.test_store`, `com.acme.CartTest`), and at last the
 * report itself. Only files inside the workspace qualify: annotations cannot point elsewhere.
 */
export function locateFailure(testCase: TestCase, context: LocateContext): FailureLocation {
  const named = [
    ...(testCase.file ? [{ file: testCase.file, line: testCase.line }] : []),
    ...optional(testCase.details ? locateInStack(testCase.details) : undefined)
  ]
  for (const { file, line } of named) {
    const found = existingPath(file, context)
    if (found !== undefined) return at(found, line, context)
  }
  for (const { file, line } of named) {
    const found = searchByName(file, context)
    if (found !== undefined) return at(found, line, context)
  }
  const fromClass = testCase.className ? searchByClassName(testCase.className, context) : undefined
  if (fromClass !== undefined) {
    const line = named.find(({ file }) => basename(toPath(file)) === basename(fromClass))?.line
    return at(fromClass, line, context)
  }
  return { file: workspacePath(context.report, context) ?? context.report, precision: 'report' }
}

function at(file: string, line: number | undefined, context: LocateContext): FailureLocation {
  const shown = workspacePath(file, context) as string
  return line !== undefined && line > 0 ? { file: shown, line, precision: 'line' } : { file: shown, precision: 'file' }
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value]
}

/** Stack traces name files as `file:///…` URLs, reports as absolute or relative paths. */
function toPath(file: string): string {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file)
    } catch {
      return file
    }
  }
  return file
}

function existingPath(file: string, context: LocateContext): string | undefined {
  const path = toPath(file)
  const candidates = isAbsolute(path) ? [path] : [resolve(context.serviceDir, path), resolve(context.root, path)]
  return candidates.find((candidate) => workspacePath(candidate, context) !== undefined && context.exists(candidate))
}

/** Among the service's files with the same name, the one sharing the longest tail of directories. */
function searchByName(file: string, context: LocateContext): string | undefined {
  const wanted = toPath(file).split(/[\\/]+/).filter(Boolean)
  const name = wanted.at(-1)
  if (name === undefined) return undefined
  let best: { file: string; shared: number } | undefined
  for (const candidate of context.serviceFiles()) {
    if (basename(candidate) !== name) continue
    const parts = candidate.split(sep)
    let shared = 0
    while (shared < wanted.length && shared < parts.length && wanted[wanted.length - 1 - shared] === parts[parts.length - 1 - shared]) shared++
    if (best === undefined || shared > best.shared) best = { file: candidate, shared }
  }
  return best?.file
}

/** `tests.test_store` → a file `tests/test_store.<ext>` under the service (Python, Java, Kotlin, C# layouts). */
function searchByClassName(className: string, context: LocateContext): string | undefined {
  const tail = sep + className.split('.').filter(Boolean).join(sep)
  if (tail === sep) return undefined
  return context.serviceFiles().find((candidate) => {
    const withoutExtension = candidate.slice(0, candidate.length - extname(candidate).length)
    return withoutExtension.endsWith(tail)
  })
}

/** The path relative to the workspace, or undefined when it lies outside. */
export function workspacePath(file: string, context: Pick<LocateContext, 'workspace'>): string | undefined {
  const path = relative(context.workspace, file)
  if (path === '' || path.startsWith('..') || isAbsolute(path)) return undefined
  return path.split(sep).join('/')
}
