import { describe, expect, it } from '@jest/globals'
import { inputHash, inputPaths, patternDirectories, type InputHashParts } from '../../../shared/src/build/inputs.js'
import { inputHashTag } from '../../../shared/src/build/tags.js'
import type { Manifest, ServiceConfig } from '../../../shared/src/config/types.js'

const parts: InputHashParts = {
  objects: [
    { path: 'services/cart', type: 'tree', id: 'a'.repeat(40) },
    { path: 'libs/money', type: 'tree', id: 'b'.repeat(40) }
  ],
  dockerfile: { path: 'services/cart/Dockerfile', type: 'blob', id: 'c'.repeat(40) },
  buildArgs: { NODE_VERSION: '20', MODE: 'production' },
  platforms: ['linux/amd64']
}

describe('inputHash', () => {
  it('is a valid input-hash tag value', () => {
    expect(inputHashTag(inputHash(parts))).toMatch(/^inputs-[0-9a-f]{20}$/)
  })

  it('does not depend on the order of paths, build args or platforms', () => {
    const reordered: InputHashParts = {
      ...parts,
      objects: [...parts.objects].reverse(),
      buildArgs: { MODE: 'production', NODE_VERSION: '20' }
    }
    expect(inputHash(reordered)).toBe(inputHash(parts))
    expect(inputHash({ ...parts, platforms: ['linux/arm64', 'linux/amd64'] })).toBe(
      inputHash({ ...parts, platforms: ['linux/amd64', 'linux/arm64'] })
    )
  })

  it('changes with any tree, the Dockerfile, a build arg, the target or the platforms', () => {
    const base = inputHash(parts)
    const variants: InputHashParts[] = [
      { ...parts, objects: [parts.objects[0], { ...parts.objects[1], id: 'd'.repeat(40) }] },
      { ...parts, dockerfile: { ...parts.dockerfile, id: 'e'.repeat(40) } },
      { ...parts, buildArgs: { ...parts.buildArgs, MODE: 'debug' } },
      { ...parts, target: 'runtime' },
      { ...parts, platforms: ['linux/arm64'] }
    ]
    const hashes = variants.map(inputHash)
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1)
  })
})

function service(name: string, fields: Partial<ServiceConfig> & { context?: string } = {}): ServiceConfig {
  const path = fields.path ?? `services/${name}`
  const context = fields.context ?? path
  return {
    name,
    path,
    patterns: [`${path}/**`],
    dependsOn: [],
    image: { name: `registry.test/${name}`, context, dockerfile: `${context}/Dockerfile`, buildArgs: {}, platforms: ['linux/amd64'] },
    deploy: {},
    ...fields
  }
}

const manifest: Manifest = {
  version: 1,
  source: 'flotilla.yml',
  global: [],
  libraries: {
    money: { name: 'money', patterns: ['libs/money/**', '!libs/money/**/*.md'], dependsOn: ['protos'] },
    protos: { name: 'protos', patterns: ['protos/*.proto'], dependsOn: [] },
    unused: { name: 'unused', patterns: ['libs/unused/**'], dependsOn: [] }
  },
  services: {
    cart: service('cart', { dependsOn: ['money', 'catalog'] }),
    catalog: service('catalog'),
    users: service('users'),
    gateway: service('gateway', { context: '', dependsOn: ['money'] })
  },
  environments: {}
}

describe('inputPaths', () => {
  it('covers the context and every path of the transitive depends_on closure, and nothing else', () => {
    expect(inputPaths(manifest, 'cart')).toEqual(['libs/money', 'protos', 'services/cart', 'services/catalog'])
    expect(inputPaths(manifest, 'users')).toEqual(['services/users'])
  })

  it('does not hash the whole repository for a root context: only the service and its dependencies', () => {
    expect(inputPaths(manifest, 'gateway')).toEqual(['libs/money', 'protos', 'services/gateway'])
  })

  it('names an unknown service', () => {
    expect(() => inputPaths(manifest, 'nope')).toThrow("unknown service 'nope'")
  })
})

describe('patternDirectories', () => {
  it('keeps the static directory of each including pattern', () => {
    expect(patternDirectories(['src/cart/**', '!src/cart/**/*.md', 'protos/*.proto', 'docker-compose.yml', '**/*.ts'])).toEqual([
      'src/cart',
      'protos',
      'docker-compose.yml',
      ''
    ])
  })
})
