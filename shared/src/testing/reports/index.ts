import { createReadStream } from 'node:fs'
import type { ReportFormat, TestReport, TestTotals } from '../types.js'
import { emptyTotals, ReportCollector, roundSeconds } from './collector.js'
import { decodeReport } from './encoding.js'
import { messageOf, ReportError } from './errors.js'
import { junitReader } from './junit.js'
import { nunitReader } from './nunit.js'
import type { FormatReader } from './reader.js'
import { TRX_NAMESPACE, trxReader } from './trx.js'
import { readXml, type XmlVisitor } from './xml.js'

export { caseIdentity } from './collector.js'
export { ReportError } from './errors.js'
export { locateInStack, type SourceLocation } from './location.js'

export interface ParseOptions {
  /** Failed, flaky and skipped cases kept with their details, each (the rest are counted); 1000 by default. */
  maxFailures?: number
  /** How many of the slowest cases to keep; 10 by default. */
  slowest?: number
  /** Identities (`caseIdentity`) of cases that failed in an earlier attempt; `passedAgain` lists those that pass here. */
  watch?: ReadonlySet<string>
}

const READ_CHUNK_BYTES = 256 * 1024

/**
 * Parses a report file as a stream: a 100 MB report is never held in memory. The bytes are
 * decoded by their byte order mark, else the XML declaration's encoding, else as UTF-8.
 */
export async function parseReportFile(file: string, options: ParseOptions = {}): Promise<TestReport> {
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })
  try {
    return await parse(decodeReport(stream, file), file, options)
  } catch (error) {
    if (error instanceof ReportError) throw error
    throw new ReportError(file, `cannot read the report: ${messageOf(error)}`)
  } finally {
    stream.destroy()
  }
}

/** Parses a report already in memory; `file` names it in the result and in errors. */
export function parseReportText(text: string, file: string, options: ParseOptions = {}): Promise<TestReport> {
  return parse([text], file, options)
}

/** The totals of several reports added up (a service often writes one report per suite). */
export function mergeReports(reports: readonly TestReport[]): TestTotals {
  const sum = emptyTotals()
  for (const { totals } of reports) {
    for (const key of Object.keys(sum) as (keyof TestTotals)[]) sum[key] += totals[key]
  }
  return { ...sum, duration: roundSeconds(sum.duration) }
}

async function parse(chunks: AsyncIterable<string> | Iterable<string>, file: string, options: ParseOptions): Promise<TestReport> {
  const collector = new ReportCollector({ maxFailures: options.maxFailures ?? 1000, slowest: options.slowest ?? 10, watch: options.watch })
  const detected = detectingReader(collector)
  await readXml(chunks, file, detected.visitor)
  const chosen = detected.chosen()
  // saxes refuses a document without a root element before this point; this keeps it so.
  if (!chosen) throw new ReportError(file, 'the document has no root element')
  const { format, reader } = chosen
  reader.finish()
  return collector.report(file, format)
}

const READERS: Record<ReportFormat, (collector: ReportCollector) => FormatReader> = {
  junit: junitReader,
  trx: trxReader,
  nunit: nunitReader
}

/** The format is whatever the root element says it is, whatever the file is called. */
function formatOf(root: string, attributes: Readonly<Record<string, string>>): ReportFormat {
  if (root === 'testsuites' || root === 'testsuite') return 'junit'
  if (root === 'TestRun' && (attributes.xmlns ?? TRX_NAMESPACE) === TRX_NAMESPACE) return 'trx'
  if (root === 'test-run') return 'nunit'
  throw new Error(`not a test report: the root element is <${root}>, expected <testsuites> or <testsuite> (JUnit), <TestRun> (TRX) or <test-run> (NUnit 3)`)
}

/** Forwards XML events to the reader chosen by the root element. */
function detectingReader(collector: ReportCollector): { visitor: XmlVisitor; chosen(): { format: ReportFormat; reader: FormatReader } | undefined } {
  let chosen: { format: ReportFormat; reader: FormatReader } | undefined
  return {
    visitor: {
      open(name, attributes, read) {
        if (!chosen) {
          const format = formatOf(name, attributes)
          chosen = { format, reader: READERS[format](collector) }
        }
        chosen.reader.open(name, attributes, read)
      },
      text: (text) => chosen?.reader.text(text),
      close: (name) => chosen?.reader.close(name)
    },
    chosen: () => chosen
  }
}
