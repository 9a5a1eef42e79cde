import { describe, expect, it } from '@jest/globals'
import { locatePath } from '../../../shared/src/config/index.js'

const TEXT = `version: 1
environments:
  staging: {}
  production:
    requires: [staging]
`

describe('locatePath', () => {
  it('finds where the value at a key path is written', () => {
    expect(locatePath(TEXT, 'flotilla.yml', ['environments', 'production', 'requires'])).toEqual({ file: 'flotilla.yml', line: 5, column: 15 })
  })

  it('falls back to the nearest ancestor that exists, then to the start of the file', () => {
    expect(locatePath(TEXT, 'flotilla.yml', ['environments', 'staging', 'requires'])).toEqual({ file: 'flotilla.yml', line: 3, column: 12 })
    expect(locatePath(TEXT, 'flotilla.yml', ['services'])).toEqual({ file: 'flotilla.yml', line: 1, column: 1 })
    expect(locatePath('environments: [', 'flotilla.yml', ['environments'])).toEqual({ file: 'flotilla.yml', line: 1, column: 1 })
  })
})
