import { describe, expect, it } from '@jest/globals'
import { LineSplitter } from '../../../shared/src/testing/index.js'
import { OutputTail } from '../../../shared/src/testing/output.js'

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
})
