import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { exec } from '../../shared/src/exec/index.js'
import { Inputs, Outputs } from '../../actions/detect/src/constants.js'

const root = new URL('../..', import.meta.url).pathname
const actions = readdirSync(join(root, 'actions')).filter((name) => existsSync(join(root, 'actions', name, 'action.yml')))
const load = (file: string): any => parse(readFileSync(join(root, file), 'utf8'))

describe('action metadata', () => {
  it.each(actions)('%s runs its committed bundle on node24', (name) => {
    const action = load(`actions/${name}/action.yml`)
    expect(action.runs).toEqual({ using: 'node24', main: `../../dist/${name}/index.js` })
    expect(existsSync(join(root, 'dist', name, 'index.js'))).toBe(true)
  })

  it.each(actions)('%s describes every input and output', (name) => {
    const action = load(`actions/${name}/action.yml`)
    for (const [key, value] of [...Object.entries(action.inputs ?? {}), ...Object.entries(action.outputs ?? {})]) {
      expect([key, typeof (value as { description?: unknown }).description]).toEqual([key, 'string'])
    }
  })

  it('detect declares exactly the input and output names its code uses', () => {
    const action = load('actions/detect/action.yml')
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort())
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort())
  })

  it('the root action.yml is the detect action with the root bundle path', () => {
    const front = load('action.yml')
    const detect = load('actions/detect/action.yml')
    expect(front.inputs).toEqual(detect.inputs)
    expect(front.outputs).toEqual(detect.outputs)
    expect(front.runs).toEqual({ using: 'node24', main: 'dist/detect/index.js' })
  })

  it("docs/<action>.md tables match each action.yml (scripts/action-docs.mjs --check)", async () => {
    const result = await exec(['node', join(root, 'scripts', 'action-docs.mjs'), '--check'], { allowFailure: true })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
  })
})
