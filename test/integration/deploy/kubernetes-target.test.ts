import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { deployToKubernetes, type DeployRequest, type KubernetesTarget } from '../../../shared/src/deploy/index.js'

/**
 * No API server runs here: a fake `kubectl` first on PATH records each call's argv (one line,
 * arguments separated by tabs), keeps a copy of what `apply -f` was given, and fails the call
 * whose first two arguments match FAKE_KUBECTL_FAIL.
 */
const FAKE_KUBECTL = `#!/bin/sh
printf '%s\\t' "$@" >> "$FAKE_KUBECTL_LOG"; echo >> "$FAKE_KUBECTL_LOG"
call="$1 $2"
if [ "$1" = apply ]; then shift; while [ $# -gt 0 ]; do [ "$1" = -f ] && cat "$2" >> "$FAKE_KUBECTL_LOG.applied"; shift; done; fi
if [ "$call" = "$FAKE_KUBECTL_FAIL" ]; then echo "error: deployment \\"cart\\" exceeded its progress deadline" >&2; exit 1; fi
echo "ok: $1"
`

const MANIFEST = `# cart, as staging runs it
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  template:
    spec:
      containers:
        - name: cart
          image: localhost:5000/acme/cart:1.1.0 # bumped by Flotilla
        - name: sidecar
          image: localhost:5000/acme/cart-sidecar:3.0
---
apiVersion: v1
kind: Service
metadata:
  name: cart
`

const request: DeployRequest = { service: 'cart', environment: 'staging', image: 'localhost:5000/acme/cart:1.2.0', sha: 'e'.repeat(40) }
const target = (extra: Partial<KubernetesTarget> = {}): KubernetesTarget => ({ target: 'kubernetes', manifests: ['deploy/cart.yaml'], timeoutSeconds: 90, namespace: 'shop', ...extra })

let dir: string
let root: string
let env: NodeJS.ProcessEnv
const log = (): string[][] => readFile(join(dir, 'kubectl.log'), 'utf8').then((text) => text.trimEnd().split('\n').map((line) => line.replace(/\t$/, '').split('\t'))) as never

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubernetes-target-'))
  root = join(dir, 'repo')
  await mkdir(join(root, 'deploy'), { recursive: true })
  await writeFile(join(root, 'deploy', 'cart.yaml'), MANIFEST)
  await mkdir(join(dir, 'bin'))
  await writeFile(join(dir, 'bin', 'kubectl'), FAKE_KUBECTL)
  await chmod(join(dir, 'bin', 'kubectl'), 0o755)
  env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_KUBECTL_LOG: join(dir, 'kubectl.log') }
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const deploy = (extra: Partial<KubernetesTarget> = {}, extraEnv: NodeJS.ProcessEnv = {}) =>
  deployToKubernetes(target(extra), request, { root, workdir: join(dir, 'work'), env: { ...env, ...extraEnv } })

describe('the kubernetes target', () => {
  it('applies the manifests with only the service image substituted, then waits for the rollout', async () => {
    const result = await deploy()
    expect(result.previous).toBe('localhost:5000/acme/cart:1.1.0')
    const calls = await log()
    expect(calls.map((argv) => argv.slice(0, 2))).toEqual([['apply', '-f'], ['rollout', 'status']])
    expect(calls[1]).toEqual(['rollout', 'status', 'deployment/cart', '--timeout=90s', '--namespace', 'shop'])
    expect(await readFile(join(dir, 'kubectl.log.applied'), 'utf8')).toBe(
      MANIFEST.replace('localhost:5000/acme/cart:1.1.0', 'localhost:5000/acme/cart:1.2.0')
    )
    // The repository's file is not rewritten; the edited copy is gone.
    expect(await readFile(join(root, 'deploy', 'cart.yaml'), 'utf8')).toBe(MANIFEST)
  })

  it('undoes the rollout when it fails, and fails naming the workload', async () => {
    await expect(deploy({ rollout: ['deployment/cart'] }, { FAKE_KUBECTL_FAIL: 'rollout status' })).rejects.toThrow(
      /rollout of deployment\/cart failed \(exit 1\): error: deployment "cart" exceeded its progress deadline/
    )
    expect((await log()).map((argv) => argv.slice(0, 3))).toEqual([['apply', '-f', expect.any(String)], ['rollout', 'status', 'deployment/cart'], ['rollout', 'undo', 'deployment/cart']])
  })

  it('stops at a failed apply without waiting or undoing', async () => {
    await expect(deploy({}, { FAKE_KUBECTL_FAIL: 'apply -f' })).rejects.toThrow('kubectl apply failed')
    expect((await log()).map((argv) => argv[0])).toEqual(['apply'])
  })

  it('refuses manifests that do not run the image, or lie outside the repository, calling no kubectl', async () => {
    await writeFile(join(root, 'deploy', 'other.yaml'), MANIFEST.replaceAll('acme/cart:', 'acme/cart-worker:'))
    await expect(deploy({ manifests: ['deploy/other.yaml'] })).rejects.toThrow('no container in deploy/other.yaml runs an image of localhost:5000/acme/cart:1.2.0')
    await writeFile(join(dir, 'outside.yaml'), MANIFEST)
    await expect(deploy({ manifests: ['../outside.yaml'] })).rejects.toThrow('outside the repository')
    await symlink(join(dir, 'outside.yaml'), join(root, 'deploy', 'link.yaml'))
    await expect(deploy({ manifests: ['deploy/link.yaml'] })).rejects.toThrow('outside the repository')
    await expect(readFile(join(dir, 'kubectl.log'))).rejects.toThrow('ENOENT')
  })
})
