import { describe, expect, test } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { schemaFields, schemaKeyPaths, validateManifestText } from '../../../shared/src/config/index.js'
import { makeRepo, removeRepo } from './repo.js'

const reference = await readFile(new URL('../../../docs/manifest.md', import.meta.url), 'utf8')

/** The reference table rows: key path → the row's cells. */
function tableRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>()
  for (const line of reference.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim())
    const key = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1]
    if (key !== undefined) rows.set(key, cells)
  }
  return rows
}

describe('docs/manifest.md', () => {
  const rows = tableRows()

  test('has a row for every key of the schema and none for keys the schema lacks', () => {
    expect([...rows.keys()].sort()).toEqual([...schemaKeyPaths()].sort())
  })

  test('states each documented default and marks each required key', () => {
    for (const [path, field] of schemaFields()) {
      const [, , required, defaultValue] = rows.get(path) ?? []
      expect({ path, required: required === 'yes' }).toEqual({ path, required: field.required === true })
      expect({ path, default: defaultValue }).toEqual({ path, default: field.default ?? '—' })
    }
  })

  test('holds a complete example that loads', async () => {
    const example = /## A complete example\n+```yaml\n([\s\S]*?)```/.exec(reference)?.[1]
    expect(example).toBeDefined()
    const root = await makeRepo({ 'src/cart/': '', 'src/catalog/': '', 'protos/': '' })
    try {
      const manifest = await validateManifestText(example!, 'flotilla.yml', root)
      expect(Object.keys(manifest.services)).toEqual(['cart', 'catalog'])
      expect(manifest.environments.production).toEqual({ name: 'production', requires: ['staging'], production: true, transient: false, gate: { soak: '30m' } })
    } finally {
      await removeRepo(root)
    }
  })
})
