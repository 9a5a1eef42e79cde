/** The `http` criterion: one request per measurement; "N in a row" comes from the evaluation settings. */
import type { HttpCriterion, Observation } from '../types.js'
import { compileLinearRegex } from '../../regex/index.js'
import { formatSeconds } from '../duration.js'

/**
 * How much of a body `body` is matched against. A health or version endpoint answers in bytes;
 * the cap keeps a server that streams without end (or a huge page) from filling the runner's
 * memory, and the read from lasting longer than the bytes a match needs.
 */
export const MAX_BODY_BYTES = 1024 * 1024

export async function measureHttp(criterion: Pick<HttpCriterion, 'url' | 'status' | 'body' | 'requestTimeoutSeconds'>, signal?: AbortSignal): Promise<Observation> {
  const timeout = AbortSignal.timeout(criterion.requestTimeoutSeconds * 1000)
  let response: Response
  let text = ''
  let truncated = false
  try {
    response = await fetch(criterion.url, { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]), redirect: 'follow' })
    // An unread body would keep the connection busy.
    if (criterion.body === undefined) await response.body?.cancel()
    else ({ text, truncated } = await readCapped(response, MAX_BODY_BYTES))
  } catch (error) {
    if (timeout.aborted) return { phase: 'error', message: `GET ${criterion.url}: no answer within ${formatSeconds(criterion.requestTimeoutSeconds)}` }
    return { phase: 'error', message: `GET ${criterion.url}: ${describeFetchError(error)}` }
  }
  if (!criterion.status.includes(response.status)) {
    return { phase: 'failed', value: response.status, message: `GET ${criterion.url} answered ${response.status}, expected ${criterion.status.join(' or ')}` }
  }
  const within = `${MAX_BODY_BYTES / 1024 / 1024} MiB`
  if (criterion.body !== undefined && !bodyMatches(criterion.body, text)) {
    const what = truncated ? `its first ${within} do not match` : 'the body does not match'
    return { phase: 'failed', value: response.status, message: `GET ${criterion.url} answered ${response.status} but ${what} /${criterion.body}/` }
  }
  const matched = criterion.body === undefined ? '' : ` with a body matching /${criterion.body}/${truncated ? ` (in its first ${within})` : ''}`
  return { phase: 'successful', value: response.status, message: `GET ${criterion.url} answered ${response.status}${matched}` }
}

/** The body decoded as UTF-8, up to `limit` bytes; the rest is never read (the stream is cancelled). */
async function readCapped(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: '', truncated: false }
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let read = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { text: text + decoder.decode(), truncated: false }
    const room = limit - read
    if (value.byteLength > room) {
      text += decoder.decode(value.subarray(0, room))
      await reader.cancel()
      return { text, truncated: true }
    }
    read += value.byteLength
    text += decoder.decode(value, { stream: true })
  }
}

/** RE2, linear in the body: no pattern can hold the gate past its timeout (see regex/index.ts). */
function bodyMatches(pattern: string, body: string): boolean {
  const compiled = compileLinearRegex(pattern)
  // The manifest loader refused any other pattern.
  if (!compiled.ok) throw new Error(`body /${pattern}/: ${compiled.message}`)
  return compiled.regex.test(body)
}

/**
 * fetch() hides the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`. Duck-typed: under test
 * runners the error may come from another realm, where `instanceof Error` is false.
 */
export function describeFetchError(error: unknown): string {
  const { message, cause } = asError(error)
  if (cause === undefined) return message
  const reason = asError(cause)
  return reason.code !== undefined && !reason.message.includes(reason.code) ? `${reason.code} ${reason.message}` : reason.message
}

function asError(value: unknown): { message: string; code?: string; cause?: unknown } {
  if (typeof value !== 'object' || value === null || !('message' in value)) return { message: String(value) }
  const { message, code, cause } = value as { message: unknown; code?: unknown; cause?: unknown }
  return { message: String(message), ...(typeof code === 'string' ? { code } : {}), ...(cause === undefined ? {} : { cause }) }
}
