import { describe, expect, it } from '@jest/globals'
import { LineSplitter } from '../../../shared/src/testing/index.js'
import { MAX_LINE_BYTES, OutputTail } from '../../../shared/src/testing/output.js'

describe('OutputTail', () => {
  it('keeps everything while it fits', () => {
    const tail = new OutputTail(100)
    tail.push(Buffer.from('one\n'))
    tail.push(Buffer.from('two\n'))
    expect(tail.text()).toBe('one\ntwo\n')
  })

  it('keeps the end, from the first whole line', () => {
    const tail = new OutputTail(20)
    for (let index = 1; index <= 100; index++) tail.push(Buffer.from(`line ${index}\n`))
    expect(tail.text()).toBe('line 99\nline 100\n')
  })

  it('keeps a line that starts exactly at the limit', () => {
    const tail = new OutputTail(17)
    for (let index = 1; index <= 100; index++) tail.push(Buffer.from(`line ${index}\n`))
    expect(tail.text()).toBe('line 99\nline 100\n')
  })

  it('keeps at most its limit (and one byte) of 300 MB that arrive in chunks, and counts the rest', () => {
    const tail = new OutputTail(1000)
    const chunk = Buffer.alloc(64 * 1024, 'x')
    let pushed = 0
    while (pushed < 300 * 1024 * 1024) {
      tail.push(chunk)
      pushed += chunk.length
      expect(tail.keptBytes).toBeLessThanOrEqual(1001)
    }
    tail.push(Buffer.from('\nthe end\n'))
    expect(tail.keptBytes + tail.droppedBytes).toBe(pushed + 9)
    expect(tail.text()).toBe('the end\n')
  })

  it('keeps the end of one chunk larger than its limit', () => {
    const tail = new OutputTail(10)
    tail.push(Buffer.from('0123456789abcdefghij\nkl'))
    expect(tail.keptBytes).toBe(11)
    expect(tail.droppedBytes).toBe(12)
    expect(tail.text()).toBe('kl')
  })
})

describe('LineSplitter', () => {
  it('joins lines split across chunks, multi-byte characters included, and flushes the last line', () => {
    const lines: string[] = []
    const splitter = new LineSplitter((line) => lines.push(line))
    const bytes = Buffer.from('añb\nsecond line\nlast')
    splitter.push(bytes.subarray(0, 2)) // ends inside ñ
    splitter.push(bytes.subarray(2, 9))
    splitter.push(bytes.subarray(9))
    splitter.end()
    expect(lines).toEqual(['añb', 'second line', 'last'])
  })

  it('splits a 300 MB line arriving in chunks keeping at most its limit, and says exactly how much it left out', () => {
    const lines: string[] = []
    const splitter = new LineSplitter((line) => lines.push(line))
    const chunk = Buffer.alloc(64 * 1024, 'x')
    splitter.push(Buffer.from('before\n'))
    let pushed = 0
    while (pushed < 300 * 1024 * 1024) {
      splitter.push(chunk)
      pushed += chunk.length
      expect(splitter.pendingBytes).toBeLessThanOrEqual(MAX_LINE_BYTES)
    }
    splitter.push(Buffer.from('\nafter'))
    splitter.end()
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe('before')
    expect(lines[1]).toBe(`${'x'.repeat(MAX_LINE_BYTES)} [… ${pushed - MAX_LINE_BYTES} more bytes of this line not shown]`)
    expect(lines[2]).toBe('after')
  })

  it('cuts a long line between characters, never inside one', () => {
    const lines: string[] = []
    const splitter = new LineSplitter((line) => lines.push(line), 4)
    splitter.push(Buffer.from('abcñdef\n')) // ñ is the 4th and 5th byte: a cut after 4 bytes falls inside it
    splitter.end()
    expect(lines).toEqual(['abc [… 5 more bytes of this line not shown]'])
  })
})
