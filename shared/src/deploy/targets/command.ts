import { withoutRunnerTokens } from '../../exec/environment.js'
import { execStreaming, outputHeldMessage } from '../../exec/index.js'
import type { Logger } from '../../log/index.js'
import { DeployError, deployVariables, type DeployRequest, type TargetResult } from './request.js'

export interface CommandTarget {
  target: 'command'
  /** argv; with `shell: true`, a single script for `/bin/sh -c`. */
  command: string[]
  shell: boolean
  timeoutSeconds: number
  env: Record<string, string>
  url?: string
}

export interface CommandRunOptions {
  /** The directory the command runs in (the repository root). */
  cwd: string
  /** What the command's environment starts from, less the runner's `ACTIONS_*` and `INPUT_*`; on a runner, `allowListedEnvironment(…)`. */
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  log?: Logger
  /** Where the command's output goes; none: it is dropped. */
  output?: CommandOutput
}

/**
 * Runs `work`, which hands each chunk of the command's output to `write`. A runner adapter wraps
 * it so that the output cannot issue workflow commands (`withoutWorkflowCommands`); the CLI just
 * writes to stderr.
 */
export type CommandOutput = <T>(work: (write: (chunk: Buffer) => void) => Promise<T>) => Promise<T>

const dropOutput: CommandOutput = (work) => work(() => undefined)

/**
 * Runs the user's deploy command with the image, digest, service, environment and commit in
 * `FLOTILLA_*` variables — the only way they reach it, so no value is ever spliced into a
 * command line. A timeout or a cancellation kills the command's whole process tree.
 */
export async function deployWithCommand(target: CommandTarget, request: DeployRequest, options: CommandRunOptions): Promise<TargetResult> {
  const argv = target.shell ? ['/bin/sh', '-c', target.command[0]] : target.command
  const output = options.output ?? dropOutput
  const result = await output((write) =>
    execStreaming(argv, {
      cwd: options.cwd,
      env: { ...withoutRunnerTokens(options.env ?? process.env), ...target.env, ...deployVariables(request) },
      timeoutMs: target.timeoutSeconds * 1000,
      signal: options.signal,
      onOutput: write
    })
  ).catch((error: Error) => {
    throw new DeployError(`deploy command ${target.command[0]} could not start: ${error.message}`)
  })
  const what = `deploy command ${target.command[0]}`
  if (result.outputHeld) options.log?.warn(outputHeldMessage(what))
  if (result.cancelled) throw new DeployError(`${what} was cancelled`)
  if (result.timedOut) throw new DeployError(`${what} timed out after ${target.timeoutSeconds}s and was killed`)
  if (result.exitCode !== 0) throw new DeployError(`${what} exited with ${result.exitCode}`)
  return target.url === undefined ? {} : { url: target.url }
}
