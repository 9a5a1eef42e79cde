/**
 * Pinning a deploy to a digest: an image named by a tag alone is looked up in its registry, and
 * the deploy names `repo:tag@sha256:…` instead, so the environment runs exactly the image the tag
 * named at that moment (a tag can move) while people reading the deploy still see the tag.
 */
import { digestProblem, parseImageReference, type ImageReference } from '../image/reference.js'
import type { Logger } from '../log/index.js'
import type { RegistryCredentials } from '../registry/auth.js'
import { RegistryClient, type RegistryClientOptions } from '../registry/client.js'
import type { ServiceDeploy } from './service.js'
import { DeployError } from './targets/request.js'

/**
 * `auto`: pin tags; when the lookup fails, a production environment fails and any other deploys
 * the tag with a warning. `true`: pin tags, and a failed lookup always fails. `false`: never look up.
 */
export type PinDigestMode = 'auto' | 'true' | 'false'

const PIN_DIGEST_MODES: readonly PinDigestMode[] = ['auto', 'true', 'false']

/** An image reference that names a tag. */
export type TaggedImage = ImageReference & { tag: string }

/** Finds the digest a tag names now. */
export interface TagDigestLookup {
  /** The tag's manifest digest; throws an error whose message says why the registry could not tell. */
  digestOf(image: TaggedImage): Promise<string>
}

/** What to do about one image: nothing, or look its tag up and, when that fails, fail or warn. */
export type PinDecision = { lookup: false } | { lookup: true; image: TaggedImage; onFailure: 'fail' | 'warn' }

/** Reads a `pin-digest` setting; `what` names it in the error (an input, a flag). */
export function parsePinDigestMode(text: string, what = 'pin-digest'): PinDigestMode {
  const mode = text.trim().toLowerCase()
  if (!(PIN_DIGEST_MODES as readonly string[]).includes(mode)) throw new DeployError(`${what} must be one of ${PIN_DIGEST_MODES.join(', ')}, got '${text}'`)
  return mode as PinDigestMode
}

/** Whether the image's tag is looked up: only a tag without a digest, and never with mode `false`. */
export function decidePin(image: ImageReference, mode: PinDigestMode, production: boolean): PinDecision {
  if (mode === 'false' || image.digest !== undefined || image.tag === undefined) return { lookup: false }
  return { lookup: true, image: image as TaggedImage, onFailure: mode === 'true' || production ? 'fail' : 'warn' }
}

/**
 * The image as written with the digest appended: `ghcr.io/acme/cart:git-1a2b@sha256:…`. Every
 * target deploys the digest from it (kustomize as `newTag` plus `digest`, Helm as `tag` plus
 * `digest`, manifests, kubectl and docker the whole reference) and the tag stays readable.
 */
export function pinnedImage(image: string, digest: string): string {
  return `${image}@${digest}`
}

/**
 * The deploy with its image pinned to the digest the registry gives its tag, as `decidePin`
 * decides. A failed lookup throws a `DeployError` before anything is deployed, or, where the
 * tag may go out, warns and returns the deploy unchanged.
 */
export async function pinServiceDeploy(plan: ServiceDeploy, mode: PinDigestMode, lookup: TagDigestLookup, log: Logger): Promise<ServiceDeploy> {
  const { request } = plan
  const decision = decidePin(parseImageReference(request.image), mode, plan.production)
  if (!decision.lookup) return plan
  let digest: string
  try {
    digest = await lookup.digestOf(decision.image)
  } catch (error) {
    const reason = `cannot pin ${request.image} to a digest: ${(error as Error).message}`
    if (decision.onFailure === 'warn') {
      log.warn(`${reason}; deploying the tag to ${request.environment}`)
      return plan
    }
    const why = plan.production && mode === 'auto' ? `${request.environment} is a production environment, never deployed by a movable tag: ` : ''
    throw new DeployError(`${why}${reason}`)
  }
  const image = pinnedImage(request.image, digest)
  log.info(`${request.image} is ${digest}: deploying ${image}`)
  return { ...plan, request: { ...request, image, digest } }
}

export interface RegistryTagDigestLookupOptions {
  /** The login for a registry host; asked only when a tag is looked up. */
  credentials: (registry: string) => Promise<RegistryCredentials | undefined>
  /** Retries, logging, masking of tokens and the like, for every registry asked. */
  client?: Omit<RegistryClientOptions, 'registry' | 'credentials'>
}

/**
 * Looks tags up with a manifest HEAD (a GET when the registry leaves out `Docker-Content-Digest`),
 * retrying network faults and 5xx a bounded number of times.
 */
export function registryTagDigestLookup(options: RegistryTagDigestLookupOptions): TagDigestLookup {
  return {
    async digestOf(image) {
      const credentials = await options.credentials(image.registry)
      const client = new RegistryClient({ ...options.client, registry: image.registry, ...(credentials === undefined ? {} : { credentials }) })
      const manifest = await client.headManifest(image.repository, image.tag)
      const name = `${image.registry}/${image.repository}:${image.tag}`
      if (manifest === undefined) throw new DeployError(`${name} is not in the registry`)
      const problem = digestProblem(manifest.digest)
      if (problem !== undefined) throw new DeployError(`${image.registry} answered an invalid digest for ${name}: ${problem}`)
      return manifest.digest
    }
  }
}
