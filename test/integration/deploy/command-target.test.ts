import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { deployWithCommand, type CommandTarget, type DeployRequest } from '../../../shared/src/deploy/index.js'

const request: DeployRequest = {
  service: 'cart',
  environment: 'staging',
  image: 'localhost:5000/acme/cart:1.2.0',
  digest: `sha256:${'c'.repeat(64)}`,
  sha: 'd'.repeat(40)
}
const target = (command: string[], extra: Partial<CommandTarget> = {}): CommandTarget => ({ target: 'command', command, shell: false, timeoutSeconds: 30, env: {}, ...extra })

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'command-target-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the command target', () => {
  it('runs the argv in the repository with the deploy in FLOTILLA_* variables', async () => {
    const script = 'printf "%s\\n" "$PWD" "$FLOTILLA_SERVICE" "$FLOTILLA_ENVIRONMENT" "$FLOTILLA_IMAGE" "$FLOTILLA_DIGEST" "$FLOTILLA_SHA" "$TEAM" "$1" > out.txt'
    await deployWithCommand(target(['/bin/sh', '-c', script, 'sh', '$FLOTILLA_IMAGE; touch pwned'], { env: { TEAM: 'payments' } }), request, { cwd: dir })
    const lines = (await readFile(join(dir, 'out.txt'), 'utf8')).trimEnd().split('\n')
    // The argument is passed as written: no shell ever sees it, so it is neither expanded nor run.
    expect(lines).toEqual([dir, 'cart', 'staging', request.image, request.digest, request.sha, 'payments', '$FLOTILLA_IMAGE; touch pwned'])
  })

  it('runs a script through /bin/sh only with shell: true', async () => {
    await deployWithCommand(target(['echo "$FLOTILLA_SERVICE@$FLOTILLA_ENVIRONMENT" > out.txt'], { shell: true }), request, { cwd: dir })
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('cart@staging\n')
  })

  it('fails with the exit code and streams the output', async () => {
    const output: string[] = []
    await expect(
      deployWithCommand(target(['/bin/sh', '-c', 'echo rolling out; exit 3']), request, { cwd: dir, output: (work) => work((chunk) => output.push(chunk.toString())) })
    ).rejects.toThrow('deploy command /bin/sh exited with 3')
    expect(output.join('')).toBe('rolling out\n')
  })

  it('kills the whole tree at the timeout', async () => {
    const marker = join(dir, 'survived')
    const command = ['/bin/sh', '-c', `(sleep 2; touch ${marker}) & sleep 30`]
    await expect(deployWithCommand(target(command, { timeoutSeconds: 1 }), request, { cwd: dir })).rejects.toThrow('timed out after 1s')
    await new Promise((resolve) => setTimeout(resolve, 2500))
    await expect(readFile(marker)).rejects.toThrow('ENOENT')
  })

  it('kills the command when the deploy is cancelled', async () => {
    const controller = new AbortController()
    const deploy = deployWithCommand(target(['sleep', '30']), request, { cwd: dir, signal: controller.signal })
    setTimeout(() => controller.abort(), 200)
    await expect(deploy).rejects.toThrow('was cancelled')
  })

  it('names a program that does not exist', async () => {
    await expect(deployWithCommand(target(['/nonexistent/deploy']), request, { cwd: dir })).rejects.toThrow('could not start')
  })
})
