import { describe, expect, it } from '@jest/globals'
import { exec, ExecError } from '../../shared/src/exec/index.js'

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
})
