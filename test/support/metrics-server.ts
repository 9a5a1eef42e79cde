/**
 * A service's `/metrics` in the Prometheus text format, for a real Prometheus to scrape. Each
 * track (`baseline`, `canary`, … as the `track` label) has a request counter, an error counter
 * growing at rates the test sets, and a latency gauge.
 *
 *   const service = await startMetricsServer({ main: { requestsPerSecond: 50, errorsPerSecond: 0 } })
 *   service.setRates('main', { requestsPerSecond: 50, errorsPerSecond: 20 })   // 40% errors from now on
 *   await service.stop()
 *
 * Counters are the integral of the rates over real time, so `rate(app_requests_total[…])` in
 * Prometheus gives back the rate that was set. The latency wobbles by ±5% around its setting
 * (a sine of the time) so that samples are not all tied; a latency of `Infinity`, `-Infinity` or
 * `NaN` is exposed as Prometheus writes it (`+Inf`, `-Inf`, `NaN`).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { formatSampleValue } from '../../shared/src/gate/sample.js'

export interface MetricsRates {
  requestsPerSecond: number
  errorsPerSecond: number
  /** Default 0.1; may be `Infinity`, `-Infinity` or `NaN`. */
  latencySeconds?: number
}

export interface MetricsServer {
  /** host:port on 127.0.0.1, what a scrape config's target takes. */
  target: string
  setRates(track: string, rates: MetricsRates): void
  stop(): Promise<void>
}

interface Track {
  rates: MetricsRates
  since: number
  requests: number
  errors: number
}

export async function startMetricsServer(initial: Record<string, MetricsRates>): Promise<MetricsServer> {
  const tracks = new Map<string, Track>(Object.entries(initial).map(([name, rates]) => [name, { rates, since: Date.now(), requests: 0, errors: 0 }]))
  const advance = (track: Track): void => {
    const now = Date.now()
    const seconds = (now - track.since) / 1000
    track.requests += track.rates.requestsPerSecond * seconds
    track.errors += track.rates.errorsPerSecond * seconds
    track.since = now
  }
  const family = (name: string, type: string, help: string, value: (track: Track) => number): string[] => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...[...tracks].map(([label, track]) => `${name}{track="${label}"} ${formatSampleValue(value(track))}`)
  ]

  const server = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end()
    for (const track of tracks.values()) advance(track)
    const wobble = 1 + 0.05 * Math.sin(Date.now() / 700)
    const body = [
      ...family('app_requests_total', 'counter', 'Requests served.', (track) => track.requests),
      ...family('app_errors_total', 'counter', 'Requests answered with a server error.', (track) => track.errors),
      ...family('app_request_latency_seconds', 'gauge', 'Recent request latency.', (track) => (track.rates.latencySeconds ?? 0.1) * wobble),
      ''
    ]
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body.join('\n'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    setRates: (name, rates) => {
      const track = tracks.get(name)
      if (track === undefined) throw new Error(`no track ${name}; the server has ${[...tracks.keys()].join(', ')}`)
      advance(track)
      track.rates = rates
    },
    stop: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}
