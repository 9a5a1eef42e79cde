import { describe, expect, it } from '@jest/globals'
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManifestError, validateManifestText } from '../../../shared/src/config/index.js'

describe('gate settings in the manifest', () => {
  it('are validated at load time, each problem at its own line and key', async () => {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-gate-manifest-'))
    try {
      await mkdir(join(root, 'svc'))
      const text = [
        'version: 1',
        'services:',
        '  api: { path: svc }',
        'environments:',
        '  staging: {}',
        '  production:',
        '    requires: [staging]',
        '    gate:',
        '      soak: forever',
        ''
      ].join('\n')
      const error = await validateManifestText(text, 'flotilla.yml', root).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ManifestError)
      const problems = (error as ManifestError).problems
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ file: 'flotilla.yml', line: 9, column: 13, keyPath: 'environments.production.gate.soak' })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe('environment flags', () => {
  it('default production by name and transient to false, and take both from the manifest', async () => {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-env-flags-'))
    try {
      await mkdir(join(root, 'svc'))
      const text = ['version: 1', 'services:', '  api: { path: svc }', 'environments:', '  pr-12: { transient: true }', '  production: {}', ''].join('\n')
      const manifest = await validateManifestText(text, 'flotilla.yml', root)
      expect(manifest.environments['pr-12']).toMatchObject({ transient: true, production: false })
      expect(manifest.environments.production).toMatchObject({ transient: false, production: true })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
