import { containersBuild, containersTool, toolAvailable, type ContainersTool, type ContainersToolOptions } from './containers.js'
import type { BuildRequest, BuildResult, ImageBuilder } from './types.js'

export interface PodmanBuilderOptions extends ContainersToolOptions {
  /**
   * `--tmpdir`: podman's own state (its lock, `alive` and events files), which `--runroot` does
   * not move; `/run/libpod` for root by default. Set it beside a private runroot so a build
   * leaves nothing in the machine's podman state.
   */
  tmpdir?: string
}

/**
 * `podman build` then `podman push --digestfile` per tag; the same storage and isolation defaults
 * as buildah. With chroot isolation a build creates no cgroups and needs no systemd, so podman's
 * own choice of cgroup manager and events backend (cgroupfs and a file where systemd is not
 * running) is left alone.
 */
export class PodmanBuilder implements ImageBuilder {
  readonly name = 'podman' as const
  private readonly tool: ContainersTool

  constructor(options: PodmanBuilderOptions = {}) {
    this.tool = podmanTool(options)
  }

  available(): Promise<boolean> {
    return toolAvailable(this.tool)
  }

  build(request: BuildRequest): Promise<BuildResult> {
    return containersBuild(this.tool, request)
  }
}

/** podman as a containers tool: buildah's flags plus `--tmpdir`. */
export function podmanTool(options: PodmanBuilderOptions): ContainersTool {
  return containersTool('podman', 'build', options, options.tmpdir === undefined ? [] : ['--tmpdir', options.tmpdir])
}
