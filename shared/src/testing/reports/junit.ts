import type { TestCase, TestStatus } from '../types.js'
import type { ReportCollector } from './collector.js'
import { resolveLocation } from './location.js'
import { disagreement, type DeclaredCounts, type FormatReader } from './reader.js'
import { BoundedText, firstLine, numberAttribute } from './text.js'

type Attributes = Readonly<Record<string, string>>

/**
 * What a `testcase` (or a `testsuite`) holds besides passing: `failure`, `error`, `skipped`, and
 * Surefire's re-run records. `flaky*` means it failed, then passed on a re-run; `rerun*` means
 * it kept failing on every re-run.
 */
const OUTCOMES = ['failure', 'error', 'skipped', 'flakyFailure', 'flakyError', 'rerunFailure', 'rerunError'] as const
type OutcomeKind = (typeof OUTCOMES)[number]

interface Outcome {
  kind: OutcomeKind
  message?: string
  body: BoundedText
}

interface OpenCase {
  attributes: Attributes
  outcomes: Outcome[]
}

interface OpenSuite {
  name: string
  attributes: Attributes
  /** Cases inside, nested suites included. */
  cases: number
  /** `failure`/`error` written on the suite itself (a hook or the whole file failed). */
  problems: Outcome[]
}

/** Elements whose content never affects results; their text can be large, so it is skipped. */
const IGNORED = new Set(['system-out', 'system-err', 'properties'])

/**
 * `status`/`result` attributes that say a case never ran (GoogleTest's `DISABLED_` tests are
 * `status="notrun" result="suppressed"`; cppfw/tst and the xunit schema write
 * `status="disabled"`), or that it failed without a `failure` element. Values that say it ran
 * (`run`, `completed`, `passed`) leave the case to its elements.
 */
const NOT_RUN_STATUS = new Set(['notrun', 'disabled', 'skipped', 'ignored'])
const NOT_RUN_RESULT = new Set(['suppressed', 'skipped'])
const FAILED_STATUS = new Set(['fail', 'failed', 'failure'])
const ERROR_STATUS = new Set(['error', 'errored'])

/**
 * JUnit XML in the dialects of jest-junit, pytest, Maven Surefire, Gradle, go-junit-report,
 * gotestsum, mocha and GoogleTest, with `testsuite` nested to any depth.
 *
 * A suite that holds no test case keeps the counts it declares (`tests`, `failures`, `errors`,
 * `skipped` and `disabled`): a jest file that failed to compile, a package that failed to build
 * or a writer that only summarises can never turn into a green run. A `failure`/`error` written
 * on a suite itself (a hook failed) counts as a failed or errored case named after the suite.
 */
export function junitReader(collector: ReportCollector): FormatReader {
  const suites: OpenSuite[] = []
  const counted = { tests: 0, failed: 0, errors: 0, skipped: 0 }
  let root: { element: string; attributes: Attributes } | undefined
  let openCase: OpenCase | undefined
  let capture: Outcome | undefined
  let ignoredDepth = 0

  const emit = (testCase: TestCase, count = 1) => {
    if (count <= 0) return
    counted.tests += count
    if (testCase.status === 'failed') counted.failed += count
    else if (testCase.status === 'error') counted.errors += count
    else if (testCase.status === 'skipped') counted.skipped += count
    collector.addAlike(testCase, count)
  }

  const closeCase = ({ attributes, outcomes }: OpenCase) => {
    const find = (...kinds: OutcomeKind[]) => outcomes.find((outcome) => kinds.includes(outcome.kind))
    const problem = find('error', 'failure') ?? find('rerunError', 'rerunFailure')
    const skipped = find('skipped')
    const flakyRun = find('flakyFailure', 'flakyError')
    const marked = markedStatus(attributes)
    const status: TestStatus = problem ? (problem.kind.toLowerCase().endsWith('error') ? 'error' : 'failed') : skipped ? 'skipped' : (marked ?? 'passed')
    const explained = problem ?? skipped ?? flakyRun
    const details = explained?.body.value()
    const file = attributes.file ?? nearestSuiteFile(suites)
    emit({
      suite: suites.map((suite) => suite.name),
      name: attributes.name ?? '',
      className: attributes.classname || undefined,
      status,
      flaky: status === 'passed' && flakyRun !== undefined,
      duration: numberAttribute(attributes.time),
      message: explained?.message?.trim() || firstLine(details) || (marked && explained === undefined ? markedMessage(attributes) : undefined),
      details,
      ...resolveLocation(details, file, attributeLine(file, attributes.line))
    })
    for (const suite of suites) suite.cases += 1
  }

  /** A suite's own problems, then, when it lists no case, the cases it declares. */
  const closeSuite = (suite: OpenSuite) => {
    const path = suites.map((parent) => parent.name)
    let time = numberAttribute(suite.attributes.time)
    const listed = { failed: 0, errors: 0 }
    for (const problem of suite.problems) {
      const details = problem.body.value()
      const status: TestStatus = problem.kind === 'failure' ? 'failed' : 'error'
      listed[status === 'failed' ? 'failed' : 'errors'] += 1
      emit({
        suite: path,
        name: suite.name,
        status,
        flaky: false,
        duration: time,
        message: problem.message?.trim() || firstLine(details) || `the suite reports a${status === 'error' ? 'n error' : ' failure'}`,
        details,
        ...resolveLocation(details, suite.attributes.file, undefined)
      })
      time = undefined
    }
    const declared = suite.cases === 0 ? declaredCases(suite.attributes, listed, suite.problems.length) : []
    for (const [testCase, count] of declared) {
      emit({ ...testCase, suite: path, name: suite.name, duration: time, ...resolveLocation(undefined, suite.attributes.file, undefined) }, count)
      if (count > 0) time = undefined
    }
    // The parent counts these too, so a case-less parent does not declare them a second time.
    suite.cases += suite.problems.length + declared.reduce((sum, [, count]) => sum + count, 0)
  }

  return {
    open(name, attributes) {
      if (ignoredDepth > 0 || IGNORED.has(name)) {
        ignoredDepth += 1
        return
      }
      if (!root) root = { element: name, attributes }
      if (name === 'testsuite') {
        suites.push({ name: attributes.name ?? '', attributes, cases: 0, problems: [] })
      } else if (name === 'testcase') {
        openCase = { attributes, outcomes: [] }
      } else if (isOutcome(name)) {
        capture = { kind: name, message: attributes.message, body: new BoundedText() }
        if (openCase) openCase.outcomes.push(capture)
        else if (name === 'failure' || name === 'error') suites.at(-1)?.problems.push(capture)
      }
    },
    text(text) {
      if (ignoredDepth === 0) capture?.body.append(text)
    },
    close(name) {
      if (ignoredDepth > 0) {
        ignoredDepth -= 1
        return
      }
      if (isOutcome(name)) {
        capture = undefined
      } else if (name === 'testcase' && openCase) {
        closeCase(openCase)
        openCase = undefined
      } else if (name === 'testsuite') {
        const suite = suites.pop()
        if (suite) {
          closeSuite(suite)
          const parent = suites.at(-1)
          if (parent) parent.cases += suite.cases
        }
      }
    },
    finish() {
      if (!root) return
      // A `testsuites` root without any case keeps its own counts, as a case-less suite does.
      if (root.element === 'testsuites' && counted.tests === 0) {
        for (const [testCase, count] of declaredCases(root.attributes, { failed: 0, errors: 0 }, 0)) {
          emit({ ...testCase, suite: [], name: root.attributes.name ?? '' }, count)
        }
      }
      const warning = disagreement(root.element, declaredCounts(root.attributes), counted)
      if (warning) collector.warnings.push(warning)
    }
  }
}

function isOutcome(name: string): name is OutcomeKind {
  return (OUTCOMES as readonly string[]).includes(name)
}

/** What the `status`/`result` attributes say when no element does, or undefined. */
function markedStatus(attributes: Attributes): TestStatus | undefined {
  const status = attributes.status?.trim().toLowerCase() ?? ''
  const result = attributes.result?.trim().toLowerCase() ?? ''
  if (FAILED_STATUS.has(status)) return 'failed'
  if (ERROR_STATUS.has(status)) return 'error'
  if (NOT_RUN_STATUS.has(status) || NOT_RUN_RESULT.has(result)) return 'skipped'
  return undefined
}

function markedMessage(attributes: Attributes): string {
  const said = (['status', 'result'] as const).filter((key) => attributes[key] !== undefined).map((key) => `${key}="${attributes[key]}"`)
  return `${markedStatus(attributes) === 'skipped' ? 'not run' : 'marked failed'} (${said.join(' ')})`
}

/** The counts a suite (or the root) declares: `skipped` includes `disabled` (GoogleTest counts them apart). */
function declaredCounts(attributes: Attributes): DeclaredCounts {
  const skipped = numberAttribute(attributes.skipped ?? attributes.skips)
  return {
    tests: numberAttribute(attributes.tests),
    failed: numberAttribute(attributes.failures),
    errors: numberAttribute(attributes.errors),
    // Only compared when the writer states `skipped`: GoogleTest's root states `disabled` alone.
    skipped: skipped === undefined ? undefined : skipped + (numberAttribute(attributes.disabled) ?? 0)
  }
}

/**
 * The cases an element declares without listing them, one standing case per outcome with how
 * many it stands for: failures and errors beyond those `listed` as elements, skipped and
 * disabled cases, and the rest of `tests` passed. `tests` never counts fewer than the rest.
 */
function declaredCases(attributes: Attributes, listed: { failed: number; errors: number }, listedCases: number): Array<[Omit<TestCase, 'suite' | 'name'>, number]> {
  const count = (value: string | undefined) => Math.max(0, Math.trunc(numberAttribute(value) ?? 0))
  const failed = Math.max(0, count(attributes.failures) - listed.failed)
  const errors = Math.max(0, count(attributes.errors) - listed.errors)
  const skipped = count(attributes.skipped ?? attributes.skips) + count(attributes.disabled)
  const passed = Math.max(0, count(attributes.tests) - listedCases - failed - errors - skipped)
  const declares = (number: number, what: string) => `the suite declares ${number} ${what} ${number === 1 ? 'test' : 'tests'} but lists no test case`
  return [
    [{ status: 'failed', flaky: false, message: declares(failed, 'failed') }, failed],
    [{ status: 'error', flaky: false, message: `${declares(errors, 'errored')}; it probably failed to load` }, errors],
    [{ status: 'skipped', flaky: false, message: declares(skipped, 'skipped') }, skipped],
    [{ status: 'passed', flaky: false }, passed]
  ]
}

/** mocha-junit-reporter writes `file` on the suite rather than on each case. */
function nearestSuiteFile(suites: OpenSuite[]): string | undefined {
  return suites.findLast((suite) => suite.attributes.file)?.attributes.file
}

/** pytest writes `line` 0-based (its item location); every other writer counts from 1. */
function attributeLine(file: string | undefined, line: string | undefined): number | undefined {
  const number = numberAttribute(line)
  if (number === undefined) return undefined
  return file?.endsWith('.py') ? number + 1 : number
}
