import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeReport } from '../../../../shared/src/testing/reports/encoding.js'
import { parseReportFile } from '../../../../shared/src/testing/reports/index.js'
import { fixture, reportError } from './support.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-encodings-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function written(name: string, bytes: Buffer): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, bytes)
  return file
}

const report = (declaration: string, name: string) =>
  `${declaration}\n<testsuite name="s" tests="1" failures="1"><testcase name="${name}"><failure message="${name}"/></testcase></testsuite>\n`

async function* byteByByte(bytes: Buffer): AsyncIterable<Uint8Array> {
  for (const byte of bytes) yield Uint8Array.of(byte)
}

async function decodedText(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let text = ''
  for await (const part of decodeReport(chunks, 'r.xml')) text += part
  return text
}

describe('report encodings', () => {
  it('reads a UTF-16LE report with a byte order mark (Windows PowerShell 5 redirecting go-junit-report)', async () => {
    const parsed = await parseReportFile(fixture('utf16le-bom.xml'))
    expect(parsed.totals).toMatchObject({ tests: 3, passed: 2, failed: 1 })
    expect(parsed.failures[0]).toMatchObject({ name: 'TestRoutesByPath/café', file: 'router_test.go', line: 48 })
    expect(parsed.failures[0].details).toContain('want "menu" — 🍰')
  })

  it('reads a UTF-16BE report with a byte order mark, and UTF-16 without one from its first characters', async () => {
    const text = report('<?xml version="1.0" encoding="UTF-16"?>', 'naïve €')
    const bigEndian = Buffer.from(text, 'utf16le').swap16()
    const withBom = await parseReportFile(await written('be.xml', Buffer.concat([Buffer.from([0xfe, 0xff]), bigEndian])))
    expect(withBom.failures[0].name).toBe('naïve €')
    const littleNoBom = await parseReportFile(await written('le.xml', Buffer.from(text, 'utf16le')))
    expect(littleNoBom.failures[0].name).toBe('naïve €')
    const bigNoBom = await parseReportFile(await written('be-nobom.xml', bigEndian))
    expect(bigNoBom.failures[0].name).toBe('naïve €')
  })

  it('honours an ISO-8859-1 declaration (Python ElementTree writing encoding="iso-8859-1")', async () => {
    const parsed = await parseReportFile(fixture('latin1.xml'))
    expect(parsed.totals).toMatchObject({ tests: 2, passed: 1, failed: 1 })
    expect(parsed.failures[0]).toMatchObject({ name: 'test_greets_zoë', message: "AssertionError: 'Bonjour Zoë' != 'Bonjour Zoé'" })
    expect(JSON.stringify(parsed)).not.toContain('\ufffd')
  })

  it('honours windows-1252 and US-ASCII declarations', async () => {
    const cp1252 = Buffer.from(report("<?xml version='1.0' encoding='windows-1252'?>", 'costs 5 X'), 'latin1')
    cp1252[cp1252.indexOf('X')] = 0x80
    expect((await parseReportFile(await written('cp1252.xml', cp1252))).failures[0].name).toBe('costs 5 €')
    const ascii = Buffer.from(report('<?xml version="1.0" encoding="US-ASCII"?>', 'plain &#233;'), 'latin1')
    expect((await parseReportFile(await written('ascii.xml', ascii))).failures[0].name).toBe('plain é')
  })

  it('decodes as a stream: characters split across chunks come out whole', async () => {
    const text = report('<?xml version="1.0" encoding="UTF-8"?>', 'Zoë 🍰 €')
    expect(await decodedText(byteByByte(Buffer.from(text, 'utf8')))).toBe(text)
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    expect(await decodedText(byteByByte(utf16))).toBe(text)
    const latin1 = report("<?xml version='1.0' encoding='ISO-8859-1'?>", 'Zoë')
    expect(await decodedText(byteByByte(Buffer.from(latin1, 'latin1')))).toBe(latin1)
  })

  it('refuses an encoding it cannot decode, naming it', async () => {
    const file = await written('utf7.xml', Buffer.from(report('<?xml version="1.0" encoding="UTF-7"?>', 'x')))
    const error = await reportError(parseReportFile(file))
    expect(error.message).toBe(`${file}: the XML declaration names the encoding "UTF-7", which cannot be decoded`)
    const utf32 = await written('utf32.xml', Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00]))
    expect((await reportError(parseReportFile(utf32))).message).toBe(`${utf32}: UTF-32 (from its byte order mark) is not a supported encoding`)
  })

  it('says that a file the pattern matched is not a test report when it is not XML', async () => {
    const json = await written('results.xml', Buffer.from('{"numFailedTests":0,"numPassedTests":12,"testResults":[]}\n'))
    expect((await reportError(parseReportFile(json))).message).toBe(`${json}: not a test report (not XML: it begins with "{\\"numFailedTests\\":0,\\"numPassedTests\\":12,")`)
    const text = await written('output.xml', Buffer.from('\n  PASS src/cart.test.ts\n'))
    expect((await reportError(parseReportFile(text))).message).toBe(`${text}: not a test report (not XML: it begins with "PASS src/cart.test.ts")`)
    const empty = await written('empty.xml', Buffer.alloc(0))
    expect((await reportError(parseReportFile(empty))).message).toBe(`${empty}: not a test report (the file is empty)`)
  })
})
