import type { TestStatus } from '../types.js'
import type { ReportCollector } from './collector.js'
import { resolveLocation } from './location.js'
import { disagreement, type DeclaredCounts, type FormatReader } from './reader.js'
import { BoundedText, numberAttribute } from './text.js'

interface OpenCase {
  attributes: Readonly<Record<string, string>>
  /** Elements open inside the case: a `message` counts only under `failure` or `reason`. */
  path: string[]
  message: BoundedText
  stackTrace: BoundedText
}

/**
 * NUnit 3: `test-run` > nested `test-suite` > `test-case`. Suites carry their children's result
 * ("One or more child tests had errors"), so only cases are counted; a fixture whose setup
 * failed marks each of its cases failed.
 */
export function nunitReader(collector: ReportCollector): FormatReader {
  const suites: string[] = []
  const counted = { tests: 0, failed: 0, errors: 0, skipped: 0 }
  let declared: DeclaredCounts = {}
  let openCase: OpenCase | undefined
  let capture: BoundedText | undefined

  const closeCase = ({ attributes, message, stackTrace }: OpenCase) => {
    const status = statusOf(attributes.result, attributes.label)
    counted.tests += 1
    if (status === 'failed' || status === 'error') counted.failed += 1
    if (status === 'skipped') counted.skipped += 1
    const details = stackTrace.value()
    collector.add({
      suite: [...suites],
      name: attributes.name ?? '',
      className: attributes.classname || undefined,
      status,
      flaky: false,
      duration: numberAttribute(attributes.duration),
      message: message.value(),
      details,
      ...resolveLocation(details, undefined, undefined)
    })
  }

  return {
    open(name, attributes) {
      if (name === 'test-run') {
        // NUnit counts errors among failures and inconclusive cases apart from skipped ones.
        declared = { tests: numberAttribute(attributes.total), failed: numberAttribute(attributes.failed) }
      } else if (name === 'test-suite') {
        suites.push(attributes.name ?? '')
      } else if (name === 'test-case') {
        openCase = { attributes, path: [], message: new BoundedText(), stackTrace: new BoundedText() }
      } else if (openCase) {
        const parent = openCase.path.at(-1)
        if (name === 'message' && (parent === 'failure' || parent === 'reason')) capture = openCase.message
        else if (name === 'stack-trace' && parent === 'failure') capture = openCase.stackTrace
        openCase.path.push(name)
      }
    },
    text(text) {
      capture?.append(text)
    },
    close(name) {
      if (openCase && openCase.path.length > 0) {
        openCase.path.pop()
        capture = undefined
      } else if (name === 'test-suite') {
        suites.pop()
      } else if (name === 'test-case' && openCase) {
        closeCase(openCase)
        openCase = undefined
      }
    },
    finish() {
      const warning = disagreement('test-run', declared, counted)
      if (warning) collector.warnings.push(warning)
    }
  }
}

/** NUnit's result plus label: a failure labelled Error or Invalid is an error, not an assertion. */
function statusOf(result: string | undefined, label: string | undefined): TestStatus {
  switch (result) {
    case 'Passed':
    case 'Warning':
      return 'passed'
    case 'Failed':
      return label === 'Error' || label === 'Invalid' || label === 'Cancelled' ? 'error' : 'failed'
    case 'Skipped':
    case 'Inconclusive':
      return 'skipped'
    default:
      return 'error'
  }
}
