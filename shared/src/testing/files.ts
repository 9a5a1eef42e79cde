import { readdir } from 'node:fs/promises'
import { join, posix } from 'node:path'
import picomatch from 'picomatch'

/** Directories no report pattern should make us walk into unless it names them. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules'])

/**
 * Files under `dir` matching gitignore-ordered patterns (the last matching pattern wins, `!`
 * excludes), as POSIX paths relative to `dir`, sorted. Only the directories a pattern can
 * reach are walked: `reports/*.xml` reads `reports/` and nothing else.
 */
export async function findFiles(dir: string, patterns: readonly string[]): Promise<string[]> {
  const rules = patterns.map((pattern) => {
    const negated = pattern.startsWith('!')
    const glob = negated ? pattern.slice(1) : pattern
    return { negated, glob, matches: picomatch(glob, { dot: true }) }
  })
  const positives = rules.filter((rule) => !rule.negated)
  if (positives.length === 0) return []
  const bases = walkBases(positives.map((rule) => rule.glob))
  const namesSkipped = (name: string): boolean =>
    SKIPPED_DIRECTORIES.has(name) && !positives.some((rule) => rule.glob.includes(name))

  const found = new Set<string>()
  for (const base of bases) {
    for (const file of await walk(dir, base, namesSkipped)) {
      let included = false
      for (const rule of rules) if (rule.matches(file)) included = !rule.negated
      if (included) found.add(file)
    }
  }
  return [...found].sort()
}

/** The directories to walk: each pattern's static prefix, leaving out those inside another. */
function walkBases(globs: readonly string[]): string[] {
  const bases = globs.map((glob) => {
    const scanned = picomatch.scan(glob)
    return scanned.isGlob ? scanned.base : posix.dirname(glob).replace(/^\.$/, '')
  })
  const within = (base: string, outer: string): boolean => outer === '' || base === outer || base.startsWith(`${outer}/`)
  return [...new Set(bases)].filter((base, _, all) => !all.some((outer) => outer !== base && within(base, outer))).sort()
}

/** Every file under `dir` (absolute paths), for searching a name; the skipped directories stay unread. */
export async function listFiles(dir: string): Promise<string[]> {
  return (await walk(dir, '', (name) => SKIPPED_DIRECTORIES.has(name))).map((file) => join(dir, file))
}

async function walk(root: string, start: string, skip: (name: string) => boolean): Promise<string[]> {
  const files: string[] = []
  const pending = [start]
  while (pending.length > 0) {
    const relativeDir = pending.pop() as string
    let entries
    try {
      entries = await readdir(join(root, relativeDir), { withFileTypes: true })
    } catch {
      continue // a pattern's base that does not exist (yet) matches nothing
    }
    for (const entry of entries) {
      const path = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`
      if (entry.isDirectory()) {
        if (!skip(entry.name)) pending.push(path)
      } else if (entry.isFile()) files.push(path)
    }
  }
  return files
}
