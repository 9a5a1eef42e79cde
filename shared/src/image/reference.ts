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
export const MAX_NAME_LENGTH = 255

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const REGISTRY = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`)

/** The distribution spec's repository grammar: lowercase components joined by `.`, `_`, `__` or dashes. */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)
const ONE_PATH_COMPONENT = new RegExp(`^${PATH_COMPONENT}$`)

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

/**
 * Why `component` cannot be one component of a repository path (`cart`, `web-api`, `a.b__c`:
 * lowercase letters and digits separated by `.`, `_`, `__` or dashes), or undefined when it can.
 */
export function pathComponentProblem(component: string): string | undefined {
  if (ONE_PATH_COMPONENT.test(component)) return undefined
  if (component === '') return 'it is empty'
  const foreign = /[^a-z0-9._-]/.exec(component)
  if (foreign !== null) return /[A-Z]/.test(foreign[0]) ? 'it has capital letters' : `it holds ${JSON.stringify(foreign[0])}`
  const leading = /^[._-]+/.exec(component)
  if (leading !== null) return `it starts with ${JSON.stringify(leading[0])}`
  const trailing = /[._-]+$/.exec(component)
  if (trailing !== null) return `it ends with ${JSON.stringify(trailing[0])}`
  const separator = component.match(/[._-]+/g)?.find((run) => !/^(?:\.|_|__|-+)$/.test(run))
  return `${JSON.stringify(separator)} cannot separate letters or digits (use ".", "_", "__" or dashes)`
}

/**
 * What is wrong with `text` as an image repository name without tag or digest
 * (`[registry[:port]/]path`), part by part; empty when it is one. The registry may have capitals,
 * as the distribution grammar allows; the repository path may not.
 */
export function repositoryNameProblems(text: string): string[] {
  if (text.trim() === '') return ['it is empty']
  const problems: string[] = []
  let name = text
  const at = name.indexOf('@')
  if (at !== -1) {
    problems.push(`the digest ${JSON.stringify(name.slice(at))} does not belong here`)
    name = name.slice(0, at)
  }
  const colon = name.lastIndexOf(':')
  if (colon > name.lastIndexOf('/')) {
    problems.push(`the tag ${JSON.stringify(name.slice(colon))} does not belong here`)
    name = name.slice(0, colon)
  }
  if (name.length > MAX_NAME_LENGTH) problems.push(`it is longer than ${MAX_NAME_LENGTH} characters`)
  const { registry, path } = splitRegistry(name)
  const registryProblem = registryHostProblem(registry)
  if (registryProblem !== undefined) problems.push(registryProblem)
  const pathProblem = repositoryPathProblem(path)
  if (pathProblem !== undefined) problems.push(pathProblem)
  return problems
}

/**
 * What is wrong with `text` as a registry prefix, `host[:port][/path]` (e.g. `ghcr.io/acme`);
 * empty when it is one. Capitals are accepted anywhere: the caller lowercases the prefix.
 */
export function registryPrefixProblems(text: string): string[] {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)
  if (scheme !== null) return [`it starts with the scheme ${JSON.stringify(scheme[0])}; write the host and path alone`]
  const lowered = text.toLowerCase()
  const slash = lowered.indexOf('/')
  const host = slash === -1 ? lowered : lowered.slice(0, slash)
  const problems: string[] = []
  const hostProblem = registryHostProblem(host)
  if (hostProblem !== undefined) problems.push(hostProblem)
  if (slash !== -1) {
    const pathProblem = repositoryPathProblem(lowered.slice(slash + 1))
    if (pathProblem !== undefined) problems.push(pathProblem)
  }
  return problems
}

function registryHostProblem(host: string): string | undefined {
  return REGISTRY.test(host) ? undefined : `the registry ${JSON.stringify(host)} is not a host name with an optional port`
}

function repositoryPathProblem(path: string): string | undefined {
  if (REPOSITORY.test(path)) return undefined
  if (path === '') return 'the repository path is empty'
  const lowered = path.toLowerCase()
  if (REPOSITORY.test(lowered)) return `the repository path ${JSON.stringify(path)} must be lowercase (${JSON.stringify(lowered)})`
  for (const component of path.split('/')) {
    const problem = pathComponentProblem(component)
    if (problem !== undefined) return `the repository path ${JSON.stringify(path)} is not valid: component ${JSON.stringify(component)}: ${problem}`
  }
  return `the repository path ${JSON.stringify(path)} is not valid`
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
