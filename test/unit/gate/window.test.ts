import { describe, expect, test } from '@jest/globals'
import { cronMatches, evaluateSoak, evaluateWindows, parseCron, zonedTime, type CronSchedule, type TimeWindow } from '../../../shared/src/gate/index.js'

function cron(source: string): CronSchedule {
  const parsed = parseCron(source)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.schedule
}

function window(source: string, duration: string, timeZone: string, reason?: string): TimeWindow {
  const [hours, minutes] = duration.split(':').map(Number)
  return { schedule: cron(source), durationSeconds: hours * 3600 + minutes * 60, timeZone, ...(reason === undefined ? {} : { reason }) }
}

const at = (iso: string): number => Date.parse(iso)

describe('parseCron', () => {
  test('expands lists, ranges, steps and names', () => {
    const schedule = cron('*/15 9-17/4 1,15 JAN-mar mon-fri')
    expect(schedule).toMatchObject({ minutes: [0, 15, 30, 45], hours: [9, 13, 17], daysOfMonth: [1, 15], months: [1, 2, 3], daysOfWeek: [1, 2, 3, 4, 5] })
  })

  test('7 is Sunday, like 0', () => {
    expect(cron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6])
  })

  test('macros stand for their five fields', () => {
    expect(cron('@daily')).toMatchObject({ minutes: [0], hours: [0], daysOfMonthRestricted: false })
  })

  test.each([
    ['0 9 * *', 'expected 5 fields'],
    ['61 * * * *', '61 is outside 0-59'],
    ['*/0 * * * *', 'a step must be at least 1'],
    ['0 17-9 * * *', 'range 17-9 runs backwards'],
    ['0 9 ? * *', '"?" is not a value, range or step'],
    ['0 9 * FOO *', '"FOO" is not a number or a name'],
    ['0 9 * * 1;rm', 'is not a value, range or step']
  ])('refuses %p', (source, message) => {
    const parsed = parseCron(source)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.message).toContain(message)
  })

  test('two restricted day fields match when either does (cron semantics)', () => {
    const schedule = cron('0 0 13 * 5')
    const friday12 = zonedTime(at('2025-12-12T00:00:00Z'), 'UTC')
    const saturday13 = zonedTime(at('2025-12-13T00:00:00Z'), 'UTC')
    const sunday14 = zonedTime(at('2025-12-14T00:00:00Z'), 'UTC')
    expect([cronMatches(schedule, friday12), cronMatches(schedule, saturday13), cronMatches(schedule, sunday14)]).toEqual([true, true, false])
  })
})

describe('windows across DST changes', () => {
  // Europe/Berlin springs forward on 2025-03-30 at 02:00 CET (01:00 UTC) to 03:00 CEST.
  test('a window lasts its duration in elapsed time, so it ends an hour later by the wall clock on the short night', () => {
    const night = { allow: [window('0 1 * * *', '3:00', 'Europe/Berlin')], deny: [] }
    // 01:00 CET = 00:00 UTC; three hours later is 03:00 UTC = 05:00 CEST.
    expect(evaluateWindows(night, at('2025-03-30T02:30:00Z')).phase).toBe('successful') // 04:30 CEST
    expect(evaluateWindows(night, at('2025-03-30T03:00:00Z')).phase).toBe('failed') // 05:00 CEST: closed
    // A day earlier the same 04:30 wall-clock time is past the window.
    expect(evaluateWindows(night, at('2025-03-29T03:30:00Z')).phase).toBe('failed') // 04:30 CET
  })

  test('a wall-clock time the spring-forward skips never opens a window', () => {
    const skipped = { allow: [window('30 2 * * *', '1:00', 'Europe/Berlin')], deny: [] }
    expect(evaluateWindows(skipped, at('2025-03-29T01:45:00Z')).phase).toBe('successful') // 02:45 CET
    expect(evaluateWindows(skipped, at('2025-03-30T01:45:00Z')).phase).toBe('failed') // 03:45 CEST: 02:30 never happened
  })

  test('a wall-clock time the fall-back repeats opens the window twice', () => {
    // 2025-10-26: 03:00 CEST becomes 02:00 CET; 02:30 happens at 00:30 UTC and again at 01:30 UTC.
    const repeated = { allow: [window('30 2 * * *', '0:30', 'Europe/Berlin')], deny: [] }
    expect(evaluateWindows(repeated, at('2025-10-26T00:45:00Z')).phase).toBe('successful')
    expect(evaluateWindows(repeated, at('2025-10-26T01:15:00Z')).phase).toBe('failed')
    expect(evaluateWindows(repeated, at('2025-10-26T01:45:00Z')).phase).toBe('successful')
  })

  test('business hours follow the local clock on both sides of the change', () => {
    // America/New_York springs forward on 2025-03-09: 09:00 is 14:00 UTC before, 13:00 UTC after.
    const businessHours = { allow: [window('0 9 * * 1-5', '8:00', 'America/New_York')], deny: [] }
    expect(evaluateWindows(businessHours, at('2025-03-07T13:30:00Z')).phase).toBe('failed') // Friday 08:30 EST
    expect(evaluateWindows(businessHours, at('2025-03-07T14:30:00Z')).phase).toBe('successful') // Friday 09:30 EST
    expect(evaluateWindows(businessHours, at('2025-03-10T13:30:00Z')).phase).toBe('successful') // Monday 09:30 EDT
  })
})

describe('deny wins', () => {
  const weekdays = {
    allow: [window('0 9 * * 1-5', '8:00', 'Europe/Berlin')],
    deny: [window('0 12 * * 5', '5:00', 'Europe/Berlin', 'no deploys on Friday afternoon')]
  }

  test('inside an allow window and no deny window open: allowed', () => {
    const verdict = evaluateWindows(weekdays, at('2025-06-06T08:00:00Z')) // Friday 10:00 CEST
    expect(verdict).toEqual({ phase: 'successful', message: 'inside allow window "0 9 * * 1-5" (Europe/Berlin), open from 2025-06-06 09:00 GMT+2 until 2025-06-06 17:00 GMT+2' })
  })

  test('a deny window inside an allow window blocks with its reason', () => {
    const verdict = evaluateWindows(weekdays, at('2025-06-06T11:00:00Z')) // Friday 13:00 CEST
    expect(verdict).toEqual({
      phase: 'failed',
      message: 'frozen by deny window "0 12 * * 5" (Europe/Berlin), open from 2025-06-06 12:00 GMT+2 until 2025-06-06 17:00 GMT+2: no deploys on Friday afternoon'
    })
  })

  test('outside every allow window: blocked', () => {
    expect(evaluateWindows(weekdays, at('2025-06-07T08:00:00Z'))).toEqual({ phase: 'failed', message: 'outside every allow window ("0 9 * * 1-5" for 8h in Europe/Berlin)' })
  })

  test('a freeze blocks whatever the windows say', () => {
    expect(evaluateWindows({ ...weekdays, freeze: 'incident INC-42' }, at('2025-06-06T08:00:00Z'))).toEqual({ phase: 'failed', message: 'frozen: incident INC-42' })
  })

  test('with only deny windows, any other time is allowed', () => {
    expect(evaluateWindows({ allow: [], deny: weekdays.deny }, at('2025-06-07T08:00:00Z')).phase).toBe('successful')
  })
})

describe('evaluateSoak', () => {
  const deployedAt = at('2025-06-02T10:00:00Z')

  test('long enough since the deployment succeeds', () => {
    expect(evaluateSoak({ durationSeconds: 1800, deployedAt, now: at('2025-06-02T10:45:00Z') })).toMatchObject({ phase: 'successful', value: 2700 })
  })

  test('too soon is inconclusive and says how long to go', () => {
    expect(evaluateSoak({ durationSeconds: 1800, deployedAt, now: at('2025-06-02T10:12:00Z') })).toEqual({
      phase: 'inconclusive',
      value: 720,
      message: 'deployed 12m ago (2025-06-02T10:00:00.000Z); soak needs 30m, 18m to go'
    })
  })

  test('never deployed fails', () => {
    expect(evaluateSoak({ durationSeconds: 1800, now: deployedAt }).phase).toBe('failed')
  })
})
