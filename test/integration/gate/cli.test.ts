import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gateCommand } from '../../../cli/src/commands/gate.js'

const SHA = 'd'.repeat(40)
const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined }

describe('flotilla gate', () => {
  let root: string
  let server: Server
  let healthStatus = 200

  beforeAll(async () => {
    server = createServer((_, response) => response.writeHead(healthStatus).end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`
    root = await mkdtemp(join(tmpdir(), 'flotilla-gate-cli-'))
    await mkdir(join(root, 'services/cart'), { recursive: true })
    await writeFile(
      join(root, 'flotilla.yml'),
      `version: 1
services:
  cart: { path: services/cart }
environments:
  staging:
    gate:
      http:
        health: { url: "${url}", interval: 1s, count: 2 }
      window:
        deny: [{ cron: "0 0 1 1 *", duration: 1h, reason: new year }]
`
    )
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await rm(root, { recursive: true, force: true })
  })

  afterEach(() => {
    jest.restoreAllMocks()
  })

  async function gate(values: Record<string, string>, json: boolean): Promise<{ exitCode: number; stdout: string }> {
    const written: string[] = []
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    const exitCode = await gateCommand.run({ values, positionals: [], root, json, log: silent })
    jest.restoreAllMocks()
    return { exitCode, stdout: written.join('') }
  }

  test('--json prints the report with every measurement and exits 0 on pass', async () => {
    healthStatus = 200
    const { exitCode, stdout } = await gate({ env: 'staging', sha: SHA }, true)
    expect(exitCode).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ environment: 'staging', sha: SHA, decision: 'pass', reason: 'All 2 blocking criteria passed.' })
    expect(report.criteria.map((criterion: { name: string; measurements: unknown[] }) => [criterion.name, criterion.measurements.length])).toEqual([
      ['http.health', 2],
      ['window', 1]
    ])
  })

  test('the text output gives the decision and each criterion, and a failing gate exits 1', async () => {
    healthStatus = 503
    const { exitCode, stdout } = await gate({ env: 'staging', sha: SHA }, false)
    expect(exitCode).toBe(1)
    expect(stdout.split('\n').slice(0, 2)).toEqual([`gate staging for ${SHA.slice(0, 12)}: FAIL`, expect.stringMatching(/^http\.health failed: failed \(1\) > failureLimit \(0\): GET .* answered 503, expected 200\.$/)])
    expect(stdout).toContain('\n  http.health  failed        1 measured, 0 errors\n')
  })

  test('an environment without a gate is an error that says so', async () => {
    await writeFile(join(root, 'flotilla.yml'), 'version: 1\nservices:\n  cart: { path: services/cart }\nenvironments:\n  dev: {}\n')
    await expect(gateCommand.run({ values: { env: 'dev', sha: SHA }, positionals: [], root, json: false, log: silent })).rejects.toThrow('environments.dev.gate is not declared in flotilla.yml: there is nothing to gate on')
  })
})
