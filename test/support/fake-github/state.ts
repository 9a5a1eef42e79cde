/** The in-memory repository the fake serves; tests read and change it directly. */

/** The `status` values GitHub's diff entries use. */
export type DiffStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged'

export interface FakeFile {
  filename: string
  status: DiffStatus
  previous_filename?: string
}

/** A commit as the compare API lists it. */
export interface FakeCommit {
  sha: string
  parents: string[]
  /** The committer date, ISO 8601. */
  date: string
  message?: string
}

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success'

export interface FakeDeploymentStatus {
  id: number
  state: DeploymentState
  description: string
  environment: string
  environment_url: string
  log_url: string
  created_at: string
}

export interface FakeDeployment {
  id: number
  sha: string
  ref: string
  task: string
  environment: string
  original_environment: string
  description: string | null
  payload: Record<string, unknown> | string
  transient_environment: boolean
  production_environment: boolean
  /** The body of the create request, as sent (`required_contexts`, `auto_merge`, …). */
  request?: Record<string, unknown>
  created_at: string
  /** Oldest first, as created; the API lists them newest first. */
  statuses: FakeDeploymentStatus[]
}

export interface FakeWorkflowRun {
  id: number
  /** The workflow's file name, e.g. `ci.yml`. */
  workflow: string
  workflow_id: number
  head_sha: string
  head_branch: string
  event: string
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | 'neutral' | 'action_required' | null
  created_at: string
}

export interface FakeAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: 'notice' | 'warning' | 'failure'
  message: string
  title?: string
  [key: string]: unknown
}

export interface FakeCheckRun {
  id: number
  name: string
  head_sha: string
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
  conclusion: string | null
  details_url: string | null
  external_id: string | null
  started_at: string | null
  completed_at: string | null
  output: { title: string | null; summary: string | null; text: string | null }
  /** Every annotation sent, across create and update requests. */
  annotations: FakeAnnotation[]
}

export interface FakeCommitStatus {
  id: number
  sha: string
  state: 'error' | 'failure' | 'pending' | 'success'
  context: string
  description: string | null
  target_url: string | null
  created_at: string
}

export interface FakeGitHubState {
  owner: string
  repo: string
  defaultBranch: string
  /** Branch and tag names the fake can resolve to a sha (deployments by ref). */
  refs: Record<string, string>
  /** Keyed `base...head`. */
  comparisons: Map<string, { files: FakeFile[]; mergeBase: string; commits: FakeCommit[] }>
  pullFiles: Map<number, FakeFile[]>
  deployments: FakeDeployment[]
  workflowRuns: FakeWorkflowRun[]
  checkRuns: FakeCheckRun[]
  statuses: FakeCommitStatus[]
}

export function emptyState(owner: string, repo: string): FakeGitHubState {
  return {
    owner,
    repo,
    defaultBranch: 'main',
    refs: {},
    comparisons: new Map(),
    pullFiles: new Map(),
    deployments: [],
    workflowRuns: [],
    checkRuns: [],
    statuses: []
  }
}
