/**
 * Prometheus' sample values, as its API and exposition format write them: Go float strings
 * (`0.25`, `1e-05`, `+Inf`, `-Inf`, `NaN`), read the way Go's `strconv.ParseFloat` reads the
 * forms Prometheus emits. JavaScript's `Number()` is not that reader: it takes `""` and `" "` as
 * 0, `"+Inf"` as NaN, and accepts `"0x10"` and `"Infinity "`.
 *
 * NaN and ±Inf are measured values (`0/0` without traffic, a latency past every bucket), never
 * "no data": conditions compare them (see condition.ts), the report spells them as Prometheus does.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const INFINITY = /^([+-]?)inf(?:inity)?$/i
const NOT_A_NUMBER = /^nan$/i

/** The number `text` spells, or undefined when it is no Go float (`""`, `"1,5"`, `"0x1"`, …). */
export function parseSampleValue(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined
  if (DECIMAL.test(text)) return Number(text)
  const infinity = INFINITY.exec(text)
  if (infinity !== null) return infinity[1] === '-' ? -Infinity : Infinity
  return NOT_A_NUMBER.test(text) ? NaN : undefined
}

/** A value as Prometheus writes it: `+Inf`, `-Inf`, `NaN`, or the number. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

/**
 * JSON has no NaN or infinity (`JSON.stringify` writes them as `null`, which reads as "no
 * value"): a `JSON.stringify` replacer that writes them as Prometheus does.
 */
export function sampleJsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? formatSampleValue(value) : value
}
