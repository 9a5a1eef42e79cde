/**
 * Containment: the one place that decides whether a path taken from a manifest value, a glob or
 * a pull request stays inside its root (the repository, a deploy repository's checkout) once
 * every symbolic link on the way is followed. Every read, write and delete of such a path goes
 * through `resolveInside` (or `realPathInside`) first and then uses the real path it returns, so
 * a link cannot send Flotilla somewhere else between the check and the use without being
 * swapped in at that very moment.
 *
 * The walk is component by component, the way the kernel resolves a path (`..` after a link
 * goes to the link target's parent), so a refusal names the link that leads out.
 */
import { lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

/** Where a path leads, relative to its root. */
export type Resolution =
  /** Inside the root: `real` is the absolute real path, `path` the same relative to the real root (POSIX, `.` for the root). */
  | { kind: 'inside'; real: string; path: string; isDirectory: boolean }
  /** A component does not exist (yet); nothing on the way left the root. */
  | { kind: 'missing' }
  /**
   * Out of the root: through the symbolic link `link` (as written, relative to the root) that
   * points to `target`, or, without a link, through `..` above the root.
   */
  | { kind: 'outside'; link?: string; target?: string }

/** A path refused because it leads out of its root; the message names the link. */
export class ContainmentError extends Error {
  constructor(
    readonly path: string,
    readonly resolution: Extract<Resolution, { kind: 'outside' }>,
    rootName: string,
    /** `what` the path came from (`report pattern "reports/*.xml"`) and what was not done because of it. */
    context: { what?: string; consequence?: string } = {}
  ) {
    const message = outsideMessage(path, resolution, rootName)
    super(`${context.what === undefined ? '' : `${context.what}: `}${message}${context.consequence === undefined ? '' : `; ${context.consequence}`}`)
    this.name = 'ContainmentError'
  }
}

/** `"<path>" leads outside the <root> through the symbolic link <link> (pointing to <target>)`. */
export function outsideMessage(path: string, resolution: Extract<Resolution, { kind: 'outside' }>, rootName: string): string {
  const through = resolution.link === undefined ? '' : ` through the symbolic link ${resolution.link} (pointing to ${resolution.target})`
  return `${JSON.stringify(path)} leads outside the ${rootName}${through}`
}

/**
 * Resolves `path` (relative to `root`, `/`-separated, `.` and `..` allowed;
 * or absolute, then taken relative to `root` as written) by walking it component by component
 * and following every symbolic link, and says whether it stays inside the root's real path. A
 * link that leads out is reported even when nothing exists behind it. `realRoot`, the root's
 * real path, saves finding it again when many paths are resolved against one root.
 */
export function resolveInside(root: string, path: string, realRoot = realpathSync.native(root)): Resolution {
  const inside = (candidate: string): boolean => candidate === realRoot || candidate.startsWith(realRoot === sep ? sep : `${realRoot}${sep}`)
  let current = realRoot
  const written: string[] = []
  for (const component of (isAbsolute(path) ? relative(root, path) : path).split(sep === '\\' ? /[\\/]/ : '/')) {
    if (component === '' || component === '.') continue
    written.push(component)
    if (component === '..') {
      current = dirname(current)
      if (!inside(current)) return { kind: 'outside' }
      continue
    }
    const candidate = join(current, component)
    const stats = lstatSafe(candidate)
    if (stats === undefined) return { kind: 'missing' }
    if (!stats.isSymbolicLink()) {
      current = candidate
      continue
    }
    const link = written.join('/')
    const target = readlinkSync(candidate)
    const real = realOrDeepest(resolve(current, target))
    if (!inside(real)) return { kind: 'outside', link, target }
    current = real
  }
  const stats = lstatSafe(current)
  if (stats === undefined) return { kind: 'missing' } // behind a dangling link that points inside, or a link loop
  const inRoot = relative(realRoot, current).split(sep).join('/')
  return { kind: 'inside', real: current, path: inRoot === '' ? '.' : inRoot, isDirectory: stats.isDirectory() }
}

/** `lstat`, or undefined where there is nothing (or a component is not a directory). */
function lstatSafe(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined // ENOTDIR, EACCES, ELOOP
  }
}

/**
 * The real path of `path`; for one that does not exist (a dangling link's target), the real
 * path of its deepest existing ancestor with the rest appended, which is where a write through
 * it would land.
 */
function realOrDeepest(path: string): string {
  const rest: string[] = []
  for (let head = path; ; head = dirname(head)) {
    try {
      return join(realpathSync.native(head), ...rest)
    } catch {
      if (head === dirname(head)) return path
      rest.unshift(basename(head))
    }
  }
}

/**
 * The real path of `path` inside `root`, for a read, write or delete right after; undefined when
 * it does not exist. Throws `ContainmentError` (naming the link) when it leads out of the root.
 */
export function realPathInside(root: string, path: string, rootName: string, context?: ConstructorParameters<typeof ContainmentError>[3]): string | undefined {
  const resolution = resolveInside(root, path)
  if (resolution.kind === 'outside') throw new ContainmentError(displayPath(root, path), resolution, rootName, context)
  return resolution.kind === 'inside' ? resolution.real : undefined
}

/** `path` as the messages show it: relative to the root, `/`-separated. */
export function displayPath(root: string, path: string): string {
  return (isAbsolute(path) ? relative(root, path) : path).split(sep).join('/')
}
