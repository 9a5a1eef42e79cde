/**
 * `flotilla`: the suite's stages on a laptop. With `--json` every command prints exactly one JSON
 * document on stdout, errors included; logs go to stderr.
 */
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import packageJson from '../../package.json' with { type: 'json' }
import { ManifestError } from '../../shared/src/config/index.js'
import { didYouMean } from '../../shared/src/config/suggest.js'
import { stderrLogger } from '../../shared/src/log/index.js'
import { commonOptions, printJson, type Command } from './command.js'
import { planCommand } from './commands/plan.js'
import { validateCommand } from './commands/validate.js'
import { buildCommand } from './commands/build.js'
import { testCommand } from './commands/test.js'
import { deployCommand } from './commands/deploy.js'
import { gateCommand } from './commands/gate.js'
import { metricsCommand } from './commands/metrics.js'

const commands: readonly Command[] = [planCommand, validateCommand, buildCommand, testCommand, deployCommand, gateCommand, metricsCommand]

const commonUsage = `Options for every command:
  -C, --cwd DIR        repository root (default: the current directory)
  --manifest FILE      manifest path relative to the root (default: flotilla.yml, else discovery)
  --json               print one JSON document on stdout
  -v, --verbose        progress and debug logs on stderr
  -h, --help           this text (flotilla <command> --help: that command's)
  --version            the version
`

/** The whole help (`flotilla --help`), or one command's (`flotilla <command> --help`). */
const usage = (command?: Command): string =>
  command === undefined
    ? `flotilla ${packageJson.version}: plan, build, test, deploy and gate a monorepo's services, and measure its delivery

Usage:
${commands.map((each) => each.usage).join('\n')}

${commonUsage}`
    : `Usage:
${command.usage}

${commonUsage}`

/** Exit codes: 0 done, 1 the work failed (bad manifest, git error, …), 2 the command line is wrong. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === 'help' && rest.length > 0) {
    const command = commands.find((candidate) => candidate.name === rest[0])
    if (command === undefined) return usageError(`unknown command '${rest[0]}'`)
    process.stdout.write(usage(command))
    return 0
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage())
    return 0
  }
  if (name === '--version') {
    const json = rest.includes('--json')
    process.stdout.write(json ? JSON.stringify({ version: packageJson.version }) + '\n' : `${packageJson.version}\n`)
    return 0
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) return usageError(`unknown command '${name}'`)

  let parsed
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { ...commonOptions, ...command.options } })
  } catch (error) {
    return usageError(optionProblem(error as Error & { code?: string }, command), command)
  }
  const { values, positionals } = parsed
  if (values.help) {
    process.stdout.write(usage(command))
    return 0
  }
  if (positionals.length > 0 && !command.positionals) return usageError(`unexpected argument '${positionals[0]}'`, command)
  const json = values.json === true
  try {
    return await command.run({
      values,
      positionals,
      root: resolve((values.cwd as string | undefined) ?? process.cwd()),
      json,
      log: stderrLogger({ verbose: values.verbose === true })
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (json) printJson({ ok: false, error: message, problems: error instanceof ManifestError ? error.problems : undefined })
    else process.stderr.write(`flotilla: ${message}\n`)
    return 1
  }
}

/** A command-line problem: exit code 2, with the usage of the command it concerns (or all). */
function usageError(message: string, command?: Command): number {
  const prefix = command === undefined ? 'flotilla' : `flotilla ${command.name}`
  process.stderr.write(`${prefix}: ${message}\n\n${usage(command)}`)
  return 2
}

/**
 * parseArgs's message for an unknown option is about positionals after `--`; a person who
 * mistyped an option wants the nearest one this command takes.
 */
function optionProblem(error: Error & { code?: string }, command: Command): string {
  const unknown = error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-[^']*)'/.exec(error.message)?.[1] : undefined
  if (unknown === undefined) return error.message
  const names = Object.keys({ ...commonOptions, ...command.options }).map((option) => `--${option}`)
  return `unknown option '${unknown}'${didYouMean(unknown, names)}`
}
