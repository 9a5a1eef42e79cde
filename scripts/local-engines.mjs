// The engines a laptop run can borrow from the machine, for `npm run demo` and `npm run bench`:
// buildah with a private image store, Debian's docker-registry on a free loopback port, and an
// empty local base image (the example's Dockerfiles take BASE_IMAGE, and this machine cannot
// pull python or node images). Plain Node, no dependencies: the demo runs before `npm ci`.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BASE_IMAGE = 'localhost/flotilla-demo-base:latest'

const onPath = (program) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program]).status === 0

/** What is missing for image builds here, or undefined when buildah and a registry are present. */
export function missingEngines() {
  const missing = ['buildah', 'docker-registry'].filter((program) => !onPath(program))
  return missing.length === 0 ? undefined : missing
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function waitFor(url, child, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`)
}

/**
 * Starts a registry and a private buildah store with the empty base image. `env` is what the
 * CLI needs (CONTAINERS_STORAGE_CONF); `stop()` ends the registry and removes everything.
 */
export async function startLocalEngines() {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-engines-'))
  const port = await freePort()
  writeFileSync(
    join(dir, 'registry.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/registry\nhttp:\n  addr: 127.0.0.1:${port}\n`
  )
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/root"\n`)
  const registry = spawn('docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'ignore' })
  const stop = () => {
    registry.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitFor(`http://127.0.0.1:${port}/v2/`, registry)
    const env = { ...process.env, CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf') }
    const buildah = (...args) => {
      const result = spawnSync('buildah', ['--storage-driver', 'vfs', ...args], { env, encoding: 'utf8' })
      if (result.status !== 0) throw new Error(`buildah ${args[0]}: ${result.stderr.trim()}`)
      return result.stdout.trim()
    }
    const container = buildah('from', '--quiet', 'scratch')
    buildah('commit', '--quiet', container, BASE_IMAGE)
    buildah('rm', container)
    return { registry: `127.0.0.1:${port}`, env, stop }
  } catch (error) {
    stop()
    throw error
  }
}

/** Starts Debian's Prometheus scraping `target` (host:port) every second; undefined when absent. */
export async function startPrometheus(target) {
  if (!onPath('prometheus')) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-prometheus-'))
  const port = await freePort()
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: catalog\n    static_configs:\n      - targets: ['${target}']\n`
  )
  const child = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' })
  const stop = () => {
    child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitFor(`http://127.0.0.1:${port}/-/ready`, child)
    return { address: `http://127.0.0.1:${port}`, stop }
  } catch (error) {
    stop()
    throw error
  }
}
