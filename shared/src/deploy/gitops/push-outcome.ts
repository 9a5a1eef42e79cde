/**
 * How git and git servers word a push that lost a race with another push: the branch moved
 * (`fetch first`, `non-fast-forward`), a lease went stale, or the server's ref lock was held by a
 * concurrent update. Other refusals (protected branches, hooks, permissions) will not pass on a
 * retry; git words those `[remote rejected]` with a reason, which none of these patterns match.
 */
const LOST_RACE = [
  /\(fetch first\)/,
  /\(non-fast-forward\)/,
  /\[rejected\]/,
  /\(stale info\)/,
  /cannot lock ref/,
  /failed to update ref/,
  /incorrect old value provided/
]

/** Whether a failed push's output says another push got there first, so fetching and re-applying can succeed. */
export function isLostRace(pushOutput: string): boolean {
  return LOST_RACE.some((pattern) => pattern.test(pushOutput))
}

/**
 * Milliseconds to wait before attempt `attempt + 1`: "full jitter" over an exponential window
 * (`jitterMs`, doubling per attempt, at most eight times), so racing deploys spread out instead
 * of colliding again in lockstep.
 */
export function retryDelayMs(attempt: number, jitterMs: number, random: () => number = Math.random): number {
  const window = jitterMs * Math.min(2 ** (attempt - 1), 8)
  return Math.floor(random() * window)
}
