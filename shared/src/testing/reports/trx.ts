import type { TestCase, TestStatus } from '../types.js'
import type { ReportCollector } from './collector.js'
import { resolveLocation } from './location.js'
import type { FormatReader } from './reader.js'
import { BoundedText } from './text.js'

export const TRX_NAMESPACE = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'

/** TRX outcomes (vstest's TestOutcome) by what a reviewer should make of them. */
const STATUS_BY_OUTCOME: Record<string, TestStatus> = {
  Passed: 'passed',
  PassedButRunAborted: 'passed',
  Completed: 'passed',
  Warning: 'passed',
  Failed: 'failed',
  Timeout: 'failed',
  Error: 'error',
  Aborted: 'error',
  Disconnected: 'error',
  NotExecuted: 'skipped',
  NotRunnable: 'skipped',
  Inconclusive: 'skipped',
  Pending: 'skipped',
  InProgress: 'skipped'
}

interface OpenResult {
  testId?: string
  attributes: Readonly<Record<string, string>>
  /** A data-driven result wraps one inner result per data row; only the rows are counted. */
  hasInner: boolean
  message: BoundedText
  stackTrace: BoundedText
}

/**
 * .NET TRX (vstest): `Results/UnitTestResult` carry outcome, duration and `Output/ErrorInfo`;
 * the class of each test sits in `TestDefinitions/UnitTest/TestMethod`, which vstest writes
 * after the results. Cases are counted as their results stream by, and the class names are
 * filled in at the end for the few cases the report keeps.
 */
export function trxReader(collector: ReportCollector): FormatReader {
  const results: OpenResult[] = []
  const testIdOf = new WeakMap<TestCase, string>()
  const classNameOf = new Map<string, string>()
  /** Once the results are read, only the definitions of kept cases are worth remembering. */
  let wanted: Set<string> | undefined
  let definitionId: string | undefined
  let capture: BoundedText | undefined

  const closeResult = (result: OpenResult) => {
    const { attributes } = result
    const message = result.message.value()
    const stackTrace = result.stackTrace.value()
    const testCase: TestCase = {
      suite: [],
      name: attributes.testName ?? '',
      // An outcome this table does not know is shown rather than passed over.
      status: STATUS_BY_OUTCOME[attributes.outcome ?? ''] ?? 'error',
      flaky: false,
      duration: parseTimeSpan(attributes.duration),
      message,
      details: stackTrace,
      ...resolveLocation(stackTrace, undefined, undefined)
    }
    const kept = collector.add(testCase)
    if (result.testId) testIdOf.set(kept, result.testId)
  }

  return {
    open(name, attributes) {
      switch (name) {
        case 'UnitTestResult': {
          const parent = results.at(-1)
          if (parent) parent.hasInner = true
          results.push({ testId: attributes.testId, attributes, hasInner: false, message: new BoundedText(), stackTrace: new BoundedText() })
          break
        }
        case 'Message':
          capture = results.at(-1)?.message
          break
        case 'StackTrace':
          capture = results.at(-1)?.stackTrace
          break
        case 'UnitTest':
          definitionId = attributes.id
          break
        case 'TestMethod':
          if (definitionId && attributes.className && (!wanted || wanted.has(definitionId))) classNameOf.set(definitionId, attributes.className)
          break
      }
    },
    text(text) {
      capture?.append(text)
    },
    close(name) {
      if (name === 'Message' || name === 'StackTrace') capture = undefined
      else if (name === 'UnitTest') definitionId = undefined
      else if (name === 'Results') wanted = new Set(collector.retained().flatMap((testCase) => testIdOf.get(testCase) ?? []))
      else if (name === 'UnitTestResult') {
        const result = results.pop()
        if (result && !result.hasInner) closeResult(result)
      }
    },
    finish() {
      for (const testCase of collector.retained()) {
        const testId = testIdOf.get(testCase)
        const className = testId === undefined ? undefined : classNameOf.get(testId)
        if (className) {
          testCase.className = className
          testCase.suite = [className]
        }
      }
    }
  }
}

/** A .NET TimeSpan as TRX writes it, `[d.]hh:mm:ss[.fffffff]`, in seconds. */
export function parseTimeSpan(value: string | undefined): number | undefined {
  const match = value && /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value.trim())
  if (!match) return undefined
  const [, days = '0', hours, minutes, seconds] = match
  return Number(days) * 86400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)
}
