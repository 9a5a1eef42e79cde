/**
 * Executes a workflow's job graph the way GitHub's runner would, with each step running a
 * committed bundle through the runner's contract (`runBundle`):
 *
 *   const workflow = parse(await readFile('.github/workflows/pipeline.yml', 'utf8'))
 *   const run = await runWorkflow(workflow, { inputs, secrets, github, env, checkout: () => repo.checkout(…).then((c) => c.dir) })
 *   run.jobs.build.result            // 'success' | 'failure' | 'skipped'
 *   run.jobs.plan.outputs.services   // job outputs, as `needs.<job>.outputs` sees them
 *
 * Jobs run one at a time in `needs` order, matrix entries one after another. `${{ … }}` is
 * evaluated by `@actions/expressions`. Supported steps: `actions/checkout@…` (the `checkout`
 * callback makes the workspace) and `$/actions/<name>` (the suite's own actions); anything else,
 * `run:` included, is refused rather than silently ignored.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import { repositoryRoot, runBundle, type BundleRun, type BundleOptions } from './action-runner.js'

export type JobResult = 'success' | 'failure' | 'skipped'

export interface WorkflowStep {
  id?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
}

export interface WorkflowJob {
  needs?: string | string[]
  if?: string
  strategy?: { matrix?: unknown }
  environment?: string | { name: string; url?: string }
  outputs?: Record<string, string>
  steps: WorkflowStep[]
}

export interface Workflow {
  on: { workflow_call?: { inputs?: Record<string, { default?: unknown }> } }
  jobs: Record<string, WorkflowJob>
}

export interface StepRun {
  uses: string
  id?: string
  /** The inputs the step ran with (action.yml defaults applied); empty for checkout. */
  inputs: Record<string, string>
  /** The bundle's run; absent for checkout and for skipped steps. */
  bundle?: BundleRun
  result: JobResult
}

export interface MatrixRun {
  matrix: Record<string, unknown>
  /** The job's `environment:` name as evaluated for this entry (what reviewers and wait timers apply to). */
  environment?: string
  workspace?: string
  steps: StepRun[]
}

export interface JobRun {
  result: JobResult
  outputs: Record<string, string>
  /** One per matrix entry (one for a job without a matrix; none when skipped). */
  runs: MatrixRun[]
}

export interface WorkflowRunOptions {
  inputs?: Record<string, string>
  secrets?: Record<string, string>
  /** The `github` context: sha, ref, repository, event_name, event, token, run_id, … */
  github: Record<string, unknown>
  /** The runner's environment for every step (GITHUB_* and whatever the machine needs). */
  env: Record<string, string>
  /** Makes a fresh workspace as `actions/checkout` would and returns its directory. */
  checkout: () => Promise<string>
  /** Runs one of the suite's actions; `runBundle` unless a test substitutes it. */
  runAction?: (name: string, options: BundleOptions) => Promise<BundleRun>
}

export interface WorkflowRun {
  jobs: Record<string, JobRun>
}

const CONTEXTS = ['github', 'inputs', 'needs', 'matrix', 'steps', 'secrets', 'env', 'jobs', 'strategy', 'runner', 'vars']
const EXPRESSION = /\$\{\{(.*?)\}\}/gs

export type Context = Record<string, unknown>

/** Evaluates one expression (without `${{ }}`) and returns plain JSON data. */
export function evaluateExpression(expression: string, context: Context): unknown {
  const full = Object.fromEntries(CONTEXTS.map((name) => [name, context[name] ?? {}]))
  const tokens = new Lexer(expression).lex().tokens
  const tree = new Parser(tokens, CONTEXTS, []).parse()
  const result = new Evaluator(tree, JSON.parse(JSON.stringify(full), data.reviver)).evaluate()
  return JSON.parse(JSON.stringify(result, data.replacer)) as unknown
}

/**
 * A value as GitHub reads it from YAML: a string that is exactly one `${{ }}` keeps the
 * expression's type (a matrix from `fromJSON`), other strings are templates, other values as written.
 */
export function evaluateValue(value: unknown, context: Context): unknown {
  if (typeof value !== 'string') return value
  const whole = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(value)
  if (whole && !whole[1].includes('}}')) return evaluateExpression(whole[1], context)
  return value.replace(EXPRESSION, (_, expression: string) => asString(evaluateExpression(expression, context)))
}

/** The string a runner passes on: booleans and numbers as written, null as '', objects as JSON. */
function asString(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value, null, 2)
  return String(value)
}

export function evaluateString(value: unknown, context: Context): string {
  return asString(evaluateValue(value, context))
}

/** An `if:` condition, with or without `${{ }}`, as a boolean by the expression language's truthiness. */
export function evaluateCondition(condition: string, context: Context): boolean {
  const bare = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(condition)?.[1] ?? condition
  const value = evaluateExpression(bare, context)
  return !(value === false || value === null || value === 0 || value === '' || value === undefined)
}

export function needsOf(job: WorkflowJob): string[] {
  if (job.needs === undefined) return []
  return Array.isArray(job.needs) ? job.needs : [job.needs]
}

/** Job names, each after every job it needs (declaration order among the ready ones). */
export function jobOrder(jobs: Record<string, WorkflowJob>): string[] {
  const order: string[] = []
  const pending = Object.keys(jobs)
  while (pending.length > 0) {
    const ready = pending.find((name) => needsOf(jobs[name]).every((need) => order.includes(need)))
    if (ready === undefined) throw new Error(`jobs ${pending.join(', ')} need each other or a job that does not exist`)
    order.push(ready)
    pending.splice(pending.indexOf(ready), 1)
  }
  return order
}

/**
 * Matrix entries: the cartesian product of the vectors, or the `include` entries alone. Both
 * at once (include extending combinations) is GitHub behaviour this harness does not model.
 */
export function expandMatrix(matrix: unknown): Array<Record<string, unknown>> {
  if (matrix === undefined) return [{}]
  if (typeof matrix !== 'object' || matrix === null) throw new Error(`matrix is not a mapping: ${JSON.stringify(matrix)}`)
  const { include, exclude, ...vectors } = matrix as Record<string, unknown>
  if (exclude !== undefined) throw new Error('matrix exclude is not supported by this harness')
  const names = Object.keys(vectors)
  if (names.length > 0 && include !== undefined) throw new Error('matrix include with vectors is not supported by this harness')
  const entries = include !== undefined
    ? (include as Array<Record<string, unknown>>)
    : names.reduce<Array<Record<string, unknown>>>(
        (combinations, name) => combinations.flatMap((combination) => (vectors[name] as unknown[]).map((value) => ({ ...combination, [name]: value }))),
        [{}]
      )
  if (entries.length === 0) throw new Error('matrix has no entries (GitHub fails such a job)')
  return entries
}

/** The suite action a `uses:` names, or undefined for anything else. */
function suiteAction(uses: string): string | undefined {
  return /^\$\/actions\/([\w-]+)$/.exec(uses)?.[1]
}

/** The runner fills the inputs a step leaves out from action.yml's defaults, evaluated like `with:`. */
function actionDefaults(name: string): Record<string, unknown> {
  const action = parse(readFileSync(join(repositoryRoot, 'actions', name, 'action.yml'), 'utf8')) as { inputs?: Record<string, { default?: unknown }> }
  return Object.fromEntries(Object.entries(action.inputs ?? {}).flatMap(([input, spec]) => (spec.default === undefined ? [] : [[input, spec.default]])))
}

export async function runWorkflow(workflow: Workflow, options: WorkflowRunOptions): Promise<WorkflowRun> {
  const runAction = options.runAction ?? runBundle
  const declared = workflow.on.workflow_call?.inputs ?? {}
  const inputs = { ...Object.fromEntries(Object.entries(declared).map(([name, spec]) => [name, spec.default ?? ''])), ...options.inputs }
  const jobs: Record<string, JobRun> = {}
  for (const name of jobOrder(workflow.jobs)) {
    const job = workflow.jobs[name]
    const needs = Object.fromEntries(needsOf(job).map((need) => [need, { result: jobs[need].result, outputs: jobs[need].outputs }]))
    // The `env` context holds only env a workflow declares (pipeline.yml declares none), not the runner's.
    const base: Context = { github: options.github, inputs, secrets: options.secrets ?? {}, needs }
    // Without a status function GitHub adds `success()`: every needed job must have succeeded.
    const selected = needsOf(job).every((need) => jobs[need].result === 'success') && (job.if === undefined || evaluateCondition(job.if, base))
    if (!selected) {
      jobs[name] = { result: 'skipped', outputs: {}, runs: [] }
      continue
    }
    const run: JobRun = { result: 'success', outputs: {}, runs: [] }
    for (const matrix of expandMatrix(evaluateValue(job.strategy?.matrix, base))) {
      const entry = await runSteps(name, job.steps, { ...base, matrix }, options, runAction)
      if (job.environment !== undefined) {
        entry.environment = evaluateString(typeof job.environment === 'string' ? job.environment : job.environment.name, { ...base, matrix })
      }
      run.runs.push(entry)
      if (entry.steps.some((step) => step.result === 'failure')) run.result = 'failure'
      const steps = stepsContext(entry.steps)
      for (const [output, value] of Object.entries(job.outputs ?? {})) {
        const evaluated = evaluateString(value, { ...base, matrix, steps })
        // A matrix entry that did not set an output leaves another entry's value in place.
        if (evaluated !== '') run.outputs[output] = evaluated
      }
    }
    jobs[name] = run
  }
  return { jobs }
}

/** The `steps` context: the outputs and result of every step with an `id` that has run. */
function stepsContext(steps: StepRun[]): Record<string, unknown> {
  return Object.fromEntries(steps.filter((step) => step.id !== undefined).map((step) => [step.id, { outputs: step.bundle?.outputs ?? {}, outcome: step.result, conclusion: step.result }]))
}

async function runSteps(
  job: string,
  steps: WorkflowStep[],
  context: Context,
  options: WorkflowRunOptions,
  runAction: NonNullable<WorkflowRunOptions['runAction']>
): Promise<MatrixRun> {
  const entry: MatrixRun = { matrix: context.matrix as Record<string, unknown>, steps: [] }
  for (const step of steps) {
    if (step.uses === undefined) throw new Error(`job ${job}: only \`uses:\` steps are supported, not ${JSON.stringify(step)}`)
    const failedBefore = entry.steps.some((previous) => previous.result === 'failure')
    const stepContext = { ...context, steps: stepsContext(entry.steps) }
    if (failedBefore || (step.if !== undefined && !evaluateCondition(step.if, stepContext))) {
      entry.steps.push({ uses: step.uses, id: step.id, inputs: {}, result: 'skipped' })
      continue
    }
    let run: StepRun
    if (step.uses.startsWith('actions/checkout@')) {
      entry.workspace = await options.checkout()
      run = { uses: step.uses, id: step.id, inputs: {}, result: 'success' }
    } else {
      const action = suiteAction(step.uses)
      if (action === undefined) throw new Error(`job ${job}: unsupported action ${step.uses}`)
      if (entry.workspace === undefined) throw new Error(`job ${job}: ${step.uses} runs before any checkout`)
      const given = { ...actionDefaults(action), ...(step.with ?? {}) }
      const inputs = Object.fromEntries(Object.entries(given).map(([input, value]) => [input, evaluateString(value, stepContext)]))
      const bundle = await runAction(action, { workspace: entry.workspace, inputs, env: { ...options.env, GITHUB_JOB: job } })
      run = { uses: step.uses, id: step.id, inputs, bundle, result: bundle.exitCode === 0 ? 'success' : 'failure' }
    }
    entry.steps.push(run)
  }
  return entry
}
