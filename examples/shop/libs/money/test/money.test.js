import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { format, multiply, parse, share, sum } from '../src/index.js'

describe('money', () => {
  it('parses decimal strings into exact cents', () => {
    assert.equal(parse('12.5'), 1250)
    assert.equal(parse('0.1'), 10)
    assert.equal(parse('-0.99'), -99)
    assert.equal(parse('7'), 700)
  })

  it('rejects sub-cent precision and garbage', () => {
    assert.throws(() => parse('1.005'), RangeError)
    assert.throws(() => parse('ten'), RangeError)
  })

  it('adds amounts without floating-point drift', () => {
    assert.equal(sum([10, 20]), 30)
    assert.equal(sum([]), 0)
    assert.throws(() => sum([0.1, 0.2]), TypeError)
  })

  it('multiplies by whole quantities only', () => {
    assert.equal(multiply(1999, 3), 5997)
    assert.throws(() => multiply(1999, 1.5), TypeError)
  })

  it('takes a share in basis points, rounding half away from zero', () => {
    assert.equal(share(1000, 825), 83)
    assert.equal(share(-1000, 825), -83)
    assert.equal(share(1999, 0), 0)
  })

  it('formats for people', () => {
    assert.equal(format(123456), '$1,234.56')
    assert.equal(format(-5), '-$0.05')
  })
})
