import { parsePattern, type PathPattern } from './pattern.js'

export { parsePattern, type PathPattern } from './pattern.js'

/**
 * A pattern list evaluated like GitHub's `paths:` filter: patterns are read in order and the last
 * one that matches decides, so `!x` excludes what came before and a later positive pattern
 * includes again. A path no pattern matches is not selected.
 */
export function compilePatterns(patterns: readonly string[]): (path: string) => boolean {
  return matcherOf(patterns.map(parsePattern))
}

function matcherOf(compiled: readonly PathPattern[]): (path: string) => boolean {
  return (path) => {
    for (let i = compiled.length - 1; i >= 0; i--) {
      if (compiled[i].regex.test(path)) return !compiled[i].negated
    }
    return false
  }
}

export interface PatternOwner {
  name: string
  patterns: readonly string[]
}

export interface Router {
  /** Names of the owners whose patterns select `path`, in the order the owners were given. */
  route(path: string): string[]
}

/**
 * Routes paths to the owners (services, libraries) whose patterns select them, without testing
 * every path against every owner. Each owner is filed under the literal directory of each of its
 * positive patterns (`src/cart` for `src/cart/**`); a path is only tested against the owners filed
 * under one of its ancestor directories, and against those filed at the root (patterns that
 * start with a wildcard, such as every `.proto` file anywhere). The cost is about
 * paths × depth + owners instead of paths × owners. Negative patterns never make an owner a
 * candidate: they only take paths away.
 */
export function createRouter(owners: readonly PatternOwner[]): Router {
  const compiled = owners.map((owner) => owner.patterns.map(parsePattern))
  const matchers = compiled.map(matcherOf)
  const byDirectory = new Map<string, number[]>()
  compiled.forEach((patterns, index) => {
    for (const pattern of patterns) {
      if (pattern.negated) continue
      const filed = byDirectory.get(pattern.directory)
      if (filed === undefined) byDirectory.set(pattern.directory, [index])
      else if (filed[filed.length - 1] !== index) filed.push(index)
    }
  })
  const rootOwners = byDirectory.get('') ?? []
  // An owner filed under several ancestors of one path is tested once: `testedFor[i]` holds the
  // number of the last path owner i was tested for.
  const testedFor = new Float64Array(owners.length).fill(-1)
  let pathNumber = 0

  return {
    route(path: string): string[] {
      const current = pathNumber++
      const candidates: number[] = []
      const consider = (filed: readonly number[]): void => {
        for (const index of filed) {
          if (testedFor[index] === current) continue
          testedFor[index] = current
          candidates.push(index)
        }
      }
      consider(rootOwners)
      for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        const filed = byDirectory.get(path.slice(0, slash))
        if (filed !== undefined) consider(filed)
      }
      if (candidates.length > 1) candidates.sort((a, b) => a - b)
      const selected: string[] = []
      for (const index of candidates) if (matchers[index](path)) selected.push(owners[index].name)
      return selected
    }
  }
}
