/**
 * The committed deploy bundle installing the kubectl its `kubectl-version` input names: a
 * loopback HTTP server stands in for dl.k8s.io and serves a fake kubectl (a shell script that
 * records its argv), so the log shows which kubectl ran. The machine's own kubectl stays on PATH
 * the whole time: a deploy that used it would leave no log. Retried downloads are not exercised:
 * tool-cache waits 10–20 s between attempts and offers no way to shorten that from outside.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { kubectlPlatform } from '../../shared/src/deploy/kubectl.js'
import { FakeGitHub } from '../support/fake-github/index.js'
import { runBundle, type BundleRun } from '../support/action-runner.js'

const SHA = 'a'.repeat(40)
const VERSION = '1.99.0'
const FAKE_KUBECTL = `#!/bin/sh
printf '%s\\t' "$@" >> "$FAKE_KUBECTL_LOG"; echo >> "$FAKE_KUBECTL_LOG"
echo "ok: $1"
`
const FAKE_KUBECTL_SHA256 = createHash('sha256').update(FAKE_KUBECTL).digest('hex')
const platform = kubectlPlatform({ platform: process.platform, arch: process.arch })!
const KUBECTL_PATH = `/v${VERSION}/bin/${platform.os}/${platform.arch}/kubectl`

const MANIFEST = `version: 1
services:
  cart:
    path: services/cart
    deploy:
      staging: { target: kubernetes, manifests: [deploy/cart.yaml], namespace: shop, timeout: 90s }
environments:
  staging: {}
`
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      containers:\n        - name: cart\n          image: localhost:5000/acme/cart:1.1.0\n'

let dir: string
let workspace: string
let toolCache: string
let kubectlLog: string
let github: FakeGitHub
let apiUrl: string
let server: Server
let mirror: string
/** Request paths the mirror answered, in order. */
let requests: string[]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-deploy-kubectl-'))
  workspace = join(dir, 'workspace')
  await mkdir(join(workspace, 'services', 'cart'), { recursive: true })
  await mkdir(join(workspace, 'deploy'))
  await writeFile(join(workspace, 'flotilla.yml'), MANIFEST)
  await writeFile(join(workspace, 'deploy', 'cart.yaml'), DEPLOYMENT)
  github = new FakeGitHub({ owner: 'acme-shop', repo: 'shop' })
  apiUrl = await github.start()
  server = createServer((request, response) => {
    requests.push(request.url ?? '')
    if (request.url === `/release${KUBECTL_PATH}`) response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(FAKE_KUBECTL)
    else response.writeHead(404).end('not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/release`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await github.stop()
  await rm(dir, { recursive: true, force: true })
})
beforeEach(async () => {
  requests = []
  toolCache = await mkdtemp(join(dir, 'tool-cache-'))
  kubectlLog = join(await mkdtemp(join(dir, 'log-')), 'kubectl.log')
})

function deploy(inputs: Record<string, string>): Promise<BundleRun> {
  return runBundle('deploy', {
    workspace,
    inputs: { token: 'ghs_contracttoken', sha: SHA, service: 'cart', environment: 'staging', image: 'localhost:5000/acme/cart:1.2.0', 'pin-digest': 'false', 'kubectl-mirror': mirror, ...inputs },
    env: {
      GITHUB_REPOSITORY: 'acme-shop/shop',
      GITHUB_API_URL: apiUrl,
      RUNNER_TOOL_CACHE: toolCache,
      FAKE_KUBECTL_LOG: kubectlLog
    }
  })
}

const kubectlCalls = (): Promise<string[][]> =>
  readFile(kubectlLog, 'utf8').then(
    (text) => text.trimEnd().split('\n').map((line) => line.replace(/\t$/, '').split('\t')),
    () => []
  )

/** Every file under the tool cache, relative to it. */
async function cachedFiles(): Promise<string[]> {
  const entries = await readdir(toolCache, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(toolCache.length + 1)).sort()
}

describe('deploy bundle with kubectl-version', () => {
  it('downloads the pinned kubectl once, deploys with it, and takes it from the tool cache after', async () => {
    const first = await deploy({ 'kubectl-version': VERSION, 'kubectl-sha256': FAKE_KUBECTL_SHA256.toUpperCase() })
    expect(first.annotations).toEqual([])
    expect(first.exitCode).toBe(0)
    expect(requests).toEqual([`/release${KUBECTL_PATH}`])
    const installed = join(toolCache, 'kubectl', VERSION, process.arch, 'kubectl')
    expect(first.stdout).toContain(`Deploying with kubectl ${VERSION}: ${installed}\n`)
    expect(await kubectlCalls()).toEqual([
      ['apply', '-f', expect.stringMatching(/cart\.yaml$/), '--namespace', 'shop'],
      ['rollout', 'status', 'deployment/cart', '--timeout=90s', '--namespace', 'shop']
    ])
    expect(await cachedFiles()).toEqual([join('kubectl', VERSION, process.arch, 'kubectl'), join('kubectl', VERSION, `${process.arch}.complete`)].sort())
    expect(await readFile(installed, 'utf8')).toBe(FAKE_KUBECTL)
    expect((await stat(installed)).mode & 0o777).toBe(0o755)
    // The download went to RUNNER_TEMP and is gone.
    expect(first.runnerTempFiles).toEqual({})
    expect(first.outputs['previous-image']).toBe('localhost:5000/acme/cart:1.1.0')
    expect(github.state.deployments.at(-1)!.statuses.map((status) => status.state)).toEqual(['in_progress', 'success'])

    const second = await deploy({ 'kubectl-version': VERSION, 'kubectl-sha256': FAKE_KUBECTL_SHA256 })
    expect(second.exitCode).toBe(0)
    expect(requests).toHaveLength(1)
    expect((await kubectlCalls()).map((argv) => argv.slice(0, 2))).toEqual([['apply', '-f'], ['rollout', 'status'], ['apply', '-f'], ['rollout', 'status']])
  })

  it('fails on a checksum that is not the pinned one: nothing runs, nothing is recorded or cached', async () => {
    const deployments = github.state.deployments.length
    const wrong = 'f'.repeat(64)
    const run = await deploy({ 'kubectl-version': VERSION, 'kubectl-sha256': wrong })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([
      `kubectl ${VERSION} from ${mirror}${KUBECTL_PATH}: SHA-256 ${FAKE_KUBECTL_SHA256} is not the pinned ${wrong}`
    ])
    expect(requests).toHaveLength(1)
    expect(await kubectlCalls()).toEqual([])
    expect(github.state.deployments).toHaveLength(deployments)
    expect(await cachedFiles()).toEqual([])
    expect(run.runnerTempFiles).toEqual({})
  })

  it('checks a cached kubectl against the pin too, before it runs', async () => {
    expect((await deploy({ 'kubectl-version': VERSION, 'kubectl-sha256': FAKE_KUBECTL_SHA256 })).exitCode).toBe(0)
    await rm(kubectlLog)
    const deployments = github.state.deployments.length
    const wrong = '0'.repeat(64)
    const run = await deploy({ 'kubectl-version': VERSION, 'kubectl-sha256': wrong })
    expect(run.exitCode).toBe(1)
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([
      `kubectl ${VERSION} in the tool cache (${join(toolCache, 'kubectl', VERSION, process.arch)}): SHA-256 ${FAKE_KUBECTL_SHA256} is not the pinned ${wrong}`
    ])
    expect(requests).toHaveLength(1)
    expect(await kubectlCalls()).toEqual([])
    expect(github.state.deployments).toHaveLength(deployments)
  })

  it('fails naming the URL when the mirror has no such release', async () => {
    const run = await deploy({ 'kubectl-version': '1.98.0', 'kubectl-sha256': FAKE_KUBECTL_SHA256 })
    expect(run.exitCode).toBe(1)
    const url = `${mirror}${KUBECTL_PATH.replace(VERSION, '1.98.0')}`
    expect(run.annotations.map((annotation) => annotation.message)).toEqual([`kubectl 1.98.0: cannot download ${url}: HTTP 404`])
    expect(await kubectlCalls()).toEqual([])
    expect(await cachedFiles()).toEqual([])
  })

  it('refuses kubectl-version without kubectl-sha256 before any request, naming the input', async () => {
    const deployments = github.state.deployments.length
    const run = await deploy({ 'kubectl-version': VERSION })
    expect(run.exitCode).toBe(1)
    expect(run.annotations).toHaveLength(1)
    expect(run.annotations[0].message).toMatch(/^input 'kubectl-sha256' is required with input 'kubectl-version': .*\.sha256 file beside the binary on dl\.k8s\.io/)
    expect(requests).toEqual([])
    expect(await kubectlCalls()).toEqual([])
    expect(github.state.deployments).toHaveLength(deployments)
    expect(await cachedFiles()).toEqual([])
  })
})
