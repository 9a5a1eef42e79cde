/**
 * The canary judge: each metric's canary samples against its baseline samples, classified
 * high / low / pass, then a weighted score with pass / marginal / fail thresholds.
 * docs/gate.md explains how this differs from Kayenta.
 */
import { cliffsDelta, effectMagnitude, hodgesLehmann, mannWhitneyU, median, type ShiftEstimate } from './statistics.js'
import type { CanaryJudgeOptions, CanaryMetric, Observation } from './types.js'

export interface CanarySamples {
  metric: CanaryMetric
  canary: readonly number[]
  baseline: readonly number[]
}

export type CanaryClassification = 'high' | 'low' | 'pass' | 'nodata'

export interface CanaryMetricJudgement {
  name: string
  /** `high` / `low` only in a direction the metric calls bad; a move the other way is `pass`. */
  classification: CanaryClassification
  reason: string
  weight: number
  critical: boolean
  canaryCount: number
  baselineCount: number
  canaryMedian?: number
  baselineMedian?: number
  u?: number
  pValue?: number
  /** Canary minus baseline. */
  shift?: ShiftEstimate
  /** Cliff's delta of canary over baseline. */
  effectSize?: number
}

export interface CanaryJudgement {
  result: 'pass' | 'marginal' | 'fail' | 'nodata'
  /** 0–100: the weight of passing metrics over the weight of metrics with data; undefined without data. */
  score?: number
  reason: string
  metrics: CanaryMetricJudgement[]
}

export function judgeCanary(samples: readonly CanarySamples[], options: CanaryJudgeOptions): CanaryJudgement {
  const metrics = samples.map((sample) => judgeMetric(sample, options))
  const measured = metrics.filter((metric) => metric.classification !== 'nodata')
  if (measured.length === 0) return { result: 'nodata', reason: `no metric had ${options.minimumSamples} or more values on both sides`, metrics }
  const totalWeight = measured.reduce((sum, metric) => sum + metric.weight, 0)
  const passingWeight = measured.filter((metric) => metric.classification === 'pass').reduce((sum, metric) => sum + metric.weight, 0)
  const score = totalWeight === 0 ? 100 : Math.round((passingWeight / totalWeight) * 10000) / 100
  const bad = measured.filter((metric) => metric.classification !== 'pass')
  const badList = bad.map((metric) => `${metric.name} ${metric.classification}`).join(', ')
  const criticalFailure = bad.find((metric) => metric.critical)
  if (criticalFailure !== undefined) {
    return { result: 'fail', score: 0, reason: `critical metric ${criticalFailure.name} is ${criticalFailure.classification}: ${criticalFailure.reason}`, metrics }
  }
  const { pass, marginal } = options.thresholds
  const result = score >= pass ? 'pass' : score >= marginal ? 'marginal' : 'fail'
  const against = result === 'pass' ? `≥ ${pass}` : result === 'marginal' ? `< ${pass} and ≥ ${marginal}` : `< ${marginal}`
  return { result, score, reason: `score ${score} ${against}${bad.length === 0 ? '' : ` (${badList})`}`, metrics }
}

function judgeMetric({ metric, canary, baseline }: CanarySamples, options: CanaryJudgeOptions): CanaryMetricJudgement {
  // Kayenta's default NaN strategy: drop them (a NaN is a gap in the series, not a value).
  // ±Inf are values (a latency past every bucket): the rank statistics order them like any other.
  const canaryValues = canary.filter((value) => !Number.isNaN(value))
  const baselineValues = baseline.filter((value) => !Number.isNaN(value))
  const common = { name: metric.name, weight: metric.weight, critical: metric.critical, canaryCount: canaryValues.length, baselineCount: baselineValues.length }
  if (canaryValues.length < options.minimumSamples || baselineValues.length < options.minimumSamples) {
    return { ...common, classification: 'nodata', reason: `${canaryValues.length} canary and ${baselineValues.length} baseline values, fewer than ${options.minimumSamples}` }
  }
  const test = mannWhitneyU(canaryValues, baselineValues)
  const shift = hodgesLehmann(canaryValues, baselineValues, options.confidence)
  const effectSize = cliffsDelta(canaryValues, baselineValues)
  const canaryMedian = median(canaryValues)
  const baselineMedian = median(baselineValues)
  const tolerated = metric.tolerance * Math.abs(baselineMedian)
  const significant = test.pValue < 1 - options.confidence
  const higher = significant && shift.estimate > tolerated && effectSize >= options.minimumEffect
  const lower = significant && shift.estimate < -tolerated && effectSize <= -options.minimumEffect
  const badUp = metric.direction !== 'decrease'
  const badDown = metric.direction !== 'increase'
  const classification: CanaryClassification = higher && badUp ? 'high' : lower && badDown ? 'low' : 'pass'
  const stats = `shift ${round(shift.estimate)} [${round(shift.lower)}, ${round(shift.upper)}] at ${round(shift.confidence * 100)}%, p = ${round(test.pValue)}, Cliff's delta ${round(effectSize)} (${effectMagnitude(effectSize)}), tolerance ±${round(tolerated)}`
  const verdict =
    classification === 'high' ? 'canary is higher than baseline' :
    classification === 'low' ? 'canary is lower than baseline' :
    higher || lower ? `canary moved ${higher ? 'up' : 'down'}, which ${metric.name} does not count as bad` :
    'no difference beyond tolerance'
  return { ...common, classification, reason: `${verdict}: ${stats}`, canaryMedian, baselineMedian, u: test.u, pValue: test.pValue, shift, effectSize }
}

function round(value: number): number {
  return Number(value.toPrecision(4))
}

/** The judgement as a gate measurement: pass succeeds, marginal and no data are inconclusive, fail fails. */
export function canaryObservation(judgement: CanaryJudgement): Observation {
  const phase = judgement.result === 'pass' ? 'successful' : judgement.result === 'fail' ? 'failed' : 'inconclusive'
  return { phase, ...(judgement.score === undefined ? {} : { value: judgement.score }), message: `canary ${judgement.result}: ${judgement.reason}` }
}
