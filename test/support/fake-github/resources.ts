import type { OpenApiDescription } from './openapi.js'
import type {
  FakeCheckRun,
  FakeCommit,
  FakeCommitStatus,
  FakeDeployment,
  FakeDeploymentStatus,
  FakeFile,
  FakeGitHubState,
  FakeWorkflowRun
} from './state.js'

/**
 * Turns fake state into the JSON GitHub would send. Each resource starts from the description's
 * own example (so every field GitHub documents is present) and overrides what the state knows.
 */
export class ResourceRenderer {
  constructor(
    private readonly description: OpenApiDescription,
    private readonly state: FakeGitHubState,
    /** API root as the client addressed it, e.g. `http://127.0.0.1:1234/api/v3`. */
    private readonly apiUrl: () => string
  ) {}

  private get repoUrl(): string {
    return `${this.apiUrl()}/repos/${this.state.owner}/${this.state.repo}`
  }

  private get htmlUrl(): string {
    return `https://github.com/${this.state.owner}/${this.state.repo}`
  }

  repository(): any {
    const repository = this.description.example('full-repository')
    // The documented example predates the now-required `has_discussions`.
    return {
      ...repository,
      has_discussions: false,
      name: this.state.repo,
      full_name: `${this.state.owner}/${this.state.repo}`,
      owner: { ...repository.owner, login: this.state.owner },
      default_branch: this.state.defaultBranch,
      url: this.repoUrl,
      html_url: this.htmlUrl
    }
  }

  diffEntry(file: FakeFile, ref: string): any {
    const encoded = file.filename.split('/').map(encodeURIComponent).join('/')
    return {
      sha: null,
      filename: file.filename,
      status: file.status,
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `${this.htmlUrl}/blob/${ref}/${encoded}`,
      raw_url: `${this.htmlUrl}/raw/${ref}/${encoded}`,
      contents_url: `${this.repoUrl}/contents/${encoded}?ref=${ref}`,
      ...(file.previous_filename === undefined ? {} : { previous_filename: file.previous_filename })
    }
  }

  comparison(base: string, head: string, mergeBase: string, files: FakeFile[] | undefined, list: { commits: FakeCommit[]; total: number } = { commits: [], total: 0 }): any {
    const comparison = this.description.example('commit-comparison')
    const comparisonFiles = files?.map(file => this.diffEntry(file, head))
    const template = comparison.commits[0]
    return {
      ...comparison,
      url: `${this.repoUrl}/compare/${base}...${head}`,
      html_url: `${this.htmlUrl}/compare/${base}...${head}`,
      permalink_url: `${this.htmlUrl}/compare/${base}...${head}`,
      diff_url: `${this.htmlUrl}/compare/${base}...${head}.diff`,
      patch_url: `${this.htmlUrl}/compare/${base}...${head}.patch`,
      base_commit: { ...comparison.base_commit, sha: base },
      merge_base_commit: { ...comparison.merge_base_commit, sha: mergeBase },
      status: list.total > 0 || (files?.length ?? 0) > 0 ? 'ahead' : 'identical',
      ahead_by: list.total,
      behind_by: 0,
      total_commits: list.total,
      commits: list.commits.map(commit => this.commit(template, commit)),
      // Absent (not empty) past the first page, as GitHub sends it.
      files: comparisonFiles
    }
  }

  /** A commit of a comparison, from the description's example commit. */
  commit(template: any, commit: FakeCommit): any {
    const url = `${this.repoUrl}/commits/${commit.sha}`
    const person = { ...template.commit.committer, date: commit.date }
    return {
      ...template,
      url,
      sha: commit.sha,
      node_id: nodeId('Commit', parseInt(commit.sha.slice(0, 8), 16)),
      html_url: `${this.htmlUrl}/commit/${commit.sha}`,
      comments_url: `${url}/comments`,
      commit: {
        ...template.commit,
        url: `${this.repoUrl}/git/commits/${commit.sha}`,
        author: person,
        committer: person,
        message: commit.message ?? `commit ${commit.sha.slice(0, 7)}`,
        tree: { ...template.commit.tree, sha: commit.sha }
      },
      parents: commit.parents.map(sha => ({ sha, url: `${this.repoUrl}/commits/${sha}`, html_url: `${this.htmlUrl}/commit/${sha}` }))
    }
  }

  deployment(deployment: FakeDeployment): any {
    const example = this.description.example('deployment-simple-example')
    const url = `${this.repoUrl}/deployments/${deployment.id}`
    return {
      ...example,
      url,
      id: deployment.id,
      node_id: nodeId('Deployment', deployment.id),
      sha: deployment.sha,
      ref: deployment.ref,
      task: deployment.task,
      payload: deployment.payload,
      original_environment: deployment.original_environment,
      environment: deployment.environment,
      description: deployment.description,
      created_at: deployment.created_at,
      updated_at: deployment.statuses.at(-1)?.created_at ?? deployment.created_at,
      statuses_url: `${url}/statuses`,
      repository_url: this.repoUrl,
      transient_environment: deployment.transient_environment,
      production_environment: deployment.production_environment
    }
  }

  deploymentStatus(deployment: FakeDeployment, status: FakeDeploymentStatus): any {
    const example = this.description.example('deployment-status')
    const deploymentUrl = `${this.repoUrl}/deployments/${deployment.id}`
    return {
      ...example,
      url: `${deploymentUrl}/statuses/${status.id}`,
      id: status.id,
      node_id: nodeId('DeploymentStatus', status.id),
      state: status.state,
      description: status.description,
      environment: status.environment,
      target_url: status.log_url,
      log_url: status.log_url,
      environment_url: status.environment_url,
      created_at: status.created_at,
      updated_at: status.created_at,
      deployment_url: deploymentUrl,
      repository_url: this.repoUrl
    }
  }

  workflowRun(run: FakeWorkflowRun): any {
    const example = this.description.example('workflow-run')
    const url = `${this.repoUrl}/actions/runs/${run.id}`
    return {
      ...example,
      id: run.id,
      node_id: nodeId('WorkflowRun', run.id),
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      path: `.github/workflows/${run.workflow}`,
      run_number: run.id,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflow_id,
      url,
      html_url: `${this.htmlUrl}/actions/runs/${run.id}`,
      created_at: run.created_at,
      updated_at: run.created_at,
      run_started_at: run.created_at,
      jobs_url: `${url}/jobs`,
      logs_url: `${url}/logs`,
      artifacts_url: `${url}/artifacts`,
      cancel_url: `${url}/cancel`,
      rerun_url: `${url}/rerun`,
      previous_attempt_url: null,
      workflow_url: `${this.repoUrl}/actions/workflows/${run.workflow_id}`,
      head_commit: { ...example.head_commit, id: run.head_sha }
    }
  }

  checkRun(checkRun: FakeCheckRun): any {
    const example = this.description.example('check-run')
    const url = `${this.repoUrl}/check-runs/${checkRun.id}`
    return {
      ...example,
      id: checkRun.id,
      node_id: nodeId('CheckRun', checkRun.id),
      head_sha: checkRun.head_sha,
      external_id: checkRun.external_id,
      url,
      html_url: `${this.htmlUrl}/runs/${checkRun.id}`,
      details_url: checkRun.details_url,
      status: checkRun.status,
      conclusion: checkRun.conclusion,
      started_at: checkRun.started_at,
      completed_at: checkRun.completed_at,
      output: {
        ...checkRun.output,
        annotations_count: checkRun.annotations.length,
        annotations_url: `${url}/annotations`
      },
      name: checkRun.name,
      pull_requests: []
    }
  }

  commitStatus(status: FakeCommitStatus): any {
    return {
      ...this.description.example('status'),
      url: `${this.repoUrl}/statuses/${status.sha}`,
      id: status.id,
      node_id: nodeId('Status', status.id),
      state: status.state,
      description: status.description,
      target_url: status.target_url,
      context: status.context,
      created_at: status.created_at,
      updated_at: status.created_at
    }
  }

  /** GitHub's combined status: the newest status per context, failure beating pending beating success. */
  combinedStatus(sha: string, statuses: FakeCommitStatus[]): any {
    const example = this.description.example('combined-commit-status')
    const latest = new Map<string, FakeCommitStatus>()
    for (const status of [...statuses].sort((a, b) => b.id - a.id)) {
      if (!latest.has(status.context)) latest.set(status.context, status)
    }
    const states = [...latest.values()].map(status => status.state)
    const state = states.some(s => s === 'failure' || s === 'error')
      ? 'failure'
      : states.length === 0 || states.includes('pending')
        ? 'pending'
        : 'success'
    const repository = this.repository()
    return {
      ...example,
      state,
      statuses: [...latest.values()].map(status => ({
        url: `${this.repoUrl}/statuses/${status.sha}`,
        avatar_url: null,
        id: status.id,
        node_id: nodeId('Status', status.id),
        state: status.state,
        description: status.description,
        target_url: status.target_url,
        context: status.context,
        created_at: status.created_at,
        updated_at: status.created_at
      })),
      sha,
      total_count: latest.size,
      repository: { ...example.repository, name: repository.name, full_name: repository.full_name, owner: repository.owner },
      commit_url: `${this.repoUrl}/commits/${sha}`,
      url: `${this.repoUrl}/commits/${sha}/status`
    }
  }
}

function nodeId(type: string, id: number): string {
  return Buffer.from(`0:${type}${id}`).toString('base64')
}
