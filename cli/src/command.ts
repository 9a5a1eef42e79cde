import type { ParseArgsConfig } from 'node:util'
import type { Logger } from '../../shared/src/log/index.js'

/** Options every command takes. */
export const commonOptions = {
  cwd: { type: 'string', short: 'C' },
  manifest: { type: 'string' },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', short: 'v', default: false },
  help: { type: 'boolean', short: 'h', default: false }
} as const satisfies ParseArgsConfig['options']

export interface CommandContext {
  /** Parsed options: the command's own and the common ones. */
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  /** Arguments after the command name. */
  positionals: string[]
  /** The repository root (`--cwd`, else the current directory). */
  root: string
  json: boolean
  log: Logger
}

/**
 * One `flotilla <name>` command. With `--json` its `run` prints exactly one JSON document on
 * stdout; failures are thrown and reported by the caller, as JSON too when asked.
 */
export interface Command {
  name: string
  /** The usage lines shown by `flotilla --help` and `flotilla <name> --help`. */
  usage: string
  options: ParseArgsConfig['options']
  /** Whether the command takes positional arguments (e.g. service names). */
  positionals?: boolean
  run(context: CommandContext): Promise<number>
}

export function printJson(document: unknown): void {
  process.stdout.write(JSON.stringify(document, null, 2) + '\n')
}
