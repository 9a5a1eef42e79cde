/** What every image builder takes and gives back, whatever tool does the work. */

export interface BuildRequest {
  /** Build context directory (absolute). */
  context: string
  /** Dockerfile path (absolute). */
  dockerfile: string
  /** Full references to tag the image with, e.g. `ghcr.io/acme/cart:sha-1a2b3c4`. */
  tags: readonly string[]
  buildArgs: Readonly<Record<string, string>>
  /**
   * Build secrets by id, which a Dockerfile reads with `RUN --mount=type=secret,id=<id>` (at
   * `/run/secrets/<id>`). They reach the tool as `--secret id=<id>,type=file,src=<private file>`
   * (`env=` for buildx), never as build args (which the image records), argv or logs.
   */
  secrets?: Readonly<Record<string, string>>
  labels: Readonly<Record<string, string>>
  platforms: readonly string[]
  target?: string
  /** Push every tag to its registry after building. */
  push: boolean
  /** A docker-style config.json (`{"auths": …}`) holding the registry login, when one is needed. */
  authFile?: string
  /** Service name, for per-service caches. */
  service?: string
}

export interface BuildResult {
  /** The local image (config) id, `sha256:…`. */
  imageId: string
  /** The pushed manifest's digest as the tool reported it; the caller confirms it against the registry. */
  digest?: string
}

export type BuilderName = 'buildx' | 'docker' | 'buildah' | 'podman'

export interface ImageBuilder {
  readonly name: BuilderName
  /** Whether the tool can build here (binary present and, for docker, a daemon answering). */
  available(): Promise<boolean>
  build(request: BuildRequest): Promise<BuildResult>
}

/** Where builders report the commands they run and what the tools print. */
export interface BuildLog {
  info(message: string): void
  debug(message: string): void
}

/** The tool failed; `output` holds what it printed, for the log group that explains the failure. */
export class BuilderError extends Error {
  constructor(
    message: string,
    readonly output: string
  ) {
    super(message)
    this.name = 'BuilderError'
  }
}
