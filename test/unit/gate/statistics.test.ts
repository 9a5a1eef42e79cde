import { describe, expect, test } from '@jest/globals'
import { cliffsDelta, hodgesLehmann, mannWhitneyU, normalCdf, normalQuantile, rank } from '../../../shared/src/gate/index.js'

describe('normal distribution', () => {
  test.each([
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [1.959963984540054, 0.975],
    [-3, 0.0013498980316300946],
    [8, 0.9999999999999993]
  ])('Φ(%p) = %p', (z, expected) => {
    expect(normalCdf(z)).toBeCloseTo(expected, 12)
  })

  test('the quantile inverts the CDF', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8)
    expect(normalQuantile(0.005)).toBeCloseTo(-2.5758293035489, 8)
  })
})

describe('rank', () => {
  test('ties share their average rank', () => {
    expect(rank([10, 20, 20, 30, 20])).toEqual({ ranks: [1, 3, 3, 5, 3], tieGroups: [3] })
  })
})

describe('mannWhitneyU against published values', () => {
  // SciPy's documentation of scipy.stats.mannwhitneyu (ages of male and female employees):
  // U1 = 17, exact two-sided p = 0.1111111111111111, asymptotic p = 0.11134688653314041.
  const males = [19, 22, 16, 29, 24]
  const females = [20, 11, 17, 12]

  test('SciPy example, exact', () => {
    const result = mannWhitneyU(males, females)
    expect(result).toMatchObject({ u: 17, uOther: 3, method: 'exact' })
    expect(result.pValue).toBeCloseTo(0.1111111111111111, 12)
  })

  test('SciPy example, normal approximation with continuity correction', () => {
    const result = mannWhitneyU(males, females, 'normal')
    expect(result.u).toBe(17)
    expect(result.pValue).toBeCloseTo(0.11134688653314041, 9)
  })

  // R's ?wilcox.test (Hollander & Wolfe, p. 69): wilcox.test(x, y, alternative = "g") gives
  // W = 35, p-value = 0.1272.
  const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
  const y = [1.15, 0.88, 0.9, 0.74, 1.21]

  test('R example, one-sided exact', () => {
    const result = mannWhitneyU(x, y)
    expect(result.u).toBe(35)
    expect(result.pGreater).toBeCloseTo(0.1272, 4)
    expect(result.pValue).toBeCloseTo(2 * result.pGreater, 12)
  })

  test('complete separation of 3 and 3: P(U = 0) = 1 / C(6, 3) = 0.05', () => {
    const result = mannWhitneyU([4, 5, 6], [1, 2, 3])
    expect(result).toMatchObject({ u: 9, method: 'exact' })
    expect(result.pGreater).toBeCloseTo(0.05, 12)
    expect(result.pValue).toBeCloseTo(0.1, 12)
  })

  test('ties use the normal approximation with the tie correction', () => {
    // By hand: ranks of x are 1, 3, 3, 6 (the three 2s share rank 3, the three 3s rank 6), so
    // R = 13 and U = 13 − 4·5/2 = 3; mean 10; variance 20/12 · (10 − (24 + 24)/(9·8)) = 15.5556,
    // sd 3.94405; z = (7 − 0.5)/3.94405 = 1.64805; p = 2 · (1 − Φ(1.64805)) = 0.09934.
    const result = mannWhitneyU([1, 2, 2, 3], [2, 3, 3, 4, 5])
    expect(result).toMatchObject({ u: 3, uOther: 17, method: 'normal' })
    expect(result.z).toBeCloseTo(-1.64805, 4)
    expect(result.pValue).toBeCloseTo(0.09934, 4)
  })

  test('identical samples have p = 1', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).pValue).toBe(1)
  })
})

describe('Hodges–Lehmann shift', () => {
  test('the median of the pairwise differences', () => {
    expect(hodgesLehmann([1, 2, 3], [0], 0.9).estimate).toBe(2)
    expect(hodgesLehmann([1, 2, 3, 4], [0], 0.9).estimate).toBe(2.5)
  })

  test('R example: difference in location 0.305', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    const y = [1.15, 0.88, 0.9, 0.74, 1.21]
    const shift = hodgesLehmann(x, y, 0.95)
    expect(shift.estimate).toBeCloseTo(0.305, 10)
    expect(shift.lower).toBeLessThan(0)
    expect(shift.upper).toBeGreaterThan(0.305)
    expect(shift.confidence).toBeGreaterThanOrEqual(0.95)
  })

  test('a clear shift has an interval around it that excludes zero', () => {
    const baseline = Array.from({ length: 30 }, (_, index) => 100 + (index % 10))
    const canary = baseline.map((value) => value + 20)
    const shift = hodgesLehmann(canary, baseline, 0.95)
    expect(shift.estimate).toBe(20)
    expect(shift.lower).toBeGreaterThan(10)
    expect(shift.upper).toBeLessThan(30)
  })
})

describe("Cliff's delta", () => {
  test('is the rank-biserial correlation 2U/(n1·n2) − 1', () => {
    const x = [1, 2, 2, 3]
    const y = [2, 3, 3, 4, 5]
    expect(cliffsDelta(x, y)).toBeCloseTo((2 * mannWhitneyU(x, y).u) / 20 - 1, 12)
    expect(cliffsDelta([4, 5, 6], [1, 2, 3])).toBe(1)
  })
})
