/** The `http` criterion: one request per measurement; "N in a row" comes from the evaluation settings. */
import type { HttpCriterion, Observation } from '../types.js'
import { compileLinearRegex } from '../../regex/index.js'
import { formatSeconds } from '../duration.js'

export async function measureHttp(criterion: Pick<HttpCriterion, 'url' | 'status' | 'body' | 'requestTimeoutSeconds'>, signal?: AbortSignal): Promise<Observation> {
  const timeout = AbortSignal.timeout(criterion.requestTimeoutSeconds * 1000)
  let response: Response
  let text = ''
  try {
    response = await fetch(criterion.url, { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]), redirect: 'follow' })
    // An unread body would keep the connection busy.
    if (criterion.body === undefined) await response.body?.cancel()
    else text = await response.text()
  } catch (error) {
    if (timeout.aborted) return { phase: 'error', message: `GET ${criterion.url}: no answer within ${formatSeconds(criterion.requestTimeoutSeconds)}` }
    return { phase: 'error', message: `GET ${criterion.url}: ${describeFetchError(error)}` }
  }
  if (!criterion.status.includes(response.status)) {
    return { phase: 'failed', value: response.status, message: `GET ${criterion.url} answered ${response.status}, expected ${criterion.status.join(' or ')}` }
  }
  if (criterion.body !== undefined && !bodyMatches(criterion.body, text)) {
    return { phase: 'failed', value: response.status, message: `GET ${criterion.url} answered ${response.status} but the body does not match /${criterion.body}/` }
  }
  return { phase: 'successful', value: response.status, message: `GET ${criterion.url} answered ${response.status}${criterion.body === undefined ? '' : ` with a body matching /${criterion.body}/`}` }
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
