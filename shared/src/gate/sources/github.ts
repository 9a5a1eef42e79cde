/** The commit a gate is about, on GitHub. */
export interface CommitTarget {
  owner: string
  repo: string
  sha: string
}

/** The commit status context (or check run name) a gate publishes; it never waits on its own. */
export function gateContext(environment: string): string {
  return `flotilla/gate ${environment}`
}
