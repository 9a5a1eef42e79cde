/**
 * Builds one service's image, or skips the build when the registry already holds an image made
 * from the same inputs: the input hash decides, never the output digest.
 */
import { resolve } from 'node:path'
import { realPathInside } from '../containment/index.js'
import { exec } from '../exec/index.js'
import { formatImageReference, parseImageReference, type ImageReference } from '../image/reference.js'
import type { Logger } from '../log/index.js'
import type { Manifest } from '../config/types.js'
import { RegistryClient, type RegistryClientOptions } from '../registry/client.js'
import type { RegistryCredentials } from '../registry/auth.js'
import type { ImageBuilder } from '../builders/types.js'
import { withAuthFile } from './auth-file.js'
import type { EventTagContext } from './context.js'
import { hashServiceInputs } from './inputs.js'
import { imageLabels } from './labels.js'
import { computeImageTags, inputHashTag, semverTags, shaTag, type TagRules } from './tags.js'

export interface BuildServiceOptions {
  /** The manifest's root directory, inside a git work tree. */
  root: string
  manifest: Manifest
  service: string
  /** Image repository to use instead of the manifest's, e.g. from `--registry`. */
  image?: string
  /** The commit to hash, label and tag; `HEAD` (what is checked out and built) by default. */
  commit?: string
  tagContext: EventTagContext
  tagRules?: Partial<TagRules>
  /** Extra tags, used as written. */
  rawTags?: readonly string[]
  push: boolean
  builder: ImageBuilder
  credentials?: RegistryCredentials
  /**
   * Build secrets by id, for `RUN --mount=type=secret,id=<id>`: passed to the builder as build
   * secrets (never build args), kept out of the hash, tags, argv, logs and the image.
   */
  secrets?: Readonly<Record<string, string>>
  /** The repository's web address for the `source` label. */
  sourceUrl?: string
  labels?: Readonly<Record<string, string>>
  /** Retries, timeouts, `onSecret`, … for the registry client. */
  registryOptions?: Omit<RegistryClientOptions, 'registry' | 'credentials'>
  log: Logger
  /** Environment for git. */
  env?: NodeJS.ProcessEnv
}

export interface ServiceBuild {
  service: string
  /** The image repository, `registry/path`. */
  image: string
  /** Tag names the image carries (or would carry, when not pushed). */
  tags: string[]
  /** The registry's manifest digest; absent when nothing was pushed or found. */
  digest?: string
  /** `image@digest`, when there is a digest. */
  imageRef?: string
  hash: string
  /** True when nothing was built because the registry already had `inputs-<hash>`. */
  skipped: boolean
  /** Why it was built or skipped, in one sentence. */
  reason: string
  /** The builder that ran; absent when skipped. */
  builder?: string
  pushed: boolean
  durationMs: number
}

export async function buildService(options: BuildServiceOptions): Promise<ServiceBuild> {
  const started = Date.now()
  const { log } = options
  const service = options.manifest.services[options.service]
  if (service === undefined) throw new Error(`unknown service '${options.service}'`)
  // Checked again before anything is done (the manifest may be older than the checkout): the builder reads what lies behind any link.
  const inside = (key: string, path: string): string =>
    realPathInside(options.root, path, 'repository', { what: `services.${service.name}.image.${key}`, consequence: 'nothing was built' }) ??
    resolve(options.root, path)
  const context = inside('context', service.image.context)
  const dockerfile = inside('dockerfile', service.image.dockerfile)
  const reference = parseImageReference(options.image ?? service.image.name)
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new Error(`image of '${service.name}' must be a repository without tag or digest, not ${options.image ?? service.image.name}`)
  }
  const image = formatImageReference(reference)
  const git = (args: string[]) => exec(['git', ...args], { cwd: options.root, env: options.env })
  const commit = (await git(['rev-parse', '--verify', `${options.commit ?? 'HEAD'}^{commit}`])).stdout.toString('utf8').trim()

  const inputs = await hashServiceInputs({
    root: options.root,
    manifest: options.manifest,
    service: service.name,
    commit,
    env: options.env
  })
  // A working tree that differs from the commit would be built and then filed under the
  // commit's hash; without the hash tag it can neither poison nor use the skip.
  const trustHash = inputs.uncommitted.length === 0
  if (!trustHash) {
    log.warn(`${service.name}: uncommitted changes in ${inputs.uncommitted.slice(0, 3).join(', ')}: no inputs-${inputs.hash} tag and no skip`)
  }
  const tags = computeImageTags({
    context: { ...options.tagContext, sha: commit },
    rules: options.tagRules,
    inputHash: trustHash ? inputs.hash : undefined,
    raw: options.rawTags
  }).map((tag) => tag.name)
  const registry = new RegistryClient({ ...options.registryOptions, registry: reference.registry, credentials: options.credentials })
  const result = (fields: Omit<ServiceBuild, 'service' | 'image' | 'tags' | 'hash' | 'durationMs' | 'imageRef'>): ServiceBuild => ({
    service: service.name,
    image,
    tags,
    hash: inputs.hash,
    ...fields,
    ...(fields.digest === undefined ? {} : { imageRef: `${image}@${fields.digest}` }),
    durationMs: Date.now() - started
  })

  if (trustHash) {
    const hashTag = inputHashTag(inputs.hash)
    const existing = await findExisting(registry, reference, hashTag, options.push, log)
    if (existing !== undefined) {
      if (options.push) {
        for (const tag of tags.filter((name) => name !== hashTag)) await registry.addTag(reference.repository, existing, tag)
      }
      log.info(`${service.name}: ${image}:${hashTag} exists (${existing}): not rebuilt${options.push ? `, tagged ${tags.join(', ')}` : ''}`)
      return result({
        digest: existing,
        skipped: true,
        reason: `the registry already has ${hashTag}, built from the same inputs`,
        pushed: options.push
      })
    }
  }

  const labels = imageLabels(
    {
      ...(options.sourceUrl === undefined ? {} : { source: options.sourceUrl }),
      revision: commit,
      version: imageVersion(options.tagContext, commit),
      created: await commitTime(git, commit),
      title: service.name
    },
    options.labels
  )
  const built = await withAuthFile(reference.registry, options.credentials, (authFile) =>
    options.builder.build({
      context,
      dockerfile,
      tags: tags.map((tag) => formatImageReference({ ...reference, tag })),
      buildArgs: service.image.buildArgs,
      ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
      labels,
      platforms: service.image.platforms,
      ...(service.image.target === undefined ? {} : { target: service.image.target }),
      push: options.push,
      ...(authFile === undefined ? {} : { authFile }),
      service: service.name
    })
  )
  const reason = trustHash ? `no image in the registry has ${inputHashTag(inputs.hash)}` : 'the working tree has uncommitted input changes'
  if (!options.push) {
    log.info(`${service.name}: built ${built.imageId} (not pushed)`)
    return result({ skipped: false, reason, builder: options.builder.name, pushed: false })
  }
  // The registry's digest is the one deployments pin; a tool's own report is only cross-checked.
  const pushed = await registry.headManifest(reference.repository, tags[0])
  if (pushed === undefined) throw new Error(`${options.builder.name} pushed ${image}:${tags[0]}, but the registry does not have it`)
  if (built.digest !== undefined && built.digest !== pushed.digest) {
    log.warn(`${service.name}: ${options.builder.name} reported ${built.digest}, the registry holds ${pushed.digest}; using the registry's`)
  }
  log.info(`${service.name}: pushed ${image}@${pushed.digest} as ${tags.join(', ')}`)
  return result({ digest: pushed.digest, skipped: false, reason, builder: options.builder.name, pushed: true })
}

/**
 * The digest under the hash tag, if the registry has one. Without push (pull requests, often
 * without registry credentials) a failed lookup only costs the skip, so it is a warning.
 */
async function findExisting(
  registry: RegistryClient,
  reference: ImageReference,
  hashTag: string,
  push: boolean,
  log: Logger
): Promise<string | undefined> {
  try {
    return (await registry.headManifest(reference.repository, hashTag))?.digest
  } catch (error) {
    if (push) throw error
    log.warn(`could not look up ${reference.registry}/${reference.repository}:${hashTag} (${(error as Error).message}): building`)
    return undefined
  }
}

/** The release version on a version tag push, else the commit's sha tag. */
function imageVersion(context: EventTagContext, commit: string): string {
  const [version] = context.gitTag === undefined ? [] : semverTags(context.gitTag)
  return version ?? shaTag(commit)
}

async function commitTime(git: (args: string[]) => ReturnType<typeof exec>, commit: string): Promise<Date> {
  const seconds = Number((await git(['show', '-s', '--format=%ct', commit])).stdout.toString('utf8').trim())
  return new Date(seconds * 1000)
}
