import { afterEach, describe, expect, it } from '@jest/globals'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec, ExecError, execStreaming } from '../../shared/src/exec/index.js'
import { daemonScript as daemon, killByPidFile } from '../support/processes.js'

const pidFile = join(tmpdir(), `flotilla-exec-test-${process.pid}.pid`)
afterEach(() => killByPidFile(pidFile))

describe('exec', () => {
  it('passes arguments verbatim, without a shell', async () => {
    const result = await exec(['printf', '%s', '$(echo hacked); rm -rf /'])
    expect(result.stdout.toString()).toBe('$(echo hacked); rm -rf /')
  })

  it('rejects with the exit code and stderr on failure', async () => {
    await expect(exec(['sh', '-c', 'echo boom >&2; exit 3'])).rejects.toThrow(ExecError)
    const result = await exec(['sh', '-c', 'exit 3'], { allowFailure: true })
    expect(result.exitCode).toBe(3)
  })

  it('kills the whole process tree at the timeout', async () => {
    const started = Date.now()
    // The grandchild would keep the pipe open for 30 s if only the direct child were killed.
    const result = await exec(['sh', '-c', 'sleep 30 & sleep 30; wait'], { timeoutMs: 300, allowFailure: true })
    expect(result.timedOut).toBe(true)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('kills the whole process tree when its signal aborts, and says it was cancelled', async () => {
    const controller = new AbortController()
    // Only a kill of the group ends this early: the grandchild holds the output pipe for 30 s.
    const running = exec(['sh', '-c', 'sleep 30 & sleep 30; wait'], { signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    const error = await running.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ExecError)
    expect((error as ExecError).result).toMatchObject({ cancelled: true, timedOut: false })
    expect((error as ExecError).message).toMatch(/^sh -c was cancelled/)
  })

  it('kills at once a process given a signal that has already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const result = await exec(['sh', '-c', 'sleep 30'], { signal: controller.signal, allowFailure: true })
    expect(result.cancelled).toBe(true)
    expect(result.exitCode).not.toBe(0)
  })

  it('ends soon after the program exits though a background process holds its output, with the real exit code', async () => {
    const result = await exec(['sh', '-c', `${daemon(pidFile)} echo done; exit 4`], { allowFailure: true, timeoutMs: 30_000 })
    expect(result).toMatchObject({ exitCode: 4, timedOut: false, outputHeld: true })
    expect(result.stdout.toString()).toBe('done\n')
  })

  it('does not mark output held when the program closes it itself', async () => {
    const result = await exec(['sh', '-c', 'echo done'])
    expect(result.outputHeld).toBeUndefined()
  })
})

describe('execStreaming', () => {
  it('ends soon after the program exits though a background process holds its output, with the real exit code and not a timeout', async () => {
    const chunks: Buffer[] = []
    const result = await execStreaming(['sh', '-c', `${daemon(pidFile)} sleep 1; echo done; exit 0`], { timeoutMs: 3_000, onOutput: (chunk) => chunks.push(chunk) })
    expect(result).toEqual({ exitCode: 0, timedOut: false, cancelled: false, outputHeld: true })
    expect(Buffer.concat(chunks).toString()).toBe('done\n')
  })

  it('ends after a timeout kill though a background process that ignores SIGTERM holds its output', async () => {
    const script = `trap '' TERM; ${daemon(pidFile, true)} sleep 300`
    const result = await execStreaming(['sh', '-c', script], { timeoutMs: 500, onOutput: () => undefined })
    expect(result).toMatchObject({ timedOut: true, outputHeld: true })
  })

  it('reads output to its end and does not mark it held when the program closes it itself', async () => {
    const chunks: Buffer[] = []
    const result = await execStreaming(['sh', '-c', 'head -c 300000 /dev/zero; exit 2'], { onOutput: (chunk) => chunks.push(chunk) })
    expect(result).toEqual({ exitCode: 2, timedOut: false, cancelled: false, outputHeld: false })
    expect(Buffer.concat(chunks).length).toBe(300000)
  })
})
