import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import picomatch from 'picomatch'
import { globBase } from '../config/paths.js'
import { realPathInside } from '../containment/index.js'

/** Directories no report pattern should make us walk into unless it names them. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules'])

/**
 * Files under `dir` matching gitignore-ordered patterns (the last matching pattern wins, `!`
 * excludes), as POSIX paths relative to `dir`, sorted. Only the directories a pattern can
 * reach are walked: `reports/*.xml` reads `reports/` and nothing else. Symbolic links below
 * those directories are not followed; a directory to walk that leads out of `root` (`dir`
 * itself by default) through a link is refused with a `ContainmentError` naming the link,
 * before anything is read.
 */
export async function findFiles(dir: string, patterns: readonly string[], root = dir): Promise<string[]> {
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
  const realBases = bases.map((base) => {
    const pattern = positives.find((rule) => within(globBase(rule.glob), base))?.glob ?? base
    const context = { what: `report pattern ${JSON.stringify(pattern)}`, consequence: 'nothing there is read or deleted' }
    return { base, real: realPathInside(root, join(dir, base), 'repository', context) }
  })

  const found = new Set<string>()
  for (const { base, real } of realBases) {
    if (real === undefined) continue // a pattern's base that does not exist (yet) matches nothing
    for (const file of await walk(real, '', namesSkipped)) {
      const path = base === '' ? file : `${base}/${file}`
      let included = false
      for (const rule of rules) if (rule.matches(path)) included = !rule.negated
      if (included) found.add(path)
    }
  }
  return [...found].sort()
}

/** The directories to walk: each pattern's static prefix, leaving out those inside another. */
function walkBases(globs: readonly string[]): string[] {
  const bases = globs.map(globBase)
  return [...new Set(bases)].filter((base, _, all) => !all.some((outer) => outer !== base && within(base, outer))).sort()
}

function within(base: string, outer: string): boolean {
  return outer === '' || base === outer || base.startsWith(`${outer}/`)
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
