/**
 * The Actions adapter: the only place in the core library that speaks the runner's contract
 * (`INPUT_*` in, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and workflow commands out).
 */
import { randomUUID } from 'node:crypto'
import * as core from '@actions/core'
import type { Logger } from '../log/index.js'

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  title?: string
  file?: string
  line?: number
  column?: number
}

/** An input's value, or undefined when it is empty or absent (the runner passes absent as ''). */
export function input(name: string): string | undefined {
  const value = core.getInput(name)
  return value === '' ? undefined : value
}

/** A YAML 1.2 boolean input (`true`/`false`, any case); `fallback` when empty. */
export function booleanInput(name: string, fallback: boolean): boolean {
  const value = input(name)
  if (value === undefined) return fallback
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  throw new Error(`input '${name}' must be true or false, got '${value}'`)
}

export function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

export function annotate(annotation: Annotation): void {
  const properties: core.AnnotationProperties = {
    title: annotation.title,
    file: annotation.file,
    startLine: annotation.line || undefined,
    startColumn: annotation.column || undefined
  }
  if (annotation.level === 'error') core.error(annotation.message, properties)
  else if (annotation.level === 'warning') core.warning(annotation.message, properties)
  else core.notice(annotation.message, properties)
}

export function group<T>(name: string, work: () => Promise<T>): Promise<T> {
  return core.group(name, work)
}

/** Appends markdown to the step's job summary (a no-op outside a runner). */
export async function appendSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown, true).write()
}

export function mask(secret: string | undefined): void {
  if (secret) core.setSecret(secret)
}

export const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  notice: (message) => core.notice(message)
}

/** Runs an action's body and turns every error into a failed step, never an unhandled rejection. */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

/**
 * Runs `work` with workflow commands switched off (`::stop-commands::`), so output it echoes,
 * such as a test log, cannot issue commands of its own (annotations among them, which would
 * use up the step's few). `work` writes that output with the `write` it is given: the runner
 * honours a command only at the start of a line, so when the output ends mid-line the command
 * that switches them back on starts a new one.
 */
export async function withoutWorkflowCommands<T>(work: (write: (chunk: Buffer | string) => void) => Promise<T>): Promise<T> {
  const token = `flotilla-${randomUUID()}`
  process.stdout.write(`::stop-commands::${token}\n`)
  let atLineStart = true
  const write = (chunk: Buffer | string): void => {
    if (chunk.length === 0) return
    process.stdout.write(chunk)
    atLineStart = typeof chunk === 'string' ? chunk.endsWith('\n') : chunk[chunk.length - 1] === 0x0a
  }
  try {
    return await work(write)
  } finally {
    process.stdout.write(`${atLineStart ? '' : '\n'}::${token}::\n`)
  }
}
