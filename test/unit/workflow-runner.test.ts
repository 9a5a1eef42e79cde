import { describe, expect, it } from '@jest/globals'
import { readdir } from 'node:fs/promises'
import { parse } from 'yaml'
import type { BundleOptions, BundleRun } from '../support/action-runner.js'
import {
  callInputs,
  evaluateCondition,
  evaluateValue,
  expandMatrix,
  jobOrder,
  runWorkflow,
  type Workflow,
  type WorkflowRunOptions
} from '../support/workflow-runner.js'

const bundle = (exitCode: number, outputs: Record<string, string> = {}): BundleRun => ({
  exitCode,
  stdout: '',
  stderr: '',
  outputs,
  summary: '',
  annotations: [],
  runnerTempFiles: {}
})

const CHECKOUT = 'actions/checkout@0000000000000000000000000000000000000000'

/** Options for a run whose suite actions answer from `answer` (name, inputs) and whose workflow files come from `files`. */
function fakeRun(
  answer: (name: string, inputs: Record<string, string>) => BundleRun = () => bundle(0),
  files: Record<string, string> = {}
): { options: WorkflowRunOptions; calls: Array<{ name: string; inputs: Record<string, string>; env: BundleOptions['env'] }> } {
  const calls: Array<{ name: string; inputs: Record<string, string>; env: BundleOptions['env'] }> = []
  const options: WorkflowRunOptions = {
    github: { token: 'ghs_x', sha: 'abc' },
    env: {},
    secrets: { 'deploy-token': 'dt', other: 'o' },
    checkout: async () => '/workspace',
    runAction: async (name, { inputs = {}, env }) => {
      calls.push({ name, inputs, env })
      return answer(name, inputs)
    },
    readWorkflowFile: async (path) => {
      if (!(path in files)) throw new Error(`no such workflow ${path}`)
      return files[path]
    }
  }
  return { options, calls }
}

const workflowOf = (text: string): Workflow => parse(text) as Workflow

describe('expressions', () => {
  const context = { needs: { plan: { outputs: { matrix: '{"include":[{"service":"users","image":"r/users"}]}', 'any-changed': 'false', services: '["users","cart"]' } } }, matrix: { service: 'users' }, github: { sha: 'abc' }, secrets: {} }

  it('keeps the type of a value that is one whole expression and interpolates templates', () => {
    expect(evaluateValue('${{ fromJSON(needs.plan.outputs.matrix) }}', context)).toEqual({ include: [{ service: 'users', image: 'r/users' }] })
    expect(evaluateValue('${{ matrix.service }}:git-${{ github.sha }}', context)).toBe('users:git-abc')
    expect(evaluateValue('${{ secrets.missing }}', context)).toBeNull()
    expect(evaluateValue({ shard: ['${{ matrix.service }}'] }, context)).toEqual({ shard: ['users'] })
  })

  it('reads conditions with or without ${{ }}', () => {
    expect(evaluateCondition("needs.plan.outputs.any-changed == 'true'", context)).toBe(false)
    expect(evaluateCondition("${{ matrix.service == 'users' }}", context)).toBe(true)
  })

  it('finds an item in a JSON list and reads past the end of a list as null', () => {
    expect(evaluateCondition('contains(fromJSON(needs.plan.outputs.services), matrix.service)', context)).toBe(true)
    expect(evaluateCondition("contains(fromJSON(needs.plan.outputs.services), 'orders')", context)).toBe(false)
    expect(evaluateValue("${{ fromJSON('[]')[1] }}", context)).toBeNull()
    expect(evaluateValue("${{ fromJSON('[\"a\",\"b\"]')[1] }}", context)).toBe('b')
  })

  it('refuses a context the key cannot see, as GitHub does', () => {
    expect(() => evaluateValue('${{ matrix.service }}', { github: {}, needs: {} })).toThrow(/matrix/)
  })

  it('has status functions only in conditions, and adds success() to a condition without one', () => {
    const failed = { success: false, failure: true }
    expect(() => evaluateCondition('always()', context)).toThrow(/always/)
    expect(evaluateCondition("github.sha == 'abc'", context, failed)).toBe(false)
    expect(evaluateCondition("failure() && github.sha == 'abc'", context, failed)).toBe(true)
    expect(evaluateCondition('always()', context, failed)).toBe(true)
    expect(evaluateCondition('${{ !cancelled() }}', context, failed)).toBe(true)
    expect(evaluateCondition('success()', context, { success: true, failure: false })).toBe(true)
  })
})

describe('job graph', () => {
  it('orders jobs after everything they need and refuses a cycle', () => {
    expect(jobOrder({ gate: { needs: ['deploy'], steps: [] }, deploy: { needs: 'plan', steps: [] }, plan: { steps: [] } })).toEqual(['plan', 'deploy', 'gate'])
    expect(() => jobOrder({ a: { needs: 'b', steps: [] }, b: { needs: 'a', steps: [] } })).toThrow('jobs a, b need each other')
  })
})

describe('matrix', () => {
  it('expands include entries and vectors, and refuses an empty matrix', () => {
    expect(expandMatrix({ include: [{ service: 'a' }, { service: 'b' }] })).toEqual([{ service: 'a' }, { service: 'b' }])
    expect(expandMatrix({ os: ['x', 'y'], node: [20] })).toEqual([{ os: 'x', node: 20 }, { os: 'y', node: 20 }])
    expect(expandMatrix(undefined)).toEqual([{}])
    expect(() => expandMatrix({ include: [] })).toThrow('no entries')
  })

  it('extends the combinations an include entry does not contradict, else adds it, after excluding (GitHub’s documented example)', () => {
    const entries = expandMatrix({
      fruit: ['apple', 'pear'],
      animal: ['cat', 'dog'],
      include: [{ color: 'green' }, { color: 'pink', animal: 'cat' }, { fruit: 'apple', shape: 'circle' }, { fruit: 'banana' }, { fruit: 'banana', animal: 'cat' }]
    })
    expect(entries).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' }
    ])
    expect(expandMatrix({ os: ['linux', 'windows'], node: [20, 22], exclude: [{ os: 'windows' }] })).toEqual([{ os: 'linux', node: 20 }, { os: 'linux', node: 22 }])
  })

  it('takes objects as values (shards from fromJSON) and refuses more entries than GitHub runs', () => {
    const shards = [{ include: [{ service: 'a' }] }, { include: [{ service: 'b' }] }]
    expect(expandMatrix({ shard: shards })).toEqual([{ shard: shards[0] }, { shard: shards[1] }])
    expect(() => expandMatrix({ n: Array.from({ length: 257 }, (_, i) => i) })).toThrow('257 entries; GitHub allows 256')
  })
})

describe('inputs of a called workflow', () => {
  const declared = {
    environment: { type: 'string' as const, required: true },
    push: { type: 'boolean' as const, default: true },
    shards: { type: 'number' as const },
    ref: { type: 'string' as const, default: '${{ github.ref }}' }
  }

  it('types every declared input, with defaults (evaluated) or the type’s empty value', () => {
    expect(callInputs(declared, { environment: 'staging', push: 'false', shards: '3' }, { github: { ref: 'refs/heads/main' }, inputs: {}, vars: {} })).toEqual({
      environment: 'staging',
      push: false,
      shards: 3,
      ref: 'refs/heads/main'
    })
    expect(callInputs({ ...declared, environment: { type: 'string' } }, {}, { github: { ref: 'r' }, inputs: {}, vars: {} })).toEqual({ environment: '', push: true, shards: 0, ref: 'r' })
  })

  it('refuses an undeclared input, a missing required one and a value of the wrong type', () => {
    const context = { github: {}, inputs: {}, vars: {} }
    expect(() => callInputs(declared, { environment: 'x', typo: 1 }, context)).toThrow('input typo is not declared')
    expect(() => callInputs(declared, {}, context)).toThrow('input environment is required')
    expect(() => callInputs(declared, { environment: 'x', push: 'yes' }, context)).toThrow('input push is declared boolean, given "yes"')
  })
})

describe('runWorkflow', () => {
  const workflow = workflowOf(`
on:
  workflow_call:
    inputs:
      environment: { type: string, default: staging }
jobs:
  plan:
    outputs:
      matrix: \${{ steps.plan.outputs.matrix }}
    steps:
      - uses: ${CHECKOUT}
      - id: plan
        uses: $/actions/detect
  deploy:
    needs: plan
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    outputs:
      last: \${{ steps.deploy.outputs.new-image }}
    steps:
      - uses: ${CHECKOUT}
      - id: deploy
        uses: $/actions/deploy
        with:
          service: \${{ matrix.service }}
          environment: \${{ inputs.environment }}
  gate:
    needs: deploy
    steps:
      - uses: ${CHECKOUT}
      - uses: $/actions/gate
`)

  const run = (deployExit: (service: string) => number) => {
    const { options, calls } = fakeRun((name, inputs) => {
      if (name === 'detect') return bundle(0, { matrix: '{"include":[{"service":"users"},{"service":"cart"}]}' })
      const service = inputs.service ?? ''
      return bundle(name === 'deploy' ? deployExit(service) : 0, { 'new-image': `r/${service}:1` })
    })
    return { calls, result: runWorkflow(workflow, options) }
  }

  it('passes outputs between jobs, runs every matrix entry with evaluated inputs and action defaults, last writer wins', async () => {
    const { calls, result } = run(() => 0)
    const { jobs } = await result
    expect(Object.values(jobs).map((job) => job.result)).toEqual(['success', 'success', 'success'])
    expect(jobs.deploy.runs.map((entry) => entry.matrix)).toEqual([{ service: 'users' }, { service: 'cart' }])
    expect(jobs.deploy.outputs).toEqual({ last: 'r/cart:1' })
    const deployInputs = calls.filter(({ name }) => name === 'deploy').map(({ inputs }) => inputs)
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
    expect(calls.map(({ name }) => name)).not.toContain('gate')
  })

  it('refuses an input the workflow does not declare', async () => {
    await expect(runWorkflow(workflow, { ...fakeRun().options, inputs: { enviroment: 'prod' } })).rejects.toThrow('input enviroment is not declared')
  })
})

describe('status functions', () => {
  it('skips the jobs after a failure unless their condition says otherwise, looking at every ancestor job', async () => {
    const workflow = workflowOf(`
on: push
jobs:
  build:
    steps:
      - uses: $/actions/build-image
  deploy:
    needs: build
    steps:
      - uses: $/actions/deploy
  gate:
    needs: deploy
    steps:
      - uses: $/actions/gate
  notify:
    needs: deploy
    if: failure()
    steps:
      - uses: $/actions/gate
  summary:
    needs: deploy
    if: always()
    steps:
      - uses: $/actions/gate
  after-summary:
    needs: summary
    steps:
      - uses: $/actions/gate
`)
    const { options } = fakeRun((name) => bundle(name === 'build-image' ? 1 : 0))
    const { jobs } = await runWorkflow(workflow, options)
    expect(Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, job.result]))).toEqual({
      build: 'failure',
      deploy: 'skipped',
      gate: 'skipped',
      notify: 'success',
      summary: 'success',
      // Its only need succeeded, but an ancestor failed: GitHub's success() is false.
      'after-summary': 'skipped'
    })
  })

  it('skips steps after a failed one unless they ask for failure() or always(); continue-on-error keeps the job going', async () => {
    const workflow = workflowOf(`
on: push
jobs:
  test:
    outputs:
      tests: \${{ steps.tests.outcome }}/\${{ steps.tests.conclusion }}
    steps:
      - id: tests
        uses: $/actions/run-tests
        continue-on-error: true
      - id: gate
        if: steps.tests.outcome == 'failure'
        uses: $/actions/gate
      - uses: $/actions/deploy
      - if: failure()
        uses: $/actions/detect
      - if: always()
        uses: $/actions/build-image
`)
    const { options, calls } = fakeRun((name) => bundle(name === 'run-tests' || name === 'gate' ? 1 : 0))
    const { jobs } = await runWorkflow(workflow, options)
    expect(jobs.test.result).toBe('failure')
    expect(jobs.test.outputs).toEqual({ tests: 'failure/success' })
    expect(jobs.test.runs[0].steps.map((step) => [step.outcome, step.result])).toEqual([
      ['failure', 'success'],
      ['failure', 'failure'],
      ['skipped', 'skipped'],
      ['success', 'success'],
      ['success', 'success']
    ])
    expect(calls.map(({ name }) => name)).toEqual(['run-tests', 'gate', 'detect', 'build-image'])
  })
})

describe('run steps', () => {
  it('runs bash with -e and pipefail in the workspace, with env, outputs (both forms), GITHUB_ENV and a summary', async () => {
    const workflow = workflowOf(`
on: push
env:
  LEVEL: workflow
jobs:
  script:
    env:
      LEVEL: job
      SHA: \${{ github.sha }}
    outputs:
      greeting: \${{ steps.write.outputs.greeting }}
      notes: \${{ steps.write.outputs.notes }}
    steps:
      - id: write
        env:
          STEP_ONLY: \${{ env.LEVEL }}-step
        run: |
          mkdir -p sub
          echo "greeting=hello \${{ github.sha }} $SHA $STEP_ONLY" >> "$GITHUB_OUTPUT"
          printf 'notes<<EOF\\nline one\\nline two\\nEOF\\n' >> "$GITHUB_OUTPUT"
          echo "CARRIED=from-env-file" >> "$GITHUB_ENV"
          echo '### done' >> "$GITHUB_STEP_SUMMARY"
          echo out; echo err >&2
      - id: read
        working-directory: sub
        run: echo "seen=$CARRIED \${{ env.CARRIED }} \${STEP_ONLY:-unset} $(basename "$PWD")" >> "$GITHUB_OUTPUT"
      - id: pipe
        run: |
          false | true
          echo not reached
      - if: always()
        run: exit 3
`)
    const { jobs } = await runWorkflow(workflow, fakeRun().options)
    const [write, read, pipe, exit] = jobs.script.runs[0].steps
    expect(jobs.script.outputs).toEqual({ greeting: 'hello abc abc job-step', notes: 'line one\nline two' })
    expect(write.script).toMatchObject({ exitCode: 0, stdout: 'out\n', stderr: 'err\n', summary: '### done\n' })
    expect(read.outputs).toEqual({ seen: 'from-env-file from-env-file unset sub' })
    expect([pipe.result, pipe.script?.exitCode, pipe.script?.stdout]).toEqual(['failure', 1, ''])
    expect([exit.result, exit.script?.exitCode]).toEqual(['failure', 3])
    expect(jobs.script.result).toBe('failure')
  })

  it('gives a job without checkout an empty workspace of its own', async () => {
    const workflow = workflowOf(`
on: push
jobs:
  look:
    steps:
      - id: look
        run: |
          echo "files=$(ls -A | wc -l)" >> "$GITHUB_OUTPUT"
          echo "dir=$PWD" >> "$GITHUB_OUTPUT"
`)
    const { jobs } = await runWorkflow(workflow, fakeRun().options)
    const entry = jobs.look.runs[0]
    expect(entry.steps[0].outputs).toEqual({ files: '0', dir: entry.workspace })
    await expect(readdir(entry.workspace ?? '')).rejects.toThrow('ENOENT')
  })

  it('judges every needed job as pull-request.yml’s summary job does', async () => {
    const workflow = workflowOf(`
on: push
jobs:
  plan:
    steps:
      - uses: $/actions/detect
  build:
    needs: plan
    steps:
      - uses: $/actions/build-image
  result:
    needs: [plan, build]
    if: always()
    steps:
      - env:
          RESULTS: \${{ toJSON(needs.*.result) }}
        run: |
          echo "$RESULTS"
          case "$RESULTS" in *failure*|*cancelled*) exit 1 ;; esac
`)
    const { jobs } = await runWorkflow(workflow, fakeRun((name) => bundle(name === 'build-image' ? 1 : 0)).options)
    expect([jobs.build.result, jobs.result.result]).toEqual(['failure', 'failure'])
    expect(JSON.parse(jobs.result.runs[0].steps[0].script?.stdout ?? '')).toEqual(['success', 'failure'])
  })
})

describe('strategy, concurrency, names and permissions', () => {
  it('evaluates them per matrix entry and records them', async () => {
    const workflow = workflowOf(`
on:
  workflow_call:
    inputs:
      environment: { type: string, required: true }
jobs:
  deploy:
    name: deploy \${{ matrix.service }} (\${{ strategy.job-index }}/\${{ strategy.job-total }})
    environment: \${{ inputs.environment }}
    concurrency:
      group: deploy-\${{ inputs.environment }}-\${{ matrix.service }}
      cancel-in-progress: false
    permissions:
      contents: write
    strategy:
      fail-fast: false
      max-parallel: 4
      matrix:
        service: [users, cart]
    steps:
      - uses: $/actions/deploy
        with:
          service: \${{ strategy.fail-fast }} \${{ strategy.max-parallel }}
`)
    const { options, calls } = fakeRun()
    const { jobs } = await runWorkflow(workflow, { ...options, inputs: { environment: 'production' } })
    expect(jobs.deploy.permissions).toEqual({ contents: 'write' })
    expect(jobs.deploy.runs.map(({ name, environment, concurrency, cancelInProgress }) => ({ name, environment, concurrency, cancelInProgress }))).toEqual([
      { name: 'deploy users (0/2)', environment: 'production', concurrency: 'deploy-production-users', cancelInProgress: false },
      { name: 'deploy cart (1/2)', environment: 'production', concurrency: 'deploy-production-cart', cancelInProgress: false }
    ])
    expect(calls.map(({ inputs }) => inputs.service)).toEqual(['false 4', 'false 4'])
  })

  it('refuses what it does not model rather than ignoring it', async () => {
    const refused = async (job: string): Promise<void> => {
      await expect(runWorkflow(workflowOf(`on: push\njobs:\n  only:\n${job}`), fakeRun().options)).rejects.toThrow()
    }
    await refused('    container: node:24\n    steps: [{ run: "true" }]\n')
    await refused('    steps: [{ run: "true", shell: pwsh }]\n')
    await refused('    steps: [{ uses: "docker/build-push-action@v6" }]\n')
    await expect(runWorkflow(workflowOf('on: push\njobs:\n  only:\n    if: matrix.x\n    steps: []\n'), fakeRun().options)).rejects.toThrow(/matrix/)
  })
})

describe('reusable workflow calls', () => {
  const callee = `
on:
  workflow_call:
    inputs:
      service: { type: string, required: true }
      push: { type: boolean, default: false }
      attempts: { type: number, default: 1 }
    secrets:
      deploy-token: { required: true }
    outputs:
      image:
        value: \${{ jobs.build.outputs.image }}
      result:
        value: \${{ jobs.build.result }}
jobs:
  build:
    outputs:
      image: \${{ steps.build.outputs.image }}
    steps:
      - id: build
        uses: $/actions/build-image
        with:
          service: \${{ inputs.service }}
          push: \${{ inputs.push && 'yes' || 'no' }}
          tags: \${{ inputs.attempts == 2 }} \${{ secrets.deploy-token }} \${{ secrets.other }}
`

  const caller = (secrets: string) => workflowOf(`
on: push
jobs:
  plan:
    steps:
      - id: plan
        uses: $/actions/detect
    outputs:
      services: \${{ steps.plan.outputs.services }}
  ship:
    needs: plan
    name: ship \${{ matrix.service }}
    strategy:
      matrix:
        service: \${{ fromJSON(needs.plan.outputs.services) }}
    uses: $/.github/workflows/build.yml
    with:
      service: \${{ matrix.service }}
      push: \${{ matrix.service == 'cart' }}
      attempts: 2
    ${secrets}
  after:
    needs: ship
    steps:
      - uses: $/actions/gate
        with:
          services: \${{ needs.ship.outputs.image }}
`)

  const answer = (failing = ''): ((name: string, inputs: Record<string, string>) => BundleRun) => (name, inputs) =>
    name === 'detect' ? bundle(0, { services: '["users","cart"]' }) : bundle(inputs.service === failing ? 1 : 0, { image: `r/${inputs.service}` })

  it('runs the called workflow once per matrix entry with typed inputs and secrets, and takes its outputs', async () => {
    const { options, calls } = fakeRun(answer(), { '.github/workflows/build.yml': callee })
    const { jobs } = await runWorkflow(caller('secrets: inherit'), options)
    expect([jobs.ship.result, jobs.after.result]).toEqual(['success', 'success'])
    expect(jobs.ship.runs.map((entry) => [entry.name, entry.workflow?.jobs.build.runs[0].steps[0].inputs.service])).toEqual([
      ['ship users', 'users'],
      ['ship cart', 'cart']
    ])
    expect(calls.filter(({ name }) => name === 'build-image').map(({ inputs }) => [inputs.push, inputs.tags])).toEqual([
      ['no', 'true dt o'],
      ['yes', 'true dt o']
    ])
    expect(jobs.ship.runs[1].workflow?.outputs).toEqual({ image: 'r/cart', result: 'success' })
    expect(jobs.ship.outputs).toEqual({ image: 'r/cart', result: 'success' })
    expect(calls.find(({ name }) => name === 'gate')?.inputs.services).toBe('r/cart')
  })

  it('passes only the mapped secrets, fails the calling job when a called job fails, and skips what needs it', async () => {
    const { options, calls } = fakeRun(answer('users'), { './.github/workflows/build.yml': '', '.github/workflows/build.yml': callee })
    const { jobs } = await runWorkflow(caller('secrets: { deploy-token: "${{ secrets.deploy-token }}" }'), options)
    expect([jobs.ship.result, jobs.after.result]).toEqual(['failure', 'skipped'])
    expect(jobs.ship.runs.map((entry) => entry.workflow?.jobs.build.result)).toEqual(['failure', 'success'])
    expect(calls.filter(({ name }) => name === 'build-image').map(({ inputs }) => inputs.tags)).toEqual(['true dt ', 'true dt '])
  })

  it('refuses a missing required secret, a workflow from elsewhere, and more levels than GitHub connects', async () => {
    const { options } = fakeRun(answer(), {
      '.github/workflows/build.yml': callee,
      '.github/workflows/loop.yml': 'on: workflow_call\njobs:\n  again:\n    uses: ./.github/workflows/loop.yml\n'
    })
    await expect(runWorkflow(caller(''), options)).rejects.toThrow('secret deploy-token is required')
    await expect(runWorkflow(workflowOf('on: push\njobs:\n  x:\n    uses: acme/other/.github/workflows/build.yml@v1\n'), options)).rejects.toThrow('is not supported')
    await expect(runWorkflow(workflowOf('on: push\njobs:\n  start:\n    uses: ./.github/workflows/loop.yml\n'), options)).rejects.toThrow('would be a level 5 workflow; GitHub connects at most 4')
  })
})
