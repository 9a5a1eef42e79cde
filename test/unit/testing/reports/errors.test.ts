import { describe, expect, it } from '@jest/globals'
import { parseReportFile, parseReportText } from '../../../../shared/src/testing/reports/index.js'
import { fixture, reportError } from './support.js'

describe('refused and broken reports', () => {
  it('refuses an entity-expansion bomb, naming the file and position', async () => {
    const file = fixture('entity-bomb.xml')
    const error = await reportError(parseReportFile(file))
    expect(error.file).toBe(file)
    expect(error.line).toBe(13)
    expect(error.message).toBe(`${file}:13:3: entity declarations are refused (an XML entity bomb or external entity)`)
  })

  it('refuses an external entity without reading it', async () => {
    const error = await reportError(parseReportFile(fixture('external-entity.xml')))
    expect(error.reason).toBe('entity declarations are refused (an XML entity bomb or external entity)')
    expect(error.line).toBe(4)
  })

  it('refuses an external DTD', async () => {
    const error = await reportError(parseReportFile(fixture('external-dtd.xml')))
    expect(error.reason).toBe('an external DTD is refused (SYSTEM or PUBLIC identifier)')
  })

  it('keeps an undefined entity reference an error', async () => {
    const error = await reportError(parseReportText('<testsuites>\n<testsuite name="a&nbsp;b"/></testsuites>', 'r.xml'))
    expect(error.message).toMatch(/^r\.xml:2:\d+: undefined entity/)
  })

  it('names malformed XML with its line and column', async () => {
    const error = await reportError(parseReportText('<testsuite>\n  <testcase name="x">\n</testsuite>', 'broken.xml'))
    expect(error.line).toBe(3)
    expect(error.message).toContain('broken.xml:3:')
  })

  it('detects the format from the root element and refuses an unknown one', async () => {
    const error = await reportError(parseReportText('<?xml version="1.0"?>\n<html><body/></html>', 'index.xml'))
    expect(error.message).toMatch(/^index\.xml:2:\d+: not a test report: the root element is <html>/)
    const report = await parseReportText('<testsuite name="s"><testcase name="t"/></testsuite>', 'looks-like.trx')
    expect(report.format).toBe('junit')
  })

  it('refuses an empty file and a missing one', async () => {
    expect((await reportError(parseReportText('', 'empty.xml'))).message).toContain('empty.xml')
    const missing = await reportError(parseReportFile('/nonexistent/report.xml'))
    expect(missing.message).toMatch(/^\/nonexistent\/report\.xml: cannot read the report: ENOENT: no such file/)
  })
})
