import type { ChangeApi, ChangedFile, ChangeStatus } from '../changes/types.js'
import type { GitHubClient, GitHubLog } from './client.js'

/** The compare API lists at most this many files for a whole comparison. */
export const COMPARE_FILE_CAP = 300
/** The pull-request files API lists at most this many files. */
export const PULL_REQUEST_FILE_CAP = 3000
/** Deployments examined (one status request each) before `lastDeploymentSha` gives up. */
const MAX_DEPLOYMENTS_EXAMINED = 50

const STATUS_BY_GITHUB_STATUS: Record<string, ChangeStatus> = {
  added: 'added',
  removed: 'deleted',
  modified: 'modified',
  renamed: 'renamed',
  copied: 'copied',
  changed: 'type-changed',
  unchanged: 'unknown'
}

export interface Repository {
  owner: string
  repo: string
}

/** Splits `owner/repo` (GITHUB_REPOSITORY); throws on anything else. */
export function parseRepository(value: string): Repository {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(value.trim())
  if (!match || match[2] === '.' || match[2] === '..') {
    throw new Error(`"${value}" is not a repository in owner/repo form`)
  }
  return { owner: match[1]!, repo: match[2]! }
}

/** A file entry as the compare and pull-request files APIs return it. */
export function toChangedFile(entry: { filename: string; status: string; previous_filename?: string }): ChangedFile {
  return {
    path: entry.filename,
    status: STATUS_BY_GITHUB_STATUS[entry.status] ?? 'unknown',
    ...(entry.previous_filename === undefined ? {} : { previousPath: entry.previous_filename })
  }
}

/** What change detection asks of the GitHub API, with its file caps made explicit. */
export class GitHubChangeApi implements ChangeApi {
  private readonly octokit: GitHubClient
  private readonly owner: string
  private readonly repo: string
  private readonly log?: GitHubLog

  constructor(options: { octokit: GitHubClient; owner: string; repo: string; log?: GitHubLog }) {
    this.octokit = options.octokit
    this.owner = options.owner
    this.repo = options.repo
    this.log = options.log
  }

  async compare(base: string, head: string): Promise<{ files: ChangedFile[]; complete: boolean; mergeBase?: string }> {
    // With a paging parameter GitHub lists the files on the first page only (up to 300 for the
    // whole comparison); later pages hold only commits, which detection does not need.
    const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({
      owner: this.owner,
      repo: this.repo,
      basehead: `${base}...${head}`,
      per_page: 100,
      page: 1
    })
    const files = (data.files ?? []).map(toChangedFile)
    const complete = data.files !== undefined && files.length < COMPARE_FILE_CAP
    if (!complete) this.log?.warn(`the compare API listed ${files.length} files for ${base}...${head}, its cap is ${COMPARE_FILE_CAP}`)
    return { files, complete, mergeBase: data.merge_base_commit.sha }
  }

  async pullRequestFiles(pullNumber: number, expectedCount?: number): Promise<{ files: ChangedFile[]; complete: boolean }> {
    const files: ChangedFile[] = []
    const pages = this.octokit.paginate.iterator(this.octokit.rest.pulls.listFiles, {
      owner: this.owner,
      repo: this.repo,
      pull_number: pullNumber,
      per_page: 100
    })
    for await (const { data } of pages) {
      files.push(...data.map(toChangedFile))
      if (files.length >= PULL_REQUEST_FILE_CAP) break
    }
    const complete = files.length < PULL_REQUEST_FILE_CAP && (expectedCount === undefined || files.length >= expectedCount)
    if (!complete) {
      this.log?.warn(
        `the pull-request files API listed ${files.length} files for #${pullNumber}` +
          (expectedCount === undefined ? '' : ` (the pull request has ${expectedCount})`) +
          `, its cap is ${PULL_REQUEST_FILE_CAP}`
      )
    }
    return { files, complete }
  }

  async lastDeploymentSha(environment: string): Promise<string | undefined> {
    const pages = this.octokit.paginate.iterator(this.octokit.rest.repos.listDeployments, {
      owner: this.owner,
      repo: this.repo,
      environment,
      per_page: 25
    })
    let examined = 0
    for await (const { data: deployments } of pages) {
      for (const deployment of deployments) {
        if (examined++ === MAX_DEPLOYMENTS_EXAMINED) {
          this.log?.warn(`no successful deployment to ${environment} among its ${MAX_DEPLOYMENTS_EXAMINED} newest`)
          return undefined
        }
        // Statuses come newest first: the first one is the deployment's current state.
        const { data: statuses } = await this.octokit.rest.repos.listDeploymentStatuses({
          owner: this.owner,
          repo: this.repo,
          deployment_id: Number(deployment.id),
          per_page: 1
        })
        if (statuses[0]?.state === 'success') return deployment.sha
      }
    }
    return undefined
  }

  async lastSuccessfulRunSha(options: { workflow: string; branch?: string; excludeRunId?: number }): Promise<string | undefined> {
    // Runs come newest first; one page always holds a candidate, since only one run is excluded.
    const { data } = await this.octokit.rest.actions.listWorkflowRuns({
      owner: this.owner,
      repo: this.repo,
      workflow_id: /^\d+$/.test(options.workflow) ? Number(options.workflow) : options.workflow,
      status: 'success',
      exclude_pull_requests: true,
      per_page: 10,
      ...(options.branch === undefined ? {} : { branch: options.branch })
    })
    return data.workflow_runs.find(run => run.id !== options.excludeRunId)?.head_sha
  }
}
