/**
 * The detect action's adapter with `@actions/core` mocked completely: what it reads, what it
 * writes, and that every failure becomes `setFailed` with no outputs.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const inputs: Record<string, string> = {}
const core = {
  getInput: jest.fn((name: string) => inputs[name] ?? ''),
  setOutput: jest.fn(),
  setFailed: jest.fn(),
  setSecret: jest.fn(),
  error: jest.fn(),
  warning: jest.fn(),
  notice: jest.fn(),
  info: jest.fn(),
  debug: jest.fn(),
  group: jest.fn(async (_name: string, work: () => Promise<unknown>) => work()),
  summary: { addRaw: jest.fn(), write: jest.fn() }
}
jest.unstable_mockModule('@actions/core', () => core)
const { run } = await import('../../../actions/detect/src/main.js')

let workspace: string
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'detect-main-'))
  process.env.GITHUB_WORKSPACE = workspace
  for (const key of Object.keys(inputs)) delete inputs[key]
  jest.clearAllMocks()
})
afterEach(() => {
  rmSync(workspace, { recursive: true, force: true })
  delete process.env.GITHUB_WORKSPACE
})

describe('detect action adapter', () => {
  it('turns each manifest problem into an error annotation at its line and fails without outputs', async () => {
    mkdirSync(join(workspace, 'svc', 'api'), { recursive: true })
    writeFileSync(
      join(workspace, 'flotilla.yml'),
      ['version: 1', 'services:', '  api:', '    path: svc/api', '    depnds_on: [nothing]', '  web:', '    path: svc/web', ''].join('\n')
    )
    inputs.token = 'ghs_secretvalue'

    await run()

    expect(core.setSecret).toHaveBeenCalledWith('ghs_secretvalue')
    expect(core.setOutput).not.toHaveBeenCalled()
    expect(core.setFailed).toHaveBeenCalledTimes(1)
    const annotations = core.error.mock.calls.map(([, properties]) => properties as Record<string, unknown>)
    expect(annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'flotilla.yml', startLine: 5, title: 'flotilla.yml: services.api.depnds_on' }),
        expect.objectContaining({ file: 'flotilla.yml', startLine: 7, title: 'flotilla.yml: services.web.path' })
      ])
    )
    expect(String(core.setFailed.mock.calls[0][0])).toMatch(/did you mean "depends_on"/)
  })

  it('rejects a summary input that is not a boolean', async () => {
    inputs.summary = 'yes please'
    mkdirSync(join(workspace, 'services', 'api'), { recursive: true })
    writeFileSync(join(workspace, 'services', 'api', 'Dockerfile'), 'FROM scratch\n')
    inputs.base = 'HEAD'

    await run()

    expect(core.setFailed).toHaveBeenCalledWith("input 'summary' must be true or false, got 'yes please'")
    expect(core.setOutput).not.toHaveBeenCalled()
  })
})
