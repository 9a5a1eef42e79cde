#!/usr/bin/env node
// Writes the inputs/outputs tables of docs/<action>.md from actions/<action>/action.yml, between
// `<!-- action-docs:start NAME -->` and `<!-- action-docs:end NAME -->`. With --check it changes
// nothing and exits 1 when a page has drifted (the test suite runs it so).
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

const root = new URL('..', import.meta.url).pathname
const check = process.argv.includes('--check')

export function renderTables(action) {
  const cell = (text) => String(text ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
  const lines = ['### Inputs', '', '| name | default | description |', '| --- | --- | --- |']
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    const fallback = input.default === undefined || input.default === '' ? (input.required ? '*required*' : '') : `\`${cell(input.default)}\``
    lines.push(`| \`${name}\` | ${fallback} | ${cell(input.description)} |`)
  }
  lines.push('', '### Outputs', '', '| name | description |', '| --- | --- |')
  for (const [name, output] of Object.entries(action.outputs ?? {})) lines.push(`| \`${name}\` | ${cell(output.description)} |`)
  return lines.join('\n')
}

let drifted = 0
for (const name of readdirSync(join(root, 'actions'))) {
  const actionFile = join(root, 'actions', name, 'action.yml')
  const page = join(root, 'docs', `${name}.md`)
  if (!existsSync(actionFile)) continue
  if (!existsSync(page)) {
    console.error(`docs/${name}.md is missing`)
    drifted++
    continue
  }
  const text = readFileSync(page, 'utf8')
  const start = `<!-- action-docs:start ${name} -->`
  const end = `<!-- action-docs:end ${name} -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) {
    console.error(`docs/${name}.md has no ${start} … ${end} block`)
    drifted++
    continue
  }
  const updated = `${text.slice(0, from + start.length)}\n${renderTables(parse(readFileSync(actionFile, 'utf8')))}\n${text.slice(to)}`
  if (updated === text) continue
  if (check) {
    console.error(`docs/${name}.md is out of date with actions/${name}/action.yml: run node scripts/action-docs.mjs`)
    drifted++
  } else {
    writeFileSync(page, updated)
    console.log(`wrote docs/${name}.md`)
  }
}
process.exit(drifted > 0 ? 1 : 0)
