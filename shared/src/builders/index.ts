/** Image builders behind one interface: docker buildx, legacy docker build, buildah, podman. */
import { BuildahBuilder } from './buildah.js'
import { BuildxBuilder, type BuildxCache } from './buildx.js'
import type { ContainersToolOptions } from './containers.js'
import { DockerBuilder } from './docker.js'
import { PodmanBuilder } from './podman.js'
import type { BuilderName, BuildLog, ImageBuilder } from './types.js'

export * from './types.js'
export { BuildahBuilder, type BuildahBuilderOptions } from './buildah.js'
export { BuildxBuilder, parseBuildxMetadata, REGISTRY_CACHE_TAG, type BuildxBuilderOptions, type BuildxCache } from './buildx.js'
export { DockerBuilder, type DockerBuilderOptions } from './docker.js'
export { PodmanBuilder, type PodmanBuilderOptions } from './podman.js'
export type { ContainersToolOptions } from './containers.js'

/** In the order `auto` tries them: what GitHub-hosted runners have first. */
export const BUILDER_NAMES: readonly BuilderName[] = ['buildx', 'docker', 'buildah', 'podman']

export interface BuilderOptions {
  env?: NodeJS.ProcessEnv
  log?: BuildLog
  /** buildx only. */
  cache?: BuildxCache
  /** buildah and podman only: storage driver, isolation, root and runroot. */
  containers?: Omit<ContainersToolOptions, 'env' | 'log' | 'binary'>
}

export function isBuilderName(name: string): name is BuilderName {
  return (BUILDER_NAMES as readonly string[]).includes(name)
}

export function createBuilder(name: BuilderName, options: BuilderOptions = {}): ImageBuilder {
  const common = { env: options.env, log: options.log }
  switch (name) {
    case 'buildx':
      return new BuildxBuilder({ ...common, cache: options.cache })
    case 'docker':
      return new DockerBuilder(common)
    case 'buildah':
      return new BuildahBuilder({ ...common, ...options.containers })
    case 'podman':
      return new PodmanBuilder({ ...common, ...options.containers })
  }
}

/**
 * The builder a name asks for, or with `auto` the first in BUILDER_NAMES that can build here.
 * A named builder that is missing is an error rather than a silent switch to another tool.
 */
export async function chooseBuilder(name: string, options: BuilderOptions = {}): Promise<ImageBuilder> {
  if (name !== 'auto' && !isBuilderName(name)) {
    throw new Error(`unknown builder '${name}': use auto, ${BUILDER_NAMES.join(', ')}`)
  }
  const candidates = name === 'auto' ? BUILDER_NAMES : [name]
  for (const candidate of candidates) {
    const builder = createBuilder(candidate, options)
    if (await builder.available()) return builder
  }
  throw new Error(
    name === 'auto'
      ? `no image builder found: tried ${BUILDER_NAMES.join(', ')} (docker needs a running daemon)`
      : `builder '${name}' is not available here`
  )
}
