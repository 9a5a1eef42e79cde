import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CanaryCriterion, CanaryMetric } from '../../../shared/src/gate/index.js'
import { measureCanary, queryInstant, queryRange } from '../../../shared/src/gate/sources/index.js'

/**
 * Prometheus' API answers as documented (prometheus.io/docs/prometheus/latest/querying/api),
 * canned per query, to pin how each result type becomes numbers. The real server is in
 * prometheus.test.ts.
 */
const ANSWERS: Record<string, unknown> = {
  vector: { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [1717322400, '0.25'] }, { metric: { pod: 'b' }, value: [1717322400, 'NaN'] }] },
  scalar: { resultType: 'scalar', result: [1717322400, '42'] },
  matrix: { resultType: 'matrix', result: [{ metric: {}, values: [[1717322390, '1'], [1717322400, '2']] }] },
  text: { resultType: 'string', result: [1717322400, 'hello'] }
}

const series = (values: number[]) => ({ resultType: 'matrix', result: [{ metric: {}, values: values.map((value, index) => [1717322400 + index * 15, String(value)]) }] })
const BASELINE = [100, 102, 98, 101, 99, 103, 97, 100, 102, 98]
const RANGES: Record<string, unknown> = {
  'latency{track="baseline"}': series(BASELINE),
  'latency{track="canary-same"}': series(BASELINE.map((value) => value + 0.5)),
  'latency{track="canary-slow"}': series(BASELINE.map((value) => value * 1.5))
}

describe('the Prometheus HTTP API client', () => {
  let server: Server
  let address: string
  const ranges: URLSearchParams[] = []

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      request.on('end', () => {
        const form = new URLSearchParams(body)
        const query = form.get('query') ?? ''
        if (request.url === '/api/v1/query_range') ranges.push(form)
        const data = request.url === '/api/v1/query' ? ANSWERS[query] : RANGES[query]
        if (data === undefined) {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: `unknown query ${query}` }))
          return
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  test('a vector gives a value per series (NaN kept), a scalar its value, a matrix each series latest', async () => {
    await expect(queryInstant(address, 'vector')).resolves.toEqual([0.25, NaN])
    await expect(queryInstant(address, 'scalar')).resolves.toEqual([42])
    await expect(queryInstant(address, 'matrix')).resolves.toEqual([2])
    await expect(queryInstant(address, 'text')).rejects.toThrow('the query returned a string, not numbers')
  })

  test("Prometheus' own error is passed on", async () => {
    await expect(queryInstant(address, 'rate(')).rejects.toThrow('Prometheus rejected the query (400 bad_data): unknown query rate(')
  })

  test('a range query sends the window and step', async () => {
    ranges.length = 0
    await expect(queryRange(address, 'latency{track="baseline"}', { start: 1_717_322_400_000, end: 1_717_322_550_000, stepSeconds: 15 })).resolves.toEqual(BASELINE)
    expect(Object.fromEntries(ranges[0])).toEqual({ query: 'latency{track="baseline"}', start: '1717322400', end: '1717322550', step: '15' })
  })

  const metric = (canary: string): CanaryMetric => ({ name: 'latency', canary, baseline: 'latency{track="baseline"}', direction: 'increase', tolerance: 0.1, weight: 1, critical: false })
  const canary = (metrics: CanaryMetric[]): CanaryCriterion => ({
    name: 'canary.checkout',
    kind: 'canary',
    address,
    lookbackSeconds: 150,
    stepSeconds: 15,
    metrics,
    confidence: 0.95,
    minimumEffect: 0.147,
    minimumSamples: 5,
    thresholds: { pass: 95, marginal: 75 },
    evaluation: { initialDelaySeconds: 0, intervalSeconds: 0, count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, consecutiveSuccessLimit: 0, dryRun: false }
  })

  test('canary: both sides over the same lookback, judged; a slower canary fails', async () => {
    const now = 1_717_322_550_000
    await expect(measureCanary(canary([metric('latency{track="canary-same"}')]), { now })).resolves.toMatchObject({ phase: 'successful', value: 100 })
    const slow = await measureCanary(canary([metric('latency{track="canary-slow"}')]), { now })
    expect(slow).toMatchObject({ phase: 'failed', value: 0 })
    expect(slow.message).toMatch(/^canary fail: score 0 < 75 \(latency high\)/)
  })

  test('canary: a failing query is an error measurement', async () => {
    await expect(measureCanary(canary([metric('nope')]), { now: 1_717_322_550_000 })).resolves.toEqual({ phase: 'error', message: 'Prometheus rejected the query (400 bad_data): unknown query nope' })
  })
})
