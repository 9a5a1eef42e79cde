/**
 * Which kubectl a deploy runs: the one on PATH, or a pinned version the user asked for. These
 * are the pure parts (input checks, the download URL, the PATH the deploy sees); the download
 * and the tool cache are the runner adapter's (`installCachedTool`).
 */
import { delimiter } from 'node:path'
import { DeployError } from './targets/request.js'

export const DEFAULT_KUBECTL_MIRROR = 'https://dl.k8s.io/release'

/** A kubectl release to install: where to fetch it and the SHA-256 it must have. */
export interface KubectlInstall {
  version: string
  /** Lower-case hex. */
  sha256: string
  url: string
}

/** The raw values as the user gave them; empty or absent means "not set". */
export interface KubectlSettings {
  version?: string
  sha256?: string
  mirror?: string
}

/** How each setting is named to the user (action inputs or CLI flags), for the error messages. */
export interface KubectlSettingNames {
  version: string
  sha256: string
  mirror: string
}

/** A platform as Node names it (`process.platform`, `process.arch`). */
export interface NodePlatform {
  platform: string
  arch: string
}

/** The `<os>/<arch>` pair of dl.k8s.io's layout. */
export interface KubectlPlatform {
  os: 'linux' | 'darwin'
  arch: 'amd64' | 'arm64'
}

const OPERATING_SYSTEMS: Record<string, KubectlPlatform['os']> = { linux: 'linux', darwin: 'darwin' }
const ARCHITECTURES: Record<string, KubectlPlatform['arch']> = { x64: 'amd64', arm64: 'arm64' }
/** Only for the checksum hint of an error message, where an unsupported platform is its own problem. */
const LINUX_AMD64: KubectlPlatform = { os: 'linux', arch: 'amd64' }

/**
 * Checks the three settings together and composes the download; undefined when no version is
 * asked for (the deploy uses the kubectl on PATH). Every problem is reported at once, so a
 * workflow is fixed in one edit.
 */
export function kubectlInstall(settings: KubectlSettings, names: KubectlSettingNames, platform: NodePlatform): KubectlInstall | undefined {
  const version = settings.version?.trim() || undefined
  const sha256 = settings.sha256?.trim().toLowerCase() || undefined
  const mirror = settings.mirror?.trim() || DEFAULT_KUBECTL_MIRROR
  const problems: string[] = []
  if (version !== undefined && !/^\d+\.\d+\.\d+$/.test(version)) problems.push(`${names.version} must be a release such as 1.31.2 (no leading v), got '${version}'`)
  if (sha256 === undefined && version !== undefined) {
    problems.push(
      `${names.sha256} is required with ${names.version}: the SHA-256 of kubectl ${version} for this runner's platform, from the .sha256 file beside the binary on dl.k8s.io (${kubectlUrl(DEFAULT_KUBECTL_MIRROR, version, kubectlPlatform(platform) ?? LINUX_AMD64)}.sha256); check it once and pin it in the workflow`
    )
  }
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) problems.push(`${names.sha256} must be 64 hexadecimal characters, got '${settings.sha256}'`)
  if (sha256 !== undefined && version === undefined) problems.push(`${names.sha256} is set but ${names.version} is not: say which kubectl release the checksum is for`)
  if (!isHttpUrl(mirror)) problems.push(`${names.mirror} must be an http(s) URL such as ${DEFAULT_KUBECTL_MIRROR}, got '${mirror}'`)
  const target = kubectlPlatform(platform)
  if (version !== undefined && target === undefined) {
    problems.push(`${names.version} cannot install kubectl on ${platform.platform}/${platform.arch}, only on linux or darwin with x64 or arm64: leave it empty to use the kubectl on PATH`)
  }
  if (problems.length > 0) throw new DeployError(problems.join('; '))
  if (version === undefined || sha256 === undefined || target === undefined) return undefined
  return { version, sha256, url: kubectlUrl(mirror, version, target) }
}

/** dl.k8s.io's name for Node's platform; undefined where installing is not supported. */
export function kubectlPlatform({ platform, arch }: NodePlatform): KubectlPlatform | undefined {
  const os = OPERATING_SYSTEMS[platform]
  const kubectlArch = ARCHITECTURES[arch]
  return os === undefined || kubectlArch === undefined ? undefined : { os, arch: kubectlArch }
}

/** `<mirror>/v<version>/bin/<os>/<arch>/kubectl`, the layout of dl.k8s.io/release. */
export function kubectlUrl(mirror: string, version: string, platform: KubectlPlatform): string {
  return `${mirror.replace(/\/+$/, '')}/v${version}/bin/${platform.os}/${platform.arch}/kubectl`
}

/** The environment with `directory` first on PATH, so every `kubectl` the deploy starts is the installed one. */
export function withDirectoryFirstOnPath(env: NodeJS.ProcessEnv, directory: string): NodeJS.ProcessEnv {
  const path = env.PATH ?? ''
  return { ...env, PATH: path === '' ? directory : `${directory}${delimiter}${path}` }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

