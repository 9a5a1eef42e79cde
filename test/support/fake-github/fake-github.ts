import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OpenApiDescription, type OperationMatch } from './openapi.js'
import { ResourceRenderer } from './resources.js'
import {
  emptyState,
  type DeploymentState,
  type FakeAnnotation,
  type FakeCheckRun,
  type FakeCommit,
  type FakeCommitStatus,
  type FakeDeployment,
  type FakeFile,
  type FakeGitHubState,
  type FakeWorkflowRun
} from './state.js'

/** GitHub Enterprise Server serves the same API under this prefix. */
const GHES_PREFIX = '/api/v3'
const DOCS = 'https://docs.github.com/rest'
const COMPARE_FILE_CAP = 300
const PULL_FILES_CAP = 3000
const RUN_CONCLUSIONS = new Set(['success', 'failure', 'neutral', 'cancelled', 'skipped', 'timed_out', 'action_required', 'stale'])

export type FaultStatus = 500 | 502 | 503 | 404 | 422 | 'secondary-rate-limit' | 'primary-rate-limit'

export interface FaultRule {
  method?: string
  /** The request path (without `/api/v3` or query) or the description's template, e.g. `/repos/{owner}/{repo}/deployments`. */
  path: string | RegExp
  status: FaultStatus
  /** How many matching requests fail; every one until `clearFaults()` when omitted. */
  times?: number
  /** Seconds in `retry-after` (secondary) or until `x-ratelimit-reset` (primary); 1 by default. */
  retryAfterSeconds?: number
}

export interface DelayRule {
  method?: string
  path: string | RegExp
  ms: number
  times?: number
}

export interface RecordedRequest {
  method: string
  /** The URL as requested, GHES prefix and query included. */
  url: string
  /** Path relative to the API root, without the GHES prefix or the query. */
  path: string
  query: Record<string, string>
  body: unknown
  headers: IncomingMessage['headers']
  /** The operation the request was routed to, e.g. `repos/list-deployments`. */
  operationId?: string
  /** The status the fake answered with (304 for a conditional request whose ETag still matches). */
  status?: number
}

export interface Violation {
  /** `request`: GitHub would reject it; `response`: the fake served something off-schema; `unimplemented`: valid, but the fake has no handler. */
  kind: 'request' | 'response' | 'unimplemented'
  method: string
  path: string
  status: number
  message: string
}

export interface FakeRequest {
  method: string
  path: string
  params: Record<string, string>
  query: Record<string, string>
  body: any
}

export interface FakeResponse {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export type FakeHandler = (request: FakeRequest) => FakeResponse

type FileInput = string | FakeFile

/**
 * A local stand-in for api.github.com (and GHES under `/api/v3`) that routes and validates every
 * request against GitHub's OpenAPI description, serves schema-valid answers from in-memory state,
 * and injects the faults real clients must survive.
 */
export class FakeGitHub {
  readonly state: FakeGitHubState
  readonly requests: RecordedRequest[] = []
  readonly violations: Violation[] = []

  private readonly description = OpenApiDescription.load()
  private readonly render: ResourceRenderer
  private readonly handlers = new Map<string, FakeHandler>()
  private faults: Array<FaultRule & { remaining: number }> = []
  private delays: Array<DelayRule & { remaining: number }> = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private server?: Server
  private origin = ''
  private currentApiUrl = ''
  private nextId = 1

  constructor(options: { owner?: string; repo?: string } = {}) {
    this.state = emptyState(options.owner ?? 'acme', options.repo ?? 'shop')
    this.render = new ResourceRenderer(this.description, this.state, () => this.currentApiUrl)
    this.registerBuiltInHandlers()
  }

  /** Listens on 127.0.0.1 at a free port; resolves to the API base URL (`http://127.0.0.1:<port>`). */
  async start(): Promise<string> {
    const server = createServer((request, response) => {
      this.serve(request, response).catch(error => {
        response.writeHead(500, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ message: `FakeGitHub crashed: ${String(error?.stack ?? error)}` }))
      })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    this.server = server
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return this.origin
  }

  /** The base URL a GHES client would use: `<origin>/api/v3`. */
  get enterpriseUrl(): string {
    return `${this.origin}${GHES_PREFIX}`
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    const server = this.server
    if (!server) return
    this.server = undefined
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }

  /** Makes matching requests fail the way GitHub fails them. */
  fail(rule: FaultRule): void {
    this.faults.push({ ...rule, remaining: rule.times ?? Infinity })
  }

  /** Holds matching answers back by `ms` milliseconds. */
  delay(rule: DelayRule): void {
    this.delays.push({ ...rule, remaining: rule.times ?? Infinity })
  }

  clearFaults(): void {
    this.faults = []
    this.delays = []
  }

  /** Serves an operation (by operationId, e.g. `pulls/create`) with a test's own handler; the request is validated first. */
  handle(operationId: string, handler: FakeHandler): void {
    this.handlers.set(operationId, handler)
  }

  /** Recorded requests routed to one operation, e.g. `requestsTo('repos/list-deployments')`. */
  requestsTo(operationId: string): RecordedRequest[] {
    return this.requests.filter(request => request.operationId === operationId)
  }

  /** A comparison; `commits` are `base..head` oldest first, as GitHub lists them. */
  setCompare(base: string, head: string, files: FileInput[], options: { mergeBase?: string; commits?: FakeCommit[] } = {}): void {
    this.state.comparisons.set(`${base}...${head}`, { files: files.map(toFakeFile), mergeBase: options.mergeBase ?? base, commits: options.commits ?? [] })
  }

  setPullFiles(pullNumber: number, files: FileInput[]): void {
    this.state.pullFiles.set(pullNumber, files.map(toFakeFile))
  }

  /**
   * A deployment with statuses in the order given (the last is the latest). Times default to now;
   * a history written by a test gives its own (`createdAt`, and `at` per status).
   */
  addDeployment(options: {
    environment: string
    sha: string
    ref?: string
    statuses?: Array<DeploymentState | { state: DeploymentState; at?: string; description?: string }>
    productionEnvironment?: boolean
    transientEnvironment?: boolean
    task?: string
    payload?: Record<string, unknown> | string
    description?: string | null
    createdAt?: string
  }): FakeDeployment {
    const deployment: FakeDeployment = {
      id: this.newId(),
      sha: options.sha,
      ref: options.ref ?? options.sha,
      task: options.task ?? 'deploy',
      environment: options.environment,
      original_environment: options.environment,
      description: options.description ?? null,
      payload: options.payload ?? {},
      transient_environment: options.transientEnvironment ?? false,
      production_environment: options.productionEnvironment ?? options.environment === 'production',
      created_at: options.createdAt ?? now(),
      statuses: []
    }
    for (const entry of options.statuses ?? []) {
      const status = typeof entry === 'string' ? { state: entry } : entry
      deployment.statuses.push({
        id: this.newId(),
        state: status.state,
        description: status.description ?? '',
        environment: options.environment,
        environment_url: '',
        log_url: '',
        created_at: status.at ?? now()
      })
    }
    this.state.deployments.push(deployment)
    return deployment
  }

  addWorkflowRun(options: {
    workflow: string
    headSha: string
    branch?: string
    event?: string
    status?: FakeWorkflowRun['status']
    conclusion?: FakeWorkflowRun['conclusion']
    id?: number
  }): FakeWorkflowRun {
    const known = this.state.workflowRuns.find(run => run.workflow === options.workflow)
    const status = options.status ?? 'completed'
    const run: FakeWorkflowRun = {
      id: options.id ?? this.newId(),
      workflow: options.workflow,
      workflow_id: known?.workflow_id ?? this.newId(),
      head_sha: options.headSha,
      head_branch: options.branch ?? this.state.defaultBranch,
      event: options.event ?? 'push',
      status,
      conclusion: options.conclusion === undefined ? (status === 'completed' ? 'success' : null) : options.conclusion,
      created_at: now()
    }
    this.state.workflowRuns.push(run)
    return run
  }

  addCommitStatus(options: { sha: string; context: string; state: FakeCommitStatus['state']; createdAt?: string }): FakeCommitStatus {
    const { createdAt, ...fields } = options
    const status: FakeCommitStatus = { id: this.newId(), description: null, target_url: null, created_at: createdAt ?? now(), ...fields }
    this.state.statuses.push(status)
    return status
  }

  addCheckRun(options: { sha: string; name: string; status?: FakeCheckRun['status']; conclusion?: string | null }): FakeCheckRun {
    const status = options.status ?? 'completed'
    const checkRun: FakeCheckRun = {
      id: this.newId(),
      name: options.name,
      head_sha: options.sha,
      status,
      conclusion: options.conclusion === undefined ? (status === 'completed' ? 'success' : null) : options.conclusion,
      details_url: null,
      external_id: null,
      started_at: now(),
      completed_at: status === 'completed' ? now() : null,
      output: { title: null, summary: null, text: null },
      annotations: []
    }
    this.state.checkRuns.push(checkRun)
    return checkRun
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin)
    const enterprise = url.pathname === GHES_PREFIX || url.pathname.startsWith(`${GHES_PREFIX}/`)
    const path = enterprise ? url.pathname.slice(GHES_PREFIX.length) || '/' : url.pathname
    const method = (request.method ?? 'GET').toUpperCase()
    const query = Object.fromEntries(url.searchParams)
    const text = await readBody(request)
    const body = parseBody(text)
    const match = this.description.match(method, path)
    this.requests.push({
      method,
      url: request.url ?? '/',
      path,
      query,
      body: body.present && body.parsed ? body.value : text || undefined,
      headers: request.headers,
      operationId: match?.operation.operationId
    })

    const recorded = this.requests[this.requests.length - 1]!
    const send = (answer: FakeResponse): void => {
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
      // Like GitHub, every successful GET carries a validator; sending it back as If-None-Match
      // gets 304 Not Modified, with no body, while the answer is unchanged (which GitHub does not
      // count against the rate limit).
      const etag = method === 'GET' && answer.status === 200 ? entityTag(text, answer.headers?.link) : undefined
      const notModified = etag !== undefined && ifNoneMatch(request.headers['if-none-match'], etag)
      recorded.status = notModified ? 304 : answer.status
      const headers = { ...rateLimitHeaders(), 'content-type': 'application/json; charset=utf-8', ...answer.headers, ...(etag === undefined ? {} : { etag }) }
      response.writeHead(notModified ? 304 : answer.status, headers)
      response.end(notModified ? '' : text)
    }
    const fault = takeRule(this.faults, method, path, match)
    if (fault) return send(faultResponse(fault))
    const delay = takeRule(this.delays, method, path, match)
    if (delay) await new Promise<void>(resolve => this.schedule(resolve, delay.ms))

    if (!match) {
      const message = this.description.hasPath(path)
        ? `GitHub has no ${method} operation on ${path}`
        : `GitHub has no path ${path}`
      this.violations.push({ kind: 'request', method, path, status: 404, message })
      return send({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } })
    }
    const problem = this.description.checkRequest(match, query, body)
    if (problem) {
      this.violations.push({ kind: 'request', method, path, status: problem.status, message: problem.message })
      return send({
        status: problem.status,
        body: { message: problem.message, errors: problem.errors, documentation_url: DOCS, status: String(problem.status) }
      })
    }
    if (!this.isOurRepository(match)) {
      return send({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } })
    }
    const handler = this.handlers.get(match.operation.operationId)
    if (!handler) {
      const message = `FakeGitHub does not implement ${match.operation.operationId} (${method} ${match.operation.template})`
      this.violations.push({ kind: 'unimplemented', method, path, status: 501, message })
      return send({ status: 501, body: { message, documentation_url: DOCS } })
    }
    // Set in the same synchronous stretch as the handler runs, so concurrent GHES and github.com clients each get their own links.
    this.currentApiUrl = enterprise ? this.enterpriseUrl : this.origin
    const answer = handler({ method, path, params: match.params, query, body: body.present ? body.value : undefined })
    const responseErrors = this.description.checkResponse(match.operation, answer.status, answer.body)
    if (responseErrors.length > 0) {
      this.violations.push({
        kind: 'response',
        method,
        path,
        status: answer.status,
        message: `FakeGitHub served an off-schema ${answer.status}: ${responseErrors.join(' ')}`
      })
    }
    send(answer)
  }

  private isOurRepository(match: OperationMatch): boolean {
    const { owner, repo } = match.params
    if (owner === undefined || repo === undefined) return true
    return owner.toLowerCase() === this.state.owner.toLowerCase() && repo.toLowerCase() === this.state.repo.toLowerCase()
  }

  private schedule(callback: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      callback()
    }, ms)
    this.timers.add(timer)
  }

  private newId(): number {
    return this.nextId++
  }

  private page<T>(request: FakeRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Number(request.query.per_page ?? 30), 100)
    const page = Math.max(Number(request.query.page ?? 1), 1)
    const last = Math.max(Math.ceil(items.length / perPage), 1)
    const link = (target: number, rel: string): string => {
      const url = new URL(`${this.currentApiUrl}${request.path}`)
      for (const [key, value] of Object.entries(request.query)) url.searchParams.set(key, value)
      url.searchParams.set('per_page', String(perPage))
      url.searchParams.set('page', String(target))
      return `<${url.href}>; rel="${rel}"`
    }
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev'), link(1, 'first')] : []),
      ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : [])
    ]
    return {
      items: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {}
    }
  }

  private resolveSha(ref: string): string | undefined {
    if (/^[0-9a-f]{40}$/i.test(ref)) return ref
    return this.state.refs[ref.replace(/^(refs\/)?(heads|tags)\//, '')]
  }

  private registerBuiltInHandlers(): void {
    const notFound = (): FakeResponse => ({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } })
    const findDeployment = (request: FakeRequest): FakeDeployment | undefined =>
      this.state.deployments.find(deployment => deployment.id === Number(request.params.deployment_id))
    const newestFirst = <T extends { id: number }>(items: T[]): T[] => [...items].sort((a, b) => b.id - a.id)
    const paged = <T>(request: FakeRequest, items: T[], render: (item: T) => unknown, status = 200): FakeResponse => {
      const { items: slice, headers } = this.page(request, items)
      return { status, body: slice.map(render), headers }
    }

    this.handle('repos/get', () => ({ status: 200, body: this.render.repository() }))

    const compare = (request: FakeRequest, base: string, head: string): FakeResponse => {
      const comparison = this.state.comparisons.get(`${base}...${head}`)
      if (!comparison) return notFound()
      // With paging, files come on the first page only, capped at 300 for the whole comparison.
      const firstPage = Number(request.query.page ?? 1) === 1
      const files = firstPage ? comparison.files.slice(0, COMPARE_FILE_CAP) : undefined
      // Without paging parameters GitHub lists at most 250 commits, the last being the newest;
      // with them, a page of commits oldest first, and `total_commits` says how many there are.
      const paging = request.query.page !== undefined || request.query.per_page !== undefined
      const { items: commits, headers } = paging ? this.page(request, comparison.commits) : { items: comparison.commits.slice(-250), headers: {} }
      return { status: 200, body: this.render.comparison(base, head, comparison.mergeBase, files, { commits, total: comparison.commits.length }), headers }
    }
    this.handle('repos/compare-commits-with-basehead', request => {
      const [base, head, ...rest] = request.params.basehead!.split('...')
      return head === undefined || rest.length > 0 ? notFound() : compare(request, base!, head)
    })
    // GitHub also routes `/compare/{base}...{head}` to its own operation.
    this.handle('repos/compare-commits', request => compare(request, request.params.base!, request.params.head!))

    this.handle('pulls/list-files', request => {
      const files = this.state.pullFiles.get(Number(request.params.pull_number))
      if (!files) return notFound()
      return paged(request, files.slice(0, PULL_FILES_CAP), file => this.render.diffEntry(file, 'HEAD'))
    })

    this.handle('repos/list-deployments', request => {
      const { sha, ref, task, environment } = request.query
      const deployments = newestFirst(this.state.deployments).filter(
        deployment =>
          (sha === undefined || deployment.sha === sha) &&
          (ref === undefined || deployment.ref === ref) &&
          (task === undefined || deployment.task === task) &&
          (environment === undefined || deployment.environment === environment)
      )
      return paged(request, deployments, deployment => this.render.deployment(deployment))
    })

    this.handle('repos/get-deployment', request => {
      const deployment = findDeployment(request)
      return deployment ? { status: 200, body: this.render.deployment(deployment) } : notFound()
    })

    this.handle('repos/create-deployment', request => this.createDeployment(request))

    this.handle('repos/list-deployment-statuses', request => {
      const deployment = findDeployment(request)
      if (!deployment) return notFound()
      return paged(request, newestFirst(deployment.statuses), status => this.render.deploymentStatus(deployment, status))
    })

    this.handle('repos/create-deployment-status', request => {
      const deployment = findDeployment(request)
      if (!deployment) return notFound()
      const { body } = request
      if (body.environment !== undefined) deployment.environment = body.environment
      const status = {
        id: this.newId(),
        state: body.state as DeploymentState,
        description: body.description ?? '',
        environment: deployment.environment,
        environment_url: body.environment_url ?? '',
        log_url: body.log_url ?? body.target_url ?? '',
        created_at: now()
      }
      deployment.statuses.push(status)
      if (status.state === 'success' && body.auto_inactive !== false) this.deactivatePriorDeployments(deployment)
      return {
        status: 201,
        body: this.render.deploymentStatus(deployment, status),
        headers: { location: `${this.currentApiUrl}${request.path}/${status.id}` }
      }
    })

    this.handle('actions/list-workflow-runs', request => {
      const { workflow_id: workflow } = request.params
      const { branch, event, status, head_sha: headSha } = request.query
      const runs = newestFirst(this.state.workflowRuns).filter(
        run =>
          (String(run.workflow_id) === workflow || run.workflow === workflow) &&
          (branch === undefined || run.head_branch === branch) &&
          (event === undefined || run.event === event) &&
          (headSha === undefined || run.head_sha === headSha) &&
          (status === undefined || (RUN_CONCLUSIONS.has(status) ? run.conclusion === status : run.status === status))
      )
      const { items, headers } = this.page(request, runs)
      return {
        status: 200,
        body: { total_count: runs.length, workflow_runs: items.map(run => this.render.workflowRun(run)) },
        headers
      }
    })

    this.handle('checks/create', request => {
      const { body } = request
      const completed = body.conclusion !== undefined || body.status === 'completed'
      const checkRun: FakeCheckRun = {
        id: this.newId(),
        name: body.name,
        head_sha: body.head_sha,
        status: completed ? 'completed' : (body.status ?? 'queued'),
        conclusion: body.conclusion ?? null,
        details_url: body.details_url ?? null,
        external_id: body.external_id ?? null,
        started_at: body.started_at ?? now(),
        completed_at: completed ? (body.completed_at ?? now()) : null,
        output: outputOf(body.output, { title: null, summary: null, text: null }),
        annotations: [...((body.output?.annotations ?? []) as FakeAnnotation[])] // a copy: updates append to it, the recorded request must not change
      }
      this.state.checkRuns.push(checkRun)
      return { status: 201, body: this.render.checkRun(checkRun) }
    })

    this.handle('checks/update', request => {
      const checkRun = this.state.checkRuns.find(run => run.id === Number(request.params.check_run_id))
      if (!checkRun) return notFound()
      const { body } = request
      if (body.name !== undefined) checkRun.name = body.name
      if (body.details_url !== undefined) checkRun.details_url = body.details_url
      if (body.external_id !== undefined) checkRun.external_id = body.external_id
      if (body.started_at !== undefined) checkRun.started_at = body.started_at
      if (body.status !== undefined) checkRun.status = body.status
      if (body.conclusion !== undefined) {
        checkRun.conclusion = body.conclusion
        checkRun.status = 'completed'
      }
      if (checkRun.status === 'completed') checkRun.completed_at = body.completed_at ?? checkRun.completed_at ?? now()
      checkRun.output = outputOf(body.output, checkRun.output)
      checkRun.annotations.push(...((body.output?.annotations ?? []) as FakeAnnotation[]))
      return { status: 200, body: this.render.checkRun(checkRun) }
    })

    this.handle('checks/get', request => {
      const checkRun = this.state.checkRuns.find(run => run.id === Number(request.params.check_run_id))
      return checkRun ? { status: 200, body: this.render.checkRun(checkRun) } : notFound()
    })

    this.handle('checks/list-for-ref', request => {
      const sha = this.resolveSha(request.params.ref!)
      const { check_name: name, status, filter } = request.query
      let runs = newestFirst(this.state.checkRuns).filter(
        run => run.head_sha === sha && (name === undefined || run.name === name) && (status === undefined || run.status === status)
      )
      if (filter !== 'all') runs = runs.filter((run, index) => runs.findIndex(other => other.name === run.name) === index)
      const { items, headers } = this.page(request, runs)
      return {
        status: 200,
        body: { total_count: runs.length, check_runs: items.map(run => this.render.checkRun(run)) },
        headers
      }
    })

    this.handle('repos/create-commit-status', request => {
      const { body } = request
      const status: FakeCommitStatus = {
        id: this.newId(),
        sha: request.params.sha!,
        state: body.state,
        context: body.context ?? 'default',
        description: body.description ?? null,
        target_url: body.target_url ?? null,
        created_at: now()
      }
      this.state.statuses.push(status)
      return {
        status: 201,
        body: this.render.commitStatus(status),
        headers: { location: `${this.currentApiUrl}${request.path}` }
      }
    })

    this.handle('repos/list-commit-statuses-for-ref', request => {
      const sha = this.resolveSha(request.params.ref!)
      const statuses = newestFirst(this.state.statuses).filter(status => status.sha === sha)
      return paged(request, statuses, status => this.render.commitStatus(status))
    })

    this.handle('repos/get-combined-status-for-ref', request => {
      const sha = this.resolveSha(request.params.ref!)
      if (!sha) return notFound()
      const statuses = this.state.statuses.filter(status => status.sha === sha)
      return { status: 200, body: this.render.combinedStatus(sha, statuses) }
    })
  }

  private createDeployment(request: FakeRequest): FakeResponse {
    const { body } = request
    const sha = this.resolveSha(body.ref)
    if (!sha) {
      return { status: 422, body: { message: `No ref found for: ${body.ref}`, documentation_url: DOCS, status: '422' } }
    }
    // Like GitHub: unless required_contexts is given (an empty list skips the check), every context must be green.
    const contexts: string[] = body.required_contexts ?? [
      ...new Set([
        ...this.state.statuses.filter(status => status.sha === sha).map(status => status.context),
        ...this.state.checkRuns.filter(run => run.head_sha === sha).map(run => run.name)
      ])
    ]
    const failing = contexts
      .map(context => ({ context, state: this.contextState(sha, context) }))
      .filter(context => context.state !== 'success')
    if (failing.length > 0) {
      return {
        status: 409,
        body: {
          message: `Conflict: Commit status checks failed for ${body.ref}.`,
          errors: [{ contexts: failing, resource: 'Deployment', field: 'required_contexts', code: 'invalid' }],
          documentation_url: DOCS,
          status: '409'
        }
      }
    }
    const environment = body.environment ?? 'production'
    const deployment: FakeDeployment = {
      id: this.newId(),
      sha,
      ref: body.ref,
      task: body.task ?? 'deploy',
      environment,
      original_environment: environment,
      description: body.description ?? '',
      payload: body.payload ?? {},
      transient_environment: body.transient_environment ?? false,
      production_environment: body.production_environment ?? environment === 'production',
      request: body,
      created_at: now(),
      statuses: []
    }
    this.state.deployments.push(deployment)
    return { status: 201, body: this.render.deployment(deployment) }
  }

  /** The latest state of a status context or check run on a commit (`missing` when there is none). */
  private contextState(sha: string, context: string): string {
    const status = this.state.statuses.filter(s => s.sha === sha && s.context === context).sort((a, b) => b.id - a.id)[0]
    if (status) return status.state
    const checkRun = this.state.checkRuns.filter(run => run.head_sha === sha && run.name === context).sort((a, b) => b.id - a.id)[0]
    if (!checkRun) return 'missing'
    return checkRun.status === 'completed' ? (checkRun.conclusion ?? 'missing') : 'pending'
  }

  /** GitHub's `auto_inactive`: earlier successful deployments to the same non-production, non-transient environment turn inactive. */
  private deactivatePriorDeployments(current: FakeDeployment): void {
    for (const deployment of this.state.deployments) {
      const latest = deployment.statuses.at(-1)
      if (
        deployment.id < current.id &&
        deployment.environment === current.environment &&
        !deployment.transient_environment &&
        !deployment.production_environment &&
        latest?.state === 'success'
      ) {
        deployment.statuses.push({ ...latest, id: this.newId(), state: 'inactive', created_at: now() })
      }
    }
  }
}

/** A weak validator over what the answer says (its body and its page links). */
function entityTag(body: string, link: string | undefined): string {
  return `W/"${createHash('sha256').update(body).update('\n').update(link ?? '').digest('hex').slice(0, 40)}"`
}

/** `If-None-Match` holds a list of tags (or `*`); weak comparison, as GitHub does for GET. */
function ifNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false
  const strip = (tag: string): string => tag.trim().replace(/^W\//, '')
  const tags = (Array.isArray(header) ? header.join(',') : header).split(',')
  return tags.some((tag) => tag.trim() === '*' || strip(tag) === strip(etag))
}

function toFakeFile(file: FileInput): FakeFile {
  return typeof file === 'string' ? { filename: file, status: 'modified' } : file
}

function outputOf(output: any, previous: FakeCheckRun['output']): FakeCheckRun['output'] {
  if (!output) return previous
  return { title: output.title ?? previous.title, summary: output.summary ?? previous.summary, text: output.text ?? previous.text }
}

function takeRule<T extends { method?: string; path: string | RegExp; remaining: number }>(
  rules: T[],
  method: string,
  path: string,
  match: OperationMatch | undefined
): T | undefined {
  const rule = rules.find(
    candidate =>
      candidate.remaining > 0 &&
      (candidate.method === undefined || candidate.method.toUpperCase() === method) &&
      (typeof candidate.path === 'string'
        ? candidate.path === path || candidate.path === match?.operation.template
        : candidate.path.test(path))
  )
  if (rule) rule.remaining--
  return rule
}

function faultResponse(rule: FaultRule): FakeResponse {
  const wait = rule.retryAfterSeconds ?? 1
  switch (rule.status) {
    case 'secondary-rate-limit':
      return {
        status: 403,
        headers: { 'retry-after': String(wait) },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: '403'
        }
      }
    case 'primary-rate-limit':
      return {
        status: 403,
        headers: {
          'x-ratelimit-limit': '1000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '1000',
          'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + wait),
          'x-ratelimit-resource': 'core'
        },
        body: {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          status: '403'
        }
      }
    case 404:
      return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } }
    case 422:
      return {
        status: 422,
        body: { message: 'Validation Failed', errors: [{ resource: 'Request', code: 'invalid' }], documentation_url: DOCS, status: '422' }
      }
    default:
      return { status: rule.status, body: { message: 'Server Error', documentation_url: DOCS, status: String(rule.status) } }
  }
}

function rateLimitHeaders(): Record<string, string> {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    'x-github-api-version-selected': '2022-11-28'
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function parseBody(text: string): { present: false } | { present: true; parsed: boolean; value: unknown } {
  if (text.trim() === '') return { present: false }
  try {
    return { present: true, parsed: true, value: JSON.parse(text) }
  } catch {
    return { present: true, parsed: false, value: text }
  }
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}
