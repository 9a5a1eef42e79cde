import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseImageReference } from '../image/reference.js'
import { dockerEnv } from './docker.js'
import { buildArgFlags, labelFlags, QUIET_LOG, runTool, secretEnvFlags, succeeds, tagFlags, withScratchDir } from './run.js'
import { BuilderError, type BuildLog, type BuildRequest, type BuildResult, type ImageBuilder } from './types.js'

/** Where buildx keeps its layer cache: in the registry beside the image, in GitHub's cache service, or nowhere. */
export type BuildxCache = 'registry' | 'gha' | 'none'

export interface BuildxBuilderOptions {
  /** The docker CLI carrying the buildx plugin; `docker` by default. */
  binary?: string
  env?: NodeJS.ProcessEnv
  log?: BuildLog
  /** `registry` by default: `<image>:buildcache`, one per service since each service has its own repository. */
  cache?: BuildxCache
}

/** The tag under which the registry cache of an image lives. */
export const REGISTRY_CACHE_TAG = 'buildcache'

/**
 * `docker buildx build` (BuildKit), what GitHub-hosted runners use: multi-platform images, a
 * build cache, and a metadata file that reports the pushed manifest's digest.
 */
export class BuildxBuilder implements ImageBuilder {
  readonly name = 'buildx' as const
  private readonly binary: string
  private readonly env: NodeJS.ProcessEnv
  private readonly log: BuildLog
  private readonly cache: BuildxCache

  constructor(options: BuildxBuilderOptions = {}) {
    this.binary = options.binary ?? 'docker'
    this.env = options.env ?? process.env
    this.log = options.log ?? QUIET_LOG
    this.cache = options.cache ?? 'registry'
  }

  available(): Promise<boolean> {
    return succeeds([this.binary, 'buildx', 'version'], this.env)
  }

  buildArgv(request: BuildRequest, metadataFile: string): string[] {
    // Without --push a single-platform image is loaded into the daemon; a multi-platform one
    // cannot be, and stays in BuildKit's cache (the build itself is the check).
    const output = request.push ? ['--push'] : request.platforms.length <= 1 ? ['--load'] : []
    return [
      this.binary,
      'buildx',
      'build',
      '--file',
      request.dockerfile,
      '--metadata-file',
      metadataFile,
      ...tagFlags(request.tags),
      ...labelFlags(request.labels),
      ...buildArgFlags(request.buildArgs),
      ...secretEnvFlags(request.secrets).flags,
      ...(request.platforms.length === 0 ? [] : ['--platform', request.platforms.join(',')]),
      ...(request.target === undefined ? [] : ['--target', request.target]),
      ...this.cacheFlags(request),
      ...output,
      request.context
    ]
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    return withScratchDir(async (dir) => {
      const metadataFile = join(dir, 'metadata.json')
      const env = dockerEnv(this.env, request, secretEnvFlags(request.secrets).env)
      await runTool(this.buildArgv(request, metadataFile), env, this.log, `${this.binary} buildx build`)
      return parseBuildxMetadata(await readFile(metadataFile, 'utf8'))
    })
  }

  /** Reads the cache first; writes it only when pushing, so pull-request builds leave the cache as main made it. */
  private cacheFlags(request: BuildRequest): string[] {
    if (this.cache === 'none' || request.tags.length === 0) return []
    if (this.cache === 'gha') {
      const scope = `scope=${request.service ?? repositoryOf(request.tags[0])}`
      return ['--cache-from', `type=gha,${scope}`, ...(request.push ? ['--cache-to', `type=gha,${scope},mode=max`] : [])]
    }
    const ref = `ref=${repositoryOf(request.tags[0])}:${REGISTRY_CACHE_TAG}`
    return ['--cache-from', `type=registry,${ref}`, ...(request.push ? ['--cache-to', `type=registry,${ref},mode=max`] : [])]
  }
}

/** The image id and pushed digest from buildx's `--metadata-file`. */
export function parseBuildxMetadata(text: string): BuildResult {
  let metadata: unknown
  try {
    metadata = JSON.parse(text)
  } catch {
    throw new BuilderError('docker buildx wrote a metadata file that is not JSON', text)
  }
  const record = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {}
  const digest = typeof record['containerimage.digest'] === 'string' ? record['containerimage.digest'] : undefined
  const configDigest = typeof record['containerimage.config.digest'] === 'string' ? record['containerimage.config.digest'] : undefined
  const imageId = configDigest ?? digest
  if (imageId === undefined) throw new BuilderError('docker buildx reported no image digest in its metadata file', text)
  return { imageId, ...(digest === undefined ? {} : { digest }) }
}

function repositoryOf(tag: string): string {
  const reference = parseImageReference(tag)
  return `${reference.registry}/${reference.repository}`
}
