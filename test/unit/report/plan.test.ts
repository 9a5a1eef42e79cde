import { describe, expect, it } from '@jest/globals'
import type { ChangeSet } from '../../../shared/src/changes/types.js'
import type { Manifest, ServiceConfig } from '../../../shared/src/config/types.js'
import { computePlan } from '../../../shared/src/plan/index.js'
import { planDocument, planSummaryMarkdown, planText } from '../../../shared/src/report/plan.js'

function service(name: string, dependsOn: string[] = []): ServiceConfig {
  const path = `services/${name}`
  return {
    name,
    path,
    patterns: [`${path}/**`],
    dependsOn,
    image: { name: `ghcr.io/acme/${name}`, context: path, dockerfile: `${path}/Dockerfile`, buildArgs: {}, platforms: ['linux/amd64'] },
    deploy: {}
  }
}

function manifest(services: ServiceConfig[]): Manifest {
  return {
    version: 1,
    source: 'flotilla.yml',
    global: [],
    libraries: { money: { name: 'money', patterns: ['libs/money/**'], dependsOn: [] } },
    services: Object.fromEntries(services.map((entry) => [entry.name, entry])),
    environments: {}
  }
}

function changes(paths: string[]): ChangeSet {
  return {
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    all: false,
    files: paths.map((path) => ({ path, status: 'modified' })),
    reason: 'push to main: before..after',
    source: 'git',
    warnings: []
  }
}

describe('plan reports', () => {
  it('escape file names so a hostile name cannot break the summary table or inject markup', () => {
    const fleet = manifest([service('cart')])
    const hostile = 'services/cart/a|b`c<img src=x>\n*d*.js'
    const markdown = planSummaryMarkdown(fleet, changes([hostile]), computePlan(fleet, changes([hostile])))
    const row = markdown.split('\n').find((line) => line.startsWith('| <code>cart</code>'))
    expect(row).toBeDefined()
    expect(row!.split('|')).toHaveLength(5) // the row's own four cells, no more
    expect(markdown).not.toContain('<img')
    expect(row).toContain('a&#124;b&#96;c&#60;img src=x&#62;&#92;n&#42;d&#42;.js')
  })

  it('count the reasons a large change leaves out, in the document, the summary and the text', () => {
    const fleet = manifest([service('cart')])
    const paths = Array.from({ length: 12 }, (_, i) => `services/cart/f${i}.js`)
    const plan = computePlan(fleet, changes(paths))
    const document = planDocument(fleet, changes(paths), plan)
    expect(document.reasons.cart).toHaveLength(6)
    expect(document.reasons.cart.at(-1)).toBe('and 7 more')
    expect(planSummaryMarkdown(fleet, changes(paths), plan)).toContain('and 7 more')
    expect(planText(fleet, changes(paths), plan)).toMatch(/^\s+and 7 more$/m)
  })

  it('draw the affected graph, and leave out one too large to draw', () => {
    const small = manifest([service('cart', ['money']), service('users')])
    const smallPlan = computePlan(small, changes(['libs/money/index.js']))
    expect(planSummaryMarkdown(small, changes(['libs/money/index.js']), smallPlan)).toMatch(/```mermaid\ngraph LR\n {2}n0\[\("money"\)\]:::changed\n {2}n1\["cart"\]:::selected\n {2}n0 --> n1\n/)

    const large = manifest(Array.from({ length: 200 }, (_, i) => service(`s${i}`, ['money'])))
    const largePlan = computePlan(large, changes(['libs/money/index.js']))
    const markdown = planSummaryMarkdown(large, changes(['libs/money/index.js']), largePlan)
    expect(markdown).not.toContain('```mermaid')
    expect(markdown).toContain('201 nodes; it is too large to draw')
  })

  it('say plainly when nothing is affected', () => {
    const fleet = manifest([service('cart')])
    const plan = computePlan(fleet, changes(['README.md']))
    expect(planSummaryMarkdown(fleet, changes(['README.md']), plan)).toContain('No service is affected by this change.')
    expect(planDocument(fleet, changes(['README.md']), plan)).toMatchObject({ services: [], anyChanged: false })
  })
})
