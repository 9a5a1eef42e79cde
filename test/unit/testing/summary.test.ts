import { describe, expect, it } from '@jest/globals'
import { JOB_SUMMARY_BYTES, renderTestSummary } from '../../../shared/src/testing/index.js'
import { failure, manyFailures, serviceResult } from './results.js'

const bytes = (text: string): number => Buffer.byteLength(text)

describe('renderTestSummary', () => {
  it('tables totals per service with a total row, and says why each failed service failed', () => {
    const summary = renderTestSummary([serviceResult('users'), serviceResult('cart', [failure('cart', 'adds tax')])], { maxBytes: JOB_SUMMARY_BYTES })
    expect(summary).toContain('## Tests: ❌ 1 of 2 services failed')
    expect(summary).toContain('| users | ✅ passed | 10 | 10 | 0 | 0 | 0 | 0 | 1.50s |')
    expect(summary).toContain('| cart | ❌ failed | 11 | 10 | 1 | 0 | 0 | 0 | 1.50s |')
    expect(summary).toContain('| **total** |  | 21 | 20 | 1 | 0 | 0 | 0 | 3.00s |')
    expect(summary).toContain('- **cart**: 1 tests failed')
    expect(summary).toContain('**cart** › cart suite › adds tax — failed, `services/cart/test/adds tax.test.js:3`')
    expect(summary).toContain('```text\nadds tax failed\n\nAssertionError: adds tax failed\n    at adds tax\n```')
  })

  it('500 failures with long messages stay under 1 MiB and the ones left out are counted', () => {
    const summary = renderTestSummary([serviceResult('cart', manyFailures('cart', 500, 4000))], { maxBytes: JOB_SUMMARY_BYTES })
    expect(bytes(summary)).toBeLessThanOrEqual(JOB_SUMMARY_BYTES)
    const shown = summary.match(/^\*\*cart\*\* › /gm)?.length ?? 0
    expect(shown).toBeGreaterThan(100)
    expect(shown).toBeLessThan(500)
    expect(summary).toContain(`_…and ${500 - shown} more failures not shown._`)
  })

  it('never passes a small budget, keeping the totals table first', () => {
    const summary = renderTestSummary([serviceResult('cart', manyFailures('cart', 50))], { maxBytes: 4096 })
    expect(bytes(summary)).toBeLessThanOrEqual(4096)
    expect(summary).toContain('| cart | ❌ failed |')
    expect(summary).toMatch(/more failures not shown/)
  })

  it('counts failures the parser did not keep among those not shown', () => {
    const summary = renderTestSummary([serviceResult('cart', [failure('cart', 'a')], { omittedFailures: 7 })], { maxBytes: JOB_SUMMARY_BYTES })
    expect(summary).toContain('_…and 7 more failures not shown._')
  })

  it('says how many failures have no annotation', () => {
    const summary = renderTestSummary([serviceResult('cart', manyFailures('cart', 12, 10))], { maxBytes: JOB_SUMMARY_BYTES, unannotated: 3 })
    expect(summary).toContain('3 failures have no annotation')
  })

  it('keeps report text from breaking out of its code block or the markdown around it', () => {
    const hostile = failure('cart', '<img src=x> | *bold* `code`', {}, 'before\n```\n# heading outside?\n````')
    const summary = renderTestSummary([serviceResult('cart', [hostile])], { maxBytes: JOB_SUMMARY_BYTES })
    expect(summary).toContain('&lt;img src=x&gt; \\| \\*bold\\* \\`code\\`')
    expect(summary).toContain('`````text\nbefore\n```\n# heading outside?\n````')
  })

  it('lists flaky and slowest tests and the end of a failed service’s output', () => {
    const result = serviceResult('cart', [failure('cart', 'a')], {
      flaky: [{ suite: ['totals'], name: 'rounds once', status: 'passed', flaky: true }],
      slowest: [{ suite: ['http'], name: 'starts the server', status: 'passed', flaky: false, duration: 2.5 }],
      output: 'line one\nnot ok 1 - a\n'
    })
    const summary = renderTestSummary([result], { maxBytes: JOB_SUMMARY_BYTES })
    expect(summary).toContain('- cart: totals › rounds once')
    expect(summary).toContain('| cart | http › starts the server | 2.50s |')
    expect(summary).toContain('<details><summary>Output of cart (the end)</summary>\n\n```text\nline one\nnot ok 1 - a\n```')
  })
})
