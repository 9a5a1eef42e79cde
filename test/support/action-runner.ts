/**
 * Runs a committed bundle (`dist/<name>/index.js`) as the runner does: `INPUT_*` variables in
 * (hyphens kept, upper-cased), `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files and workflow
 * commands on stdout out. Nothing is mocked: this is the contract GitHub's runner holds us to.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { killTree } from '../../shared/src/exec/index.js'

export const repositoryRoot = new URL('../..', import.meta.url).pathname

export interface BundleRun {
  exitCode: number
  stdout: string
  stderr: string
  /** GITHUB_OUTPUT parsed: name → value. */
  outputs: Record<string, string>
  summary: string
  /** `::error …::` / `::warning …::` / `::notice …::` commands from stdout. */
  annotations: Array<{ level: string; properties: Record<string, string>; message: string }>
  /** Files the action left in RUNNER_TEMP (read before it is removed), by name. */
  runnerTempFiles: Record<string, string>
}

export interface BundleOptions {
  workspace: string
  inputs?: Record<string, string>
  /** GITHUB_* and other variables; merged over a minimal runner environment. */
  env?: Record<string, string | undefined>
  /**
   * Cancels the step as the runner does when a workflow is cancelled: once `when` resolves, the
   * bundle's process (not its group) gets `signal` (SIGTERM by default).
   */
  cancel?: { when: Promise<unknown>; signal?: NodeJS.Signals }
}

/** A bundle's (or the CLI's) process is killed, group and all, if it runs longer than this. */
const BUNDLE_TIMEOUT_MS = 60_000

export async function runBundle(name: string, options: BundleOptions): Promise<BundleRun> {
  const runnerTemp = await mkdtemp(join(tmpdir(), `runner-${name}-`))
  try {
    const outputFile = join(runnerTemp, 'output')
    const summaryFile = join(runnerTemp, 'summary')
    await writeFile(outputFile, '')
    await writeFile(summaryFile, '')
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_WORKSPACE: options.workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1'
    }
    for (const [key, value] of Object.entries(options.env ?? {})) env[key] = value
    for (const [key, value] of Object.entries(options.inputs ?? {})) env[`INPUT_${key.toUpperCase()}`] = value
    const result = await runNodeScript(join(repositoryRoot, 'dist', name, 'index.js'), [], { cwd: options.workspace, env, cancel: options.cancel })
    const stdout = result.stdout.toString('utf8')
    const runnerTempFiles: Record<string, string> = {}
    for (const name of await readdir(runnerTemp)) {
      if (name !== 'output' && name !== 'summary') runnerTempFiles[name] = await readFile(join(runnerTemp, name), 'utf8')
    }
    return {
      exitCode: result.exitCode,
      stdout,
      stderr: result.stderr,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
      annotations: parseAnnotations(stdout),
      runnerTempFiles
    }
  } finally {
    await rm(runnerTemp, { recursive: true, force: true })
  }
}

/**
 * Runs `node <script> <args…>` in its own process group and collects its output; once
 * `cancel.when` resolves, the process (not its group, as the runner and a terminal do) gets
 * `cancel.signal`, SIGTERM by default.
 */
export function runNodeScript(
  script: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; cancel?: BundleOptions['cancel'] }
): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [script, ...args], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timer = setTimeout(() => killTree(child.pid), BUNDLE_TIMEOUT_MS)
    const { cancel } = options
    void cancel?.when.then(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill(cancel.signal ?? 'SIGTERM')
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') })
    })
  })
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as `@actions/core` writes them. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (match) {
      const end = lines.indexOf(match[2], i + 1)
      if (end < 0) throw new Error(`GITHUB_OUTPUT: unterminated value for ${match[1]}`)
      outputs[match[1]] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return outputs
}

const unescapeData = (text: string): string => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
const unescapeProperty = (text: string): string => unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',')

/**
 * Annotations as the runner reads them from stdout: a command counts only at the start of a line,
 * and not between `::stop-commands::<token>` and `::<token>::`, where the runner ignores them
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#stopping-and-starting-workflow-commands).
 */
function parseAnnotations(stdout: string): BundleRun['annotations'] {
  const annotations: BundleRun['annotations'] = []
  let stoppedUntil: string | undefined
  for (const line of stdout.split('\n')) {
    if (stoppedUntil !== undefined) {
      if (line === stoppedUntil) stoppedUntil = undefined
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(line)
    if (stop) {
      stoppedUntil = `::${stop[1]}::`
      continue
    }
    const match = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line)
    if (!match) continue
    const properties: Record<string, string> = {}
    for (const pair of (match[2] ?? '').trim().split(',').filter(Boolean)) {
      const at = pair.indexOf('=')
      properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1))
    }
    annotations.push({ level: match[1], properties, message: unescapeData(match[3]) })
  }
  return annotations
}

/** The embedded example's files (what `git add` would take), for seeding fixture repositories. */
export async function exampleFiles(name = 'shop'): Promise<Record<string, string>> {
  const base = join(repositoryRoot, 'examples', name)
  const files: Record<string, string> = {}
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === 'reports' || entry.name === '__pycache__' || entry.name === 'node_modules') continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else files[relative(base, path)] = await readFile(path, 'utf8')
    }
  }
  await walk(base)
  return files
}
