import { describe, expect, it } from '@jest/globals'
import { checkRunAnnotation, selectAnnotations, workflowAnnotation } from '../../../shared/src/testing/index.js'
import { failure } from './results.js'

describe('selectAnnotations', () => {
  it('keeps to the limit and counts the rest', () => {
    const failures = Array.from({ length: 25 }, (_, index) => failure('cart', `t${index}`))
    const { selected, omitted } = selectAnnotations(failures, 9)
    expect(selected).toHaveLength(9)
    expect(omitted).toBe(16)
  })

  it('puts failures located at a line before those at a file, and those before report-only ones', () => {
    const reportOnly = failure('cart', 'report-only', { file: 'services/cart/reports/junit.xml', line: undefined, precision: 'report' })
    const fileOnly = failure('cart', 'file-only', { line: undefined, precision: 'file' })
    const exact = failure('cart', 'exact')
    const { selected } = selectAnnotations([reportOnly, fileOnly, exact], 2)
    expect(selected.map((chosen) => chosen.case.name)).toEqual(['exact', 'file-only'])
  })

  it('lets services take turns, so one broken service does not hide another', () => {
    const cart = Array.from({ length: 20 }, (_, index) => failure('cart', `cart${index}`))
    const users = [failure('users', 'users0'), failure('users', 'users1')]
    const { selected } = selectAnnotations([...cart, ...users], 5)
    expect(selected.map((chosen) => chosen.case.name)).toEqual(['cart0', 'users0', 'cart1', 'users1', 'cart2'])
  })

  it('selects nothing when no annotation is left', () => {
    expect(selectAnnotations([failure('cart', 'a')], 0)).toEqual({ selected: [], omitted: 1 })
  })
})

describe('annotation shapes', () => {
  it('a workflow annotation names the service and test, and points at the file and line', () => {
    expect(workflowAnnotation(failure('cart', 'adds tax'))).toEqual({
      level: 'error',
      title: 'cart: cart suite › adds tax',
      message: 'adds tax failed\n\nAssertionError: adds tax failed\n    at adds tax',
      file: 'services/cart/test/adds tax.test.js',
      line: 3
    })
  })

  it('a check-run annotation without a line points at the top of the file, and its message is bounded', () => {
    const annotation = checkRunAnnotation(failure('cart', 'long', { line: undefined, precision: 'file' }, 'y'.repeat(100_000)))
    expect(annotation).toMatchObject({ path: 'services/cart/test/long.test.js', start_line: 1, end_line: 1, annotation_level: 'failure' })
    expect(annotation.message.length).toBeLessThanOrEqual(4000)
  })
})
