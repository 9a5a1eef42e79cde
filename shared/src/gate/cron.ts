/**
 * Five-field cron (minute hour day-of-month month day-of-week) with `*`, lists, ranges, steps
 * and month/day names, matched against wall-clock time in an IANA time zone.
 */
import type { CronSchedule } from './types.js'

interface FieldSpec {
  name: string
  min: number
  max: number
  names?: readonly string[]
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 7 is Sunday too; it is folded onto 0 below.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] }
]

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *'
}

export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; message: string }

export function parseCron(source: string): CronParse {
  const expanded = MACROS[source.trim().toLowerCase()] ?? source
  const fields = expanded.trim().split(/\s+/)
  if (fields.length !== 5 || fields[0] === '') {
    return { ok: false, message: `"${source}" is not a cron expression: expected 5 fields (minute hour day-of-month month day-of-week), got ${fields[0] === '' ? 0 : fields.length}` }
  }
  const values: number[][] = []
  for (const [index, field] of fields.entries()) {
    const parsed = parseField(field, FIELDS[index])
    if (typeof parsed === 'string') return { ok: false, message: `"${source}": ${parsed}` }
    values.push(parsed)
  }
  const daysOfWeek = [...new Set(values[4].map((day) => day % 7))].sort((a, b) => a - b)
  return {
    ok: true,
    schedule: {
      source,
      minutes: values[0],
      hours: values[1],
      daysOfMonth: values[2],
      months: values[3],
      daysOfWeek,
      daysOfMonthRestricted: fields[2] !== '*',
      daysOfWeekRestricted: fields[4] !== '*'
    }
  }
}

/** The sorted values a field allows, or why it is invalid. */
function parseField(field: string, spec: FieldSpec): number[] | string {
  const allowed = new Set<number>()
  for (const item of field.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item)
    if (match === null) return `${spec.name} field "${field}": "${item}" is not a value, range or step`
    const [, base, stepText] = match
    const step = stepText === undefined ? 1 : Number(stepText)
    if (step === 0) return `${spec.name} field "${field}": a step must be at least 1`
    let from = spec.min
    let to = spec.max
    if (base !== '*') {
      const [first, last] = base.split('-')
      const start = value(first, spec)
      if (typeof start === 'string') return `${spec.name} field "${field}": ${start}`
      const end = last === undefined ? (stepText === undefined ? start : spec.max) : value(last, spec)
      if (typeof end === 'string') return `${spec.name} field "${field}": ${end}`
      if (end < start) return `${spec.name} field "${field}": range ${base} runs backwards`
      from = start
      to = end
    }
    for (let current = from; current <= to; current += step) allowed.add(current)
  }
  return [...allowed].sort((a, b) => a - b)
}

function value(text: string, spec: FieldSpec): number | string {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1
  if (named >= 0) return spec.name === 'month' ? named + 1 : named
  if (!/^\d+$/.test(text)) return `"${text}" is not a number${spec.names === undefined ? '' : ' or a name'}`
  const number = Number(text)
  if (number < spec.min || number > spec.max) return `${number} is outside ${spec.min}-${spec.max}`
  return number
}

/** Wall-clock fields of an instant in a time zone. */
export interface ZonedTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  /** 0 = Sunday. */
  weekday: number
}

export function cronMatches(schedule: CronSchedule, time: ZonedTime): boolean {
  if (!schedule.minutes.includes(time.minute) || !schedule.hours.includes(time.hour) || !schedule.months.includes(time.month)) return false
  const dayOfMonth = schedule.daysOfMonth.includes(time.day)
  const dayOfWeek = schedule.daysOfWeek.includes(time.weekday)
  // Vixie cron: when both day fields are restricted, either one matching is enough.
  if (schedule.daysOfMonthRestricted && schedule.daysOfWeekRestricted) return dayOfMonth || dayOfWeek
  return dayOfMonth && dayOfWeek
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone)
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
    formatters.set(timeZone, found)
  }
  return found
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

const MINUTE = 60_000
/** UTC offsets change only on quarter-hour boundaries, so one lookup per quarter hour suffices. */
const QUARTER_HOUR = 15 * MINUTE

/** Milliseconds to add to an instant to get its wall-clock time in `timeZone` read as UTC. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((part) => [part.type, part.value]))
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute))
  return wall - Math.floor(instant / MINUTE) * MINUTE
}

export function zonedTime(instant: number, timeZone: string): ZonedTime {
  return wallClock(instant + offsetAt(instant, timeZone))
}

function wallClock(shifted: number): ZonedTime {
  const date = new Date(shifted)
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes(), weekday: date.getUTCDay() }
}

/**
 * The latest instant `start` with a cron match (in wall-clock time) such that
 * `start <= now < start + durationMs`, or undefined when no window is open. Walking real
 * minutes backwards makes DST right by construction: a skipped wall-clock minute never
 * matches, a repeated one matches twice, and a window lasts `durationMs` of elapsed time.
 */
export function openWindowStart(schedule: CronSchedule, timeZone: string, durationMs: number, now: number): number | undefined {
  let offsetBlock = Number.NaN
  let offset = 0
  for (let start = Math.floor(now / MINUTE) * MINUTE; now - start < durationMs; start -= MINUTE) {
    const block = Math.floor(start / QUARTER_HOUR)
    if (block !== offsetBlock) {
      offsetBlock = block
      offset = offsetAt(start, timeZone)
    }
    if (cronMatches(schedule, wallClock(start + offset))) return start
  }
  return undefined
}
