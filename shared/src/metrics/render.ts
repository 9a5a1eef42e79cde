/**
 * The metrics as people and dashboards read them: text for a terminal, a job summary (a table
 * per environment and Mermaid trend charts), and Prometheus' text exposition format.
 */
import type { Figures, WeekFigures } from './types.js'
import type { MetricsDocument } from './run.js'

/** `45s`, `12m`, `3h 20m`, `2d 4h`: two units at most, rounded down. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '–'
  const whole = Math.floor(seconds)
  if (whole < 60) return `${whole}s`
  const minutes = Math.floor(whole / 60)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`
  const days = Math.floor(hours / 24)
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`
}

function formatRate(figures: Pick<Figures, 'changeFailureRate' | 'changeFailures' | 'attempts'>): string {
  if (figures.changeFailureRate === undefined) return '–'
  return `${Math.round(figures.changeFailureRate * 1000) / 10}% (${figures.changeFailures} of ${figures.attempts})`
}

function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100)
}

const HEADINGS = ['service', 'deployments', 'per week', 'lead time p50', 'lead time p90', 'change failure rate', 'time to restore p50', 'unrestored']

function row(name: string, figures: Figures): string[] {
  return [
    name,
    String(figures.deployments),
    formatNumber(figures.perWeek),
    formatDuration(figures.leadTime.medianSeconds),
    formatDuration(figures.leadTime.p90Seconds),
    formatRate(figures),
    formatDuration(figures.timeToRestore.medianSeconds),
    String(figures.timeToRestore.unrestored)
  ]
}

function windowLine(document: MetricsDocument): string {
  const { window } = document
  return `${window.since.slice(0, 10)} → ${window.until.slice(0, 10)} (${formatNumber(window.days)} days, ${window.weeks.length} ISO weeks)`
}

function notCounted(document: MetricsDocument): string | undefined {
  const { skipped } = document
  const parts = [
    skipped.notFlotilla > 0 ? `${skipped.notFlotilla} made outside Flotilla` : '',
    skipped.otherEnvironment > 0 ? `${skipped.otherEnvironment} to environments flotilla.yml does not declare` : '',
    skipped.otherService > 0 ? `${skipped.otherService} of services flotilla.yml does not declare` : '',
    skipped.statusesUnknown > 0 ? `${skipped.statusesUnknown} whose statuses were not read yet` : ''
  ].filter(Boolean)
  return parts.length === 0 ? undefined : `Deployments not counted: ${parts.join(', ')}.`
}

function requestLine(document: MetricsDocument): string {
  const { requests, commitsFromGit, rangesFromCompare } = document.source
  return `GitHub API: ${requests.total} requests (${requests.deploymentPages} deployment pages, ${requests.deploymentStatuses} status lists, ${requests.gates} gate lookups, ${requests.compares} comparisons; ${requests.notModified} answered 304 Not Modified). Commits from local git: ${commitsFromGit}; ranges from the compare API: ${rangesFromCompare}.`
}

/** The terminal text of `flotilla metrics`: a table per environment. */
export function metricsText(document: MetricsDocument): string {
  const lines = [`Delivery metrics${document.repository === undefined ? '' : ` of ${document.repository}`}, ${windowLine(document)}`]
  for (const warning of document.warnings) lines.push(`warning: ${warning}`)
  for (const environment of document.environments) {
    lines.push('', environment.environment)
    const rows = [HEADINGS, ...environment.services.map((service) => row(service.service, service)), row('all services', environment.total)]
    const widths = HEADINGS.map((_, column) => Math.max(...rows.map((cells) => cells[column].length)))
    for (const cells of rows) lines.push(`  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}`.trimEnd())
  }
  const skipped = notCounted(document)
  if (skipped !== undefined) lines.push('', skipped)
  lines.push('', requestLine(document))
  return `${lines.join('\n')}\n`
}

/** Markdown table cells: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s+/g, ' ')
}

function chartLabel(text: string): string {
  return text.replace(/["\\]/g, "'")
}

function trendCharts(environment: string, weeks: readonly WeekFigures[]): string[] {
  if (weeks.length === 0) return []
  const labels = weeks.map((week) => `"${week.week.slice(5)}"`).join(', ')
  const hours = (seconds: number | undefined): string => formatNumber((seconds ?? 0) / 3600)
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${chartLabel(environment)}: deployments (bars) and change failures (line) per week"`,
    `    x-axis [${labels}]`,
    '    y-axis "deployments"',
    `    bar [${weeks.map((week) => week.deployments).join(', ')}]`,
    `    line [${weeks.map((week) => week.changeFailures).join(', ')}]`,
    '```',
    '',
    '```mermaid',
    'xychart-beta',
    `    title "${chartLabel(environment)}: median lead time per week, hours (0: nothing shipped)"`,
    `    x-axis [${labels}]`,
    '    y-axis "hours"',
    `    line [${weeks.map((week) => hours(week.leadTimeMedianSeconds)).join(', ')}]`,
    '```'
  ]
}

/** The job summary: a table per environment, then its weekly trends as Mermaid charts. */
export function metricsSummary(document: MetricsDocument): string {
  const lines = [`## Delivery metrics${document.repository === undefined ? '' : `: ${cell(document.repository)}`}`, '', `${windowLine(document)}. Definitions: docs/metrics.md in Flotilla.`, '']
  for (const warning of document.warnings) lines.push(`> ⚠️ ${cell(warning)}`, '')
  for (const environment of document.environments) {
    lines.push(`### ${cell(environment.environment)}`, '')
    lines.push(`| ${HEADINGS.join(' | ')} |`, `| --- |${HEADINGS.slice(1).map(() => ' ---: |').join('')}`)
    for (const service of environment.services) lines.push(`| ${row(service.service, service).map(cell).join(' | ')} |`)
    const total = row('all services', environment.total).map(cell)
    lines.push(`| **${total[0]}** | ${total.slice(1).join(' | ')} |`, '')
    if (environment.services.length === 0) lines.push('No service deploys here.', '')
    lines.push(...trendCharts(environment.environment, environment.total.weeks), '')
  }
  const skipped = notCounted(document)
  if (skipped !== undefined) lines.push(skipped, '')
  lines.push(requestLine(document), '')
  return lines.join('\n')
}

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function labelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function sampleValue(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN'
}

/**
 * Prometheus' text exposition format (version 0.0.4) for a node-exporter textfile collector or
 * a Pushgateway: per service and environment, gauges over the window, and lead time and time to
 * restore as summaries (nearest-rank median and p90, sum and count).
 */
export function metricsPrometheus(document: MetricsDocument): string {
  const rows = document.environments.flatMap((environment) => environment.services)
  const lines: string[] = []
  const labels = (service: { service: string; environment: string }, extra = ''): string => `{environment="${labelValue(service.environment)}",service="${labelValue(service.service)}"${extra}}`
  const gauge = (name: string, help: string, value: (figures: Figures) => number | undefined): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`)
    for (const service of rows) {
      const sample = value(service)
      if (sample !== undefined) lines.push(`${name}${labels(service)} ${sampleValue(sample)}`)
    }
  }
  const summary = (name: string, help: string, value: (figures: Figures) => Figures['leadTime']): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} summary`)
    for (const service of rows) {
      const distribution = value(service)
      if (distribution.medianSeconds !== undefined) lines.push(`${name}${labels(service, ',quantile="0.5"')} ${sampleValue(distribution.medianSeconds)}`)
      if (distribution.p90Seconds !== undefined) lines.push(`${name}${labels(service, ',quantile="0.9"')} ${sampleValue(distribution.p90Seconds)}`)
      lines.push(`${name}_sum${labels(service)} ${sampleValue(distribution.sumSeconds)}`, `${name}_count${labels(service)} ${distribution.count}`)
    }
  }
  lines.push('# HELP flotilla_dora_window_seconds Length of the window the delivery metrics cover.', '# TYPE flotilla_dora_window_seconds gauge', `flotilla_dora_window_seconds ${document.window.days * 86400}`)
  gauge('flotilla_dora_deployments', 'Successful deployments in the window that changed the running version.', (figures) => figures.deployments)
  gauge('flotilla_dora_deployments_per_day', 'Deployment frequency: successful deployments per day over the window.', (figures) => figures.perDay)
  gauge('flotilla_dora_deployment_attempts', 'Deployments in the window that reached a final state (successful or failed).', (figures) => figures.attempts)
  gauge('flotilla_dora_change_failures', 'Deployments in the window that failed, were rolled back, or failed a later gate.', (figures) => figures.changeFailures)
  gauge('flotilla_dora_change_failure_ratio', 'Change failure rate: change failures over attempts (absent without attempts).', (figures) => figures.changeFailureRate)
  summary('flotilla_dora_lead_time_seconds', 'Lead time for changes: commit to successful deployment, for every commit first shipped in the window.', (figures) => figures.leadTime)
  summary('flotilla_dora_time_to_restore_seconds', 'Time to restore: change failure to the next successful deployment that changed the version.', (figures) => figures.timeToRestore)
  gauge('flotilla_dora_unrestored_failures', 'Change failures in the window that no later deployment restored yet.', (figures) => figures.timeToRestore.unrestored)
  return `${lines.join('\n')}\n`
}
