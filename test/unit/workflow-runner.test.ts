import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import type { BundleOptions, BundleRun } from '../support/action-runner.js'
import { evaluateCondition, evaluateValue, expandMatrix, jobOrder, runWorkflow, type Workflow } from '../support/workflow-runner.js'

const bundle = (exitCode: number, outputs: Record<string, string> = {}): BundleRun => ({
  exitCode,
  stdout: '',
  stderr: '',
  outputs,
  summary: '',
  annotations: [],
  runnerTempFiles: {}
})

describe('expressions', () => {
  const context = { needs: { plan: { outputs: { matrix: '{"include":[{"service":"users","image":"r/users"}]}', 'any-changed': 'false' } } }, matrix: { service: 'users' }, github: { sha: 'abc' } }

  it('keeps the type of a value that is one whole expression and interpolates templates', () => {
    expect(evaluateValue('${{ fromJSON(needs.plan.outputs.matrix) }}', context)).toEqual({ include: [{ service: 'users', image: 'r/users' }] })
    expect(evaluateValue('${{ matrix.service }}:git-${{ github.sha }}', context)).toBe('users:git-abc')
    expect(evaluateValue('${{ secrets.missing }}', context)).toBeNull()
  })

  it('reads conditions with or without ${{ }}', () => {
    expect(evaluateCondition("needs.plan.outputs.any-changed == 'true'", context)).toBe(false)
    expect(evaluateCondition("${{ matrix.service == 'users' }}", context)).toBe(true)
  })
})

describe('job graph', () => {
  it('orders jobs after everything they need and refuses a cycle', () => {
    expect(jobOrder({ gate: { needs: ['deploy'], steps: [] }, deploy: { needs: 'plan', steps: [] }, plan: { steps: [] } })).toEqual(['plan', 'deploy', 'gate'])
    expect(() => jobOrder({ a: { needs: 'b', steps: [] }, b: { needs: 'a', steps: [] } })).toThrow('jobs a, b need each other')
  })

  it('expands include entries and vectors, and refuses an empty matrix', () => {
    expect(expandMatrix({ include: [{ service: 'a' }, { service: 'b' }] })).toEqual([{ service: 'a' }, { service: 'b' }])
    expect(expandMatrix({ os: ['x', 'y'], node: [20] })).toEqual([{ os: 'x', node: 20 }, { os: 'y', node: 20 }])
    expect(expandMatrix(undefined)).toEqual([{}])
    expect(() => expandMatrix({ include: [] })).toThrow('no entries')
  })
})

describe('runWorkflow', () => {
  const workflow = parse(`
on:
  workflow_call:
    inputs:
      environment: { type: string, default: staging }
jobs:
  plan:
    outputs:
      matrix: \${{ steps.plan.outputs.matrix }}
    steps:
      - uses: actions/checkout@0000000000000000000000000000000000000000
      - id: plan
        uses: $/actions/detect
  deploy:
    needs: plan
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    outputs:
      last: \${{ steps.deploy.outputs.new-image }}
    steps:
      - uses: actions/checkout@0000000000000000000000000000000000000000
      - id: deploy
        uses: $/actions/deploy
        with:
          service: \${{ matrix.service }}
          environment: \${{ inputs.environment }}
  gate:
    needs: deploy
    steps:
      - uses: actions/checkout@0000000000000000000000000000000000000000
      - uses: $/actions/gate
`) as Workflow

  const run = (deployExit: (service: string) => number) => {
    const calls: Array<[string, Record<string, string>]> = []
    const runAction = async (name: string, options: BundleOptions): Promise<BundleRun> => {
      calls.push([name, options.inputs ?? {}])
      if (name === 'detect') return bundle(0, { matrix: '{"include":[{"service":"users"},{"service":"cart"}]}' })
      const service = options.inputs?.service ?? ''
      return bundle(name === 'deploy' ? deployExit(service) : 0, { 'new-image': `r/${service}:1` })
    }
    return { calls, result: runWorkflow(workflow, { github: { token: 'ghs_x' }, env: {}, checkout: async () => '/workspace', runAction }) }
  }

  it('passes outputs between jobs, runs every matrix entry with evaluated inputs and action defaults, last writer wins', async () => {
    const { calls, result } = run(() => 0)
    const { jobs } = await result
    expect(Object.values(jobs).map((job) => job.result)).toEqual(['success', 'success', 'success'])
    expect(jobs.deploy.runs.map((entry) => entry.matrix)).toEqual([{ service: 'users' }, { service: 'cart' }])
    expect(jobs.deploy.outputs).toEqual({ last: 'r/cart:1' })
    const deployInputs = calls.filter(([name]) => name === 'deploy').map(([, inputs]) => inputs)
    expect(deployInputs.map((inputs) => [inputs.service, inputs.environment, inputs.token])).toEqual([
      ['users', 'staging', 'ghs_x'],
      ['cart', 'staging', 'ghs_x']
    ])
  })

  it('fails a job when one matrix entry fails, still runs the others, and skips the jobs that need it', async () => {
    const { calls, result } = run((service) => (service === 'users' ? 1 : 0))
    const { jobs } = await result
    expect([jobs.deploy.result, jobs.gate.result]).toEqual(['failure', 'skipped'])
    expect(jobs.deploy.runs.map((entry) => entry.steps.map((step) => step.result))).toEqual([
      ['success', 'failure'],
      ['success', 'success']
    ])
    expect(calls.map(([name]) => name)).not.toContain('gate')
  })
})
