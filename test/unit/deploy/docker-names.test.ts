import { describe, expect, it } from '@jest/globals'
import { containerNames, parseContainers, planReplacement, type HostContainer } from '../../../shared/src/deploy/index.js'

const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

describe('containerNames', () => {
  it('names the container after the service and the environment, its previous one after that', () => {
    expect(containerNames('cart', 'staging')).toEqual({ name: 'cart_staging', backup: 'cart_staging_previous' })
    expect(containerNames('cart-api', 'eu-west.1')).toEqual({ name: 'cart-api_eu-west.1', backup: 'cart-api_eu-west.1_previous' })
  })

  it('makes any names a valid docker name, with a hash when characters had to be replaced', () => {
    for (const [service, environment] of [['cart', 'prod/eu'], ['cart', 'Production EU'], ['-cart', 'staging'], ['cart', ''], ['ünïcode', 'stäging'], ['cart', 'x'.repeat(200)]]) {
      const { name, backup } = containerNames(service, environment)
      expect(name).toMatch(DOCKER_NAME)
      expect(backup).toMatch(DOCKER_NAME)
      expect(name).toMatch(/_[0-9a-f]{10}$/)
      expect(name.length).toBeLessThan(100)
    }
    expect(containerNames('cart', 'prod/eu').name).toMatch(/^cart_prod-eu_[0-9a-f]{10}$/)
  })

  it('never gives two deploys one container, nor one deploy the name of another one\'s previous', () => {
    const pairs = [
      ['cart', 'a-b'], ['cart-a', 'b'], ['cart_a', 'b'], ['cart', 'a_b'], ['cart', 'prod/eu'], ['cart', 'prod eu'], ['cart', 'prod-eu'],
      ['cart', 'staging'], ['cart', 'staging_previous'], ['cart_staging', 'previous'], ['cart', 'staging-previous'], ['cart', 'previous']
    ]
    const names = pairs.flatMap(([service, environment]) => Object.values(containerNames(service, environment)))
    expect(new Set(names).size).toBe(names.length)
  })
})

describe('planReplacement', () => {
  const container = (name: string, service: string, environment: string, state = 'running'): HostContainer => ({ name, state, service, environment })

  it('replaces the container of its own environment, never the same service in another one', () => {
    const host = [container('cart_staging', 'cart', 'staging'), container('cart_production', 'cart', 'production'), container('basket_staging', 'basket', 'staging')]
    expect(planReplacement(host, 'cart', 'production')).toEqual({ name: 'cart_production', backup: 'cart_production_previous', previous: host[1], staleBackup: false })
    expect(planReplacement(host.slice(0, 1), 'cart', 'production')).toEqual({ name: 'cart_production', backup: 'cart_production_previous', staleBackup: false })
  })

  it("takes over an earlier version's container, named after the service alone, by its labels", () => {
    const legacy = container('cart', 'cart', 'staging')
    expect(planReplacement([legacy], 'cart', 'staging').previous).toBe(legacy)
    expect(planReplacement([legacy], 'cart', 'production').previous).toBeUndefined()
    // A stopped leftover of a deploy that died: the running one is what the environment runs.
    const leftover = container('cart-previous', 'cart', 'staging', 'exited')
    expect(planReplacement([leftover, legacy], 'cart', 'staging').previous).toBe(legacy)
  })

  it('takes a previous container left by a deploy that died, and removes a stale one first', () => {
    const backup = container('cart_staging_previous', 'cart', 'staging', 'exited')
    expect(planReplacement([backup], 'cart', 'staging')).toMatchObject({ previous: backup, staleBackup: false })
    const current = container('cart_staging', 'cart', 'staging')
    expect(planReplacement([backup, current], 'cart', 'staging')).toMatchObject({ previous: current, staleBackup: true })
  })

  it('refuses a name held by a container that is not this deploy\'s, naming it and its labels', () => {
    expect(() => planReplacement([container('cart_staging', '', '')], 'cart', 'staging')).toThrow(
      "the container cart_staging on the Docker host is not cart's staging deployment (it has no Flotilla labels): rename or remove it"
    )
    expect(() => planReplacement([container('cart_staging_previous', 'cart', 'production')], 'cart', 'staging')).toThrow(
      'it has labels flotilla.service=cart, flotilla.environment=production'
    )
  })
})

describe('parseContainers', () => {
  it('reads the JSON lines of `docker ps --format`, labels with any characters included', () => {
    expect(parseContainers('["cart_staging","running","cart","staging"]\n["other","exited","",""]\n["x","running","a\\tb","c\\nd"]\n')).toEqual([
      { name: 'cart_staging', state: 'running', service: 'cart', environment: 'staging' },
      { name: 'other', state: 'exited', service: '', environment: '' },
      { name: 'x', state: 'running', service: 'a\tb', environment: 'c\nd' }
    ])
  })
})
