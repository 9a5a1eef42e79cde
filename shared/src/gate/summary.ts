/**
 * What a gate run leaves behind, as plain data and text: the JSON report document, the job
 * summary (a table of every measurement per criterion, and a chart of metric values over time),
 * and the one-line description a commit status carries.
 */
import { formatSampleValue, sampleJsonReplacer } from './sample.js'
import type { CriterionReport, GateDecision, GateReport, Measurement, MeasurementValue } from './types.js'

/** The JSON report (the action's report file, `flotilla gate --json`). */
export interface GateDocument extends GateReport {
  environment: string
  sha: string
}

export function gateDocument(report: GateReport, context: { environment: string; sha: string }): GateDocument {
  return { environment: context.environment, sha: context.sha, ...report }
}

/** The report as JSON text; a NaN or infinite value is written as Prometheus writes it (`NaN`, `+Inf`), not as `null`. */
export function gateJson(document: GateDocument): string {
  return `${JSON.stringify(document, sampleJsonReplacer, 2)}\n`
}

/** GitHub's cap on a commit status description. */
export const STATUS_DESCRIPTION_CHARS = 140

export function statusDescription(report: Pick<GateReport, 'decision' | 'reason'>): string {
  const text = `${report.decision}: ${report.reason}`
  return text.length <= STATUS_DESCRIPTION_CHARS ? text : `${text.slice(0, STATUS_DESCRIPTION_CHARS - 1)}…`
}

const DECISION_ICONS: Record<GateDecision, string> = { pass: '✅', fail: '❌', inconclusive: '⚠️' }

/** GitHub's cap on one step's job summary. */
export const SUMMARY_BYTES = 1024 * 1024

/** Rows kept at each end of a criterion's measurement table when the whole does not fit. */
const ROW_LIMITS = [Infinity, 500, 100, 20, 3]

/**
 * Every measurement when it fits in `maxBytes`; otherwise each criterion's table keeps its
 * first and last rows (the report file has them all). Charts always plot every value.
 */
export function renderGateSummary(document: GateDocument, options: { maxBytes?: number } = {}): string {
  const maxBytes = options.maxBytes ?? SUMMARY_BYTES
  let summary = ''
  for (const limit of ROW_LIMITS) {
    summary = renderWithRowLimit(document, limit)
    if (Buffer.byteLength(summary) <= maxBytes) break
  }
  return summary
}

function renderWithRowLimit(document: GateDocument, rowLimit: number): string {
  const lines = [
    `## ${DECISION_ICONS[document.decision]} Gate ${document.environment}: ${document.decision}`,
    '',
    `${escapeText(document.reason)}`,
    '',
    `Commit \`${document.sha.slice(0, 12)}\`, from ${document.startedAt} to ${document.finishedAt}${document.timedOut ? ' (timed out)' : ''}.`,
    '',
    '| criterion | outcome | measurements | reason |',
    '| --- | --- | --- | --- |',
    ...document.criteria.map(
      (criterion) =>
        `| ${criterion.name}${criterion.dryRun ? ' (dry run)' : ''} | ${criterion.phase} | ${tally(criterion)} | ${escapeCell(criterion.reason)} |`
    )
  ]
  for (const criterion of document.criteria) lines.push('', ...renderCriterion(criterion, rowLimit))
  return `${lines.join('\n')}\n`
}

function renderCriterion(criterion: CriterionReport, rowLimit: number): string[] {
  const lines = [`### ${criterion.name}: ${criterion.phase}${criterion.dryRun ? ' (dry run, not blocking)' : ''}`, '', escapeText(criterion.reason), '']
  if (criterion.measurements.length === 0) return [...lines, 'No measurement was taken.']
  const row = (measurement: Measurement, index: number): string =>
    `| ${index + 1} | ${measurement.timestamp} | ${measurement.attempt} | ${measurement.phase} | ${formatValue(measurement.value)} | ${escapeCell(measurement.message ?? '')} |`
  const rows = criterion.measurements.map(row)
  const omitted = rows.length - 2 * rowLimit
  lines.push(
    '| # | time | attempt | result | value | message |',
    '| --- | --- | --- | --- | --- | --- |',
    ...(omitted > 0 ? [...rows.slice(0, rowLimit), `| … | | | | | ${omitted} more measurements, in the report file |`, ...rows.slice(-rowLimit)] : rows)
  )
  const chart = renderChart(criterion)
  return chart === undefined ? lines : [...lines, '', ...chart]
}

/** A line per series of numeric values; errors (no value) are left out of the chart. */
export function renderChart(criterion: Pick<CriterionReport, 'name' | 'measurements'>): string[] | undefined {
  const points = criterion.measurements.filter((measurement): measurement is Measurement & { value: number | number[] } => isNumeric(measurement.value))
  if (points.length === 0) return undefined
  const width = Math.max(...points.map((point) => (Array.isArray(point.value) ? point.value.length : 1)))
  const series = Array.from({ length: width }, (_, index) => points.map((point) => (Array.isArray(point.value) ? point.value[index] : index === 0 ? point.value : undefined)))
  const labels = points.map((point) => `"${point.timestamp.slice(11, 19)}"`)
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${criterion.name.replace(/"/g, "'")}"`,
    `    x-axis [${labels.join(', ')}]`,
    '    y-axis "value"',
    // Mermaid has no gaps in a line: a series missing a point repeats its previous value.
    ...series.map((values) => `    line [${fillGaps(values).map(formatNumber).join(', ')}]`),
    '```'
  ]
}

function isNumeric(value: MeasurementValue | undefined): value is number | number[] {
  return (typeof value === 'number' && Number.isFinite(value)) || (Array.isArray(value) && value.length > 0 && value.every(Number.isFinite))
}

function fillGaps(values: ReadonlyArray<number | undefined>): number[] {
  let last = values.find((value) => value !== undefined) ?? 0
  return values.map((value) => (last = value ?? last))
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : formatSampleValue(value)
}

function formatValue(value: MeasurementValue | undefined): string {
  if (value === undefined) return ''
  if (typeof value === 'number') return formatNumber(value)
  if (Array.isArray(value)) return value.map(formatNumber).join(', ')
  return escapeCell(String(value))
}

function tally(criterion: CriterionReport): string {
  const parts = [`${criterion.successful} successful`, `${criterion.failed} failed`, `${criterion.inconclusive} inconclusive`, `${criterion.errors} errors`]
  return `${criterion.count} counted (${parts.join(', ')})`
}

function escapeText(text: string): string {
  return text.replace(/[<>]/g, (character) => (character === '<' ? '&lt;' : '&gt;'))
}

function escapeCell(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
