import type { GitHubClient } from '../github/index.js'
import { CHECK_RUN_ANNOTATIONS, CHECK_RUN_ANNOTATIONS_PER_REQUEST, checkRunAnnotation, selectAnnotations } from './annotations.js'
import type { ServiceTestResult } from './model.js'
import { CHECK_RUN_SUMMARY_BYTES, renderTestSummary } from './summary.js'

export interface CheckRunTarget {
  owner: string
  repo: string
  /** The commit the check belongs to: a pull request's head, not its merge commit. */
  headSha: string
  /** Where "Details" leads (the workflow run). */
  detailsUrl?: string
}

export type CheckRunPublication =
  | { published: true; id: number; name: string; annotations: number; omittedAnnotations: number }
  /** The token may not write checks: a pull request from a fork runs with a read-only token. */
  | { published: false; name: string; reason: string }

export function checkRunName(service: string): string {
  return `flotilla/tests ${service}`
}

/**
 * One completed check run per service, its annotations sent 50 per request (GitHub's cap): the
 * run is created with the first batch and updated with the rest, the conclusion arriving with
 * the last, so branch protection never sees a conclusion with annotations still missing.
 */
export async function publishCheckRun(client: GitHubClient, target: CheckRunTarget, result: ServiceTestResult): Promise<CheckRunPublication> {
  const name = checkRunName(result.service)
  const { selected, omitted } = selectAnnotations(result.failures, CHECK_RUN_ANNOTATIONS)
  const annotations = selected.map(checkRunAnnotation)
  const batches: Array<typeof annotations> = []
  for (let start = 0; start < annotations.length; start += CHECK_RUN_ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(start, start + CHECK_RUN_ANNOTATIONS_PER_REQUEST))
  }
  const output = {
    title: checkRunTitle(result),
    summary: renderTestSummary([result], { maxBytes: CHECK_RUN_SUMMARY_BYTES, heading: name, unannotated: omitted })
  }
  const conclusion = { status: 'completed' as const, conclusion: result.passed ? ('success' as const) : ('failure' as const) }
  const repository = { owner: target.owner, repo: target.repo }

  let created
  try {
    created = await client.rest.checks.create({
      ...repository,
      name,
      head_sha: target.headSha,
      ...(target.detailsUrl === undefined ? {} : { details_url: target.detailsUrl }),
      ...(batches.length > 1 ? { status: 'in_progress' as const } : conclusion),
      output: { ...output, annotations: batches[0] ?? [] }
    })
  } catch (error) {
    if (isReadOnlyToken(error)) return { published: false, name, reason: 'the token cannot write checks (a pull request from a fork gets a read-only token)' }
    throw error
  }
  const id = Number(created.data.id)
  for (let index = 1; index < batches.length; index++) {
    const last = index === batches.length - 1
    await client.rest.checks.update({
      ...repository,
      check_run_id: id,
      ...(last ? conclusion : {}),
      output: { ...output, annotations: batches[index] }
    })
  }
  return { published: true, id, name, annotations: annotations.length, omittedAnnotations: omitted }
}

function checkRunTitle(result: ServiceTestResult): string {
  const { tests, failed, errors } = result.totals
  if (failed + errors > 0) return `${failed + errors} of ${tests} tests failed`
  if (!result.passed) return result.problems[0] ?? 'failed'
  return `${tests} ${tests === 1 ? 'test' : 'tests'} passed`
}

/** GitHub answers 403 "Resource not accessible by integration" when the token lacks `checks: write`. */
function isReadOnlyToken(error: unknown): boolean {
  const { status, message } = error as { status?: number; message?: string }
  return status === 403 && /resource not accessible by integration/i.test(message ?? '')
}
