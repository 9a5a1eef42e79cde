import { TextDecoder } from 'node:util'
import { ReportError } from './errors.js'

/** Bytes read before the encoding is decided: a byte order mark or an XML declaration fits. */
const SNIFF_BYTES = 1024

/**
 * Decodes a report's bytes into text as they stream in, the way XML says to find the encoding
 * (XML 1.0 appendix F): a byte order mark (UTF-8, UTF-16LE, UTF-16BE) wins; else UTF-16 without
 * one shows in its first characters (`<?` as 3C 00 3F 00 or 00 3C 00 3F); else the XML
 * declaration's `encoding` (any encoding the WHATWG Encoding Standard names: UTF-8,
 * ISO-8859-1, windows-1252, US-ASCII, Shift_JIS, …); else UTF-8. A declaration of UTF-16 in a
 * file written in single bytes is read as UTF-8 (.NET writes `encoding="utf-16"` from a
 * StringWriter into UTF-8 files). UTF-32 and encodings Node cannot decode are refused, named.
 */
export async function* decodeReport(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined
  let head: Buffer[] = []
  let headBytes = 0
  for await (const chunk of chunks) {
    if (!decoder) {
      head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      headBytes += chunk.byteLength
      if (headBytes < SNIFF_BYTES) continue
      const bytes = Buffer.concat(head)
      head = []
      decoder = decoderFor(bytes, file)
      yield decoder.decode(bytes, { stream: true })
      continue
    }
    yield decoder.decode(chunk, { stream: true })
  }
  if (!decoder) {
    const bytes = Buffer.concat(head)
    decoder = decoderFor(bytes, file)
    yield decoder.decode(bytes, { stream: true })
  }
  yield decoder.decode()
}

function decoderFor(head: Buffer, file: string): TextDecoder {
  const startsWith = (...bytes: number[]) => bytes.every((byte, index) => head[index] === byte)
  if (startsWith(0x00, 0x00, 0xfe, 0xff) || startsWith(0xff, 0xfe, 0x00, 0x00)) {
    throw new ReportError(file, 'UTF-32 (from its byte order mark) is not a supported encoding')
  }
  if (startsWith(0x3c, 0x00, 0x00, 0x00) || startsWith(0x00, 0x00, 0x00, 0x3c)) {
    throw new ReportError(file, 'UTF-32 (from its first characters) is not a supported encoding')
  }
  // TextDecoder drops a byte order mark that matches its encoding.
  if (startsWith(0xef, 0xbb, 0xbf)) return new TextDecoder('utf-8')
  if (startsWith(0xff, 0xfe) || startsWith(0x3c, 0x00, 0x3f, 0x00)) return new TextDecoder('utf-16le')
  if (startsWith(0xfe, 0xff) || startsWith(0x00, 0x3c, 0x00, 0x3f)) return new TextDecoder('utf-16be')
  const declared = declaredEncoding(head)
  if (declared === undefined) return new TextDecoder('utf-8')
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder(declared)
  } catch {
    throw new ReportError(file, `the XML declaration names the encoding ${JSON.stringify(declared)}, which cannot be decoded`)
  }
  return decoder.encoding.startsWith('utf-16') ? new TextDecoder('utf-8') : decoder
}

/** The `encoding` of an XML declaration at the very start of a single-byte file, if any. */
function declaredEncoding(head: Buffer): string | undefined {
  const declaration = /^<\?xml\s[^>]{0,512}?\?>/.exec(head.toString('latin1'))
  return declaration ? /\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(declaration[0])?.slice(1).find((value) => value !== undefined) : undefined
}
