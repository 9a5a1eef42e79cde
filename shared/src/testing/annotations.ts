import type { LocationPrecision, TestFailure } from './model.js'

/** GitHub's limits (DESIGN §7): workflow-command annotations per step and per job, check-run annotations per request. */
export const STEP_ERROR_ANNOTATIONS = 10
export const JOB_ANNOTATIONS = 50
export const CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50
/** Check-run annotations sent per service: ten requests, a hundredth of GITHUB_TOKEN's hourly budget. */
export const CHECK_RUN_ANNOTATIONS = 500

const MESSAGE_CHARS = 4000
const TITLE_CHARS = 255
const RANK: Record<LocationPrecision, number> = { line: 0, file: 1, report: 2 }

/**
 * The failures worth an annotation when only `limit` fit: those pointing at a line first, then
 * at a file, then at a report; within each, services take turns so one broken service does not
 * hide the others. Returns the choice and how many were left out.
 */
export function selectAnnotations(failures: readonly TestFailure[], limit: number): { selected: TestFailure[]; omitted: number } {
  const ranked: TestFailure[] = []
  for (const precision of ['line', 'file', 'report'] as const) {
    const byService = new Map<string, TestFailure[]>()
    for (const failure of failures) {
      if (failure.location.precision !== precision) continue
      const queue = byService.get(failure.service) ?? []
      queue.push(failure)
      byService.set(failure.service, queue)
    }
    const queues = [...byService.values()]
    for (let round = 0; queues.some((queue) => round < queue.length); round++) {
      for (const queue of queues) if (round < queue.length) ranked.push(queue[round])
    }
  }
  const selected = ranked.slice(0, Math.max(0, limit))
  return { selected, omitted: failures.length - selected.length }
}

/** `suite › name`, the way a reader finds the test. */
export function testTitle(failure: TestFailure): string {
  return [...failure.case.suite, failure.case.name].filter(Boolean).join(' › ')
}

/** The message and the start of the stack, bounded. */
export function failureText(failure: TestFailure, maxChars = MESSAGE_CHARS): string {
  const { message, details } = failure.case
  const text = [message, details && details.trim() !== message?.trim() ? details : undefined].filter(Boolean).join('\n\n')
  const whole = text || (failure.case.status === 'error' ? 'errored' : 'failed')
  return whole.length > maxChars ? `${whole.slice(0, maxChars - 1)}…` : whole
}

export interface WorkflowAnnotation {
  level: 'error'
  title: string
  message: string
  file: string
  line?: number
}

export function workflowAnnotation(failure: TestFailure): WorkflowAnnotation {
  return {
    level: 'error',
    title: bounded(`${failure.service}: ${testTitle(failure)}`, TITLE_CHARS),
    message: failureText(failure),
    file: failure.location.file,
    ...(failure.location.line === undefined ? {} : { line: failure.location.line })
  }
}

/** The shape GitHub's check-runs API takes (`output.annotations[]`). */
export interface CheckRunAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: 'failure'
  title: string
  message: string
}

export function checkRunAnnotation(failure: TestFailure): CheckRunAnnotation {
  // The API needs a line; a file-level location points at the top of the file.
  const line = failure.location.line ?? 1
  return {
    path: failure.location.file,
    start_line: line,
    end_line: line,
    annotation_level: 'failure',
    title: bounded(testTitle(failure), TITLE_CHARS),
    message: failureText(failure)
  }
}

function bounded(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text
}
