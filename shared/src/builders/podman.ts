import { containersBuild, containersTool, toolAvailable, type ContainersToolOptions } from './containers.js'
import type { BuildRequest, BuildResult, ImageBuilder } from './types.js'

export type PodmanBuilderOptions = ContainersToolOptions

/** `podman build` then `podman push --digestfile` per tag; the same storage and isolation defaults as buildah. */
export class PodmanBuilder implements ImageBuilder {
  readonly name = 'podman' as const
  private readonly tool: ReturnType<typeof containersTool>

  constructor(options: PodmanBuilderOptions = {}) {
    this.tool = containersTool('podman', 'build', options)
  }

  available(): Promise<boolean> {
    return toolAvailable(this.tool)
  }

  build(request: BuildRequest): Promise<BuildResult> {
    return containersBuild(this.tool, request)
  }
}
