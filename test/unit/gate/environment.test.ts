import { describe, expect, test } from '@jest/globals'
import { environmentGate, gateScope } from '../../../shared/src/gate/index.js'

const manifest = {
  source: 'flotilla.yml',
  environments: {
    staging: { name: 'staging', requires: [], production: false, transient: false, gate: { soak: '30m', deployment: ['qa'] } },
    production: { name: 'production', requires: ['staging'], production: true, transient: false }
  }
}

describe('environmentGate', () => {
  test("the manifest's criteria", () => {
    expect(environmentGate(manifest, 'staging').criteria.map((criterion) => criterion.name)).toEqual(['deployment', 'soak'])
  })

  test("an override's top-level keys replace the manifest's, and may add criteria", () => {
    const gate = environmentGate(manifest, 'staging', 'soak: 5m\nchecks: { names: [build] }')
    expect(gate.criteria).toEqual([expect.objectContaining({ name: 'checks', names: ['build'] }), expect.objectContaining({ name: 'deployment' }), expect.objectContaining({ name: 'soak', durationSeconds: 300 })])
  })

  test('an override alone gates an environment the manifest gives no gate', () => {
    expect(environmentGate(manifest, 'production', '{"soak": "1h"}').criteria).toEqual([expect.objectContaining({ name: 'soak', durationSeconds: 3600 })])
    expect(() => environmentGate(manifest, 'production')).toThrow('environments.production.gate is not declared in flotilla.yml: there is nothing to gate on')
  })

  test("a mistake in the override is reported as the override's", () => {
    expect(() => environmentGate(manifest, 'staging', 'soak: soon')).toThrow(/^gate override\.soak: /)
    expect(() => environmentGate(manifest, 'staging', '- soak')).toThrow('gate override: expected a mapping of gate criteria, e.g. "soak: 10m"')
  })

  test('an unknown environment suggests the close one', () => {
    expect(() => environmentGate(manifest, 'stagign')).toThrow('environment "stagign" is not in flotilla.yml (did you mean "staging"?)')
  })
})

describe('gateScope', () => {
  const shop = {
    ...manifest,
    services: {
      cart: { deploy: { staging: { target: 'command' as const }, production: { target: 'command' as const } } },
      billing: { deploy: { production: { target: 'command' as const } } }
    }
  } as unknown as Parameters<typeof gateScope>[0]

  test('soak counts from the environments the gated one requires, or from itself when it requires none', () => {
    expect(gateScope(shop, 'production').soakEnvironments).toEqual(['staging'])
    expect(gateScope(shop, 'staging').soakEnvironments).toEqual(['staging'])
  })

  test('with services, each counts only in the environments it has deploy settings for', () => {
    expect(gateScope(shop, 'production', ['cart', 'billing']).scope).toEqual({
      services: ['cart', 'billing'],
      deploysTo: { cart: ['staging', 'production'], billing: ['production'] }
    })
    expect(gateScope(shop, 'production').scope).toEqual({})
  })
})
