/**
 * A real Prometheus for tests: Debian's `/usr/bin/prometheus` on 127.0.0.1:<free port>,
 * scraping one target every second, its storage in a temp dir.
 *
 *   describeWithPrometheus('error rate', () => {
 *     let prometheus: TestPrometheus
 *     beforeAll(async () => { prometheus = await startPrometheus({ target: service.target }) })
 *     afterAll(() => prometheus.stop())
 *   })
 *
 * `startPrometheus` returns once Prometheus is ready and has scraped the target once
 * (`up{job="app"} == 1`). `stop()` ends it with SIGTERM and waits for it to exit; it may be
 * called mid-test (to make Prometheus unreachable) and again at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killTree } from '../../shared/src/exec/index.js'
import { describeWhenAvailable } from './tools.js'

export const PROMETHEUS_BINARY = '/usr/bin/prometheus'
export const SCRAPE_JOB = 'app'

const STARTUP_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000
const POLL_MS = 100

export interface TestPrometheus {
  /** http://127.0.0.1:<port>, what a gate's `prometheus_address` takes. */
  address: string
  stop(): Promise<void>
}

/** `describe`, or a loud skip when Prometheus is missing outside CI; in CI a missing binary fails. */
export function describeWithPrometheus(name: string, body: () => void): void {
  const missing = existsSync(PROMETHEUS_BINARY) ? undefined : `${PROMETHEUS_BINARY} is missing (apt-get install prometheus)`
  describeWhenAvailable('prometheus', missing, name, body)
}

/**
 * Starts Prometheus scraping `target` every second and waits until it has scraped it once; with
 * `targetUp: false` it waits only until it is ready, for a target that something deploys later.
 */
export async function startPrometheus(options: { target: string; targetUp?: boolean }): Promise<TestPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      `  - job_name: ${SCRAPE_JOB}`,
      '    static_configs:',
      `      - targets: ['${options.target}']`,
      ''
    ].join('\n')
  )
  const port = await freePort()
  const address = `http://127.0.0.1:${port}`
  const child = spawn(PROMETHEUS_BINARY, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe']
  })
  const log: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')))
  const stop = async (): Promise<void> => {
    await stopProcess(child)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitFor(child, log, async () => (await fetch(`${address}/-/ready`)).ok, 'to be ready')
    if (options.targetUp !== false) await waitFor(child, log, async () => (await scrapedUp(address)) === true, `to scrape ${options.target}`)
  } catch (error) {
    await stop()
    throw error
  }
  return { address, stop }
}

async function scrapedUp(address: string): Promise<boolean> {
  const response = await fetch(`${address}/api/v1/query?query=${encodeURIComponent(`up{job="${SCRAPE_JOB}"}`)}`)
  const body = (await response.json()) as { data?: { result?: Array<{ value: [number, string] }> } }
  return body.data?.result?.[0]?.value[1] === '1'
}

async function waitFor(child: ChildProcess, log: string[], ready: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode} before it was ready:\n${log.join('').slice(-2000)}`)
    if (await ready().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`prometheus did not get ${what} within ${STARTUP_TIMEOUT_MS / 1000}s:\n${log.join('').slice(-2000)}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** SIGTERM lets Prometheus close its TSDB; SIGKILL if it has not exited in time. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  killTree(child.pid, 'SIGTERM')
  const timer = setTimeout(() => killTree(child.pid, 'SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
