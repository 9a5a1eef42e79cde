import { describe, expect, it } from '@jest/globals'
import { compilePatterns, createRouter, type PatternOwner } from '../../../shared/src/match/index.js'

/** mulberry32: a small seeded generator, so a failing case can be replayed exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The reference: every path tested against every owner. */
function bruteForce(owners: readonly PatternOwner[]): (path: string) => string[] {
  const matchers = owners.map((owner) => ({ name: owner.name, matches: compilePatterns(owner.patterns) }))
  return (path) => matchers.filter((owner) => owner.matches(path)).map((owner) => owner.name)
}

describe('createRouter', () => {
  const owners: PatternOwner[] = [
    { name: 'cart', patterns: ['src/cart/**', '!src/cart/**/*.md'] },
    { name: 'protos', patterns: ['**/*.proto'] },
    { name: 'docs', patterns: ['docs/**', 'src/cart/README.md'] },
    { name: 'cart-api', patterns: ['src/cart/api/**'] },
    { name: 'nothing', patterns: ['!src/**'] }
  ]
  const router = createRouter(owners)

  it('returns every owner whose patterns select the path, in owner order', () => {
    expect(router.route('src/cart/api/v1/cart.proto')).toEqual(['cart', 'protos', 'cart-api'])
    expect(router.route('src/cart/main.go')).toEqual(['cart'])
    expect(router.route('src/cart/README.md')).toEqual(['docs'])
    expect(router.route('cart.proto')).toEqual(['protos'])
    expect(router.route('unowned/file.txt')).toEqual([])
  })

  it('routes a path the same way however often it is asked', () => {
    expect(router.route('src/cart/api/x')).toEqual(['cart', 'cart-api'])
    expect(router.route('src/cart/api/x')).toEqual(['cart', 'cart-api'])
  })

  it('agrees with testing every owner, on randomized owners and paths', () => {
    const random = seededRandom(20240611)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
    // 'asvc' and 'bsrc' are what `a/?svc/**` and `b/?src/**` match when the `/` is left out.
    const segments = ['a', 'b', 'svc', 'lib', '.hidden', 'x y', 'ü', 'docs', 'src', 'a-b', 'asvc', 'bsrc']
    const names = ['main.go', 'README.md', 'api.proto', '.env', 'Dockerfile', 'x.ts', 'a.md']
    const randomDirectory = (): string =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(segments)).join('/')
    const randomPattern = (): string => {
      const directory = randomDirectory()
      const shapes = [
        `${directory}/**`,
        `${directory}/*`,
        `${directory}/**/*.md`,
        `${directory}/${pick(names)}`,
        `**/${pick(names)}`,
        `${directory}/*.[mp]?d`,
        `${directory}?/**`,
        `${pick(['a', 'b'])}/?${pick(['svc', 'src'])}/**`,
        `*.md`,
        `${directory}/**/${pick(segments)}/**`
      ]
      const pattern = pick(shapes)
      return random() < 0.25 ? `!${pattern}` : pattern
    }
    const randomOwners: PatternOwner[] = Array.from({ length: 60 }, (_, i) => ({
      name: `owner-${i}`,
      patterns: Array.from({ length: 1 + Math.floor(random() * 4) }, randomPattern)
    }))
    const paths = Array.from({ length: 2000 }, () =>
      random() < 0.1 ? pick(names) : `${randomDirectory()}/${pick(names)}`
    )
    const randomRouter = createRouter(randomOwners)
    const reference = bruteForce(randomOwners)

    let routedSomewhere = 0
    for (const path of paths) {
      const routed = randomRouter.route(path)
      expect({ path, owners: routed }).toEqual({ path, owners: reference(path) })
      if (routed.length > 0) routedSomewhere++
    }
    // The comparison means little unless many paths actually have owners.
    expect(routedSomewhere).toBeGreaterThan(paths.length / 4)
  })
})
