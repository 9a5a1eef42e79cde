import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { findFiles } from '../../../shared/src/testing/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-files-'))
  for (const file of ['report.xml', 'reports/a.xml', 'reports/old/b.xml', 'reports/c.txt', 'build/test-results/test/TEST-x.xml', 'node_modules/pkg/junit.xml']) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), '')
  }
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('findFiles', () => {
  it('matches globs and plain names relative to the directory', async () => {
    expect(await findFiles(dir, ['reports/*.xml', 'report.xml'])).toEqual(['report.xml', 'reports/a.xml'])
    expect(await findFiles(dir, ['build/test-results/**/*.xml'])).toEqual(['build/test-results/test/TEST-x.xml'])
  })

  it('lets the last matching pattern win and stays out of node_modules unless named', async () => {
    expect(await findFiles(dir, ['**/*.xml', '!reports/old/**'])).toEqual(['build/test-results/test/TEST-x.xml', 'report.xml', 'reports/a.xml'])
    expect(await findFiles(dir, ['node_modules/**/junit.xml'])).toEqual(['node_modules/pkg/junit.xml'])
  })

  it('matches nothing where nothing exists', async () => {
    expect(await findFiles(dir, ['missing/*.xml'])).toEqual([])
    expect(await findFiles(dir, [])).toEqual([])
  })
})
