import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandName, exec } from '../exec/index.js'
import { BuilderError, type BuildLog } from './types.js'

/** How much of a failing tool's output the error keeps: the end, where the cause is. */
const OUTPUT_TAIL_LINES = 60

export const QUIET_LOG: BuildLog = { info: () => undefined, debug: () => undefined }

/**
 * Runs one builder command from an argv array. The command line is logged as is: requests put
 * nothing secret in argv (build secrets travel in private files or the environment, logins in an
 * auth file).
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

/** `--build-arg NAME=value` pairs. Build args are recorded in the image's history and config: no secret ever goes here. */
export function buildArgFlags(buildArgs: Readonly<Record<string, string>>): string[] {
  return Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`])
}

/** A secret id names a file (`/run/secrets/<id>`) and sits inside `--secret id=…,…`: plain characters only. */
const SECRET_ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/

function secretEntries(secrets: Readonly<Record<string, string>> | undefined): Array<[string, string]> {
  const entries = Object.entries(secrets ?? {})
  const bad = entries.map(([id]) => id).filter((id) => !SECRET_ID.test(id))
  if (bad.length > 0) throw new BuilderError(`invalid build secret id ${bad.map((id) => JSON.stringify(id)).join(', ')}: use letters, digits, '_', '.' and '-'`, '')
  return entries
}

/** The environment variable a secret's value travels in: a name of ours, so no secret id can replace PATH or DOCKER_HOST. */
export function secretEnvName(id: string): string {
  return `FLOTILLA_SECRET_${id}`
}

/**
 * Build secrets for `docker buildx build`, as docker/build-push-action passes its `secret-envs`:
 * `--secret id=NAME,env=VAR` in argv, the value only in the tool's environment.
 */
export function secretEnvFlags(secrets: Readonly<Record<string, string>> | undefined): { flags: string[]; env: Record<string, string> } {
  const entries = secretEntries(secrets)
  return {
    flags: entries.flatMap(([id]) => ['--secret', `id=${id},env=${secretEnvName(id)}`]),
    env: Object.fromEntries(entries.map(([id, value]) => [secretEnvName(id), value]))
  }
}

/**
 * Build secrets as files: each value written to its own file (mode 0600) in `dir`, a private
 * scratch directory the caller removes after the build, and `--secret id=NAME,type=file,src=FILE`
 * in argv. Every version of docker's BuildKit client, buildah and podman reads files; `env=` came
 * later (buildah 1.24). `type=file` is spelled out: without it buildah 1.28 takes the secret from
 * the environment whenever a variable named like the id is set (as `flotilla build --secret
 * NAME` has it), and the build reads an empty secret.
 */
export async function secretFileFlags(secrets: Readonly<Record<string, string>> | undefined, dir: string): Promise<string[]> {
  const flags: string[] = []
  for (const [index, [id, value]] of secretEntries(secrets).entries()) {
    const file = join(dir, `secret-${index}`)
    await writeFile(file, value, { mode: 0o600, flag: 'wx' })
    flags.push('--secret', `id=${id},type=file,src=${file}`)
  }
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
