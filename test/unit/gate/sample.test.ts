import { describe, expect, test } from '@jest/globals'
import { formatSampleValue, gateJson, parseSampleValue, type GateDocument } from '../../../shared/src/gate/index.js'

describe("Prometheus' sample values", () => {
  test.each([
    ['0.25', 0.25],
    ['-3', -3],
    ['1e-05', 1e-5],
    ['2.5E+3', 2500],
    ['.5', 0.5],
    ['7.', 7],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['inf', Infinity],
    ['+Infinity', Infinity],
    ['NaN', NaN],
    ['nan', NaN]
  ])('%s is %d, as Go reads it', (text, value) => {
    expect(parseSampleValue(text)).toBe(value)
  })

  test.each(['', ' ', ' 1', '1 ', '0x10', '1_000', '1,5', 'Inf1', '+NaN', 'null', 'e5'])('%j is no number (Number() would say otherwise)', (text) => {
    expect(parseSampleValue(text)).toBeUndefined()
  })

  test('a value that is not a string is no number', () => {
    expect(parseSampleValue(0.5)).toBeUndefined()
    expect(parseSampleValue(null)).toBeUndefined()
  })

  test('written back as Prometheus writes them', () => {
    expect([Infinity, -Infinity, NaN, 0.5].map(formatSampleValue)).toEqual(['+Inf', '-Inf', 'NaN', '0.5'])
  })

  test('the JSON report spells NaN and ±Inf instead of writing null', () => {
    const measurement = (value: number | number[]) => ({ phase: 'failed' as const, value, attempt: 1, timestamp: '2025-06-02T10:00:00.000Z' })
    const document = {
      environment: 'staging',
      sha: 'a'.repeat(40),
      criteria: [{ name: 'prometheus.latency', measurements: [measurement(Infinity), measurement([0.5, NaN, -Infinity])] }]
    } as unknown as GateDocument
    expect(JSON.parse(gateJson(document)).criteria[0].measurements.map((entry: { value: unknown }) => entry.value)).toEqual(['+Inf', [0.5, 'NaN', '-Inf']])
  })
})
