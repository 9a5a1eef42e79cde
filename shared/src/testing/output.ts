/**
 * Keeps the last `maxBytes` of a stream (the end of a test log is where the failure is), in a
 * ring of fixed size: each byte is copied once, whatever the stream's length, and the rest is
 * only counted.
 */
export class OutputTail {
  /** One byte more than the limit, to tell whether the kept part starts a line. */
  private readonly ring: Buffer
  /** Where the next byte goes; the ring is full once `total` reaches its size. */
  private next = 0
  private total = 0

  constructor(private readonly maxBytes: number) {
    this.ring = Buffer.alloc(maxBytes + 1)
  }

  /** Bytes held, at most the limit and one. */
  get keptBytes(): number {
    return Math.min(this.total, this.ring.length)
  }

  /** Bytes seen and no longer held. */
  get droppedBytes(): number {
    return this.total - this.keptBytes
  }

  push(chunk: Buffer): void {
    const size = this.ring.length
    this.total += chunk.length
    const part = chunk.length > size ? chunk.subarray(chunk.length - size) : chunk
    const first = Math.min(part.length, size - this.next)
    part.copy(this.ring, this.next, 0, first)
    part.copy(this.ring, 0, first)
    this.next = (this.next + part.length) % size
  }

  /** The kept text; when the start was cut, from the first whole line on. */
  text(): string {
    const all = this.total < this.ring.length ? this.ring.subarray(0, this.total) : Buffer.concat([this.ring.subarray(this.next), this.ring.subarray(0, this.next)])
    if (all.length <= this.maxBytes) return all.toString('utf8')
    const start = all.length - this.maxBytes
    if (all[start - 1] === 0x0a) return all.subarray(start).toString('utf8')
    const newline = all.indexOf(0x0a, start)
    return all.subarray(newline >= 0 ? newline + 1 : start).toString('utf8')
  }
}

/** The longest line a LineSplitter hands over whole; the rest of a longer line is counted, not kept. */
export const MAX_LINE_BYTES = 64 * 1024

/**
 * Splits a byte stream into lines, so parallel runs can prefix each line with their service. Each
 * byte is looked at once, and a line longer than `maxLineBytes` keeps its start (cut between
 * characters) and says how many bytes it left out: one endless line costs neither time nor memory.
 */
export class LineSplitter {
  /** The unfinished line's bytes, `pendingBytes` of them, at most `maxLineBytes`. */
  private pending: Buffer[] = []
  private pendingLength = 0
  /** Bytes of the unfinished line beyond `maxLineBytes`. */
  private dropped = 0

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES
  ) {}

  /** Bytes of the unfinished line held until its end arrives. */
  get pendingBytes(): number {
    return this.pendingLength
  }

  push(chunk: Buffer): void {
    let start = 0
    for (let newline = chunk.indexOf(0x0a); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      this.keep(chunk.subarray(start, newline))
      this.flush()
      start = newline + 1
    }
    this.keep(chunk.subarray(start))
  }

  end(): void {
    if (this.pendingLength > 0 || this.dropped > 0) this.flush()
  }

  /** Holds what still fits of the line (a copy: the chunk is not kept alive), counts the rest. */
  private keep(bytes: Buffer): void {
    const room = this.maxLineBytes - this.pendingLength
    if (bytes.length > room) this.dropped += bytes.length - room
    const kept = bytes.subarray(0, room)
    if (kept.length === 0) return
    this.pending.push(Buffer.from(kept))
    this.pendingLength += kept.length
  }

  private flush(): void {
    let line = Buffer.concat(this.pending, this.pendingLength)
    let dropped = this.dropped
    if (dropped > 0) {
      const end = wholeCharacters(line)
      dropped += line.length - end
      line = line.subarray(0, end)
    }
    this.pending = []
    this.pendingLength = 0
    this.dropped = 0
    this.onLine(dropped > 0 ? `${line.toString('utf8')} [… ${dropped} more bytes of this line not shown]` : line.toString('utf8'))
  }
}

/** The length of `bytes` without a UTF-8 character cut short at its end. */
function wholeCharacters(bytes: Buffer): number {
  // Back over up to three continuation bytes (10xxxxxx) to the character's first byte.
  let start = bytes.length - 1
  while (start > 0 && bytes.length - start < 4 && (bytes[start] & 0xc0) === 0x80) start--
  const lead = bytes[start]
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return start >= 0 && bytes.length - start < length ? start : bytes.length
}
