import { describe, expect, it } from '@jest/globals'
import type { Manifest, ServiceConfig } from '../../../shared/src/config/index.js'
import { parseMatrixEntry, parseServiceNames, selectTestServices } from '../../../shared/src/testing/index.js'

function service(name: string, withTests: boolean): ServiceConfig {
  return {
    name,
    path: `services/${name}`,
    patterns: [`services/${name}/**`],
    dependsOn: [],
    image: { name: `ghcr.io/acme/${name}`, context: `services/${name}`, dockerfile: `services/${name}/Dockerfile`, buildArgs: {}, platforms: ['linux/amd64'] },
    ...(withTests ? { test: { command: ['npm', 'test'], shell: false, reports: [], timeoutSeconds: 60, retries: 0, env: {} } } : {}),
    deploy: {}
  }
}

const manifest: Manifest = {
  version: 1,
  source: 'flotilla.yml',
  global: [],
  libraries: {},
  services: { users: service('users', true), docs: service('docs', false), cart: service('cart', true) },
  environments: {}
}

describe('selectTestServices', () => {
  it('takes every service with a test command when none is named', () => {
    expect(selectTestServices(manifest).services.map((chosen) => chosen.name)).toEqual(['users', 'cart'])
  })

  it('keeps manifest order and reports named services without tests', () => {
    const selection = selectTestServices(manifest, ['cart', 'docs', 'users'])
    expect(selection.services.map((chosen) => chosen.name)).toEqual(['users', 'cart'])
    expect(selection.withoutTests).toEqual(['docs'])
  })

  it('refuses an unknown name, listing the known ones', () => {
    expect(() => selectTestServices(manifest, ['carts'])).toThrow("unknown service 'carts'; the manifest has users, docs, cart")
  })
})

describe('service inputs', () => {
  it('takes a JSON list or one name', () => {
    expect(parseServiceNames('["users","cart"]')).toEqual(['users', 'cart'])
    expect(parseServiceNames(' cart ')).toEqual(['cart'])
    expect(() => parseServiceNames('["users", 3]')).toThrow('services must be a JSON array of service names')
  })

  it('reads the service of a detect matrix entry', () => {
    expect(parseMatrixEntry('{"service":"cart","path":"services/cart"}')).toBe('cart')
    expect(() => parseMatrixEntry('{"path":"services/cart"}')).toThrow('matrix-entry has no "service"')
  })
})
