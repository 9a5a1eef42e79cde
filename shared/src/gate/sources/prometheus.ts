/**
 * Prometheus' HTTP API (`/api/v1/query`, `/api/v1/query_range`) and the `prometheus` and
 * `canary` criteria on top of it. A failed query (unreachable, a rejected PromQL) is an error
 * measurement carrying Prometheus' own message.
 */
import { judgeCanary, canaryObservation } from '../canary.js'
import { judgeQueryResult, judgeRangeResult } from '../condition.js'
import { parseSampleValue } from '../sample.js'
import type { CanaryCriterion, Observation, PrometheusCriterion, RangeStep } from '../types.js'
import { describeFetchError } from './http.js'

export class PrometheusError extends Error {}

/** Prometheus' sample values are strings: "0.5", "NaN", "+Inf" (see sample.ts). */
type Sample = [number, string]

type QueryData =
  | { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: Sample }> }
  | { resultType: 'matrix'; result: Array<{ metric: Record<string, string>; values: Sample[] }> }
  | { resultType: 'scalar'; result: Sample }
  | { resultType: 'string'; result: [number, string] }

interface ApiResponse {
  status: 'success' | 'error'
  data?: QueryData
  errorType?: string
  error?: string
}

const QUERY_TIMEOUT_MS = 30_000

async function request(address: string, path: string, parameters: Record<string, string>, signal?: AbortSignal): Promise<QueryData> {
  const url = new URL(path, address.endsWith('/') ? address : `${address}/`)
  const timeout = AbortSignal.timeout(QUERY_TIMEOUT_MS)
  let response: Response
  let body: ApiResponse
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(parameters),
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    })
  } catch (error) {
    throw new PrometheusError(`Prometheus at ${address} is unreachable: ${timeout.aborted ? `no answer within ${QUERY_TIMEOUT_MS / 1000}s` : describeFetchError(error)}`)
  }
  const text = await response.text()
  try {
    body = JSON.parse(text) as ApiResponse
  } catch {
    throw new PrometheusError(`Prometheus at ${address} answered ${response.status} with a body that is not its API's JSON: ${text.slice(0, 200)}`)
  }
  if (body.status !== 'success' || body.data === undefined) {
    throw new PrometheusError(`Prometheus rejected the query (${response.status} ${body.errorType ?? 'error'}): ${body.error ?? text.slice(0, 200)}`)
  }
  return body.data
}

/** A sample's value; one that is no Go float is Prometheus' fault, never a 0 or "no data". */
function sampleValue(sample: Sample): number {
  const value = parseSampleValue(sample[1])
  if (value === undefined) throw new PrometheusError(`Prometheus answered a sample value that is not a number: ${JSON.stringify(sample[1])}`)
  return value
}

/** An instant query's values: one per series (a range vector's latest sample), or the scalar. */
export async function queryInstant(address: string, query: string, options: { time?: number; signal?: AbortSignal } = {}): Promise<number[]> {
  const data = await request(address, 'api/v1/query', { query, ...(options.time === undefined ? {} : { time: String(options.time / 1000) }) }, options.signal)
  switch (data.resultType) {
    case 'scalar':
      return [sampleValue(data.result)]
    case 'vector':
      return data.result.map((series) => sampleValue(series.value))
    case 'matrix':
      return data.result.filter((series) => series.values.length > 0).map((series) => sampleValue(series.values[series.values.length - 1]))
    default:
      throw new PrometheusError(`the query returned a ${data.resultType}, not numbers`)
  }
}

/** A range query's samples grouped by step, oldest first. */
export async function queryRangeSteps(address: string, query: string, options: { start: number; end: number; stepSeconds: number; signal?: AbortSignal }): Promise<RangeStep[]> {
  const data = await request(
    address,
    'api/v1/query_range',
    { query, start: String(options.start / 1000), end: String(options.end / 1000), step: String(options.stepSeconds) },
    options.signal
  )
  if (data.resultType !== 'matrix') throw new PrometheusError(`the range query returned a ${data.resultType}, not a matrix`)
  const steps = new Map<number, number[]>()
  for (const series of data.result) {
    for (const sample of series.values) steps.set(sample[0], [...(steps.get(sample[0]) ?? []), sampleValue(sample)])
  }
  return [...steps].sort(([a], [b]) => a - b).map(([seconds, values]) => ({ time: seconds * 1000, values }))
}

/** A range query's samples, all series and steps pooled (what the canary judge compares). */
export async function queryRange(address: string, query: string, options: { start: number; end: number; stepSeconds: number; signal?: AbortSignal }): Promise<number[]> {
  return (await queryRangeSteps(address, query, options)).flatMap((step) => step.values)
}

export async function measurePrometheus(criterion: Pick<PrometheusCriterion, 'address' | 'query' | 'range' | 'success' | 'failure' | 'noData'>, options: { now: number; signal?: AbortSignal }): Promise<Observation> {
  const signal = options.signal === undefined ? {} : { signal: options.signal }
  try {
    if (criterion.range !== undefined) {
      const { lookbackSeconds, stepSeconds } = criterion.range
      return judgeRangeResult(await queryRangeSteps(criterion.address, criterion.query, { start: options.now - lookbackSeconds * 1000, end: options.now, stepSeconds, ...signal }), criterion)
    }
    return judgeQueryResult(await queryInstant(criterion.address, criterion.query, { time: options.now, ...signal }), criterion)
  } catch (error) {
    if (error instanceof PrometheusError) return { phase: 'error', message: error.message }
    throw error
  }
}

/** Both sides of every metric over the same window ending now, judged together. */
export async function measureCanary(criterion: CanaryCriterion, options: { now: number; signal?: AbortSignal }): Promise<Observation> {
  const range = { start: options.now - criterion.lookbackSeconds * 1000, end: options.now, stepSeconds: criterion.stepSeconds, ...(options.signal === undefined ? {} : { signal: options.signal }) }
  try {
    const samples = await Promise.all(
      criterion.metrics.map(async (metric) => ({
        metric,
        canary: await queryRange(criterion.address, metric.canary, range),
        baseline: await queryRange(criterion.address, metric.baseline, range)
      }))
    )
    return canaryObservation(judgeCanary(samples, criterion))
  } catch (error) {
    if (error instanceof PrometheusError) return { phase: 'error', message: error.message }
    throw error
  }
}
