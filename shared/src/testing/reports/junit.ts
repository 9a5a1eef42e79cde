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
 * JUnit XML in the dialects of jest-junit, pytest, Maven Surefire, Gradle, go-junit-report,
 * gotestsum and mocha, with `testsuite` nested to any depth.
 *
 * A suite that reports errors or failures but holds no test case (a jest file that failed to
 * compile, a package that failed to build) counts as one errored case named after the suite,
 * so a broken file can never turn into a green run. So does a `failure`/`error` written on a
 * suite itself.
 */
export function junitReader(collector: ReportCollector): FormatReader {
  const suites: OpenSuite[] = []
  const counted = { tests: 0, failed: 0, errors: 0, skipped: 0 }
  let root: { element: string; declared: DeclaredCounts } | undefined
  let openCase: OpenCase | undefined
  let capture: Outcome | undefined
  let ignoredDepth = 0

  const emit = (testCase: TestCase) => {
    counted.tests += 1
    if (testCase.status === 'failed') counted.failed += 1
    else if (testCase.status === 'error') counted.errors += 1
    else if (testCase.status === 'skipped') counted.skipped += 1
    collector.add(testCase)
  }

  const closeCase = ({ attributes, outcomes }: OpenCase) => {
    const find = (...kinds: OutcomeKind[]) => outcomes.find((outcome) => kinds.includes(outcome.kind))
    const problem = find('error', 'failure') ?? find('rerunError', 'rerunFailure')
    const skipped = find('skipped')
    const flakyRun = find('flakyFailure', 'flakyError')
    const status: TestStatus = problem ? (problem.kind.toLowerCase().endsWith('error') ? 'error' : 'failed') : skipped ? 'skipped' : 'passed'
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
      message: explained?.message?.trim() || firstLine(details),
      details,
      ...resolveLocation(details, file, attributeLine(file, attributes.line))
    })
    for (const suite of suites) suite.cases += 1
  }

  const closeSuite = (suite: OpenSuite) => {
    const declaredProblems = (numberAttribute(suite.attributes.errors) ?? 0) + (numberAttribute(suite.attributes.failures) ?? 0)
    const problems: (Outcome | undefined)[] = suite.problems.length > 0 ? suite.problems : suite.cases === 0 && declaredProblems > 0 ? [undefined] : []
    for (const problem of problems) {
      const details = problem?.body.value()
      emit({
        suite: suites.map((parent) => parent.name),
        name: suite.name,
        status: 'error',
        flaky: false,
        duration: numberAttribute(suite.attributes.time),
        message: problem?.message?.trim() || firstLine(details) || `the suite reports ${declaredProblems} error(s) but holds no test case; it probably failed to load`,
        details,
        ...resolveLocation(details, suite.attributes.file, undefined)
      })
    }
  }

  return {
    open(name, attributes) {
      if (ignoredDepth > 0 || IGNORED.has(name)) {
        ignoredDepth += 1
        return
      }
      if (!root) root = { element: name, declared: declaredCounts(attributes) }
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
      const warning = root && disagreement(root.element, root.declared, counted)
      if (warning) collector.warnings.push(warning)
    }
  }
}

function isOutcome(name: string): name is OutcomeKind {
  return (OUTCOMES as readonly string[]).includes(name)
}

function declaredCounts(attributes: Attributes): DeclaredCounts {
  return {
    tests: numberAttribute(attributes.tests),
    failed: numberAttribute(attributes.failures),
    errors: numberAttribute(attributes.errors),
    skipped: numberAttribute(attributes.skipped ?? attributes.skips)
  }
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
