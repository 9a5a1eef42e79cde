/** What git (or the API) says about one changed path. */
export type ChangeStatus =
  | 'added'
  | 'modified'
  | 'deleted'
  | 'renamed'
  | 'copied'
  | 'type-changed'
  | 'unmerged'
  | 'unknown'

export interface ChangedFile {
  /** POSIX path relative to the repository root, exactly as stored in git (any bytes but NUL). */
  path: string
  status: ChangeStatus
  /** For renames and copies: the old path. A rename counts for both paths. */
  previousPath?: string
}

/** The outcome of change detection: the files between two commits, or "everything" and why. */
export interface ChangeSet {
  /** The commit compared against; undefined when no base could be found. */
  base?: string
  head: string
  /** When true, every service is selected (no base, capped API listing, …); `files` may be partial. */
  all: boolean
  files: ChangedFile[]
  /** One sentence on how the base was chosen, e.g. "push: before..after". */
  reason: string
  /** Where the file list came from. */
  source: 'git' | 'api' | 'none'
  warnings: string[]
}

/** The parts of the workflow run's context that change detection reads. */
export interface EventContext {
  /** GITHUB_EVENT_NAME (`push`, `pull_request`, …); `local` for the CLI. */
  eventName: string
  /** GITHUB_SHA */
  sha: string
  /** GITHUB_REF, e.g. `refs/heads/main`. */
  ref: string
  /** The parsed GITHUB_EVENT_PATH payload (empty object when absent). */
  payload: Record<string, any>
  /** owner/repo from GITHUB_REPOSITORY. */
  repository?: { owner: string; repo: string }
  /** The repository's default branch (payload.repository.default_branch). */
  defaultBranch?: string
  /** GITHUB_WORKFLOW_REF, e.g. `acme/shop/.github/workflows/ci.yml@refs/heads/main`. */
  workflowRef?: string
  /** GITHUB_RUN_ID */
  runId?: number
}

/** Explicit choices from inputs or CLI flags; each overrides the event's rule. */
export interface DetectRequest {
  base?: string
  /** Says how the caller chose `base`, for the plan's reason (e.g. "merge base with main"). */
  baseLabel?: string
  head?: string
  /** A ref or sha, `last-deploy:<environment>` or `last-success`. */
  since?: string
  /** Glob for tags considered "previous" on a tag push (default: tags of the same shape). */
  tagPattern?: string
}

/**
 * The GitHub API calls change detection may need. Called only when local history does not
 * suffice; implemented with Octokit in `shared/src/github`, and by plain objects in unit tests.
 */
export interface ChangeApi {
  /** `GET /repos/{owner}/{repo}/compare/{base}...{head}`; `complete` is false at the 300-file cap. */
  compare(base: string, head: string): Promise<{ files: ChangedFile[]; complete: boolean; mergeBase?: string }>
  /** `GET /repos/{owner}/{repo}/pulls/{n}/files`; `complete` is false past the 3,000-file cap. */
  pullRequestFiles(pullNumber: number, expectedCount?: number): Promise<{ files: ChangedFile[]; complete: boolean }>
  /** The sha of the newest deployment to `environment` whose latest status is `success`. */
  lastDeploymentSha(environment: string): Promise<string | undefined>
  /** The head sha of the newest successful run of `workflow` (file name or id) on `branch`, except `excludeRunId`. */
  lastSuccessfulRunSha(options: { workflow: string; branch?: string; excludeRunId?: number }): Promise<string | undefined>
}
