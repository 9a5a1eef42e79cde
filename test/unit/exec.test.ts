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
})
