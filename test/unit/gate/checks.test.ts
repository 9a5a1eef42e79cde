import { describe, expect, test } from '@jest/globals'
import { judgeChecks, type CheckResult } from '../../../shared/src/gate/sources/index.js'

const green = (name: string, detail = 'success'): CheckResult => ({ name, state: 'success', detail })
const red = (name: string, detail = 'failure'): CheckResult => ({ name, state: 'failure', detail })
const pending = (name: string, detail = 'in_progress'): CheckResult => ({ name, state: 'pending', detail })

describe('judgeChecks', () => {
  test('all green (success, neutral, skipped) passes', () => {
    expect(judgeChecks([green('build'), green('lint', 'neutral'), green('docs', 'skipped')], { lastAttempt: false })).toEqual({ phase: 'successful', value: 3, message: '3 checks green: build, docs, lint' })
  })

  test('a red check fails at once, even with others pending', () => {
    expect(judgeChecks([red('build', 'timed_out'), pending('e2e')], { lastAttempt: false })).toEqual({ phase: 'failed', value: 1, message: 'failing: build (timed_out)' })
  })

  test('pending and missing required checks are inconclusive until the last attempt, then failed', () => {
    const found = [green('build'), pending('e2e', 'queued'), green('unrelated')]
    expect(judgeChecks(found, { names: ['build', 'e2e', 'deploy-preview'], lastAttempt: false })).toEqual({ phase: 'inconclusive', message: 'missing: deploy-preview; pending: e2e (queued)' })
    expect(judgeChecks(found, { names: ['build', 'e2e', 'deploy-preview'], lastAttempt: true })).toEqual({ phase: 'failed', message: 'still missing: deploy-preview; pending: e2e (queued) when the wait ended' })
  })

  test('only the named checks matter', () => {
    expect(judgeChecks([green('build'), red('flaky-nightly')], { names: ['build'], lastAttempt: false })).toMatchObject({ phase: 'successful' })
  })

  test('a name used by a check run and a commit status is as good as its worse half', () => {
    expect(judgeChecks([green('ci'), red('ci', 'error')], { lastAttempt: false })).toMatchObject({ phase: 'failed', message: 'failing: ci (error)' })
  })

  test('a commit without any check is waited for, not passed', () => {
    expect(judgeChecks([], { lastAttempt: false })).toEqual({ phase: 'inconclusive', message: 'no check runs or commit statuses on the commit yet' })
    expect(judgeChecks([], { lastAttempt: true })).toMatchObject({ phase: 'failed' })
  })
})
