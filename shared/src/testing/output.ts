/** Keeps the last `maxBytes` of a stream: the end of a test log is where the failure is. */
export class OutputTail {
  private chunks: Buffer[] = []
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.bytes += chunk.length
    // One byte more than the limit stays, to tell whether the kept part starts a line.
    while (this.bytes - this.chunks[0].length > this.maxBytes) this.bytes -= (this.chunks.shift() as Buffer).length
  }

  /** The kept text; when the start was cut, from the first whole line on. */
  text(): string {
    const all = Buffer.concat(this.chunks)
    if (all.length <= this.maxBytes) return all.toString('utf8')
    const start = all.length - this.maxBytes
    if (all[start - 1] === 0x0a) return all.subarray(start).toString('utf8')
    const newline = all.indexOf(0x0a, start)
    return all.subarray(newline >= 0 ? newline + 1 : start).toString('utf8')
  }
}

/** Splits a byte stream into lines, so parallel runs can prefix each line with their service. */
export class LineSplitter {
  private pending = ''
  private readonly decoder = new TextDecoder()

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const lines = (this.pending + this.decoder.decode(chunk, { stream: true })).split('\n')
    this.pending = lines.pop() as string
    for (const line of lines) this.onLine(line)
  }

  end(): void {
    const rest = this.pending + this.decoder.decode()
    this.pending = ''
    if (rest !== '') this.onLine(rest)
  }
}
