/** No single wait grows past this, however many attempts a caller allows. */
const MAX_BACKOFF_MS = 30_000
/** A registry asking for a longer pause than this is treated as down rather than waited on. */
const MAX_RETRY_AFTER_MS = 60_000

/**
 * Exponential backoff with jitter for attempt 1, 2, …: half of `baseMs · 2^(attempt-1)` is fixed
 * and half random, so that clients that failed together do not all come back together.
 */
export function backoffDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** The pause a `Retry-After` header asks for (seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const seconds = Number(header)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now
  if (!Number.isFinite(ms)) return undefined
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}

/** Statuses worth another attempt: the registry or something in front of it is overloaded or failing. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500
}
