import { dirname, join } from 'node:path'
import { exec } from '../exec/index.js'
import {
  buildArgFlags,
  digestFromPushOutput,
  labelFlags,
  QUIET_LOG,
  readTrimmed,
  runTool,
  secretFileFlags,
  singlePlatform,
  succeeds,
  tagFlags,
  withScratchDir
} from './run.js'
import { BuilderError, type BuildLog, type BuildRequest, type BuildResult, type ImageBuilder } from './types.js'

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
 *
 * The legacy builder has no build secrets (only build args, which the image records), so a
 * request with secrets builds with BuildKit (`DOCKER_BUILDKIT=1`, `--secret id=…,type=file,src=…`)
 * where the CLI can use it, and is refused before anything runs where it cannot.
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

  /** `secretFlags`: `--secret id=…,type=file,src=…` pairs (see secretFileFlags), BuildKit only. */
  buildArgv(request: BuildRequest, iidFile: string, secretFlags: readonly string[] = []): string[] {
    return [
      this.binary,
      'build',
      '--file',
      request.dockerfile,
      '--iidfile',
      iidFile,
      ...tagFlags(request.tags),
      ...labelFlags(request.labels),
      ...buildArgFlags(request.buildArgs),
      ...secretFlags,
      ...singlePlatform('docker build', request.platforms),
      ...(request.target === undefined ? [] : ['--target', request.target]),
      request.context
    ]
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    const secretIds = Object.keys(request.secrets ?? {})
    const buildKit = secretIds.length > 0
    if (buildKit) await this.requireBuildKit(secretIds)
    const env = dockerEnv(this.env, request, { DOCKER_BUILDKIT: buildKit ? '1' : '0' })
    return withScratchDir(async (dir) => {
      const iidFile = join(dir, 'iid')
      await runTool(this.buildArgv(request, iidFile, await secretFileFlags(request.secrets, dir)), env, this.log)
      const imageId = await readTrimmed(iidFile)
      if (!request.push) return { imageId }
      let digest: string | undefined
      for (const tag of request.tags) digest = digestFromPushOutput(await runTool([this.binary, 'push', tag], env, this.log)) ?? digest
      return { imageId, ...(digest === undefined ? {} : { digest }) }
    })
  }

  /**
   * `docker build` uses BuildKit through the buildx component (which CLIs from 23.0 on need for
   * it) or, in CLIs 18.09 to 22, the client built in. Without either, secrets could only become
   * build args, which the image records: refuse, naming the secrets (never their values).
   */
  private async requireBuildKit(secretIds: readonly string[]): Promise<void> {
    if (await succeeds([this.binary, 'buildx', 'version'], this.env)) return
    const probe = await exec([this.binary, 'version', '--format', '{{.Client.Version}}'], { env: this.env, allowFailure: true })
    const version = probe.stdout.toString('utf8').trim()
    if (cliEmbedsBuildKit(version)) return
    throw new BuilderError(
      `docker build: build secrets (${secretIds.join(', ')}) need BuildKit, which this docker CLI (${version || 'version unknown'}) ` +
        'cannot use without the buildx component; the legacy builder would record them in the image. ' +
        'Install docker buildx, or use builder buildah or podman.',
      ''
    )
  }
}

/** Whether a docker CLI of this version carries BuildKit itself (18.09 to 22.x); later ones need buildx. */
export function cliEmbedsBuildKit(version: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version)
  if (match === null) return false
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return (major > 18 || (major === 18 && minor >= 9)) && major < 23
}

/**
 * The CLI's environment for one request: the login's directory as DOCKER_CONFIG (docker reads
 * `$DOCKER_CONFIG/config.json`), then `extra` (the builder choice, buildx's secret variables).
 */
export function dockerEnv(base: NodeJS.ProcessEnv, request: BuildRequest, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return {
    ...base,
    ...(request.authFile === undefined ? {} : { DOCKER_CONFIG: dirname(request.authFile) }),
    ...extra
  }
}
