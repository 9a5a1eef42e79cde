import { posix } from 'node:path'
import type { ManifestProblem } from '../types.js'
import { mapConcurrent, repositoryPath } from './files.js'
import { fileProblem, lineIndex } from './text.js'
import type { GraphSource, SourceDependency, SourcePackage, SourcePosition } from './types.js'

/**
 * Gradle build scripts are programs (Groovy or Kotlin); Flotilla reads only what is literally
 * written: `include(":a", ":b")` / `include ':a'` and `project(":a").projectDir = file("x")` in
 * settings.gradle(.kts), and `project(":x")` or `projects.x` in `dependencies { }` blocks of each
 * project's build.gradle(.kts). Anything computed (a variable, a loop, a `"$template"`) is left out
 * with a notice. A small tokenizer is enough for that, and no Gradle can be assumed on a runner.
 */
export interface GradleToken {
  kind: 'name' | 'string' | 'symbol' | 'newline'
  text: string
  /** A double-quoted string with a `$` template in it: its value is computed. */
  dynamic?: boolean
  offset: number
}

/** Tokens of a Groovy or Kotlin script, comments dropped and newlines kept (they end statements). */
export function gradleTokens(text: string): GradleToken[] {
  const tokens: GradleToken[] = []
  let at = 0
  while (at < text.length) {
    const ch = text[at]
    if (ch === '\n') {
      tokens.push({ kind: 'newline', text: ch, offset: at++ })
    } else if (/\s/.test(ch)) {
      at++
    } else if (text.startsWith('//', at)) {
      const end = text.indexOf('\n', at)
      at = end === -1 ? text.length : end
    } else if (text.startsWith('/*', at)) {
      // Kotlin block comments nest; Groovy's do not, and nesting them is rare enough not to matter.
      let depth = 0
      do {
        if (text.startsWith('/*', at)) (depth++, (at += 2))
        else if (text.startsWith('*/', at)) (depth--, (at += 2))
        else at++
      } while (depth > 0 && at < text.length)
    } else if (ch === '"' || ch === "'") {
      const quote = text.startsWith(ch.repeat(3), at) ? ch.repeat(3) : ch
      let end = at + quote.length
      let value = ''
      while (end < text.length && !text.startsWith(quote, end)) {
        if (text[end] === '\\' && quote.length === 1) {
          value += text[end + 1] ?? ''
          end += 2
        } else value += text[end++]
      }
      const raw = text.slice(at, end)
      tokens.push({ kind: 'string', text: value, dynamic: ch === '"' && /(^|[^\\])\$/.test(raw), offset: at })
      at = end + quote.length
    } else if (/[A-Za-z_$]/.test(ch)) {
      const name = /^[A-Za-z_$][\w$]*/.exec(text.slice(at, at + 256))![0]
      tokens.push({ kind: 'name', text: name, offset: at })
      at += name.length
    } else {
      tokens.push({ kind: 'symbol', text: ch, offset: at++ })
    }
  }
  return tokens
}

export interface GradleSettings {
  /** Included project paths (`:a:b`) with their directories. */
  projects: Map<string, string>
  notices: ManifestProblem[]
}

/** `include`, `includeFlat` and `project(":a").projectDir` of settings.gradle(.kts). */
export function readGradleSettings(text: string, file: string): GradleSettings {
  const tokens = gradleTokens(text)
  const position = lineIndex(text)
  const at = (token: GradleToken): SourcePosition => ({ file, ...position(token.offset) })
  const projects = new Map<string, string>()
  const notices: ManifestProblem[] = []
  const directories = new Map<string, string>()
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]
    if (token.kind !== 'name' || tokens[index - 1]?.text === '.') continue
    if (token.text === 'include' || token.text === 'includeFlat') {
      const args = callArguments(tokens, index + 1)
      const literal = args.every((arg) => arg.length === 1 && arg[0].kind === 'string' && !arg[0].dynamic) && args.length > 0
      if (!literal) {
        notices.push(fileProblem(at(token), `${token.text} with computed arguments is not statically readable; those projects are left out`))
        continue
      }
      for (const [arg] of args) {
        const path = projectPath(arg.text)
        if (token.text === 'includeFlat') {
          notices.push(fileProblem(at(arg), `includeFlat '${arg.text}' is a directory beside the repository; left out`))
          continue
        }
        // Including `:a:b` includes `:a` as well, in the directory of the same path.
        const segments = path.split(':').filter(Boolean)
        for (let depth = 1; depth <= segments.length; depth++) {
          const parent = `:${segments.slice(0, depth).join(':')}`
          if (!projects.has(parent)) projects.set(parent, segments.slice(0, depth).join('/'))
        }
      }
    } else if (token.text === 'project' && tokens[index + 1]?.text === '(') {
      const path = tokens[index + 2]
      const assignment = tokens.slice(index + 3, index + 7).map((t) => t.text).join(' ')
      if (assignment !== ') . projectDir =') continue
      const value = projectDirValue(tokens, index + 7)
      if (path?.kind !== 'string' || path.dynamic || value === undefined) {
        notices.push(fileProblem(at(token), 'a projectDir that is computed is not statically readable; that project keeps its default directory'))
        continue
      }
      directories.set(projectPath(path.text), value)
    }
  }
  for (const [path, directory] of directories) if (projects.has(path)) projects.set(path, directory)
  return { projects, notices }
}

/** `:a:b` from `a:b` or `:a:b`. */
function projectPath(text: string): string {
  return text.startsWith(':') ? text : `:${text}`
}

/** `file("x")`, `File(settingsDir, "x")`, `new File(rootDir, 'x')` → `x`. */
function projectDirValue(tokens: readonly GradleToken[], start: number): string | undefined {
  const texts = tokens.slice(start, start + 8)
  const from = texts[0]?.text === 'new' ? 1 : 0
  if (texts[from]?.text === 'file' && texts[from + 1]?.text === '(' && texts[from + 2]?.kind === 'string' && texts[from + 3]?.text === ')') {
    return texts[from + 2].dynamic ? undefined : texts[from + 2].text
  }
  const [name, open, base, comma, value, close] = texts.slice(from)
  if (name?.text === 'File' && open?.text === '(' && ['settingsDir', 'rootDir'].includes(base?.text) && comma?.text === ',' && value?.kind === 'string' && !value.dynamic && close?.text === ')') {
    return value.text
  }
  return undefined
}

/**
 * The arguments of a call at `start`: `( a, b )`, or a Groovy command call's `a, b` up to the end
 * of the line; each argument as its tokens.
 */
function callArguments(tokens: readonly GradleToken[], start: number): GradleToken[][] {
  const parenthesised = tokens[start]?.text === '('
  const args: GradleToken[][] = [[]]
  let depth = 0
  for (let index = parenthesised ? start + 1 : start; index < tokens.length; index++) {
    const token = tokens[index]
    if (token.text === '(' || token.text === '[' || token.text === '{') depth++
    if (token.text === ')' || token.text === ']' || token.text === '}') {
      if (depth === 0) break
      depth--
    }
    if (!parenthesised && depth === 0 && token.kind === 'newline') break
    if (token.kind === 'newline') continue
    if (depth === 0 && token.text === ',') args.push([])
    else args[args.length - 1].push(token)
  }
  return args.filter((arg) => arg.length > 0)
}

/** One `project(...)` or `projects.x` reference inside a `dependencies { }` block. */
export interface GradleProjectReference {
  /** `:a:b`, or the accessor chain (`projects.a.b` → `a.b`), or undefined when computed. */
  path?: string
  accessor?: string
  /** The configuration of the statement, e.g. `implementation`, `testImplementation`. */
  configuration: string
  offset: number
}

/** The project references of a build script's `dependencies { }` blocks (outside `buildscript { }`). */
export function readGradleBuild(text: string): GradleProjectReference[] {
  const tokens = gradleTokens(text)
  const references: GradleProjectReference[] = []
  // The brace depth of each open block, and whether it is a dependencies block (true), a buildscript block ('skip') or another.
  const blocks: Array<boolean | 'skip'> = []
  let parens = 0
  let statement = 0
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]
    if (token.text === '{') {
      const owner = tokens[index - 1]?.text
      blocks.push(blocks.includes('skip') || owner === 'buildscript' ? 'skip' : owner === 'dependencies')
      statement = index + 1
      continue
    }
    if (token.text === '}') {
      blocks.pop()
      statement = index + 1
      continue
    }
    if (token.text === '(') parens++
    if (token.text === ')') parens = Math.max(0, parens - 1)
    if ((token.kind === 'newline' || token.text === ';') && parens === 0) {
      statement = index + 1
      continue
    }
    if (blocks[blocks.length - 1] !== true || token.kind !== 'name') continue
    const first = tokens.slice(statement, index + 1).find((candidate) => candidate.kind !== 'newline')
    const configuration = first?.kind === 'name' ? first.text : ''
    if (token.text === 'project' && tokens[index + 1]?.text === '(' && tokens[index - 1]?.text !== '.') {
      const args = callArguments(tokens, index + 1)
      const named = args.find((arg) => arg.length === 3 && arg[0].text === 'path' && (arg[1].text === ':' || arg[1].text === '='))
      const literal = named?.[2] ?? (args[0]?.length === 1 ? args[0][0] : undefined)
      const path = literal?.kind === 'string' && !literal.dynamic ? projectPath(literal.text) : undefined
      references.push({ ...(path === undefined ? {} : { path }), configuration, offset: token.offset })
    } else if (token.text === 'projects' && tokens[index + 1]?.text === '.' && tokens[index - 1]?.text !== '.') {
      const chain: string[] = []
      for (let next = index + 1; tokens[next]?.text === '.' && tokens[next + 1]?.kind === 'name'; next += 2) chain.push(tokens[next + 1].text)
      references.push({ accessor: chain.join('.'), configuration, offset: token.offset })
    }
  }
  return references
}

/** Test-only configurations: `testImplementation`, `testRuntimeOnly`, `androidTestImplementation`, `integrationTestImplementation`. */
function isTestConfiguration(configuration: string): boolean {
  return /^test|Test[A-Z]/.test(configuration)
}

/** Gradle's type-safe accessor of a project path: `:foo-bar:baz_qux` → `fooBar.bazQux`. */
function accessorOf(path: string): string {
  return path
    .split(':')
    .filter(Boolean)
    .map((segment) => segment.replace(/[-_]+([a-zA-Z0-9])/g, (_, letter: string) => letter.toUpperCase()))
    .join('.')
}

/**
 * Gradle multi-project builds: the projects settings.gradle(.kts) includes, each depending on
 * the projects its build script's `dependencies { }` name; `test…` configurations make
 * development dependencies.
 */
export const readGradleBuilds: GraphSource = async ({ files }) => {
  const [kotlin, groovy] = await Promise.all([files.read('settings.gradle.kts'), files.read('settings.gradle')])
  const settingsFile = kotlin !== undefined ? 'settings.gradle.kts' : 'settings.gradle'
  const settingsText = kotlin ?? groovy
  if (settingsText === undefined) return { packages: [], problems: [], notices: [] }
  const settings = readGradleSettings(settingsText, settingsFile)
  const notices = [...settings.notices]
  const projects: Array<{ path: string; directory: string }> = []
  for (const [path, raw] of settings.projects) {
    const directory = repositoryPath('.', raw)
    if (directory === undefined) notices.push(fileProblem({ file: settingsFile, line: 0, column: 0 }, `project ${path} lies outside the repository ("${raw}"); left out`))
    else projects.push({ path, directory })
  }
  const byPath = new Map(projects.map((project) => [project.path, project]))
  const byAccessor = new Map(projects.map((project) => [accessorOf(project.path), project]))

  const builds = await mapConcurrent(projects, async (project) => {
    for (const name of ['build.gradle.kts', 'build.gradle']) {
      const file = posix.join(project.directory, name)
      const text = await files.read(file)
      if (text !== undefined) return { file, text }
    }
    return undefined
  })
  const packages = projects.map((project, index): SourcePackage => {
    const build = builds[index]
    const dependencies: SourceDependency[] = []
    if (build !== undefined) {
      const position = lineIndex(build.text)
      for (const reference of readGradleBuild(build.text)) {
        const at = { file: build.file, ...position(reference.offset) }
        const target = reference.path !== undefined ? byPath.get(reference.path) : reference.accessor !== undefined ? longestAccessor(reference.accessor, byAccessor) : undefined
        if (reference.path === undefined && reference.accessor === undefined) {
          notices.push(fileProblem(at, 'a project dependency that is computed is not statically readable; left out'))
        } else if (target === undefined) {
          notices.push(fileProblem(at, `${reference.path ?? `projects.${reference.accessor}`} is no project that ${settingsFile} includes; left out`))
        } else if (target.directory !== project.directory) {
          dependencies.push({ ...at, name: target.path, directory: target.directory, via: reference.configuration || 'dependencies', dev: isTestConfiguration(reference.configuration) })
        }
      }
    }
    return { source: 'gradle', name: project.path, directory: project.directory, file: build?.file ?? settingsFile, dependencies }
  })
  return { packages, problems: [], notices }
}

/** `projects.a.b.someMethod` names `:a:b`: the longest chain that is a project's accessor. */
function longestAccessor(chain: string, byAccessor: ReadonlyMap<string, { path: string; directory: string }>) {
  const parts = chain.split('.')
  for (let length = parts.length; length > 0; length--) {
    const found = byAccessor.get(parts.slice(0, length).join('.'))
    if (found !== undefined) return found
  }
  return undefined
}
