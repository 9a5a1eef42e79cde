import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandName, exec } from '../exec/index.js'
import { BuilderError, type BuildLog } from './types.js'

/** How much of a failing tool's output the error keeps: the end, where the cause is. */
const OUTPUT_TAIL_LINES = 60

export const QUIET_LOG: BuildLog = { info: () => undefined, debug: () => undefined }

/**
 * Runs one builder command from an argv array. The command line is logged as is: requests put
 * nothing secret in argv (secret build args travel in the environment, logins in an auth file).
 * On failure the tool's output becomes a `BuilderError` naming `what` ran (`buildah bud`).
 */
export async function runTool(argv: readonly string[], env: NodeJS.ProcessEnv, log: BuildLog, what = commandName(argv)): Promise<string> {
  log.info(`$ ${argv.map(quoteForDisplay).join(' ')}`)
  let result
  try {
    result = await exec(argv, { env, allowFailure: true })
  } catch (error) {
    throw new BuilderError(`${what} could not be started: ${(error as Error).message}`, '')
  }
  const output = [result.stdout.toString('utf8'), result.stderr].filter((text) => text.trim() !== '').join('\n')
  if (result.exitCode !== 0) {
    const tail = output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n')
    const lastLine = tail.split('\n').filter((line) => line.trim() !== '').at(-1) ?? ''
    throw new BuilderError(`${what} failed (exit ${result.exitCode}): ${lastLine.trim()}`, tail)
  }
  log.debug(output)
  return output
}

/** Whether a command runs and exits 0, for tool detection. */
export async function succeeds(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const result = await exec(argv, { env, allowFailure: true, timeoutMs: 15_000 })
    return result.exitCode === 0
  } catch {
    return false
  }
}

/** Runs `work` with a fresh temp directory for the files a tool writes back (iidfile, digest file), then removes it. */
export async function withScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-build-'))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export async function readTrimmed(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).trim()
}

/** `--build-arg` pairs: plain ones with their values, secret ones by name only (the value is in the environment). */
export function buildArgFlags(buildArgs: Readonly<Record<string, string>>, secretBuildArgs: Readonly<Record<string, string>> = {}): string[] {
  const flags: string[] = []
  for (const [name, value] of Object.entries(buildArgs)) {
    if (!(name in secretBuildArgs)) flags.push('--build-arg', `${name}=${value}`)
  }
  for (const name of Object.keys(secretBuildArgs)) flags.push('--build-arg', name)
  return flags
}

export function labelFlags(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).flatMap(([name, value]) => ['--label', `${name}=${value}`])
}

export function tagFlags(tags: readonly string[]): string[] {
  return tags.flatMap((tag) => ['--tag', tag])
}

/** Legacy builders make one platform per image; a list of several needs buildx. */
export function singlePlatform(tool: string, platforms: readonly string[]): string[] {
  if (platforms.length > 1) {
    throw new BuilderError(`${tool} builds one platform per image, not ${platforms.join(', ')}: use builder buildx for multi-platform images`, '')
  }
  return platforms.length === 1 ? ['--platform', platforms[0]] : []
}

/** The digest in `docker push` output: `<tag>: digest: sha256:… size: 528`. */
export function digestFromPushOutput(output: string): string | undefined {
  return /digest: (sha256:[a-f0-9]{64})/.exec(output)?.[1]
}

/** Shows an argument as a shell would need it, for reading logs only; nothing ever runs it. */
function quoteForDisplay(argument: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`
}
