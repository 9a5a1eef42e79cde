/** What buildah and podman share: both are containers/image tools with the same storage and push flags. */
import { join } from 'node:path'
import { parseImageReference } from '../image/reference.js'
import { buildArgFlags, labelFlags, readTrimmed, runTool, secretFileFlags, singlePlatform, succeeds, tagFlags, withScratchDir } from './run.js'
import type { BuildLog, BuildRequest, BuildResult } from './types.js'

export interface ContainersToolOptions {
  /** The tool's binary; its own name by default. */
  binary?: string
  env?: NodeJS.ProcessEnv
  log?: BuildLog
  /** `--storage-driver`; `vfs` by default (works unprivileged and inside containers, no overlay mounts). */
  storageDriver?: string
  /** `--isolation` for RUN steps; `chroot` by default (needs no user namespaces or runtime). */
  isolation?: string
  /** `--root` and `--runroot`: where images and run state are kept; the tool's defaults when absent. */
  root?: string
  runroot?: string
}

export interface ContainersTool {
  binary: string
  /** `bud` for buildah, `build` for podman. */
  buildCommand: string
  env: NodeJS.ProcessEnv
  log: BuildLog
  globalFlags: string[]
  isolation: string
}

/** `toolFlags`: global flags only one of the tools has, placed after the shared storage flags. */
export function containersTool(defaultBinary: string, buildCommand: string, options: ContainersToolOptions, toolFlags: readonly string[] = []): ContainersTool {
  return {
    binary: options.binary ?? defaultBinary,
    buildCommand,
    env: options.env ?? process.env,
    log: options.log ?? { info: () => undefined, debug: () => undefined },
    globalFlags: [
      ...(options.root === undefined ? [] : ['--root', options.root]),
      ...(options.runroot === undefined ? [] : ['--runroot', options.runroot]),
      '--storage-driver',
      options.storageDriver ?? 'vfs',
      ...toolFlags
    ],
    isolation: options.isolation ?? 'chroot'
  }
}

export function toolAvailable(tool: ContainersTool): Promise<boolean> {
  return succeeds([tool.binary, '--version'], tool.env)
}

/** `secretFlags`: `--secret id=…,type=file,src=…` pairs (see secretFileFlags); buildah and podman mount them only where a RUN step asks. */
export function containersBuildArgv(tool: ContainersTool, request: BuildRequest, iidFile: string, secretFlags: readonly string[] = []): string[] {
  return [
    tool.binary,
    ...tool.globalFlags,
    tool.buildCommand,
    '--isolation',
    tool.isolation,
    '--file',
    request.dockerfile,
    '--iidfile',
    iidFile,
    ...tagFlags(request.tags),
    ...labelFlags(request.labels),
    ...buildArgFlags(request.buildArgs),
    ...secretFlags,
    ...singlePlatform(`${tool.binary} ${tool.buildCommand}`, request.platforms),
    ...(request.target === undefined ? [] : ['--target', request.target]),
    request.context
  ]
}

export function containersPushArgv(tool: ContainersTool, request: BuildRequest, tag: string, digestFile: string): string[] {
  return [
    tool.binary,
    ...tool.globalFlags,
    'push',
    '--digestfile',
    digestFile,
    ...(request.authFile === undefined ? [] : ['--authfile', request.authFile]),
    // Docker's rule, which RegistryClient follows too: loopback registries speak plain http.
    ...(isLoopbackRegistry(tag) ? ['--tls-verify=false'] : []),
    tag,
    `docker://${tag}`
  ]
}

export async function containersBuild(tool: ContainersTool, request: BuildRequest): Promise<BuildResult> {
  return withScratchDir(async (dir) => {
    const iidFile = join(dir, 'iid')
    const secretFlags = await secretFileFlags(request.secrets, dir)
    await runTool(containersBuildArgv(tool, request, iidFile, secretFlags), tool.env, tool.log, `${tool.binary} ${tool.buildCommand}`)
    const imageId = normaliseId(await readTrimmed(iidFile))
    if (!request.push) return { imageId }
    let digest: string | undefined
    for (const [index, tag] of request.tags.entries()) {
      const digestFile = join(dir, `digest-${index}`)
      await runTool(containersPushArgv(tool, request, tag, digestFile), tool.env, tool.log, `${tool.binary} push`)
      digest = await readTrimmed(digestFile)
    }
    return { imageId, ...(digest === undefined ? {} : { digest }) }
  })
}

/** buildah writes `sha256:<hex>`, podman sometimes the bare hex. */
function normaliseId(id: string): string {
  return id.includes(':') ? id : `sha256:${id}`
}

function isLoopbackRegistry(tag: string): boolean {
  const host = parseImageReference(tag).registry.replace(/:\d+$/, '')
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
