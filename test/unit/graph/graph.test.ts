import { describe, expect, it } from '@jest/globals'
import { dependenciesOf, dependentsClosure, dependentsOf, findCycle } from '../../../shared/src/graph/index.js'

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
    expect(dependentsClosure(graph({ a: ['b'], b: ['a'] })).get('a')).toEqual(['b', 'a'])
  })
})
