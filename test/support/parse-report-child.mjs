#!/usr/bin/env node
// Parses one report with a bundled copy of the report parser and prints what a memory test needs:
// the totals and this process's peak resident set size. Run as its own process so the peak
// belongs to the parse alone, not to jest.
//   node parse-report-child.mjs <bundle/index.js> <report.xml>
import { pathToFileURL } from 'node:url'

const [bundle, report] = process.argv.slice(2)
const { parseReportFile } = await import(pathToFileURL(bundle).href)
const parsed = await parseReportFile(report)
process.stdout.write(
  JSON.stringify({
    totals: parsed.totals,
    keptFailures: parsed.failures.length,
    omittedFailures: parsed.omittedFailures,
    // resourceUsage reports kilobytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024
  })
)
