import { describe, expect, it } from '@jest/globals'
import type { Manifest, ServiceConfig } from '../../../shared/src/config/types.js'
import { computePlan, describePromotion, MATRIX_LIMIT, promotionOrder, promotionSteps, promotionWarnings } from '../../../shared/src/plan/index.js'

const env = (requires: string[] = [], gate?: Record<string, unknown>) => ({ requires, ...(gate === undefined ? {} : { gate }) })

describe('promotionOrder', () => {
  it('puts each environment one step after the last one it requires', () => {
    const promotion = promotionOrder({
      production: env(['staging', 'qa'], { soak: '10m' }),
      staging: env(['dev']),
      dev: env(),
      qa: env(['dev'])
    })
    expect(promotion.waves).toEqual([['dev'], ['staging', 'qa'], ['production']])
    expect(promotion.gated).toEqual(['production'])
    expect(describePromotion(promotion.waves)).toBe('dev → {staging, qa} → production')
  })

  it('waits for the longest chain, not the first requirement', () => {
    // eu requires dev directly and staging through us: it deploys after staging, not beside it.
    const { waves } = promotionOrder({ eu: env(['dev', 'us']), us: env(['dev']), dev: env() })
    expect(waves).toEqual([['dev'], ['us'], ['eu']])
  })

  it('deploys independent environments side by side, in manifest order', () => {
    expect(promotionOrder({ west: env(), east: env() }).waves).toEqual([['west', 'east']])
  })

  it('has no steps without environments', () => {
    expect(promotionOrder({})).toEqual({ waves: [], gated: [] })
  })

  it('refuses a cycle the loader would have reported', () => {
    expect(() => promotionOrder({ a: env(['b']), b: env(['a']) })).toThrow(/environment cycle/)
  })
})

function deployed(name: string, environments: string[]): ServiceConfig {
  return {
    name,
    path: `services/${name}`,
    patterns: [`services/${name}/**`],
    dependsOn: [],
    image: { name: `registry.example/${name}`, context: `services/${name}`, dockerfile: 'Dockerfile', buildArgs: {}, platforms: [] },
    deploy: Object.fromEntries(environments.map((environment) => [environment, { target: 'command' as const, command: ['true'] }]))
  }
}

function shop(services: ServiceConfig[]): Pick<Manifest, 'environments' | 'services'> {
  const environment = (name: string, requires: string[], gate?: Record<string, unknown>) => ({ name, requires, production: false, transient: false, ...(gate === undefined ? {} : { gate }) })
  return {
    services: Object.fromEntries(services.map((service) => [service.name, service])),
    environments: {
      staging: environment('staging', []),
      production: environment('production', ['staging'], { soak: '10m' }),
      eu: environment('eu', ['staging'], { soak: '10m' })
    }
  }
}

describe('promotionSteps', () => {
  it('deploys each selected service only where it has deploy settings, and gates only environments that receive one', () => {
    const manifest = shop([deployed('api', ['staging', 'production']), deployed('worker', ['production']), deployed('tool', [])])
    const steps = promotionSteps(manifest, ['api', 'worker', 'tool'])
    expect(steps).toEqual([
      {
        environments: ['staging'],
        gated: [],
        deploy: { include: [{ environment: 'staging', part: '1/1', services: ['api'] }] }
      },
      {
        // eu receives nothing from this change, so its gate does not run and it has no deploy entry.
        environments: ['production', 'eu'],
        gated: ['production'],
        deploy: {
          include: [{ environment: 'production', part: '1/1', services: ['api', 'worker'] }]
        }
      }
    ])
  })

  it('keeps every step when nothing is selected, so a workflow still sees how many there are', () => {
    const steps = promotionSteps(shop([deployed('api', ['staging'])]), [])
    expect(steps.map((step) => step.environments)).toEqual([['staging'], ['production', 'eu']])
    expect(steps.every((step) => step.deploy.include.length === 0 && step.gated.length === 0)).toBe(true)
  })

  it('splits an environment past 256 services into parts of at most 256', () => {
    const names = Array.from({ length: 600 }, (_, index) => `svc-${index}`)
    const steps = promotionSteps(shop(names.map((name) => deployed(name, ['staging']))), names)
    const shards = steps[0].deploy.include
    expect(shards.map((shard) => [shard.environment, shard.part, shard.services.length])).toEqual([
      ['staging', '1/3', MATRIX_LIMIT],
      ['staging', '2/3', MATRIX_LIMIT],
      ['staging', '3/3', 600 - 2 * MATRIX_LIMIT]
    ])
    expect(shards.flatMap((shard) => shard.services)).toEqual(names)
  })
})

describe("what pipeline.yml passes between jobs", () => {
  it("stays under GitHub's 1 MB of job outputs (counted as UTF-16) for 2,000 services deployed to three environments", () => {
    const names = Array.from({ length: 2000 }, (_, index) => `payments-ledger-reconciler-${String(index).padStart(4, '0')}`)
    const manifest: Manifest = {
      version: 1,
      source: 'flotilla.yml',
      global: [],
      libraries: {},
      services: Object.fromEntries(names.map((name) => [name, deployed(name, ['staging', 'production', 'eu'])])),
      environments: shop([]).environments
    }
    const plan = computePlan(manifest, { head: 'h'.repeat(40), all: true, reason: 'a global file changed', source: 'git', files: [], warnings: [] })
    // The plan job's outputs in pipeline.yml: services, service-shards, any-changed, promotion.
    const outputs = [JSON.stringify(plan.services.map((service) => service.name)), JSON.stringify(plan.serviceShards), 'true', JSON.stringify(plan.promotion)]
    const utf16Bytes = outputs.reduce((sum, output) => sum + output.length * 2, 0)
    expect(plan.serviceShards.flat()).toEqual(names)
    expect(utf16Bytes).toBeLessThan(1024 * 1024)
    // The full matrix entries would not fit: that is why the workflows pass names.
    expect(JSON.stringify(plan.shards).length * 2 + utf16Bytes).toBeGreaterThan(1024 * 1024)
  })
})

describe('promotionWarnings', () => {
  it('names gate criteria that cannot pass where the pipeline runs the gate', () => {
    expect(
      promotionWarnings({
        dev: env([], { soak: '10m' }),
        staging: env(['dev'], { soak: '10m', deployment: ['dev'] }),
        production: env(['staging'], { deployment: ['dev', 'qa'] }),
        qa: env(['dev'])
      })
    ).toEqual([
      'environments.dev.gate.soak: dev requires no environment, so no deployment of the commit exists when its gate runs; soak counts from the environments it requires',
      'environments.production.gate.deployment: qa is not deployed before production (it is not among what production requires), so this criterion cannot pass when the gate runs; add qa to requires'
    ])
  })

  it('has nothing to say about a consistent promotion', () => {
    expect(promotionWarnings({ staging: env(), production: env(['staging'], { soak: '30m', deployment: ['staging'] }) })).toEqual([])
  })
})
