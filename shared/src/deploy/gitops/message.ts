/** What one deploy changes, as the commit and pull request describe it. */
export interface DeployChange {
  service: string
  environment: string
  /** The image the environment ran before; undefined on a first deploy. */
  previous?: string
  next: string
  /** The source repository's commit the image was built from. */
  sourceSha: string
}

/**
 * The gitops commit message: a subject naming service, environment and old → new image, and
 * trailers (`git interpret-trailers` reads them) for tools that trace a deploy back to its source.
 */
export function commitMessage(change: DeployChange): string {
  return [
    `Deploy ${change.service} to ${change.environment}: ${change.previous ?? '(none)'} → ${change.next}`,
    '',
    `Flotilla-Service: ${change.service}`,
    `Flotilla-Environment: ${change.environment}`,
    `Flotilla-Previous-Image: ${change.previous ?? '(none)'}`,
    `Flotilla-Image: ${change.next}`,
    `Flotilla-Source-Commit: ${change.sourceSha}`,
    ''
  ].join('\n')
}

/** Title and body of the pull request that proposes the change (`mode: pull-request`). */
export function pullRequestText(change: DeployChange): { title: string; body: string } {
  return {
    title: `Deploy ${change.service} to ${change.environment}`,
    body: [
      `Flotilla proposes deploying **${change.service}** to **${change.environment}**.`,
      '',
      '| | image |',
      '|---|---|',
      `| before | \`${change.previous ?? '(none)'}\` |`,
      `| after | \`${change.next}\` |`,
      '',
      `Built from ${change.sourceSha}. Flotilla updates this pull request on the next deploy of ${change.service} to ${change.environment}.`
    ].join('\n')
  }
}

/** Service and environment names that are safe as one component of a git branch name. */
const BRANCH_COMPONENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/**
 * The bot branch a service's pull requests for an environment live on, `flotilla/<environment>/<service>`:
 * deterministic, so the next deploy updates the open pull request instead of opening another.
 */
export function pullRequestBranch(environment: string, service: string): string {
  for (const [what, name] of [['environment', environment], ['service', service]]) {
    if (!BRANCH_COMPONENT.test(name) || name.includes('..') || name.endsWith('.') || name.endsWith('.lock')) {
      throw new Error(`${what} name ${JSON.stringify(name)} cannot be part of a git branch name`)
    }
  }
  return `flotilla/${environment}/${service}`
}
