/**
 * The four keys computed from a generated history's own ground truth (what the generator
 * decided: which commits each deployment shipped first, which deployments failed and when),
 * written apart from the product's code so that the two can be compared.
 */
import type { Truth, TruthDeployment } from './delivery-history.js'

export interface ExpectedRow {
  service: string
  deployments: number
  attempts: number
  changeFailures: number
  redeploys: number
  cancelled: number
  inProgress: number
  perDay: number
  /** Commits counted for lead time, and their lead times' sum in seconds. */
  leadCount: number
  leadSum: number
  leadMedian?: number
  leadP90?: number
  restored: number
  restoreMedian?: number
  unrestored: number
  weeks: Array<{ week: string; deployments: number; attempts: number; changeFailures: number; leadMedian?: number }>
}

/** The value at rank ⌈p·n⌉ of the ascending values. */
function nearestRank(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  let rank = Math.ceil(p * sorted.length)
  if (rank < 1) rank = 1
  return sorted[rank - 1]
}

/** ISO week by counting weeks from the Monday of the week holding 4 January. */
export function isoWeekOf(time: number): string {
  const day = new Date(time)
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())
  const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay()
  const monday = midnight - (weekday - 1) * 86_400_000
  for (const year of [day.getUTCFullYear() + 1, day.getUTCFullYear(), day.getUTCFullYear() - 1]) {
    const january4 = new Date(Date.UTC(year, 0, 4))
    const weekday4 = january4.getUTCDay() === 0 ? 7 : january4.getUTCDay()
    const firstMonday = Date.UTC(year, 0, 4) - (weekday4 - 1) * 86_400_000
    if (monday >= firstMonday) return `${year}-W${String(Math.round((monday - firstMonday) / (7 * 86_400_000)) + 1).padStart(2, '0')}`
  }
  throw new Error('unreachable')
}

export function expectedRows(truth: Truth, environment: string, since: number, until: number): ExpectedRow[] {
  const inWindow = (time: number | undefined): boolean => time !== undefined && time >= since && time < until
  const days = (until - since) / 86_400_000
  return truth.rows[environment].map((service) => {
    const all = truth.deployments.filter((d) => d.environment === environment && d.service === service)
    const deployed = all.filter((d) => d.kind === 'deployed' && inWindow(d.at))
    const failed = all.filter((d) => d.kind === 'failed' && inWindow(d.at))
    const attempts = [...deployed, ...failed]
    const failures = attempts.filter((d) => d.failure !== undefined)
    const restorers = all.filter((d) => d.kind === 'deployed').sort((a, b) => a.at! - b.at!)
    const restoreOf = (d: TruthDeployment): number | undefined => {
      const next = restorers.find((r) => r.at! > d.failure!.at && r.at! < until)
      return next === undefined ? undefined : (next.at! - d.failure!.at) / 1000
    }
    const restoreTimes = failures.map(restoreOf).filter((value): value is number => value !== undefined)
    const leadTimes = deployed.flatMap((d) => d.shipped.map((time) => Math.max(d.at! - time, 0) / 1000))
    const weeks = new Map<string, TruthDeployment[]>()
    for (let time = since; time < until; time += 86_400_000) weeks.set(isoWeekOf(time), [])
    for (const d of attempts) weeks.get(isoWeekOf(d.at!))!.push(d)
    return {
      service,
      deployments: deployed.length,
      attempts: attempts.length,
      changeFailures: failures.length,
      redeploys: all.filter((d) => d.kind === 'redeploy' && inWindow(d.at)).length,
      cancelled: all.filter((d) => d.kind === 'cancelled' && inWindow(d.createdAt)).length,
      inProgress: all.filter((d) => d.kind === 'in-progress' && inWindow(d.createdAt)).length,
      perDay: deployed.length / days,
      leadCount: leadTimes.length,
      leadSum: leadTimes.reduce((sum, value) => sum + value, 0),
      leadMedian: nearestRank(leadTimes, 0.5),
      leadP90: nearestRank(leadTimes, 0.9),
      restored: restoreTimes.length,
      restoreMedian: nearestRank(restoreTimes, 0.5),
      unrestored: failures.length - restoreTimes.length,
      weeks: [...weeks].map(([week, list]) => {
        const weekLeads = list.filter((d) => d.kind === 'deployed').flatMap((d) => d.shipped.map((time) => Math.max(d.at! - time, 0) / 1000))
        return {
          week,
          deployments: list.filter((d) => d.kind === 'deployed').length,
          attempts: list.length,
          changeFailures: list.filter((d) => d.failure !== undefined).length,
          leadMedian: nearestRank(weekLeads, 0.5)
        }
      })
    }
  })
}

/** The product's row in the same shape, for one `toEqual`. */
export function productRow(row: any): ExpectedRow {
  return {
    service: row.service,
    deployments: row.deployments,
    attempts: row.attempts,
    changeFailures: row.changeFailures,
    redeploys: row.redeploys,
    cancelled: row.cancelled,
    inProgress: row.inProgress,
    perDay: row.perDay,
    leadCount: row.leadTime.count,
    leadSum: row.leadTime.sumSeconds,
    leadMedian: row.leadTime.medianSeconds,
    leadP90: row.leadTime.p90Seconds,
    restored: row.timeToRestore.count,
    restoreMedian: row.timeToRestore.medianSeconds,
    unrestored: row.timeToRestore.unrestored,
    weeks: row.weeks.map((week: any) => ({ week: week.week, deployments: week.deployments, attempts: week.attempts, changeFailures: week.changeFailures, leadMedian: week.leadTimeMedianSeconds }))
  }
}
