/**
 * The `success:` / `failure:` conditions of a Prometheus criterion: a tiny language, parsed
 * and interpreted here and never handed to `eval`.
 *
 *   condition  := and ( "||" and )*
 *   and        := primary ( "&&" primary )*
 *   primary    := "(" condition ")" | operand comparator operand
 *   operand    := "result" ( "[" index "]" )? | number
 *   comparator := "<" | "<=" | ">" | ">=" | "==" | "!="
 */
import { formatSampleValue } from './sample.js'
import type { ComparisonOperator, Condition, ConditionExpression, ConditionOperand, NoDataPolicy, Observation, RangeStep } from './types.js'

type Token = { kind: 'number'; value: number; at: number } | { kind: 'word' | 'symbol'; text: string; at: number }

const SYMBOLS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '(', ')', '[', ']'] as const
const COMPARATORS: readonly string[] = ['<', '<=', '>', '>=', '==', '!=']
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/

export type ConditionParse = { ok: true; condition: Condition } | { ok: false; message: string }

export function parseCondition(source: string): ConditionParse {
  try {
    const parser = new Parser(source, tokenize(source))
    const expression = parser.condition()
    parser.expectEnd()
    return { ok: true, condition: { source, expression } }
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return { ok: false, message: error.message }
    throw error
  }
}

class ConditionSyntaxError extends Error {}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (at < source.length) {
    const rest = source.slice(at)
    const space = /^\s+/.exec(rest)
    if (space !== null) {
      at += space[0].length
      continue
    }
    // A sign belongs to a number only where an operand is expected, so `result-1` stays an error.
    const previous = tokens[tokens.length - 1]
    const operandExpected = previous === undefined || (previous.kind === 'symbol' && previous.text !== ')' && previous.text !== ']')
    const number = NUMBER.exec(rest)
    if (number !== null && (operandExpected || /^\d|^\./.test(rest))) {
      tokens.push({ kind: 'number', value: Number(number[0]), at })
      at += number[0].length
      continue
    }
    const word = /^[A-Za-z_]\w*/.exec(rest)
    if (word !== null) {
      tokens.push({ kind: 'word', text: word[0], at })
      at += word[0].length
      continue
    }
    const symbol = SYMBOLS.find((candidate) => rest.startsWith(candidate))
    if (symbol === undefined) throw new ConditionSyntaxError(`unexpected "${rest[0]}" at column ${at + 1} in "${source}"`)
    tokens.push({ kind: 'symbol', text: symbol, at })
    at += symbol.length
  }
  return tokens
}

class Parser {
  private position = 0

  constructor(
    private readonly source: string,
    private readonly tokens: Token[]
  ) {}

  condition(): ConditionExpression {
    let left = this.and()
    while (this.takeSymbol('||')) left = { kind: 'or', left, right: this.and() }
    return left
  }

  expectEnd(): void {
    const token = this.tokens[this.position]
    if (token !== undefined) this.fail(token, 'expected "&&", "||" or the end')
  }

  private and(): ConditionExpression {
    let left = this.primary()
    while (this.takeSymbol('&&')) left = { kind: 'and', left, right: this.primary() }
    return left
  }

  private primary(): ConditionExpression {
    if (this.takeSymbol('(')) {
      const inner = this.condition()
      if (!this.takeSymbol(')')) this.fail(this.tokens[this.position], 'expected ")"')
      return inner
    }
    const left = this.operand()
    const token = this.tokens[this.position]
    if (token === undefined || token.kind !== 'symbol' || !COMPARATORS.includes(token.text)) {
      this.fail(token, 'expected a comparison (<, <=, >, >=, ==, !=)')
    }
    this.position++
    return { kind: 'compare', operator: token.text as ComparisonOperator, left, right: this.operand() }
  }

  private operand(): ConditionOperand {
    const token = this.tokens[this.position]
    if (token?.kind === 'number') {
      this.position++
      return { kind: 'number', value: token.value }
    }
    if (token?.kind === 'word' && token.text === 'result') {
      this.position++
      if (!this.takeSymbol('[')) return { kind: 'result' }
      const index = this.tokens[this.position]
      if (index?.kind !== 'number' || !Number.isInteger(index.value) || index.value < 0) this.fail(index, 'expected an index (0, 1, …)')
      this.position++
      if (!this.takeSymbol(']')) this.fail(this.tokens[this.position], 'expected "]"')
      return { kind: 'result', index: index.value }
    }
    return this.fail(token, 'expected "result", "result[i]" or a number')
  }

  private takeSymbol(text: string): boolean {
    const token = this.tokens[this.position]
    if (token?.kind !== 'symbol' || token.text !== text) return false
    this.position++
    return true
  }

  private fail(token: Token | undefined, expected: string): never {
    if (token === undefined) throw new ConditionSyntaxError(`${expected} at the end of "${this.source}"`)
    const found = token.kind === 'number' ? String(token.value) : token.text
    throw new ConditionSyntaxError(`${expected}, found "${found}" at column ${token.at + 1} in "${this.source}"`)
  }
}

/** Raised when a condition cannot be applied to a result (an index past its end, an ambiguous `result`). */
export class ConditionError extends Error {}

/**
 * Applies a condition to a query's values: a scalar or one sample is `[v]`, a vector `[v0, v1, …]`.
 * ±Inf compare as the numbers they are. A comparison with NaN has no true answer, so it takes
 * `nan` (default false): callers pass whichever answer counts against the release.
 */
export function evaluateCondition(condition: Condition, values: readonly number[], options: { nan?: boolean } = {}): boolean {
  const nan = options.nan ?? false
  const evaluate = (expression: ConditionExpression): boolean => {
    switch (expression.kind) {
      case 'or':
        return evaluate(expression.left) || evaluate(expression.right)
      case 'and':
        return evaluate(expression.left) && evaluate(expression.right)
      case 'compare': {
        const left = operand(expression.left)
        const right = operand(expression.right)
        return Number.isNaN(left) || Number.isNaN(right) ? nan : compare(expression.operator, left, right)
      }
    }
  }
  const operand = (item: ConditionOperand): number => {
    if (item.kind === 'number') return item.value
    if (item.index === undefined) {
      if (values.length !== 1) throw new ConditionError(`"${condition.source}": the result has ${values.length} values; use result[0] … result[${values.length - 1}]`)
      return values[0]
    }
    if (item.index >= values.length) throw new ConditionError(`"${condition.source}": result[${item.index}] does not exist, the result has ${values.length} value${values.length === 1 ? '' : 's'}`)
    return values[item.index]
  }
  return evaluate(condition.expression)
}

function compare(operator: ComparisonOperator, left: number, right: number): boolean {
  switch (operator) {
    case '<':
      return left < right
    case '<=':
      return left <= right
    case '>':
      return left > right
    case '>=':
      return left >= right
    case '==':
      return left === right
    case '!=':
      return left !== right
  }
}

/**
 * A query result judged as Argo does: the failure condition wins; with only a success condition
 * anything else fails, with only a failure condition anything else succeeds, with both and
 * neither true it is inconclusive. An empty result follows the no-data policy.
 *
 * NaN (Prometheus' 0/0, e.g. an error ratio without traffic) is a measured value, not absent
 * data, and it fails every comparison: a comparison with it never meets a success condition and
 * always meets a failure condition, so it can never pass a release that plain numbers would not.
 */
export function judgeQueryResult(values: readonly number[], rule: { success?: Condition; failure?: Condition; noData: NoDataPolicy }): Observation {
  if (values.length === 0) {
    const phase = rule.noData === 'fail' ? 'failed' : rule.noData === 'pass' ? 'successful' : 'inconclusive'
    return { phase, message: `the query returned no data (no_data: ${rule.noData})` }
  }
  const value = values.length === 1 ? values[0] : [...values]
  try {
    const failure = rule.failure === undefined ? undefined : evaluateCondition(rule.failure, values, { nan: true })
    const success = rule.success === undefined ? undefined : evaluateCondition(rule.success, values, { nan: false })
    // Whether the answer given to NaN comparisons decided a condition, to say so.
    const nanDecided =
      (failure === true && !evaluateCondition(rule.failure!, values, { nan: false })) || (success === false && evaluateCondition(rule.success!, values, { nan: true }))
    const note = nanDecided ? ' (NaN fails every comparison)' : ''
    const shown = `result ${Array.isArray(value) ? `[${value.map(formatSampleValue).join(', ')}]` : formatSampleValue(value)}`
    if (failure === true) return { phase: 'failed', value, message: `${shown} meets the failure condition "${rule.failure!.source}"${note}` }
    if (success === true) return { phase: 'successful', value, message: `${shown} meets the success condition "${rule.success!.source}"` }
    if (success === false && failure === undefined) return { phase: 'failed', value, message: `${shown} does not meet the success condition "${rule.success!.source}"${note}` }
    if (failure === false && success === undefined) return { phase: 'successful', value, message: `${shown} does not meet the failure condition "${rule.failure!.source}"` }
    return { phase: 'inconclusive', value, message: `${shown} meets neither the success condition "${rule.success?.source}" nor the failure condition "${rule.failure?.source}"${note}` }
  } catch (error) {
    if (error instanceof ConditionError) return { phase: 'error', value, message: error.message }
    throw error
  }
}

/**
 * A range query's verdict: the conditions judged at every step. Any failed step fails it, an
 * error is an error, every step successful passes, else inconclusive. The value is the deciding
 * step's. No step at all follows the no-data policy.
 */
export function judgeRangeResult(steps: readonly RangeStep[], rule: { success?: Condition; failure?: Condition; noData: NoDataPolicy }): Observation {
  const judged = steps.filter((step) => step.values.length > 0).map((step) => ({ step, observation: judgeQueryResult(step.values, rule) }))
  if (judged.length === 0) return judgeQueryResult([], rule)
  const at = (entry: (typeof judged)[number]): Observation => ({ ...entry.observation, message: `at ${new Date(entry.step.time).toISOString()}: ${entry.observation.message}` })
  const first = (phase: Observation['phase']) => judged.find((entry) => entry.observation.phase === phase)
  const deciding = first('error') ?? first('failed') ?? first('inconclusive')
  if (deciding !== undefined) return at(deciding)
  const last = judged[judged.length - 1]
  return { ...last.observation, message: `all ${judged.length} steps successful; the last ${last.observation.message}` }
}
