/**
 * Container image references, `registry[:port]/path/name[:tag][@digest]`, read the way Docker
 * reads them, so that `localhost:5000/team/cart` is a repository on a registry with a port and
 * not an image `localhost` tagged `5000/team/cart`.
 */

export interface ImageReference {
  /** Registry host with its port when given: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
  registry: string
  /** Repository path inside the registry, e.g. `acme/cart`; `library/<name>` for Docker Hub's single names. */
  repository: string
  tag?: string
  /** `algorithm:hex`, e.g. `sha256:…`. */
  digest?: string
}

export class InvalidImageReferenceError extends Error {
  constructor(
    readonly text: string,
    readonly reason: string
  ) {
    super(`invalid image reference ${JSON.stringify(text)}: ${reason}`)
    this.name = 'InvalidImageReferenceError'
  }
}

export const DOCKER_HUB = 'docker.io'

/** Docker Hub's other spelling, which Docker folds into `docker.io`. */
const DOCKER_HUB_ALIAS = 'index.docker.io'

/** Docker (and the distribution reference grammar) limit the name, registry included, to 255 characters. */
const MAX_NAME_LENGTH = 255

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const REGISTRY = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`)

/** The distribution spec's repository grammar: lowercase components joined by `.`, `_`, `__` or dashes. */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

const DIGEST = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-f0-9]+)$/
/** Hex lengths of the algorithms registries know; others need at least 128 bits. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128, blake3: 64 }
const MIN_DIGEST_HEX_LENGTH = 32

/** Parses an image reference; throws `InvalidImageReferenceError` naming the text and what is wrong. */
export function parseImageReference(text: string): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidImageReferenceError(text, reason)
  }
  if (text.trim() === '') fail('it is empty')
  if (text !== text.trim()) fail('it has surrounding white space')

  const at = text.indexOf('@')
  const name = at === -1 ? text : text.slice(0, at)
  const digest = at === -1 ? undefined : text.slice(at + 1)
  if (digest !== undefined) {
    const problem = digestProblem(digest)
    if (problem !== undefined) fail(problem)
  }

  // A tag follows the last ':' only when no '/' comes after it; otherwise that ':' is a port.
  const colon = name.lastIndexOf(':')
  const hasTag = colon > name.lastIndexOf('/')
  const repositoryName = hasTag ? name.slice(0, colon) : name
  const tag = hasTag ? name.slice(colon + 1) : undefined
  if (tag !== undefined && !TAG.test(tag)) {
    fail(`tag ${JSON.stringify(tag)} must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`)
  }
  if (repositoryName.length > MAX_NAME_LENGTH) fail(`the name is longer than ${MAX_NAME_LENGTH} characters`)

  const { registry, path } = splitRegistry(repositoryName)
  if (!REGISTRY.test(registry)) fail(`registry ${JSON.stringify(registry)} is not a host name with an optional port`)
  if (path === '') fail('the repository path is empty')
  if (!REPOSITORY.test(path)) {
    fail(
      `repository path ${JSON.stringify(path)} must be lowercase letters and digits, ` +
        `separated by '/', '.', '_', '__' or dashes`
    )
  }
  const normalisedRegistry = registry === DOCKER_HUB_ALIAS ? DOCKER_HUB : registry
  const repository = normalisedRegistry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path
  return {
    registry: normalisedRegistry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest })
  }
}

/** The full reference, `registry/repository[:tag][@digest]`, which `parseImageReference` reads back unchanged. */
export function formatImageReference(reference: ImageReference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`
  return `${reference.registry}/${reference.repository}${tag}${digest}`
}

/** Whether both name the same repository on the same registry: the whole name, never a prefix of it. */
export function sameRepository(a: ImageReference, b: ImageReference): boolean {
  return a.registry.toLowerCase() === b.registry.toLowerCase() && a.repository === b.repository
}

/** Why `digest` is not a valid `algorithm:hex` content digest, or undefined when it is. */
export function digestProblem(digest: string): string | undefined {
  const match = DIGEST.exec(digest)
  if (match === null) return `digest ${JSON.stringify(digest)} must be algorithm:lowercase-hex, e.g. sha256:<64 hex digits>`
  const [, algorithm, hex] = match
  const expected = DIGEST_HEX_LENGTH[algorithm]
  if (expected !== undefined && hex.length !== expected) {
    return `digest ${JSON.stringify(digest)} must have ${expected} hex digits for ${algorithm}, not ${hex.length}`
  }
  if (hex.length < MIN_DIGEST_HEX_LENGTH) {
    return `digest ${JSON.stringify(digest)} must have at least ${MIN_DIGEST_HEX_LENGTH} hex digits`
  }
  return undefined
}

/** Whether `path` is a valid repository path (without registry), e.g. `acme/cart`. */
export function isRepositoryPath(path: string): boolean {
  return path.length <= MAX_NAME_LENGTH && REPOSITORY.test(path)
}

/** Whether `tag` is a valid tag for any registry. */
export function isTag(tag: string): boolean {
  return TAG.test(tag)
}

/**
 * Docker's rule: the first component names a registry only when it looks like a host (has a '.'
 * or a ':', is `localhost`, or has capitals, which a repository path cannot have); otherwise the
 * whole name is a Docker Hub repository.
 */
function splitRegistry(name: string): { registry: string; path: string } {
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()
  return isHost ? { registry: first, path: name.slice(slash + 1) } : { registry: DOCKER_HUB, path: name }
}
