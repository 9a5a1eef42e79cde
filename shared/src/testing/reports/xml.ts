import { SaxesParser } from 'saxes'
import { messageOf, ReportError } from './errors.js'

/** What a format reader sees of a document: elements by local name, and their text. */
export interface XmlVisitor {
  /**
   * `read`: the characters read when the element's name was, one or two (a line end) past it;
   * the element's `<` is the last one before that offset.
   */
  open(name: string, attributes: Readonly<Record<string, string>>, read: number): void
  text(text: string): void
  close(name: string): void
}

/**
 * Feeds a document to a visitor chunk by chunk, so memory follows the largest text node rather
 * than the file. A document that does not start with `<` (after white space) is not XML: it is
 * refused as not a test report, saying how it begins. Entity declarations are refused outright
 * (an expansion bomb needs them, and a test report never does) and nothing external is ever
 * resolved; an undefined entity stays an error. Whatever the visitor throws becomes a
 * ReportError at the current position.
 */
export async function readXml(chunks: AsyncIterable<string> | Iterable<string>, file: string, visitor: XmlVisitor): Promise<void> {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true })
  const fail = (reason: string): never => {
    throw new ReportError(file, reason, parser.line, parser.column + 1)
  }
  const guarded = <A extends unknown[]>(handler: (...args: A) => void) => (...args: A) => {
    try {
      handler(...args)
    } catch (error) {
      if (error instanceof ReportError) throw error
      fail(messageOf(error))
    }
  }

  parser.on('error', (error) => fail(error.message.replace(/^\d+:\d+: /, '')))
  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) fail('entity declarations are refused (an XML entity bomb or external entity)')
    if (/^\s*\S+\s+(SYSTEM|PUBLIC)\b/.test(doctype)) fail('an external DTD is refused (SYSTEM or PUBLIC identifier)')
  })
  let read = 0
  parser.on('opentagstart', () => {
    read = parser.position
  })
  parser.on('opentag', guarded((tag) => visitor.open(localName(tag.name), tag.attributes, read)))
  parser.on('closetag', guarded((tag) => visitor.close(localName(tag.name))))
  parser.on('text', guarded((text: string) => visitor.text(text)))
  parser.on('cdata', guarded((text: string) => visitor.text(text)))

  let started = false
  for await (const chunk of chunks) {
    if (chunk === '') continue
    // A byte order mark is common in TRX files and is not part of the document.
    const text = !started && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk
    if (!started) {
      const at = text.search(/\S/)
      if (at === -1) continue
      started = true
      if (text[at] !== '<') throw new ReportError(file, `not a test report (not XML: it begins with ${JSON.stringify(beginning(text.slice(at)))})`)
    }
    parser.write(text)
  }
  if (!started) throw new ReportError(file, 'not a test report (the file is empty)')
  parser.close()
}

/** The start of a document's first line, to show what a file that is not XML holds. */
function beginning(text: string): string {
  return text.slice(0, 200).split(/\r?\n/, 1)[0].trimEnd().slice(0, 40)
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1)
}
