// Runs every test file with Node's built-in runner and writes both a readable log to stdout and
// JUnit XML to reports/junit.xml (the `node --test` CLI cannot create the reports directory).
import { createWriteStream, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { run } from 'node:test'
import { junit, spec } from 'node:test/reporters'

const files = readdirSync('test')
  .filter((name) => name.endsWith('.test.js'))
  .map((name) => join('test', name))

mkdirSync('reports', { recursive: true })
const events = run({ files })
events.on('test:fail', () => {
  process.exitCode = 1
})
events.compose(junit).pipe(createWriteStream('reports/junit.xml'))
events.compose(new spec()).pipe(process.stdout)
