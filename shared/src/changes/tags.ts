import picomatch from 'picomatch'

/** Which tags count as earlier releases of the one being pushed. */
export interface TagFamily {
  /** How the family is shown to users, e.g. `v*`. */
  pattern: string
  matches(name: string): boolean
}

interface Version {
  numbers: number[]
  prerelease: string[]
}

const VERSION = /^(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/

/**
 * The tags a pushed tag is compared with: those matching `pattern` when given, otherwise those
 * of the same shape, i.e. the same text before the first digit (`v*` for `v1.2.3`, `cart/v*` for
 * `cart/v2.0.0`), so each release train in a monorepo is compared with its own previous release.
 */
export function tagFamily(current: string, pattern?: string): TagFamily {
  if (pattern !== undefined) {
    const isMatch = picomatch(pattern, { dot: true })
    return { pattern, matches: (name) => isMatch(name) }
  }
  const prefix = versionPrefix(current)
  return { pattern: `${prefix}*`, matches: (name) => versionPrefix(name) === prefix }
}

/**
 * The greatest tag of `current`'s family that sorts below it. Versions (the part after the
 * text before the first digit, e.g. `1.10.0-rc.1`) sort by semver precedence when `current` is
 * one; otherwise names sort lexically.
 */
export function previousTag<T extends { name: string }>(tags: readonly T[], current: string, family: TagFamily): T | undefined {
  const candidates = tags.filter((tag) => tag.name !== current && family.matches(tag.name))
  const currentVersion = parseVersion(current)
  if (currentVersion === undefined) {
    return candidates.filter((tag) => tag.name < current).reduce<T | undefined>(
      (best, tag) => (best === undefined || tag.name > best.name ? tag : best),
      undefined
    )
  }
  let best: { tag: T; version: Version } | undefined
  for (const tag of candidates) {
    const version = parseVersion(tag.name)
    if (version === undefined || compareVersions(version, currentVersion) >= 0) continue
    const order = best === undefined ? 1 : compareVersions(version, best.version) || compareText(tag.name, best.tag.name)
    if (order > 0) best = { tag, version }
  }
  return best?.tag
}

/** Semver precedence, generalised to any number of numeric components (missing ones are 0). */
function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.numbers.length, b.numbers.length); i++) {
    const difference = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0)
    if (difference !== 0) return Math.sign(difference)
  }
  // A release ranks above its prereleases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return Math.sign(b.prerelease.length - a.prerelease.length)
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    if (i >= a.prerelease.length) return -1
    if (i >= b.prerelease.length) return 1
    const order = comparePrereleaseIdentifier(a.prerelease[i], b.prerelease[i])
    if (order !== 0) return order
  }
  return 0
}

/** The version in a tag name after the text before its first digit; undefined when there is none. */
function parseVersion(tag: string): Version | undefined {
  const match = VERSION.exec(tag.slice(versionPrefix(tag).length))
  if (!match) return undefined
  return { numbers: match[1].split('.').map(Number), prerelease: match[2]?.split('.') ?? [] }
}

function versionPrefix(tag: string): string {
  const firstDigit = tag.search(/\d/)
  return firstDigit === -1 ? tag : tag.slice(0, firstDigit)
}

function comparePrereleaseIdentifier(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a)
  const bNumeric = /^\d+$/.test(b)
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b))
  // Numeric identifiers rank below alphanumeric ones.
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1
  return compareText(a, b)
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
