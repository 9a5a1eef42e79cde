import { posix } from 'node:path'
import type { ManifestProblem } from '../types.js'
import { mapConcurrent, repositoryPath } from './files.js'
import { fileProblem } from './text.js'
import type { GraphSource, SourcePackage, SourcePosition } from './types.js'

/** One directive of a go.mod or go.work file: `require example.com/a v1.0.0` → verb `require`, args [path, version]. */
export interface GoDirective {
  verb: string
  args: string[]
  /** Where its first argument is written. */
  line: number
  column: number
}

/**
 * The directives of a go.mod or go.work file. Both are a line grammar (the Go reference's "go.mod
 * files" section): a directive per line, or `verb (` opening a block of one per line up to `)`;
 * `//` comments; arguments may be quoted with `"` or backquotes. Small enough to read here; the
 * Go toolchain is not something an action can count on.
 */
export function readGoDirectives(text: string): GoDirective[] {
  const directives: GoDirective[] = []
  let block: string | undefined
  text.split('\n').forEach((raw, index) => {
    const tokens = goTokens(raw)
    if (tokens.length === 0) return
    const line = index + 1
    if (block !== undefined) {
      if (tokens[0].text === ')') block = undefined
      else directives.push({ verb: block, args: tokens.map((token) => token.text), line, column: tokens[0].column })
      return
    }
    if (tokens.length === 2 && tokens[1].text === '(') {
      block = tokens[0].text
      return
    }
    const [verb, ...args] = tokens
    directives.push({ verb: verb.text, args: args.map((token) => token.text), line, column: args[0]?.column ?? verb.column })
  })
  return directives
}

function goTokens(line: string): Array<{ text: string; column: number }> {
  const tokens: Array<{ text: string; column: number }> = []
  const pattern = /\/\/.*$|"((?:[^"\\]|\\.)*)"|`([^`]*)`|(=>|[()])|([^\s()"`]+)/g
  for (let match = pattern.exec(line); match !== null; match = pattern.exec(line)) {
    if (match[0].startsWith('//')) break
    const text = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3] ?? match[4])
    tokens.push({ text, column: match.index + 1 })
  }
  return tokens
}

interface GoModule {
  directory: string
  file: string
  path?: string
  requires: Array<{ path: string } & SourcePosition>
  /** Module path → local directory, from this file's `replace` directives. */
  replaces: Map<string, string>
}

/** Replacements to local directories (`=> ./x`, `=> ../x`); a target leaving the repository is noted and left out. */
function localReplaces(directives: readonly GoDirective[], directory: string, file: string, notices: ManifestProblem[]): Map<string, string> {
  const replaces = new Map<string, string>()
  for (const directive of directives) {
    if (directive.verb !== 'replace') continue
    const arrow = directive.args.indexOf('=>')
    const target = directive.args[arrow + 1]
    if (arrow < 1 || target === undefined || !/^\.\.?(\/|$)|^\/|^[A-Za-z]:[\\/]/.test(target)) continue
    const resolved = target.startsWith('/') || /^[A-Za-z]:/.test(target) ? undefined : repositoryPath(directory, target)
    if (resolved === undefined) {
      notices.push(fileProblem({ file, line: directive.line, column: directive.column }, `replace ${directive.args[0]} => ${target} leads outside the repository; no dependency is inferred from it`))
      continue
    }
    replaces.set(directive.args[0], resolved)
  }
  return replaces
}

/**
 * Go modules: the modules a root go.work `use`s, the go.mod files of the manifest's directories,
 * and every local directory a `replace` points to, followed in turn. A module depends on the
 * modules it `require`s that resolve to a local directory: through go.work's `replace`, a
 * workspace module of that path, or its own go.mod `replace` (the Go command's order).
 */
export const readGoModules: GraphSource = async ({ files, starts }) => {
  const notices: ManifestProblem[] = []
  const workText = await files.read('go.work')
  const work = workText === undefined ? [] : readGoDirectives(workText)
  const workUses = work.filter((directive) => directive.verb === 'use' && directive.args[0] !== undefined).flatMap((directive) => {
    const directory = repositoryPath('.', directive.args[0])
    if (directory === undefined) notices.push(fileProblem({ file: 'go.work', line: directive.line, column: directive.column }, `use ${directive.args[0]} leads outside the repository; left out`))
    return directory === undefined ? [] : [directory]
  })
  const workReplaces = localReplaces(work, '.', 'go.work', notices)

  const modules = new Map<string, GoModule>()
  const seen = new Set<string>()
  let level = [...new Set([...workUses, ...starts, ...workReplaces.values()])]
  while (level.length > 0) {
    level.forEach((directory) => seen.add(directory))
    const read = await mapConcurrent(level, async (directory): Promise<GoModule | undefined> => {
      const file = posix.join(directory, 'go.mod')
      const text = await files.read(file)
      if (text === undefined) return undefined
      const directives = readGoDirectives(text)
      return {
        directory,
        file,
        path: directives.find((directive) => directive.verb === 'module')?.args[0],
        requires: directives.filter((d) => d.verb === 'require' && d.args[0] !== undefined).map((d) => ({ path: d.args[0], file, line: d.line, column: d.column })),
        replaces: localReplaces(directives, directory, file, notices)
      }
    })
    const next = new Set<string>()
    for (const module of read) {
      if (module === undefined) continue
      modules.set(module.directory, module)
      for (const target of module.replaces.values()) if (!seen.has(target)) next.add(target)
    }
    level = [...next]
  }
  return { packages: linkGoModules([...modules.values()], workUses, workReplaces), problems: [], notices }
}

/** Pure: the modules with a `module` path, and the edges their requires resolve to. */
function linkGoModules(modules: readonly GoModule[], workUses: readonly string[], workReplaces: ReadonlyMap<string, string>): SourcePackage[] {
  const byDirectory = new Map(modules.map((module) => [module.directory, module]))
  const workspace = new Map<string, string>()
  for (const directory of workUses) {
    const path = byDirectory.get(directory)?.path
    if (path !== undefined && !workspace.has(path)) workspace.set(path, directory)
  }
  return modules.flatMap((module): SourcePackage[] => {
    if (module.path === undefined) return []
    const dependencies = module.requires.flatMap((require) => {
      const directory = workReplaces.get(require.path) ?? workspace.get(require.path) ?? module.replaces.get(require.path)
      if (directory === undefined || directory === module.directory || !byDirectory.has(directory)) return []
      const { path, ...at } = require
      return [{ ...at, name: path, directory, via: 'require', dev: false }]
    })
    return [{ source: 'go', name: module.path, directory: module.directory, file: module.file, dependencies }]
  })
}
