/**
 * Nonparametric two-sample statistics for the canary judge: the Mann–Whitney U test (exact for
 * small samples without ties, else the normal approximation with tie and continuity
 * corrections), the Hodges–Lehmann shift with its distribution-free confidence interval, and
 * Cliff's delta.
 */

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number
  /** U of the second sample; `u + uOther = n1 * n2`. */
  uOther: number
  /** Two-sided p-value. */
  pValue: number
  /** One-sided p-value for "the first sample tends to be greater". */
  pGreater: number
  /** One-sided p-value for "the first sample tends to be smaller". */
  pLess: number
  method: 'exact' | 'normal'
  /** Standard score of U (normal method, with continuity correction toward the mean); undefined when exact. */
  z?: number
}

/** Exact p-values are used without ties up to this many values in all (counts stay exact in doubles). */
const EXACT_LIMIT = 50

/**
 * `method: 'auto'` is exact when there are no ties and at most 50 values in all, else normal.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], method: 'auto' | 'exact' | 'normal' = 'auto'): MannWhitneyResult {
  const n1 = x.length
  const n2 = y.length
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann–Whitney U needs at least one value in each sample')
  const { ranks, tieGroups } = rank([...x, ...y])
  const rankSumX = ranks.slice(0, n1).reduce((sum, value) => sum + value, 0)
  const u = rankSumX - (n1 * (n1 + 1)) / 2
  const uOther = n1 * n2 - u
  const exact = method === 'exact' || (method === 'auto' && tieGroups.length === 0 && n1 + n2 <= EXACT_LIMIT)
  if (exact && tieGroups.length > 0) throw new RangeError('the exact Mann–Whitney distribution assumes no ties')
  if (exact) {
    const distribution = uDistribution(n1, n2)
    const pLess = cumulative(distribution, u)
    const pGreater = 1 - cumulative(distribution, u - 1)
    return { u, uOther, pValue: Math.min(1, 2 * Math.min(pLess, pGreater)), pGreater, pLess, method: 'exact' }
  }
  const n = n1 + n2
  const mean = (n1 * n2) / 2
  const tieTerm = tieGroups.reduce((sum, t) => sum + (t * t * t - t), 0)
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))))
  if (sigma === 0) return { u, uOther, pValue: 1, pGreater: 1, pLess: 1, method: 'normal', z: 0 }
  const pGreater = 1 - normalCdf((u - mean - 0.5) / sigma)
  const pLess = normalCdf((u - mean + 0.5) / sigma)
  const z = (Math.sign(u - mean) * Math.max(0, Math.abs(u - mean) - 0.5)) / sigma
  return { u, uOther, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))), pGreater, pLess, method: 'normal', z }
}

/** Average ranks (1-based) and the sizes of tie groups larger than one. */
export function rank(values: readonly number[]): { ranks: number[]; tieGroups: number[] } {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value)
  const ranks = new Array<number>(values.length)
  const tieGroups: number[] = []
  for (let start = 0; start < order.length; ) {
    let end = start + 1
    while (end < order.length && order[end].value === order[start].value) end++
    const average = (start + 1 + end) / 2
    for (let position = start; position < end; position++) ranks[order[position].index] = average
    if (end - start > 1) tieGroups.push(end - start)
    start = end
  }
  return { ranks, tieGroups }
}

/**
 * P(U = u) for u = 0 … n1·n2 under the null hypothesis: the coefficients of the Gaussian
 * binomial [n1+n2 choose n1]_q divided by C(n1+n2, n1). Built as ∏ (1 − q^(n2+i)) / (1 − q^i),
 * each step staying a polynomial with integer coefficients.
 */
function uDistribution(n1: number, n2: number): number[] {
  const size = n1 * n2 + 1
  let coefficients = new Array<number>(size).fill(0)
  coefficients[0] = 1
  for (let i = 1; i <= n1; i++) {
    const multiplied = coefficients.slice()
    for (let k = size - 1; k >= n2 + i; k--) multiplied[k] -= coefficients[k - n2 - i]
    for (let k = i; k < size; k++) multiplied[k] += multiplied[k - i]
    coefficients = multiplied
  }
  const total = coefficients.reduce((sum, value) => sum + value, 0)
  return coefficients.map((value) => value / total)
}

function cumulative(distribution: readonly number[], u: number): number {
  let sum = 0
  for (let k = 0; k <= Math.min(u, distribution.length - 1); k++) sum += distribution[k]
  return Math.min(1, sum)
}

export interface ShiftEstimate {
  /** Hodges–Lehmann: the median of all differences x − y. */
  estimate: number
  lower: number
  upper: number
  /** Coverage the interval actually has (exact method: at least the requested level when achievable). */
  confidence: number
}

/**
 * The Hodges–Lehmann shift of x over y and its confidence interval: the k-th smallest and k-th
 * largest of the n1·n2 differences, with k from the null distribution of U (as R's wilcox.test
 * with conf.int does).
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence: number): ShiftEstimate {
  if (x.length === 0 || y.length === 0) throw new RangeError('a shift needs at least one value in each sample')
  const differences: number[] = []
  for (const a of x) for (const b of y) differences.push(difference(a, b))
  differences.sort((a, b) => a - b)
  const total = differences.length
  const middle = total >> 1
  const estimate = total % 2 === 1 ? differences[middle] : (differences[middle - 1] + differences[middle]) / 2
  const alpha = 1 - confidence
  const n1 = x.length
  const n2 = y.length
  const ties = new Set([...x, ...y]).size < n1 + n2
  let k: number
  let achieved: number
  if (!ties && n1 + n2 <= EXACT_LIMIT) {
    const distribution = uDistribution(n1, n2)
    // Largest k with P(U ≤ k − 1) ≤ α/2, so [d(k), d(N−k+1)] covers with probability ≥ 1 − α.
    k = 1
    while (k < middle + 1 && cumulative(distribution, k) <= alpha / 2) k++
    achieved = 1 - 2 * cumulative(distribution, k - 1)
  } else {
    const sigma = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12)
    k = Math.max(1, Math.floor(total / 2 - normalQuantile(1 - alpha / 2) * sigma + 0.5))
    achieved = 1 - 2 * normalCdf((k - 0.5 - total / 2) / sigma)
  }
  return { estimate, lower: differences[k - 1], upper: differences[total - k], confidence: Math.max(0, achieved) }
}

/** a − b, where equal values (two +Inf, whose difference is NaN) differ by 0. */
function difference(a: number, b: number): number {
  return a === b ? 0 : a - b
}

/** Cliff's delta: P(x > y) − P(x < y), in [−1, 1]; equal to the rank-biserial correlation 2U/(n1·n2) − 1. */
export function cliffsDelta(x: readonly number[], y: readonly number[]): number {
  let balance = 0
  for (const a of x) for (const b of y) balance += Math.sign(difference(a, b))
  return balance / (x.length * y.length)
}

/** Romano et al. (2006) thresholds for |Cliff's delta|. */
export function effectMagnitude(delta: number): 'negligible' | 'small' | 'medium' | 'large' {
  const size = Math.abs(delta)
  return size < 0.147 ? 'negligible' : size < 0.33 ? 'small' : size < 0.474 ? 'medium' : 'large'
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Standard normal CDF, Hart (1968) as given by West (2005): double precision across the range. */
export function normalCdf(z: number): number {
  const x = Math.abs(z)
  let tail: number
  if (x > 37) {
    tail = 0
  } else {
    const exponential = Math.exp((-x * x) / 2)
    if (x < 7.07106781186547) {
      let numerator = 3.52624965998911e-2 * x + 0.700383064443688
      numerator = numerator * x + 6.37396220353165
      numerator = numerator * x + 33.912866078383
      numerator = numerator * x + 112.079291497871
      numerator = numerator * x + 221.213596169931
      numerator = numerator * x + 220.206867912376
      let denominator = 8.83883476483184e-2 * x + 1.75566716318264
      denominator = denominator * x + 16.064177579207
      denominator = denominator * x + 86.7807322029461
      denominator = denominator * x + 296.564248779674
      denominator = denominator * x + 637.333633378831
      denominator = denominator * x + 793.826512519948
      denominator = denominator * x + 440.413735824752
      tail = (exponential * numerator) / denominator
    } else {
      let fraction = x + 0.65
      fraction = x + 4 / fraction
      fraction = x + 3 / fraction
      fraction = x + 2 / fraction
      fraction = x + 1 / fraction
      tail = exponential / fraction / 2.506628274631
    }
  }
  return z > 0 ? 1 - tail : tail
}

/** Inverse of the standard normal CDF, Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`)
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p))
    const value = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    return p < low ? value : -value
  }
  const q = p - 0.5
  const r = q * q
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}
