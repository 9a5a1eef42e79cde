import { createHash } from 'node:crypto'
import { isTag } from '../image/reference.js'

/** The git facts an image's tags come from. */
export interface TagContext {
  /** Full commit sha being built. */
  sha: string
  /** Short branch name (`feature/x`) on branch pushes; absent for tags and pull requests. */
  branch?: string
  /** The repository's default branch, which earns `latest`. */
  defaultBranch?: string
  /** Pull request number on pull-request events. */
  pullRequest?: number
  /** Short git tag name (`v1.2.3`, `cart/v1.2.3`) on tag pushes. */
  gitTag?: string
}

/** Which tag rules apply; each is on unless set to false. */
export interface TagRules {
  sha: boolean
  branch: boolean
  pullRequest: boolean
  semver: boolean
  latest: boolean
}

export interface TagRequest {
  context: TagContext
  rules?: Partial<TagRules>
  /** Hash of the service's build inputs; gives the tag `inputHashTag(inputHash)`. */
  inputHash?: string
  /** Tags the user asked for, used as written (they must already be valid tags). */
  raw?: readonly string[]
}

export type TagSource = 'sha' | 'branch' | 'pull-request' | 'semver' | 'latest' | 'input-hash' | 'raw'

export interface ImageTag {
  name: string
  /** The rule that produced it, for summaries that say why an image carries a tag. */
  source: TagSource
}

export class InvalidTagError extends Error {
  constructor(
    readonly tag: string,
    reason: string
  ) {
    super(`invalid image tag ${JSON.stringify(tag)}: ${reason}`)
    this.name = 'InvalidTagError'
  }
}

const SHA_LENGTH = 7
const MAX_TAG_LENGTH = 128
/** Hex digits of the hash that keeps truncated or emptied names distinct. */
const SUFFIX_HASH_LENGTH = 8
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/
const SHA = /^[0-9a-f]{7,64}$/i
const INPUT_HASH = /^[0-9a-f]{8,64}$/

/**
 * The tags for one image build, in a stable order without duplicates (the first rule to give a
 * name keeps it).
 */
export function computeImageTags(request: TagRequest): ImageTag[] {
  const rules: TagRules = { sha: true, branch: true, pullRequest: true, semver: true, latest: true, ...request.rules }
  const { context } = request
  const tags: ImageTag[] = []
  const add = (name: string, source: TagSource) => {
    if (!tags.some((tag) => tag.name === name)) tags.push({ name, source })
  }

  if (request.inputHash !== undefined) add(inputHashTag(request.inputHash), 'input-hash')
  if (rules.sha) add(shaTag(context.sha), 'sha')
  if (rules.pullRequest && context.pullRequest !== undefined) add(pullRequestTag(context.pullRequest), 'pull-request')
  if (rules.branch && context.branch !== undefined && context.pullRequest === undefined) add(sanitizeTag(context.branch), 'branch')
  if (rules.semver && context.gitTag !== undefined) {
    for (const name of semverTags(context.gitTag)) add(name, 'semver')
  }
  if (rules.latest && isDefaultBranchPush(context)) add('latest', 'latest')
  for (const name of request.raw ?? []) {
    if (!isTag(name)) {
      throw new InvalidTagError(name, "a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
    }
    add(name, 'raw')
  }
  return tags
}

/** `sha-<first 7 hex digits>`. */
export function shaTag(sha: string): string {
  if (!SHA.test(sha)) throw new InvalidTagError(sha, 'a commit sha is 7 to 64 hex digits')
  return `sha-${sha.slice(0, SHA_LENGTH).toLowerCase()}`
}

export function pullRequestTag(number: number): string {
  if (!Number.isSafeInteger(number) || number < 1) throw new InvalidTagError(String(number), 'a pull request number is a positive integer')
  return `pr-${number}`
}

/** The tag that marks an image built from exactly these inputs, which the build looks up to skip work. */
export function inputHashTag(hash: string): string {
  if (!INPUT_HASH.test(hash)) throw new InvalidTagError(hash, 'an input hash is 8 to 64 lowercase hex digits')
  return `inputs-${hash}`
}

/**
 * `1.2.3`, `1.2` and `1` for a release tag `v1.2.3` (any prefix up to the last '/' is the release
 * train's name, as in `cart/v1.2.3`); only the full version for a pre-release, which must not
 * move the floating tags; no bare `0`, since a 0.x minor release may break what the previous one
 * offered. A git tag that is not a version gives none.
 */
export function semverTags(gitTag: string): string[] {
  const match = SEMVER.exec(gitTag.slice(gitTag.lastIndexOf('/') + 1))
  if (match === null) return []
  const [, major, minor, patch, prerelease, build] = match
  const full = `${major}.${minor}.${patch}${prerelease === undefined ? '' : `-${prerelease}`}${build === undefined ? '' : `+${build}`}`
  if (prerelease !== undefined) return [sanitizeTag(full)]
  const floating = major === '0' ? [`${major}.${minor}`] : [`${major}.${minor}`, major]
  return [sanitizeTag(full), ...floating]
}

/**
 * Turns any text (a branch name, a build-metadata version) into a tag every registry accepts:
 * lowercase, characters other than `[a-z0-9_.-]` become '-', runs of '-' collapse, no leading
 * '.' or '-' and no trailing '.' or '-'. Names longer than 128 characters are cut and end with a
 * short hash of the whole text, so long names that share a prefix stay distinct; text with no
 * usable character becomes that hash alone.
 */
export function sanitizeTag(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/[.-]+$/, '')
  if (cleaned === '') return shortHash(text)
  if (cleaned.length <= MAX_TAG_LENGTH) return cleaned
  const kept = cleaned.slice(0, MAX_TAG_LENGTH - SUFFIX_HASH_LENGTH - 1).replace(/[.-]+$/, '')
  return `${kept}-${shortHash(text)}`
}

function isDefaultBranchPush(context: TagContext): boolean {
  return context.pullRequest === undefined && context.branch !== undefined && context.branch === context.defaultBranch
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, SUFFIX_HASH_LENGTH)
}
