import { dirname, join } from 'node:path'
import { buildArgFlags, digestFromPushOutput, labelFlags, QUIET_LOG, readTrimmed, runTool, singlePlatform, succeeds, tagFlags, withScratchDir } from './run.js'
import type { BuildLog, BuildRequest, BuildResult, ImageBuilder } from './types.js'

export interface DockerBuilderOptions {
  /** The docker CLI; `docker` by default. */
  binary?: string
  /** Environment for the CLI (e.g. DOCKER_HOST); the current one by default. */
  env?: NodeJS.ProcessEnv
  log?: BuildLog
}

/**
 * The legacy `docker build` (no BuildKit), then `docker push` per tag. It is what a Docker
 * daemon without the buildx plugin offers; it builds one platform.
 */
export class DockerBuilder implements ImageBuilder {
  readonly name = 'docker' as const
  private readonly binary: string
  private readonly env: NodeJS.ProcessEnv
  private readonly log: BuildLog

  constructor(options: DockerBuilderOptions = {}) {
    this.binary = options.binary ?? 'docker'
    this.env = options.env ?? process.env
    this.log = options.log ?? QUIET_LOG
  }

  /** A CLI alone cannot build: the daemon must answer too. */
  available(): Promise<boolean> {
    return succeeds([this.binary, 'version', '--format', '{{.Server.Version}}'], this.env)
  }

  buildArgv(request: BuildRequest, iidFile: string): string[] {
    return [
      this.binary,
      'build',
      '--file',
      request.dockerfile,
      '--iidfile',
      iidFile,
      ...tagFlags(request.tags),
      ...labelFlags(request.labels),
      ...buildArgFlags(request.buildArgs, request.secretBuildArgs),
      ...singlePlatform('docker build', request.platforms),
      ...(request.target === undefined ? [] : ['--target', request.target]),
      request.context
    ]
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    const env = dockerEnv(this.env, request)
    return withScratchDir(async (dir) => {
      const iidFile = join(dir, 'iid')
      await runTool(this.buildArgv(request, iidFile), env, this.log)
      const imageId = await readTrimmed(iidFile)
      if (!request.push) return { imageId }
      let digest: string | undefined
      for (const tag of request.tags) digest = digestFromPushOutput(await runTool([this.binary, 'push', tag], env, this.log)) ?? digest
      return { imageId, ...(digest === undefined ? {} : { digest }) }
    })
  }
}

/**
 * The CLI's environment for one request: the legacy builder forced, the login's directory as
 * DOCKER_CONFIG (docker reads `$DOCKER_CONFIG/config.json`), secret build args by name.
 */
export function dockerEnv(base: NodeJS.ProcessEnv, request: BuildRequest, legacy = true): NodeJS.ProcessEnv {
  return {
    ...base,
    ...(legacy ? { DOCKER_BUILDKIT: '0' } : {}),
    ...(request.authFile === undefined ? {} : { DOCKER_CONFIG: dirname(request.authFile) }),
    ...request.secretBuildArgs
  }
}
