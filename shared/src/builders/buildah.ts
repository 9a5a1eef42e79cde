import { containersBuild, containersTool, toolAvailable, type ContainersTool, type ContainersToolOptions } from './containers.js'
import type { BuildRequest, BuildResult, ImageBuilder } from './types.js'

export type BuildahBuilderOptions = ContainersToolOptions

/** `buildah bud` then `buildah push --digestfile` per tag: daemonless, rootless-capable, vfs + chroot by default. */
export class BuildahBuilder implements ImageBuilder {
  readonly name = 'buildah' as const
  private readonly tool: ContainersTool

  constructor(options: BuildahBuilderOptions = {}) {
    this.tool = containersTool('buildah', 'bud', options)
  }

  available(): Promise<boolean> {
    return toolAvailable(this.tool)
  }

  build(request: BuildRequest): Promise<BuildResult> {
    return containersBuild(this.tool, request)
  }
}
