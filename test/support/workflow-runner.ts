/**
 * Executes a workflow's job graph the way GitHub's runner would, with the suite's actions running
 * their committed bundles through the runner's contract (`runBundle`) and `run:` steps in bash:
 *
 *   const workflow = parse(await readFile('.github/workflows/pipeline.yml', 'utf8'))
 *   const run = await runWorkflow(workflow, { inputs, secrets, github, env, checkout: () => repo.checkout(…).then((c) => c.dir) })
 *   run.jobs.build.result            // 'success' | 'failure' | 'skipped'
 *   run.jobs.plan.outputs.services   // job outputs, as `needs.<job>.outputs` sees them
 *   run.jobs.ship.runs[0].workflow   // the nested run of a job that calls a reusable workflow
 *
 * Supported, with GitHub's semantics:
 * - `${{ … }}` evaluated by `@actions/expressions`, each key seeing only the contexts GitHub's
 *   workflow schema gives it (a misplaced `secrets` or `matrix` fails here as it fails there);
 *   `success()`, `failure()`, `always()` and `cancelled()` in job and step `if:` (an implicit
 *   `success() &&` without one; at job level over every ancestor job, so a skipped ancestor skips).
 * - Jobs in `needs` order; `strategy.matrix` (vectors, `include`, `exclude`, values from
 *   `fromJSON`, GitHub's 256-entry cap), the `strategy` context, job `name:`, `concurrency:` and
 *   `environment:` evaluated per matrix entry; job `permissions` recorded as written.
 * - Steps: `actions/checkout@…` (the `checkout` callback makes the workspace; its `with:` is
 *   recorded, not applied), `$/actions/<name>` (the suite's own actions, action.yml defaults
 *   applied), and `run:` as GitHub's default bash (`bash --noprofile --norc -eo pipefail <file>`)
 *   with `env:` (workflow, job, step), `defaults.run`, `working-directory`, GITHUB_OUTPUT,
 *   GITHUB_ENV and GITHUB_STEP_SUMMARY; `continue-on-error`.
 * - Jobs that call a reusable workflow (`uses: $/.github/workflows/<file>` or `./.github/…`):
 *   typed `with:` inputs, `secrets:` (a mapping or `inherit`), the caller's matrix (one nested run
 *   per entry), outputs from `on.workflow_call.outputs`, at most four levels of workflows. The
 *   workflow given to `runWorkflow` counts as called (level two) when it declares `workflow_call`.
 *
 * Differences from GitHub, on purpose: jobs and matrix entries run one after another, so nothing
 * is cancelled (`cancelled()` is false; `fail-fast` and `max-parallel` are only visible in the
 * `strategy` context, the outcome being the one GitHub gives when every entry finishes before any
 * failure is seen) and concurrency groups never wait. `runs-on` and `timeout-minutes` are accepted
 * and not modelled: everything runs on this machine, under the test's own timeout. A job without a
 * checkout runs in an empty directory that is removed, with every step's temporary files, when the
 * run ends. Anything else (other actions, shells, job `container`/`services`/`continue-on-error`,
 * `hashFiles`, GITHUB_PATH, workflows from other repositories) is refused, never silently ignored.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { parse } from 'yaml'
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import { exec } from '../../shared/src/exec/index.js'
import { parseOutputFile, repositoryRoot, runBundle, type BundleRun, type BundleOptions } from './action-runner.js'

export type JobResult = 'success' | 'failure' | 'skipped'

type Expression = string | boolean

export interface WorkflowStep {
  id?: string
  name?: string
  uses?: string
  run?: string
  shell?: string
  if?: Expression
  with?: Record<string, unknown>
  env?: Record<string, unknown>
  'working-directory'?: string
  'continue-on-error'?: Expression
  'timeout-minutes'?: number | string
}

export type Concurrency = string | { group: string; 'cancel-in-progress'?: Expression }

export interface RunDefaults {
  run?: { shell?: string; 'working-directory'?: string }
}

export interface WorkflowJob {
  name?: string
  needs?: string | string[]
  if?: Expression
  'runs-on'?: unknown
  'timeout-minutes'?: number | string
  strategy?: { matrix?: unknown; 'fail-fast'?: Expression; 'max-parallel'?: number | string }
  environment?: string | { name: string; url?: string }
  concurrency?: Concurrency
  permissions?: string | Record<string, string>
  outputs?: Record<string, string>
  env?: Record<string, unknown>
  defaults?: RunDefaults
  /** Absent on a job that calls a reusable workflow. */
  steps?: WorkflowStep[]
  /** A reusable workflow to run as this job. */
  uses?: string
  with?: Record<string, unknown>
  secrets?: 'inherit' | Record<string, unknown>
}

export interface WorkflowCallInput {
  type: 'string' | 'boolean' | 'number'
  required?: boolean
  default?: unknown
  description?: string
}

export interface WorkflowCall {
  inputs?: Record<string, WorkflowCallInput>
  secrets?: Record<string, { required?: boolean; description?: string }>
  outputs?: Record<string, { value: string; description?: string }>
}

export interface Workflow {
  name?: string
  /** The triggers; only `workflow_call` means anything to the harness. */
  on: string | string[] | { workflow_call?: WorkflowCall | null }
  permissions?: string | Record<string, string>
  env?: Record<string, unknown>
  defaults?: RunDefaults
  concurrency?: Concurrency
  jobs: Record<string, WorkflowJob>
}

/** A `run:` step's script as it ran. */
export interface ScriptRun {
  /** The script after `${{ }}` substitution. */
  script: string
  workingDirectory: string
  exitCode: number
  stdout: string
  stderr: string
  summary: string
}

export interface StepRun {
  /** The action the step used; undefined for a `run:` step. */
  uses?: string
  id?: string
  name?: string
  /** The inputs the step ran with (action.yml defaults applied for the suite's actions). */
  inputs: Record<string, string>
  /** The bundle's run, for the suite's actions that ran. */
  bundle?: BundleRun
  /** The script's run, for `run:` steps that ran. */
  script?: ScriptRun
  /** What `steps.<id>.outputs` sees. */
  outputs: Record<string, string>
  /** What the step did (`steps.<id>.outcome`). */
  outcome: JobResult
  /** What the job sees (`steps.<id>.conclusion`): `continue-on-error` turns a failed outcome into success. */
  result: JobResult
}

/** The `strategy` context of one matrix entry. */
export interface StrategyContext {
  'fail-fast': boolean
  'job-index': number
  'job-total': number
  'max-parallel': number
}

export interface MatrixRun {
  matrix: Record<string, unknown>
  strategy: StrategyContext
  /** The job's `name:` as evaluated for this entry. */
  name?: string
  /** The job's `environment:` name as evaluated for this entry (what reviewers and wait timers apply to). */
  environment?: string
  /** The environment's `url:`, evaluated after the steps as GitHub does. */
  environmentUrl?: string
  /** The job's concurrency group as evaluated for this entry. */
  concurrency?: string
  cancelInProgress?: boolean
  workspace?: string
  steps: StepRun[]
  /** The called workflow's run, for a job that calls a reusable workflow. */
  workflow?: WorkflowRun
}

export interface JobRun {
  result: JobResult
  outputs: Record<string, string>
  /** One per matrix entry (one for a job without a matrix; none when skipped). */
  runs: MatrixRun[]
  /** The job's `permissions:` as written. */
  permissions?: string | Record<string, string>
}

export interface WorkflowRunOptions {
  /** The caller's `with:` for a reusable workflow: typed as the workflow declares them. */
  inputs?: Record<string, unknown>
  secrets?: Record<string, string>
  vars?: Record<string, string>
  /** The `github` context: sha, ref, repository, event_name, event, token, run_id, … */
  github: Record<string, unknown>
  /** The runner's environment for every step (GITHUB_* and whatever the machine needs). */
  env: Record<string, string>
  /** Makes a fresh workspace as `actions/checkout` would and returns its directory. */
  checkout: () => Promise<string>
  /** Runs one of the suite's actions; `runBundle` unless a test substitutes it. */
  runAction?: (name: string, options: BundleOptions) => Promise<BundleRun>
  /** Reads a workflow file by its path in this repository (`.github/workflows/<file>`); from disk unless a test substitutes it. */
  readWorkflowFile?: (path: string) => Promise<string>
}

export interface WorkflowRun {
  jobs: Record<string, JobRun>
  /** `on.workflow_call.outputs`, evaluated once every job has finished. */
  outputs: Record<string, string>
  /** The workflow's own concurrency group, when it declares one. */
  concurrency?: string
}

export type Context = Record<string, unknown>

/** What `success()` and `failure()` answer where a condition is evaluated. */
export interface Status {
  success: boolean
  failure: boolean
}

/** GitHub's limits: four levels of workflows, 256 jobs from one matrix. */
const MAX_WORKFLOW_LEVELS = 4
const MAX_MATRIX_ENTRIES = 256

/**
 * The contexts each key may read, from `@actions/workflow-parser`'s workflow schema, so an
 * expression reading a context its key cannot see is refused as GitHub refuses it.
 */
const AVAILABLE = {
  workflowEnv: ['github', 'inputs', 'vars', 'secrets'],
  workflowConcurrency: ['github', 'inputs', 'vars'],
  workflowOutputs: ['github', 'inputs', 'vars', 'jobs'],
  inputDefault: ['github', 'inputs', 'vars'],
  jobIf: ['github', 'inputs', 'vars', 'needs'],
  strategy: ['github', 'inputs', 'vars', 'needs'],
  /** `name`, `concurrency`, `environment`, a call's `with`. */
  matrixEntry: ['github', 'inputs', 'vars', 'needs', 'strategy', 'matrix'],
  /** Job `env`, a call's `secrets`. */
  matrixEntryWithSecrets: ['github', 'inputs', 'vars', 'needs', 'strategy', 'matrix', 'secrets'],
  defaultsRun: ['github', 'inputs', 'vars', 'needs', 'strategy', 'matrix', 'env'],
  /** Step `if`, an environment's `url`. */
  stepIf: ['github', 'inputs', 'vars', 'needs', 'strategy', 'matrix', 'steps', 'job', 'runner', 'env'],
  /** Step `with`, `env`, `run`, `name`, `working-directory`, `continue-on-error`; job `outputs`. */
  step: ['github', 'inputs', 'vars', 'needs', 'strategy', 'matrix', 'steps', 'job', 'runner', 'env', 'secrets']
} as const

/** Every context a job can see at some point; `available` picks the ones a key may read. */
type Scope = Partial<Record<(typeof AVAILABLE)[keyof typeof AVAILABLE][number], unknown>>

function available(scope: Scope, key: keyof typeof AVAILABLE): Context {
  return Object.fromEntries(AVAILABLE[key].map((name) => [name, scope[name] ?? {}]))
}

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled']

function statusFunctions(status: Status): FunctionDefinition[] {
  const answer = (name: string, value: boolean): FunctionDefinition => ({ name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) })
  // Nothing is ever cancelled: jobs and matrix entries run one after another.
  return [answer('success', status.success), answer('failure', status.failure), answer('always', true), answer('cancelled', false)]
}

/**
 * Evaluates one expression (without `${{ }}`) over the given contexts, and only those, and returns
 * plain JSON data. Status functions exist only where a `status` is given, as only `if:` has them.
 */
export function evaluateExpression(expression: string, context: Context, status?: Status): unknown {
  const functions = status === undefined ? [] : statusFunctions(status)
  const tokens = new Lexer(expression).lex().tokens
  const tree = new Parser(tokens, Object.keys(context), functions).parse()
  const contexts = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary
  const result = new Evaluator(tree, contexts, new Map(functions.map((f) => [f.name, f]))).evaluate()
  return JSON.parse(JSON.stringify(result, data.replacer)) as unknown
}

/**
 * A value as GitHub reads it from YAML: a string that is exactly one `${{ }}` keeps the
 * expression's type (a matrix from `fromJSON`), other strings are templates, mappings and
 * sequences are evaluated value by value, other values are as written.
 */
export function evaluateValue(value: unknown, context: Context): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, context))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateValue(item, context)]))
  }
  if (typeof value !== 'string') return value
  const whole = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(value)
  if (whole && !whole[1].includes('}}')) return evaluateExpression(whole[1], context)
  return value.replace(/\$\{\{(.*?)\}\}/gs, (_, expression: string) => asString(evaluateExpression(expression, context)))
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

/** A mapping of strings (`env:`, `outputs:`, `with:`) evaluated value by value. */
function evaluateStrings(values: Record<string, unknown> | undefined, context: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([name, value]) => [name, evaluateString(value, context)]))
}

/**
 * An `if:` condition, with or without `${{ }}`, as a boolean by the expression language's
 * truthiness. With a `status`, a condition that calls no status function means `success() && (…)`.
 */
export function evaluateCondition(condition: Expression, context: Context, status?: Status): boolean {
  const bare = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(String(condition))?.[1] ?? String(condition)
  const value = evaluateExpression(status !== undefined && !callsStatusFunction(bare) ? `success() && (${bare})` : bare, context, status)
  return !(value === false || value === null || value === 0 || value === '' || value === undefined)
}

function callsStatusFunction(expression: string): boolean {
  const tokens = new Lexer(expression).lex().tokens
  return tokens.some((token, at) => STATUS_FUNCTIONS.includes(token.lexeme.toLowerCase()) && tokens[at + 1]?.lexeme === '(')
}

/** A boolean key (`fail-fast`, `cancel-in-progress`, `continue-on-error`): as written, or an expression's truthiness. */
function evaluateFlag(value: Expression | undefined, fallback: boolean, context: Context): boolean {
  if (value === undefined) return fallback
  return typeof value === 'boolean' ? value : evaluateCondition(value, context)
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

/** Every job `name` needs, directly or through other jobs: what job-level status functions look at. */
export function ancestorsOf(name: string, jobs: Record<string, WorkflowJob>): string[] {
  const found = new Set<string>()
  const visit = (job: string): void => {
    for (const need of needsOf(jobs[job])) {
      if (!found.has(need)) {
        found.add(need)
        visit(need)
      }
    }
  }
  visit(name)
  return [...found]
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Matrix entries as GitHub makes them: the cartesian product of the vectors, less the
 * combinations an `exclude` entry partly matches; then each `include` entry extends every
 * combination whose original values it does not contradict, or becomes an entry of its own.
 */
export function expandMatrix(matrix: unknown): Array<Record<string, unknown>> {
  if (matrix === undefined) return [{}]
  if (!isMapping(matrix)) throw new Error(`matrix is not a mapping: ${JSON.stringify(matrix)}`)
  const { include = [], exclude = [], ...vectors } = matrix
  const filters = { include, exclude }
  for (const [name, filter] of Object.entries(filters)) {
    if (!Array.isArray(filter) || !filter.every(isMapping)) throw new Error(`matrix ${name} is not a list of mappings: ${JSON.stringify(filter)}`)
  }
  for (const [name, values] of Object.entries(vectors)) {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`matrix vector ${name} is not a non-empty list: ${JSON.stringify(values)}`)
  }
  const names = Object.keys(vectors)
  const product = names.length === 0
    ? []
    : names.reduce<Array<Record<string, unknown>>>(
        (combinations, name) => combinations.flatMap((combination) => (vectors[name] as unknown[]).map((value) => ({ ...combination, [name]: value }))),
        [{}]
      )
  const matches = (entry: Record<string, unknown>, filter: Record<string, unknown>, keys: string[]): boolean =>
    keys.every((key) => isDeepStrictEqual(entry[key], filter[key]))
  const combinations = product.filter((combination) => !(exclude as Array<Record<string, unknown>>).some((filter) => matches(combination, filter, Object.keys(filter))))
  const added: Array<Record<string, unknown>> = []
  for (const extra of include as Array<Record<string, unknown>>) {
    const original = Object.keys(extra).filter((key) => key in vectors)
    const extended = combinations.filter((combination) => matches(combination, extra, original))
    for (const combination of extended) Object.assign(combination, extra)
    if (extended.length === 0) added.push({ ...extra })
  }
  const entries = [...combinations, ...added]
  if (entries.length === 0) throw new Error('matrix has no entries (GitHub fails such a job)')
  if (entries.length > MAX_MATRIX_ENTRIES) throw new Error(`matrix has ${entries.length} entries; GitHub allows ${MAX_MATRIX_ENTRIES}`)
  return entries
}

/**
 * The `inputs` a called workflow sees: the declared ones only, typed as declared, defaults (or
 * the type's empty value) for those not given. A caller passing an undeclared input, leaving out
 * a required one or giving a value of the wrong type is an error, as it is on GitHub.
 */
export function callInputs(declared: Record<string, WorkflowCallInput>, given: Record<string, unknown>, defaultContext: Context): Record<string, unknown> {
  for (const name of Object.keys(given)) {
    if (!(name in declared)) throw new Error(`input ${name} is not declared by the called workflow (declared: ${Object.keys(declared).join(', ') || 'none'})`)
  }
  return Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => {
      if (given[name] !== undefined) return [name, typedInput(name, spec.type, given[name])]
      if (spec.required) throw new Error(`input ${name} is required by the called workflow`)
      const fallback = spec.default === undefined ? EMPTY_INPUT[spec.type] : evaluateValue(spec.default, defaultContext)
      return [name, typedInput(name, spec.type, fallback)]
    })
  )
}

const EMPTY_INPUT = { string: '', boolean: false, number: 0 }

function typedInput(name: string, type: WorkflowCallInput['type'], value: unknown): unknown {
  const refuse = (): never => {
    throw new Error(`input ${name} is declared ${type}, given ${JSON.stringify(value)}`)
  }
  switch (type) {
    case 'string':
      return typeof value === 'object' && value !== null ? refuse() : asString(value)
    case 'boolean':
      if (typeof value === 'boolean') return value
      return value === 'true' || value === 'false' ? value === 'true' : refuse()
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
      return Number.isFinite(number) ? number : refuse()
    }
    default:
      throw new Error(`input ${name} has no type the harness knows (string, boolean or number): ${JSON.stringify(type)}`)
  }
}

/** The `secrets` a called workflow sees from a `secrets:` mapping: declared ones only, required ones present. */
export function callSecrets(declared: NonNullable<WorkflowCall['secrets']>, given: Record<string, string>): Record<string, string> {
  for (const name of Object.keys(given)) {
    if (!(name in declared)) throw new Error(`secret ${name} is not declared by the called workflow`)
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.required && given[name] === undefined) throw new Error(`secret ${name} is required by the called workflow`)
  }
  return given
}

/** The workflow's `workflow_call` trigger, or undefined when nothing can call it. */
export function workflowCallOf(workflow: Workflow): WorkflowCall | undefined {
  const on = workflow.on
  if (typeof on === 'string' || Array.isArray(on)) return ([] as string[]).concat(on).includes('workflow_call') ? {} : undefined
  return 'workflow_call' in on ? (on.workflow_call ?? {}) : undefined
}

/** The repository path a job's `uses:` names: this repository's workflows only. */
export function calledWorkflowPath(uses: string): string {
  const file = /^[$.]\/\.github\/workflows\/([^/@]+\.ya?ml)$/.exec(uses)?.[1]
  if (file === undefined) throw new Error(`reusable workflow ${uses} is not supported: this harness runs $/.github/workflows/<file> and ./.github/workflows/<file>`)
  return `.github/workflows/${file}`
}

const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs']
const STEPS_JOB_KEYS = ['name', 'needs', 'if', 'runs-on', 'timeout-minutes', 'strategy', 'environment', 'concurrency', 'permissions', 'outputs', 'env', 'defaults', 'steps']
const CALL_JOB_KEYS = ['name', 'uses', 'with', 'secrets', 'needs', 'if', 'permissions', 'concurrency', 'strategy']
const USES_STEP_KEYS = ['id', 'name', 'uses', 'with', 'if', 'env', 'continue-on-error', 'timeout-minutes']
const RUN_STEP_KEYS = ['id', 'name', 'run', 'shell', 'working-directory', 'if', 'env', 'continue-on-error', 'timeout-minutes']

function refuseUnknownKeys(what: string, value: object, known: string[]): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key))
  if (unknown.length > 0) throw new Error(`${what}: ${unknown.join(', ')} not supported by this harness (it knows ${known.join(', ')})`)
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

/** What stays the same for every job of one run, nested workflows included. */
interface Run {
  options: WorkflowRunOptions
  runAction: NonNullable<WorkflowRunOptions['runAction']>
  readWorkflowFile: NonNullable<WorkflowRunOptions['readWorkflowFile']>
  /** Holds empty workspaces and step files; removed when the run ends. */
  temp: string
}

/** What one workflow in the run was called with. */
interface Call {
  inputs: Record<string, unknown>
  secrets: Record<string, string>
  /** 1 for a workflow an event started, 2 for one it called, and so on. */
  level: number
}

export async function runWorkflow(workflow: Workflow, options: WorkflowRunOptions): Promise<WorkflowRun> {
  const temp = await mkdtemp(join(tmpdir(), 'flotilla-workflow-'))
  const run: Run = {
    options,
    runAction: options.runAction ?? runBundle,
    readWorkflowFile: options.readWorkflowFile ?? ((path) => readFile(join(repositoryRoot, path), 'utf8')),
    temp
  }
  try {
    const trigger = workflowCallOf(workflow)
    const inputs = callInputs(trigger?.inputs ?? {}, options.inputs ?? {}, { github: options.github, inputs: options.inputs ?? {}, vars: options.vars ?? {} })
    return await runJobs(workflow, { inputs, secrets: options.secrets ?? {}, level: trigger === undefined ? 1 : 2 }, run)
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}

async function runJobs(workflow: Workflow, call: Call, run: Run): Promise<WorkflowRun> {
  refuseUnknownKeys('workflow', workflow, WORKFLOW_KEYS)
  const top: Scope = { github: run.options.github, inputs: call.inputs, vars: run.options.vars ?? {}, secrets: call.secrets }
  const env = evaluateStrings(workflow.env, available(top, 'workflowEnv'))
  const jobs: Record<string, JobRun> = {}
  for (const name of jobOrder(workflow.jobs)) {
    jobs[name] = await runJob(name, workflow, { ...top, env }, call, run, jobs)
  }
  const jobsContext = Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, { result: job.result, outputs: job.outputs }]))
  const outputs = evaluateStrings(
    Object.fromEntries(Object.entries(workflowCallOf(workflow)?.outputs ?? {}).map(([name, output]) => [name, output.value])),
    available({ ...top, jobs: jobsContext }, 'workflowOutputs')
  )
  const result: WorkflowRun = { jobs, outputs }
  if (workflow.concurrency !== undefined) result.concurrency = evaluateConcurrency(workflow.concurrency, available(top, 'workflowConcurrency')).concurrency
  return result
}

async function runJob(name: string, workflow: Workflow, top: Scope, call: Call, run: Run, finished: Record<string, JobRun>): Promise<JobRun> {
  const job = workflow.jobs[name]
  refuseUnknownKeys(`job ${name}`, job, job.uses === undefined ? STEPS_JOB_KEYS : CALL_JOB_KEYS)
  const permissions = job.permissions === undefined ? {} : { permissions: job.permissions }
  const needs = Object.fromEntries(needsOf(job).map((need) => [need, { result: finished[need].result, outputs: finished[need].outputs }]))
  const scope: Scope = { ...top, needs }
  const ancestors = ancestorsOf(name, workflow.jobs).map((ancestor) => finished[ancestor].result)
  const status = { success: ancestors.every((result) => result === 'success'), failure: ancestors.includes('failure') }
  if (!evaluateCondition(job.if ?? 'success()', available(scope, 'jobIf'), status)) return { result: 'skipped', outputs: {}, runs: [], ...permissions }

  const strategyScope = available(scope, 'strategy')
  const entries = expandMatrix(evaluateValue(job.strategy?.matrix, strategyScope))
  const failFast = evaluateFlag(job.strategy?.['fail-fast'], true, strategyScope)
  const maxParallel = job.strategy?.['max-parallel'] === undefined ? entries.length : Number(evaluateValue(job.strategy['max-parallel'], strategyScope))
  if (!Number.isInteger(maxParallel) || maxParallel < 1) throw new Error(`job ${name}: max-parallel is not a positive integer: ${JSON.stringify(job.strategy?.['max-parallel'])}`)

  const result: JobRun = { result: 'success', outputs: {}, runs: [], ...permissions }
  for (const [index, matrix] of entries.entries()) {
    const strategy: StrategyContext = { 'fail-fast': failFast, 'job-index': index, 'job-total': entries.length, 'max-parallel': maxParallel }
    const entryScope: Scope = { ...scope, strategy, matrix }
    const entry: MatrixRun = { matrix, strategy, steps: [], ...describeEntry(job, available(entryScope, 'matrixEntry')) }
    let outputs: Record<string, string>
    if (job.uses !== undefined) {
      entry.workflow = await callWorkflow(name, job, entryScope, call, run)
      if (Object.values(entry.workflow.jobs).some((called) => called.result === 'failure')) result.result = 'failure'
      outputs = entry.workflow.outputs
    } else {
      const after = await runSteps(name, job, workflow.defaults, entryScope, entry, run)
      if (entry.steps.some((step) => step.result === 'failure')) result.result = 'failure'
      outputs = evaluateStrings(job.outputs, available(after, 'step'))
      const environment = job.environment
      if (typeof environment === 'object' && environment.url !== undefined) entry.environmentUrl = evaluateString(environment.url, available(after, 'stepIf'))
    }
    result.runs.push(entry)
    // A matrix entry that did not set an output leaves another entry's value in place.
    for (const [output, value] of Object.entries(outputs)) if (value !== '') result.outputs[output] = value
  }
  return result
}

/** The job's `name`, `environment` and `concurrency` as one matrix entry sees them. */
function describeEntry(job: WorkflowJob, context: Context): Pick<MatrixRun, 'name' | 'environment' | 'concurrency' | 'cancelInProgress'> {
  return {
    ...(job.name === undefined ? {} : { name: evaluateString(job.name, context) }),
    ...(job.environment === undefined ? {} : { environment: evaluateString(typeof job.environment === 'string' ? job.environment : job.environment.name, context) }),
    ...(job.concurrency === undefined ? {} : evaluateConcurrency(job.concurrency, context))
  }
}

function evaluateConcurrency(concurrency: Concurrency, context: Context): Pick<MatrixRun, 'concurrency' | 'cancelInProgress'> {
  if (typeof concurrency === 'string') return { concurrency: evaluateString(concurrency, context), cancelInProgress: false }
  refuseUnknownKeys('concurrency', concurrency, ['group', 'cancel-in-progress'])
  return { concurrency: evaluateString(concurrency.group, context), cancelInProgress: evaluateFlag(concurrency['cancel-in-progress'], false, context) }
}

async function callWorkflow(name: string, job: WorkflowJob, scope: Scope, call: Call, run: Run): Promise<WorkflowRun> {
  const uses = job.uses as string
  if (call.level >= MAX_WORKFLOW_LEVELS) throw new Error(`job ${name}: ${uses} would be a level ${call.level + 1} workflow; GitHub connects at most ${MAX_WORKFLOW_LEVELS}`)
  const path = calledWorkflowPath(uses)
  const called = parse(await run.readWorkflowFile(path)) as Workflow
  const trigger = workflowCallOf(called)
  if (trigger === undefined) throw new Error(`job ${name}: ${path} has no workflow_call trigger, so no job can call it`)
  try {
    const given = evaluateValue(job.with ?? {}, available(scope, 'matrixEntry')) as Record<string, unknown>
    const inputs = callInputs(trigger.inputs ?? {}, given, { github: run.options.github, inputs: given, vars: run.options.vars ?? {} })
    const secrets = job.secrets === 'inherit' ? call.secrets : callSecrets(trigger.secrets ?? {}, evaluateStrings(job.secrets, available(scope, 'matrixEntryWithSecrets')))
    return await runJobs(called, { inputs, secrets, level: call.level + 1 }, run)
  } catch (error) {
    throw new Error(`job ${name} calling ${path}: ${(error as Error).message}`, { cause: error })
  }
}

/** The `steps` context: the outputs and results of every step with an `id` that has run. */
function stepsContext(steps: StepRun[]): Record<string, unknown> {
  return Object.fromEntries(steps.filter((step) => step.id !== undefined).map((step) => [step.id, { outputs: step.outputs, outcome: step.outcome, conclusion: step.result }]))
}

/** Runs one matrix entry's steps into `entry.steps`; returns the scope the job's outputs are evaluated in. */
async function runSteps(job: string, spec: WorkflowJob, workflowDefaults: RunDefaults | undefined, scope: Scope, entry: MatrixRun, run: Run): Promise<Scope> {
  const entryDir = await mkdtemp(join(run.temp, `${job}-`))
  const runnerTemp = join(entryDir, 'temp')
  await mkdir(runnerTemp)
  const workspace = async (): Promise<string> => {
    if (entry.workspace === undefined) {
      entry.workspace = join(entryDir, 'workspace')
      await mkdir(entry.workspace)
    }
    return entry.workspace
  }
  // The runner applies GITHUB_ENV first and the workflow's, job's and step's `env:` over it.
  const declaredEnv = { ...(scope.env as Record<string, string>), ...evaluateStrings(spec.env, available(scope, 'matrixEntryWithSecrets')) }
  let fileEnv: Record<string, string> = {}
  const defaults = { ...workflowDefaults?.run, ...spec.defaults?.run }
  let current: Scope = { ...scope, env: declaredEnv }
  for (const [index, step] of (spec.steps ?? []).entries()) {
    const where = `job ${job} step ${step.id ?? step.name ?? index + 1}`
    if ((step.uses === undefined) === (step.run === undefined)) throw new Error(`${where}: a step has either \`uses:\` or \`run:\``)
    refuseUnknownKeys(where, step, step.run === undefined ? USES_STEP_KEYS : RUN_STEP_KEYS)
    const failedBefore = entry.steps.some((previous) => previous.result === 'failure')
    current = { ...scope, env: { ...fileEnv, ...declaredEnv }, steps: stepsContext(entry.steps), job: { status: failedBefore ? 'failure' : 'success' }, runner: { os: 'Linux', temp: runnerTemp } }
    if (!evaluateCondition(step.if ?? 'success()', available(current, 'stepIf'), { success: !failedBefore, failure: failedBefore })) {
      entry.steps.push({ uses: step.uses, id: step.id, inputs: {}, outputs: {}, outcome: 'skipped', result: 'skipped' })
      continue
    }
    const env = { ...(current.env as Record<string, string>), ...evaluateStrings(step.env, available(current, 'step')) }
    const context = available({ ...current, env }, 'step')
    const ran = step.run === undefined
      ? await runUses(job, step, { context, env, workspace }, entry, run)
      : await runScript(job, step, { defaults, context, env, workspace: await workspace(), runnerTemp }, run)
    fileEnv = { ...fileEnv, ...ran.env }
    const result = ran.step.outcome === 'failure' && evaluateFlag(step['continue-on-error'], false, context) ? 'success' : ran.step.outcome
    entry.steps.push({ ...ran.step, id: step.id, ...(step.name === undefined ? {} : { name: evaluateString(step.name, context) }), result })
  }
  return { ...current, env: { ...fileEnv, ...declaredEnv }, steps: stepsContext(entry.steps) }
}

/** What a step that ran left: its record, and the variables it wrote to GITHUB_ENV. */
interface Ran {
  step: Omit<StepRun, 'id' | 'name' | 'result'>
  env: Record<string, string>
}

interface UsesSetting {
  context: Context
  env: Record<string, string>
  /** The workspace, made empty on first use when no checkout has made one. */
  workspace: () => Promise<string>
}

async function runUses(job: string, step: WorkflowStep, setting: UsesSetting, entry: MatrixRun, run: Run): Promise<Ran> {
  const { context, env } = setting
  const uses = step.uses as string
  if (uses.startsWith('actions/checkout@')) {
    entry.workspace = await run.options.checkout()
    return { step: { uses, inputs: evaluateStrings(step.with, context), outputs: {}, outcome: 'success' }, env: {} }
  }
  const action = suiteAction(uses)
  if (action === undefined) throw new Error(`job ${job}: unsupported action ${uses} (this harness runs actions/checkout and $/actions/<name>)`)
  const inputs = evaluateStrings({ ...actionDefaults(action), ...step.with }, context)
  const bundle = await run.runAction(action, { workspace: await setting.workspace(), inputs, env: { ...run.options.env, ...env, GITHUB_JOB: job } })
  return { step: { uses, inputs, bundle, outputs: bundle.outputs, outcome: bundle.exitCode === 0 ? 'success' : 'failure' }, env: {} }
}

interface ScriptSetting {
  defaults: NonNullable<RunDefaults['run']>
  context: Context
  env: Record<string, string>
  workspace: string
  runnerTemp: string
}

/** A `run:` step as GitHub's runner runs `shell: bash`: the script in a file, file commands beside it. */
async function runScript(job: string, step: WorkflowStep, setting: ScriptSetting, run: Run): Promise<Ran> {
  const { defaults, context, env, workspace, runnerTemp } = setting
  const shell = step.shell ?? defaults.shell ?? 'bash'
  if (shell !== 'bash') throw new Error(`job ${job}: shell ${shell} is not supported by this harness (bash only)`)
  const directory = step['working-directory'] !== undefined
    ? evaluateString(step['working-directory'], context)
    : defaults['working-directory'] !== undefined
      ? evaluateString(defaults['working-directory'], available(context, 'defaultsRun'))
      : '.'
  const workingDirectory = resolve(workspace, directory)
  const files = await mkdtemp(join(runnerTemp, 'step-'))
  const file = (name: string): string => join(files, name)
  const script = evaluateString(step.run, context)
  await writeFile(file('script.sh'), script)
  for (const name of ['output', 'env', 'summary']) await writeFile(file(name), '')
  const result = await exec(['bash', '--noprofile', '--norc', '-eo', 'pipefail', file('script.sh')], {
    cwd: workingDirectory,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      ...run.options.env,
      ...env,
      GITHUB_JOB: job,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: file('output'),
      GITHUB_ENV: file('env'),
      GITHUB_STEP_SUMMARY: file('summary')
    },
    allowFailure: true
  })
  const read = (name: string): Promise<string> => readFile(file(name), 'utf8')
  const stdout = result.stdout.toString('utf8')
  return {
    step: {
      inputs: {},
      script: { script, workingDirectory, exitCode: result.exitCode, stdout, stderr: result.stderr, summary: await read('summary') },
      outputs: parseOutputFile(await read('output')),
      outcome: result.exitCode === 0 ? 'success' : 'failure'
    },
    env: parseOutputFile(await read('env'))
  }
}
