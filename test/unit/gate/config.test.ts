import { readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { parseGateConfig, type GateCriterion } from '../../../shared/src/gate/index.js'

const PATH = 'environments.production.gate'

function problems(raw: unknown): string[] {
  return parseGateConfig(raw, PATH).problems.map((problem) => `${problem.keyPath}: ${problem.message}`)
}

function criteria(raw: unknown): GateCriterion[] {
  const { gate, problems: found } = parseGateConfig(raw, PATH)
  expect(found).toEqual([])
  return gate!.criteria
}

describe('parseGateConfig', () => {
  test('the full example in docs/gate.md is valid', () => {
    const docs = readFileSync(new URL('../../../docs/gate.md', import.meta.url), 'utf8')
    const example = /## Full example\s+```yaml\n([\s\S]*?)```/.exec(docs)![1]
    const { gate, problems: found } = parseGateConfig(parse(example).environments.production.gate, PATH)
    expect(found).toEqual([])
    expect(gate!.timeoutSeconds).toBe(2700)
    expect(gate!.criteria.map((criterion) => criterion.name)).toEqual([
      'checks',
      'deployment',
      'http.health',
      'prometheus.error-rate',
      'prometheus.saturation',
      'canary.checkout',
      'soak',
      'window'
    ])
  })

  test('no gate is no criteria and no problem', () => {
    expect(parseGateConfig(undefined, PATH)).toEqual({ problems: [] })
  })

  test('fills Argo defaults and reads durations as seconds', () => {
    const [prometheus] = criteria({
      prometheus_address: 'http://127.0.0.1:9090',
      prometheus: { errors: { query: 'up', success: 'result == 1', interval: '30s', count: 4 } }
    })
    expect(prometheus).toMatchObject({
      name: 'prometheus.errors',
      address: 'http://127.0.0.1:9090',
      noData: 'inconclusive',
      success: { source: 'result == 1' },
      evaluation: { initialDelaySeconds: 0, intervalSeconds: 30, count: 4, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, consecutiveSuccessLimit: 0, dryRun: false }
    })
  })

  test('shorthands for soak and deployment', () => {
    expect(criteria({ soak: '30m', deployment: ['staging'] })).toEqual([
      expect.objectContaining({ name: 'deployment', environments: ['staging'] }),
      expect.objectContaining({ name: 'soak', durationSeconds: 1800 })
    ])
  })

  test('checks derive their schedule from wait and interval', () => {
    const [checks] = criteria({ checks: { wait: '5m', interval: '1m' } })
    expect(checks).toMatchObject({ waitSeconds: 300, evaluation: { intervalSeconds: 60, count: 6, inconclusiveLimit: 6, consecutiveSuccessLimit: 1, failureLimit: 0 } })
  })

  test('window entries inherit the window time zone', () => {
    const [window] = criteria({ window: { time_zone: 'America/New_York', deny: [{ cron: '0 0 * * 0', duration: '24h', reason: 'Sunday' }, { cron: '@daily', duration: '1h', time_zone: 'UTC' }] } })
    expect(window).toMatchObject({ deny: [{ timeZone: 'America/New_York', durationSeconds: 86400, reason: 'Sunday' }, { timeZone: 'UTC' }] })
  })

  test('reports every problem with its key path', () => {
    expect(
      problems({
        timout: '10m',
        soak: 'soon',
        prometheus: {
          'error-rate': { query: 'up', success: 'result < 0.01 && exec()', failureLimit: 2, count: 3 },
          latency: { query: 'up' }
        },
        window: { time_zone: 'Mars/Olympus', allow: [{ cron: '0 25 * * *', duration: '8h' }] },
        http: { health: { url: 'ftp://example.com', status: 700 } }
      })
    ).toEqual([
      `${PATH}.timout: unknown key "timout" (did you mean "timeout"?)`,
      `${PATH}.http.health.url: expected an http:// or https:// URL, got "ftp://example.com"`,
      `${PATH}.http.health.status: expected an HTTP status code (100-599), got 700`,
      `${PATH}.prometheus.error-rate.failureLimit: unknown key "failureLimit" (did you mean "failure_limit"?)`,
      `${PATH}.prometheus.error-rate: no Prometheus address: set address here or prometheus_address on the gate, or give one to the run (the gate action's prometheus-address input, flotilla gate --prometheus-address)`,
      `${PATH}.prometheus.error-rate.success: expected "result", "result[i]" or a number, found "exec" at column 18 in "result < 0.01 && exec()"`,
      `${PATH}.prometheus.error-rate.count: count 3 needs an interval between measurements`,
      `${PATH}.prometheus.latency: no Prometheus address: set address here or prometheus_address on the gate, or give one to the run (the gate action's prometheus-address input, flotilla gate --prometheus-address)`,
      `${PATH}.prometheus.latency: give a success condition, a failure condition or both (e.g. success: result < 0.01)`,
      `${PATH}.soak: expected a positive duration such as 30s, 5m or 1h30m, got "soon"`,
      `${PATH}.window.time_zone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
      `${PATH}.window.allow[0].cron: "0 25 * * *": hour field "25": 25 is outside 0-23`
    ])
  })

  test('refuses limits that cannot decide', () => {
    expect(problems({ soak: { duration: '1m', failure_limit: -1 } })).toEqual([
      `${PATH}.soak: failure_limit -1 disables failures, so set consecutive_success_limit: something has to decide the outcome`
    ])
    expect(problems({ soak: { duration: '1m', consecutive_success_limit: 3, count: 2, interval: '1m' } })).toEqual([
      `${PATH}.soak.consecutive_success_limit: 3 successes in a row can never happen within count 2`
    ])
  })

  test('refuses a schedule longer than the gate timeout', () => {
    expect(problems({ timeout: '10m', prometheus_address: 'http://p:9090', prometheus: { slow: { query: 'up', success: 'result > 0', interval: '5m', count: 3 } } })).toEqual([
      `${PATH}.timeout: the gate times out after 10m, but prometheus.slow needs 10m to take its 3 measurements; raise timeout or lower count/interval`
    ])
  })

  test('canary settings are checked', () => {
    expect(
      problems({
        prometheus_address: 'http://p:9090',
        canary: { checkout: { confidence: 1.5, thresholds: { pass: 70, marginal: 80 }, metrics: { latency: { canary: 'a', direction: 'up' } } } }
      })
    ).toEqual([
      `${PATH}.canary.checkout.confidence: expected a number > 0 and < 1, got 1.5`,
      `${PATH}.canary.checkout.thresholds: marginal (80) is above pass (70)`,
      `${PATH}.canary.checkout.metrics.latency: missing required key "baseline"`,
      `${PATH}.canary.checkout.metrics.latency.direction: expected one of increase, decrease, either, got "up"`
    ])
  })

  test('a gate that is not a mapping', () => {
    expect(problems(['soak'])).toEqual([`${PATH}: expected a mapping, got a list`])
  })

  describe('Prometheus addresses', () => {
    const gate = {
      prometheus_address: 'http://gate:9090',
      prometheus: { own: { address: 'http://own:9090', query: 'up', success: 'result == 1' }, inherited: { query: 'up', success: 'result == 1' } },
      canary: { cart: { metrics: { latency: { canary: 'a', baseline: 'b' } } } }
    }
    const addresses = (raw: unknown, options: Parameters<typeof parseGateConfig>[2]) =>
      parseGateConfig(raw, PATH, options).gate?.criteria.map((criterion) => [criterion.name, 'address' in criterion ? criterion.address : undefined])

    test("a criterion's own, else the gate's; the run's replaces both", () => {
      expect(addresses(gate, {})).toEqual([['prometheus.own', 'http://own:9090'], ['prometheus.inherited', 'http://gate:9090'], ['canary.cart', 'http://gate:9090']])
      expect(addresses(gate, { prometheusAddress: 'http://run:9090' })).toEqual([['prometheus.own', 'http://run:9090'], ['prometheus.inherited', 'http://run:9090'], ['canary.cart', 'http://run:9090']])
    })

    test("the run's address fills in where the manifest has none", () => {
      const { prometheus_address: _, ...addressless } = gate
      expect(addresses(addressless, { prometheusAddress: 'http://run:9090' })).toEqual([['prometheus.own', 'http://run:9090'], ['prometheus.inherited', 'http://run:9090'], ['canary.cart', 'http://run:9090']])
      expect(problems(addressless)).toEqual([
        `${PATH}.prometheus.inherited: no Prometheus address: set address here or prometheus_address on the gate, or give one to the run (the gate action's prometheus-address input, flotilla gate --prometheus-address)`,
        expect.stringMatching(/^environments\.production\.gate\.canary\.cart: no Prometheus address/)
      ])
      // Checking the manifest alone: the run may give one.
      expect(parseGateConfig(addressless, PATH, { addressFromRun: true })).toMatchObject({ problems: [], gate: { criteria: [{ name: 'prometheus.own' }] } })
    })

    test("a criterion's own address is checked even when the run's replaces it", () => {
      expect(parseGateConfig({ prometheus: { bad: { address: 'prometheus:9090', query: 'up', success: 'result == 1' } } }, PATH, { prometheusAddress: 'http://run:9090' }).problems).toEqual([
        { keyPath: `${PATH}.prometheus.bad.address`, message: 'expected an http:// or https:// URL, got "prometheus:9090"' }
      ])
    })
  })

  test('an http body must be RE2 syntax, which runs in linear time', () => {
    expect(criteria({ http: { ok: { url: 'http://a/', body: '"status":\\s*"(ok|up)"' } } })).toEqual([expect.objectContaining({ body: '"status":\\s*"(ok|up)"' })])
    expect(problems({ http: { echo: { url: 'http://a/', body: '(a)\\1' }, ahead: { url: 'http://a/', body: 'ok(?!x)' } } })).toEqual([
      `${PATH}.http.echo.body: not a regular expression in RE2 syntax, which runs in linear time (no backreferences, lookahead or lookbehind): invalid escape sequence: \`\\1\``,
      `${PATH}.http.ahead.body: not a regular expression in RE2 syntax, which runs in linear time (no backreferences, lookahead or lookbehind): invalid or unsupported Perl syntax: \`(?!\``
    ])
  })
})
