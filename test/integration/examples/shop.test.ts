import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { exec, killTree } from '../../../shared/src/exec/index.js'

/**
 * The example shop is what the demo and the end-to-end tests run the pipeline on, so these tests
 * hold it to what those stages rely on: every test command writes honest JUnit XML, every image's
 * start and health-check commands work, and the services behave as the README says.
 * They run on a temporary copy so the working tree stays clean.
 */

const exampleRoot = fileURLToPath(new URL('../../../examples/shop', import.meta.url))

/** The parts of flotilla.yml these tests read, as written (before any validation or defaults). */
interface ShopManifest {
  libraries: Record<string, { path: string }>
  services: Record<
    string,
    {
      path: string
      depends_on?: string[]
      image?: { context?: string; dockerfile?: string }
      test: { command: string[]; reports: string[] }
    }
  >
}

const manifest = parse(readFileSync(join(exampleRoot, 'flotilla.yml'), 'utf8')) as ShopManifest
const serviceNames = Object.keys(manifest.services)

/** How many test cases each service's suite holds; a report with fewer lost some. */
const expectedTestCases: Record<string, number> = { users: 19, orders: 9, catalog: 6, cart: 7 }

function dockerfileOf(service: string): string {
  const { path, image } = manifest.services[service]
  return image?.dockerfile ?? `${path}/Dockerfile`
}

/** Exec-form commands of a Dockerfile: the final `CMD` and the `HEALTHCHECK ... CMD`. */
function dockerCommands(dockerfile: string): { start: string[]; healthcheck: string[] } {
  const instructions = dockerfile.replace(/\\\n\s*/g, ' ').split('\n')
  const execForm = (line: string | undefined, what: string): string[] => {
    const match = /CMD\s+(\[.*\])\s*$/.exec(line ?? '')
    if (!match) throw new Error(`no exec-form ${what} in the Dockerfile`)
    return JSON.parse(match[1]) as string[]
  }
  return {
    start: execForm(instructions.filter((line) => line.startsWith('CMD ')).pop(), 'CMD'),
    healthcheck: execForm(
      instructions.find((line) => line.startsWith('HEALTHCHECK ')),
      'HEALTHCHECK'
    )
  }
}

/** Counts test cases and failed ones from the elements, not from summary attributes. */
function junitCounts(xml: string): { testCases: number; failed: number } {
  return {
    testCases: xml.match(/<testcase\b/g)?.length ?? 0,
    failed: xml.match(/<(failure|error)\b/g)?.length ?? 0
  }
}

async function copyExample(): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'flotilla-shop-'))
  const generated = new Set(['reports', '__pycache__', 'node_modules'])
  await cp(exampleRoot, copy, {
    recursive: true,
    filter: (source) => !relative(exampleRoot, source).split(sep).some((part) => generated.has(part))
  })
  return copy
}

async function runTestCommand(root: string, service: string) {
  const { path, test } = manifest.services[service]
  const cwd = join(root, path)
  const result = await exec(test.command, { cwd, timeoutMs: 120_000, allowFailure: true })
  const reportPath = join(cwd, 'reports', 'junit.xml')
  const report = existsSync(reportPath) ? await readFile(reportPath, 'utf8') : ''
  return { result, report }
}

describe('the shop manifest', () => {
  it('has at least four services in Python and Node, one of them users', () => {
    expect(serviceNames.length).toBeGreaterThanOrEqual(4)
    expect(serviceNames).toContain('users')
    const runtimes = new Set(serviceNames.map((service) => manifest.services[service].test.command[0]))
    expect(runtimes).toEqual(new Set(['python3', 'node']))
  })

  it('has a library that two services depend on, and every dependency names something real', () => {
    const known = new Set([...serviceNames, ...Object.keys(manifest.libraries)])
    const edges = serviceNames.flatMap((service) => manifest.services[service].depends_on ?? [])
    expect(edges.filter((name) => !known.has(name))).toEqual([])
    for (const library of Object.keys(manifest.libraries)) {
      expect(existsSync(join(exampleRoot, manifest.libraries[library].path))).toBe(true)
    }
    expect(edges.filter((name) => name === 'money')).toHaveLength(2)
  })

  it.each(serviceNames)('gives %s a Dockerfile with a swappable base, a non-root user and a health check', (service) => {
    const dockerfile = readFileSync(join(exampleRoot, dockerfileOf(service)), 'utf8')
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=\S+$/m)
    expect(dockerfile).toMatch(/^FROM \$\{BASE_IMAGE\}$/m)
    expect(dockerfile).toMatch(/^USER [1-9]\d*/m)
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m)
    expect(dockerCommands(dockerfile).healthcheck.join(' ')).toContain('/healthz')
  })

  it('builds the same images in docker-compose.yml as in flotilla.yml', () => {
    const compose = parse(readFileSync(join(exampleRoot, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { build: string | { context: string; dockerfile: string } }>
    }
    const composeBuilds = Object.fromEntries(
      Object.entries(compose.services).map(([name, { build }]) => [
        name,
        typeof build === 'string' ? { context: build, dockerfile: `${build}/Dockerfile` } : build
      ])
    )
    const manifestBuilds = Object.fromEntries(
      serviceNames.map((name) => {
        const context = manifest.services[name].image?.context ?? manifest.services[name].path
        return [name, { context, dockerfile: dockerfileOf(name) }]
      })
    )
    expect(composeBuilds).toEqual(manifestBuilds)
  })
})

describe('each service test command from flotilla.yml', () => {
  let root: string

  beforeAll(async () => {
    root = await copyExample()
  })

  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it.each(serviceNames)('%s passes and writes every test case to reports/junit.xml', async (service) => {
    expect(manifest.services[service].test.reports).toEqual(['reports/*.xml'])
    const { result, report } = await runTestCommand(root, service)
    expect(result.exitCode).toBe(0)
    expect(junitCounts(report)).toEqual({ testCases: expectedTestCases[service], failed: 0 })
  })

  it('the money library tests pass', async () => {
    const result = await exec(['node', '--test'], { cwd: join(root, manifest.libraries.money.path), allowFailure: true })
    expect(result.exitCode).toBe(0)
  })
})

describe('a failing test', () => {
  let root: string

  beforeAll(async () => {
    root = await copyExample()
  })

  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('fails the Python command and is a <failure> in its JUnit XML', async () => {
    const tests = join(root, manifest.services.users.path, 'tests')
    await writeFile(
      join(tests, 'test_broken.py'),
      'import unittest\n\nclass BrokenTest(unittest.TestCase):\n    def test_broken(self):\n        self.assertEqual(1, 2)\n'
    )
    const { result, report } = await runTestCommand(root, 'users')
    expect(result.exitCode).not.toBe(0)
    expect(junitCounts(report)).toEqual({ testCases: expectedTestCases.users + 1, failed: 1 })
    expect(report).toMatch(/<testcase classname="tests.test_broken.BrokenTest" name="test_broken"[^>]*>\s*<failure/)
  })

  it('fails the Node command and is a <failure> in its JUnit XML', async () => {
    const tests = join(root, manifest.services.catalog.path, 'test')
    await writeFile(
      join(tests, 'broken.test.js'),
      "import assert from 'node:assert/strict'\nimport { test } from 'node:test'\ntest('broken', () => assert.equal(1, 2))\n"
    )
    const { result, report } = await runTestCommand(root, 'catalog')
    expect(result.exitCode).not.toBe(0)
    expect(junitCounts(report)).toEqual({ testCases: expectedTestCases.catalog + 1, failed: 1 })
    expect(report).toMatch(/<testcase name="broken"[^>]*>\s*<failure/)
  })
})

interface RunningService {
  child: ChildProcess
  url: string
}

/** Starts a service with its image's CMD, in its image's working directory, on a free port. */
function startService(root: string, service: string, env: Record<string, string> = {}): Promise<RunningService> {
  const { start } = dockerCommands(readFileSync(join(exampleRoot, dockerfileOf(service)), 'utf8'))
  const child = spawn(start[0], start.slice(1), {
    cwd: join(root, manifest.services[service].path),
    // PORT=0 lets the service pick a free port and announce it, so no port can be taken twice.
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const announced = / listening on (http:\/\/\S+)/.exec(output)
      if (announced) resolve({ child, url: announced[1] })
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`${service} exited with ${code} before listening:\n${output}`)))
  })
}

async function stopService({ child }: RunningService): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  killTree(child.pid, 'SIGKILL')
  await exited
}

async function call(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

describe('the running shop', () => {
  let root: string
  const running: Record<string, RunningService> = {}

  beforeAll(async () => {
    root = await copyExample()
    for (const service of ['users', 'orders', 'catalog']) running[service] = await startService(root, service)
    running.cart = await startService(root, 'cart', { CATALOG_URL: running.catalog.url, TAX_BASIS_POINTS: '825' })
  })

  afterAll(async () => {
    await Promise.all(Object.values(running).map(stopService))
    await rm(root, { recursive: true, force: true })
  })

  it.each(['users', 'orders', 'catalog', 'cart'])('%s answers /healthz', async (service) => {
    expect(await call(`${running[service].url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } })
  })

  it.each(['users', 'orders', 'catalog', 'cart'])("%s passes its image's HEALTHCHECK command", async (service) => {
    const { healthcheck } = dockerCommands(readFileSync(join(exampleRoot, dockerfileOf(service)), 'utf8'))
    const port = new URL(running[service].url).port
    const result = await exec(healthcheck, { env: { ...process.env, PORT: port }, timeoutMs: 10_000, allowFailure: true })
    expect(result.exitCode).toBe(0)
  })

  it.each(['users', 'orders', 'catalog', 'cart'])('%s exits cleanly on SIGTERM, as a container stop sends', async (service) => {
    const instance = await startService(root, service)
    const exited = new Promise<number | null>((resolve) => instance.child.once('exit', resolve))
    instance.child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('users creates, reads, updates, lists and deletes a user', async () => {
    const users = running.users.url
    expect((await call(`${users}/`)).status).toBe(200)

    const created = await call(`${users}/user`, 'POST', { name: 'Grace Hopper', email: 'grace@example.org' })
    expect(created.status).toBe(201)
    const { id } = created.body as { id: number }
    expect(created.body).toEqual({ id, name: 'Grace Hopper', email: 'grace@example.org' })
    expect(await call(`${users}/user/${id}`)).toEqual({ status: 200, body: created.body })

    const updated = { id, name: 'Rear Admiral Hopper', email: 'grace@navy.example.org' }
    expect(await call(`${users}/user/${id}`, 'PUT', { name: updated.name, email: updated.email })).toEqual({
      status: 200,
      body: updated
    })
    expect(await call(`${users}/api/users`)).toEqual({ status: 200, body: [updated] })

    expect((await call(`${users}/user/${id}`, 'DELETE')).status).toBe(204)
    expect((await call(`${users}/user/${id}`)).status).toBe(404)
    expect((await call(`${users}/user/${id}`, 'DELETE')).status).toBe(404)
    expect(await call(`${users}/api/users`)).toEqual({ status: 200, body: [] })
  })

  it('users rejects malformed JSON with 400', async () => {
    const response = await fetch(`${running.users.url}/user`, { method: 'POST', body: '{"name": ' })
    expect(response.status).toBe(400)
  })

  it('cart prices items from the live catalog with the money library', async () => {
    const cart = await call(`${running.cart.url}/carts/demo/items`, 'POST', { productId: 'mug', quantity: 2 })
    expect(cart.status).toBe(201)
    expect(cart.body).toMatchObject({
      subtotalCents: 2500,
      taxCents: 206, // 8.25 % of $25.00 = $2.0625
      totalCents: 2706,
      display: { subtotal: '$25.00', tax: '$2.06', total: '$27.06' }
    })
  })

  it('orders places and cancels an order', async () => {
    const placed = await call(`${running.orders.url}/orders`, 'POST', {
      userId: 1,
      items: [{ productId: 'beans', quantity: 3, unitPriceCents: 2400 }]
    })
    expect(placed).toMatchObject({ status: 201, body: { status: 'placed', totalCents: 7200 } })
    const { id } = placed.body as { id: number }
    expect(await call(`${running.orders.url}/orders/${id}/cancel`, 'POST')).toMatchObject({
      status: 200,
      body: { status: 'cancelled' }
    })
  })
})
