import { describe, expect, it } from '@jest/globals'
import { dependenciesOf, dependentsClosure, dependentsOf, findCycle, shortestCycle, stronglyConnectedComponents } from '../../../shared/src/graph/index.js'

const graph = (entries: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(entries))

describe('findCycle', () => {
  it('finds none in a graph without cycles, with shared and unknown dependencies', () => {
    expect(findCycle(graph({ cart: ['protos', 'catalog'], catalog: ['protos'], protos: [], web: ['cart', 'external'] }))).toBeUndefined()
    expect(findCycle(new Map())).toBeUndefined()
  })

  it('names a cycle from where it closes', () => {
    expect(findCycle(graph({ web: ['cart'], cart: ['catalog'], catalog: ['protos', 'cart'], protos: [] }))).toEqual([
      'cart',
      'catalog',
      'cart'
    ])
  })

  it('names a self-dependency', () => {
    expect(findCycle(graph({ a: [], b: ['b'] }))).toEqual(['b', 'b'])
  })

  it('reports the first cycle in insertion order', () => {
    const edges = graph({ x: ['y'], y: ['x'], a: ['b'], b: ['a'] })
    expect(findCycle(edges)).toEqual(['x', 'y', 'x'])
  })

  it('walks a 100,000-long chain without overflowing the stack', () => {
    const edges = new Map<string, string[]>()
    for (let i = 0; i < 100_000; i++) edges.set(`n${i}`, [`n${i + 1}`])
    expect(findCycle(edges)).toBeUndefined()
    edges.set('n100000', ['n0'])
    expect(findCycle(edges)).toHaveLength(100_002)
  })
})

describe('dependents and dependencies', () => {
  const edges = graph({ protos: [], auth: ['protos'], catalog: ['protos'], cart: ['catalog', 'auth'], web: ['cart'], admin: [] })

  it('dependentsClosure lists, for every node, who depends on it directly or transitively', () => {
    const closure = dependentsClosure(edges)
    expect(closure.get('protos')).toEqual(['auth', 'catalog', 'cart', 'web'])
    expect(closure.get('catalog')).toEqual(['cart', 'web'])
    expect(closure.get('web')).toEqual([])
    expect(closure.get('admin')).toEqual([])
  })

  it('dependentsOf and dependenciesOf walk from several starts', () => {
    expect(dependentsOf(edges, ['auth', 'catalog']).sort()).toEqual(['cart', 'web'])
    expect(dependenciesOf(edges, ['web', 'admin']).sort()).toEqual(['auth', 'cart', 'catalog', 'protos'])
  })

  it('terminates on a cycle', () => {
    expect(dependentsClosure(graph({ a: ['b'], b: ['a'] })).get('a')).toEqual(['a', 'b'])
  })
})

describe('cycles in the closure', () => {
  // web depends on a tool chain whose compiler is tested with the bundler built from it.
  const edges = graph({ web: ['bundler'], bundler: ['compiler'], compiler: ['core', 'plugins'], plugins: ['bundler'], core: [], docs: ['compiler'] })

  it('a change to any member of a group that depends on itself selects the whole group and all that depends on any member', () => {
    const closure = dependentsClosure(edges)
    for (const member of ['bundler', 'compiler', 'plugins']) expect([...closure.get(member)!].sort()).toEqual(['bundler', 'compiler', 'docs', 'plugins', 'web'])
    expect([...closure.get('core')!].sort()).toEqual(['bundler', 'compiler', 'docs', 'plugins', 'web'])
    expect(closure.get('web')).toEqual([])
  })

  it('stronglyConnectedComponents groups the members of each cycle, dependencies before dependents', () => {
    expect(stronglyConnectedComponents(edges)).toEqual([['core'], ['bundler', 'compiler', 'plugins'], ['web'], ['docs']])
    expect(stronglyConnectedComponents(graph({ a: ['a'], b: [] }))).toEqual([['a'], ['b']])
  })

  it('dependentsClosure walks a cycle of 100,000 nodes (a DFS that deep) without overflowing the stack, one answer for all', () => {
    const chain = new Map<string, string[]>()
    for (let i = 0; i < 100_000; i++) chain.set(`n${i}`, [`n${i + 1}`])
    chain.set('n100000', ['n0'])
    const closure = dependentsClosure(chain)
    expect(closure.get('n0')).toHaveLength(100_001)
    expect(closure.get('n0')).toBe(closure.get('n50000'))
  })

  it('shortestCycle names the shortest cycle through a node, or none', () => {
    const cycles = graph({ a: ['b', 'c'], b: ['d'], d: ['a'], c: ['a'] })
    expect(shortestCycle(cycles, 'a')).toEqual(['a', 'c', 'a'])
    expect(shortestCycle(cycles, 'd')).toEqual(['d', 'a', 'b', 'd'])
    expect(shortestCycle(graph({ a: ['a'] }), 'a')).toEqual(['a', 'a'])
    expect(shortestCycle(edges, 'web')).toBeUndefined()
  })
})
