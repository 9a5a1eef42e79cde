/**
 * Every workflow and action.yml in the repository, checked the way GitHub reads them
 * (`@actions/workflow-parser`, GitHub's own parser) and by actionlint, plus the security rules
 * of DESIGN §8: least-privilege `permissions:` with a reason, third-party actions pinned by SHA.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { parseWorkflow, NoOperationTraceWriter } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'
import { exec } from '../../shared/src/exec/index.js'

const root = new URL('../..', import.meta.url).pathname
const workflowDir = join(root, '.github', 'workflows')
const workflows = readdirSync(workflowDir).filter((name) => /\.ya?ml$/.test(name))
const actionFiles = [
  'action.yml',
  ...readdirSync(join(root, 'actions'))
    .map((name) => `actions/${name}/action.yml`)
    .filter((file) => existsSync(join(root, file)))
]
const read = (file: string): string => readFileSync(join(root, file), 'utf8')

const actionlint = join(root, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js')

/** actionlint findings we accept, each with its reason; nothing else is silenced. */
const KNOWN_FALSE_POSITIVES: Array<{ pattern: RegExp; reason: string }> = [
  {
    pattern: /specifying action "\$\/[^"]+" in invalid format because ref is missing/,
    reason: "the self-repository reference `$/path` (GitHub, July 2026) is newer than the actionlint on npm"
  },
  {
    pattern: /reusable workflow call "\$\/\.github\/workflows\/[^"]+" at "uses" is not following the format/,
    reason: 'the same `$/path` self-reference, for the shard workflows a reusable workflow calls'
  }
]

const LEVEL = { none: 0, read: 1, write: 2 } as const
type Level = keyof typeof LEVEL

describe.each(workflows)('workflow %s', (name) => {
  const file = `.github/workflows/${name}`
  const text = read(file)

  it("parses without errors with GitHub's workflow parser", () => {
    const result = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter())
    expect(result.context.errors.getErrors().map((error) => error.message)).toEqual([])
    expect(result.value).toBeDefined()
  })

  it('passes actionlint', async () => {
    // The package's API needs CommonJS `require`, which jest's ESM mode lacks: run its CLI instead.
    const result = await exec(['node', actionlint, file], { cwd: root, allowFailure: true })
    const findings = result.stdout
      .toString('utf8')
      .split('\n')
      .filter((line) => line.startsWith(`${file}:`))
    expect(findings.filter((line) => !KNOWN_FALSE_POSITIVES.some((known) => known.pattern.test(line)))).toEqual([])
    if (findings.length === 0) expect(result.exitCode).toBe(0)
  })

  it('grants no permission by default and explains every permission a job takes', () => {
    const workflow = parse(text)
    const lines = text.split('\n')
    if (workflow.permissions === undefined) {
      // Only a workflow that nothing but a job of ours calls may leave its jobs to inherit that
      // job's grant (which the calling job declares and explains), and it must say so.
      expect(Object.keys(workflow.on)).toEqual(['workflow_call'])
      expect(text).toMatch(/# No `permissions:` here on purpose/)
      for (const [jobName, job] of Object.entries<any>(workflow.jobs)) expect([jobName, job.permissions]).toEqual([jobName, undefined])
      return
    }
    expect(workflow.permissions).toEqual({})
    for (const [jobName, job] of Object.entries<any>(workflow.jobs)) {
      expect([jobName, typeof job.permissions]).toEqual([jobName, 'object'])
      for (const scope of Object.keys(job.permissions)) {
        const line = lines.find((candidate) => new RegExp(`^\\s+${scope}: (read|write|none)`).test(candidate))
        expect([jobName, scope, line]).toEqual([jobName, scope, expect.stringMatching(/ # \S/)])
      }
    }
  })

  it('pins every third-party action by full commit SHA with a version comment', () => {
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^\s#]+)(.*)$/gm)]
    for (const [, target, rest] of uses) {
      if (target.startsWith('./') || target.startsWith('$/')) continue
      expect([target, rest]).toEqual([expect.stringMatching(/^[^@]+@[0-9a-f]{40}$/), expect.stringMatching(/# v\d/)])
    }
  })

  it("passes only inputs the suite's actions declare, and reads only outputs they declare", () => {
    const workflow = parse(text)
    for (const [jobName, job] of Object.entries<any>(workflow.jobs)) {
      const actionOfStep = new Map<string, any>()
      for (const step of job.steps ?? []) {
        const own = /^\$\/actions\/([\w-]+)$/.exec(step.uses ?? '')
        if (!own) continue
        const action = parse(read(`actions/${own[1]}/action.yml`))
        if (step.id) actionOfStep.set(step.id, action)
        for (const input of Object.keys(step.with ?? {})) {
          expect([jobName, own[1], input, Object.hasOwn(action.inputs ?? {}, input)]).toEqual([jobName, own[1], input, true])
        }
      }
      for (const [, stepId, output] of JSON.stringify(job).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const action = actionOfStep.get(stepId)
        if (action === undefined) continue
        expect([jobName, stepId, output, Object.hasOwn(action.outputs ?? {}, output)]).toEqual([jobName, stepId, output, true])
      }
    }
  })

  it('calls its shard workflows with the inputs and secrets they declare, and grants what their jobs take', () => {
    const workflow = parse(text)
    for (const [jobName, job] of Object.entries<any>(workflow.jobs)) {
      const own = /^\$\/\.github\/workflows\/([\w.-]+)$/.exec(job.uses ?? '')
      if (job.uses !== undefined) expect([jobName, job.uses, own !== null]).toEqual([jobName, job.uses, true])
      if (own === null) continue
      const callee = parse(read(`.github/workflows/${own[1]}`))
      const declared = callee.on.workflow_call
      for (const input of Object.keys(job.with ?? {})) expect([jobName, input, Object.hasOwn(declared.inputs ?? {}, input)]).toEqual([jobName, input, true])
      for (const [input, spec] of Object.entries<any>(declared.inputs ?? {})) {
        if (spec.required) expect([jobName, input, Object.hasOwn(job.with ?? {}, input)]).toEqual([jobName, input, true])
      }
      for (const secret of Object.keys(job.secrets ?? {})) expect([jobName, secret, Object.hasOwn(declared.secrets ?? {}, secret)]).toEqual([jobName, secret, true])
      // GitHub refuses to start a run whose called job asks for more than its caller job grants.
      for (const [calleeJob, spec] of Object.entries<any>(callee.jobs)) {
        for (const [scope, level] of Object.entries<Level>(spec.permissions ?? {})) {
          const granted: Level = job.permissions[scope] ?? 'none'
          expect([jobName, calleeJob, scope, LEVEL[granted] >= LEVEL[level]]).toEqual([jobName, calleeJob, scope, true])
        }
      }
    }
  })
})

describe('the actions', () => {
  it('all run on the same runtime', () => {
    const runtimes = new Set(actionFiles.map((file) => parse(read(file)).runs.using))
    expect([...runtimes]).toEqual(['node24'])
  })
})

describe.each(actionFiles)('%s', (file) => {
  it("parses without errors with GitHub's action parser", () => {
    const result = parseAction({ name: file, content: read(file) }, new NoOperationTraceWriter())
    expect(result.context.errors.getErrors().map((error) => error.message)).toEqual([])
  })
})
