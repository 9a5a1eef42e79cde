/**
 * The gate's verdict on the commit, where branch protection and pull requests see it: a commit
 * status `flotilla/gate <environment>`, or a check run of that name.
 */
import type { GitHubClient } from '../../github/index.js'
import { renderGateSummary, statusDescription, type GateDocument } from '../summary.js'
import type { GateDecision } from '../types.js'
import { gateContext, type CommitTarget } from './github.js'

export type StatusKind = 'commit-status' | 'check-run'

/** Inconclusive is `error`: not a pass, and not a measured failure either. */
const COMMIT_STATES: Record<GateDecision, 'success' | 'failure' | 'error'> = { pass: 'success', fail: 'failure', inconclusive: 'error' }

/** `action_required` blocks a required check like a failure, and says a person has to look. */
const CHECK_CONCLUSIONS: Record<GateDecision, 'success' | 'failure' | 'action_required'> = { pass: 'success', fail: 'failure', inconclusive: 'action_required' }

/** GitHub's cap on a check run's summary, in characters (so at most that many bytes always fit). */
const CHECK_RUN_SUMMARY_CHARS = 65_535

export interface GateStatusPublisher {
  /** Marks the gate as running, so a pull request shows it before the verdict. */
  running(criteria: number): Promise<void>
  verdict(document: GateDocument): Promise<void>
}

export function gateStatusPublisher(client: GitHubClient, target: CommitTarget, options: { environment: string; kind: StatusKind; targetUrl?: string }): GateStatusPublisher {
  const name = gateContext(options.environment)
  const { owner, repo, sha } = target
  const targetUrl = options.targetUrl === undefined ? {} : { target_url: options.targetUrl }
  const detailsUrl = options.targetUrl === undefined ? {} : { details_url: options.targetUrl }
  const running = (criteria: number): string => `measuring ${criteria} ${criteria === 1 ? 'criterion' : 'criteria'}`

  if (options.kind === 'commit-status') {
    return {
      running: async (criteria) => {
        await client.rest.repos.createCommitStatus({ owner, repo, sha, state: 'pending', context: name, description: running(criteria), ...targetUrl })
      },
      verdict: async (document) => {
        await client.rest.repos.createCommitStatus({ owner, repo, sha, state: COMMIT_STATES[document.decision], context: name, description: statusDescription(document), ...targetUrl })
      }
    }
  }

  let checkRunId: number | undefined
  return {
    running: async (criteria) => {
      const { data } = await client.rest.checks.create({ owner, repo, head_sha: sha, name, status: 'in_progress', output: { title: running(criteria), summary: 'The gate is measuring.' }, ...detailsUrl })
      checkRunId = Number(data.id)
    },
    verdict: async (document) => {
      const summary = renderGateSummary(document, { maxBytes: CHECK_RUN_SUMMARY_CHARS })
      const completed = {
        status: 'completed' as const,
        conclusion: CHECK_CONCLUSIONS[document.decision],
        completed_at: document.finishedAt,
        output: {
          title: statusDescription(document),
          summary: summary.length <= CHECK_RUN_SUMMARY_CHARS ? summary : `${summary.slice(0, CHECK_RUN_SUMMARY_CHARS - 100)}\n\n… cut at GitHub's limit; the job summary and the report file have every measurement.`
        }
      }
      if (checkRunId === undefined) await client.rest.checks.create({ owner, repo, head_sha: sha, name, started_at: document.startedAt, ...detailsUrl, ...completed })
      else await client.rest.checks.update({ owner, repo, check_run_id: checkRunId, ...completed })
    }
  }
}
