import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { ContainmentError, realPathInside } from '../../containment/index.js'
import { execStreaming } from '../../exec/index.js'
import type { Logger } from '../../log/index.js'
import { setManifestImages } from '../edits/index.js'
import { DeployError, type DeployRequest, type TargetResult } from './request.js'

export interface KubernetesTarget {
  target: 'kubernetes'
  /** Manifest files, relative to the repository root. */
  manifests: string[]
  /** Workloads to wait for (`deployment/cart`); by default every Deployment, StatefulSet and DaemonSet the edit touched. */
  rollout?: string[]
  namespace?: string
  timeoutSeconds: number
  url?: string
}

export interface KubernetesRunOptions {
  /** The repository root; manifests must resolve inside it. */
  root: string
  /** Where the edited copies go (e.g. RUNNER_TEMP); the repository's files are not rewritten. */
  workdir: string
  kubectl?: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  log?: Logger
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet'])

/**
 * Substitutes the image in the manifests (every container whose repository is the image's),
 * applies them, and waits for each workload's rollout; a rollout that fails or times out is
 * undone (`kubectl rollout undo`) before the deploy fails.
 */
export async function deployToKubernetes(target: KubernetesTarget, request: DeployRequest, options: KubernetesRunOptions): Promise<TargetResult> {
  const files = await Promise.all(target.manifests.map((file) => insideRoot(options.root, file)))
  await mkdir(options.workdir, { recursive: true })
  const dir = await mkdtemp(join(options.workdir, 'kubernetes-'))
  try {
    let previous: string | undefined
    const edited: string[] = []
    const workloads: string[] = []
    for (const [index, file] of files.entries()) {
      const result = setManifestImages(await readFile(file, 'utf8'), request.image, target.manifests[index])
      previous ??= result.previous
      const copy = join(dir, `${index}-${basename(file)}`)
      await writeFile(copy, result.text)
      edited.push(copy)
      if (result.changed || result.previous !== undefined) workloads.push(...workloadsOf(result.text))
    }
    if (previous === undefined) throw new DeployError(`no container in ${target.manifests.join(', ')} runs an image of ${request.image}`)

    const kubectl = kubectlRunner(options, target.namespace)
    await kubectl(['apply', ...edited.flatMap((file) => ['-f', file])], 'kubectl apply')
    for (const workload of target.rollout ?? workloads) {
      try {
        await kubectl(['rollout', 'status', workload, `--timeout=${target.timeoutSeconds}s`], `rollout of ${workload}`)
      } catch (error) {
        if (options.signal?.aborted !== true) {
          options.log?.warn(`${(error as Error).message}; rolling ${workload} back`)
          await kubectl(['rollout', 'undo', workload], `kubectl rollout undo ${workload}`).catch((undo: Error) => options.log?.warn(undo.message))
        }
        throw error
      }
    }
    return { previous, ...(target.url === undefined ? {} : { url: target.url }) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** `kind/name` of every workload in a manifest file, as `kubectl rollout` names them. */
export function workloadsOf(text: string): string[] {
  return parseAllDocuments(text).flatMap((document) => {
    const object = document.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null
    const kind = object?.kind
    const name = object?.metadata?.name
    return typeof kind === 'string' && WORKLOAD_KINDS.has(kind) && typeof name === 'string' ? [`${kind.toLowerCase()}/${name}`] : []
  })
}

function kubectlRunner(options: KubernetesRunOptions, namespace: string | undefined) {
  const program = options.kubectl ?? 'kubectl'
  return async (args: string[], what: string): Promise<void> => {
    const argv = [program, ...args, ...(namespace === undefined ? [] : ['--namespace', namespace])]
    const output: Buffer[] = []
    const result = await execStreaming(argv, { env: options.env, signal: options.signal, onOutput: (chunk) => output.push(chunk) }).catch((error: Error) => {
      throw new DeployError(`${what} could not start ${program}: ${error.message}`)
    })
    const text = Buffer.concat(output).toString('utf8').trim()
    if (text !== '') options.log?.info(text)
    if (result.cancelled) throw new DeployError(`${what} was cancelled`)
    if (result.exitCode !== 0) throw new DeployError(`${what} failed (exit ${result.exitCode}): ${text.split('\n').slice(-3).join(' / ')}`)
  }
}

/** The manifest's real path, refusing paths and symbolic links that lead out of the repository. */
async function insideRoot(root: string, file: string): Promise<string> {
  let path: string | undefined
  try {
    path = realPathInside(root, file, 'repository')
  } catch (error) {
    if (error instanceof ContainmentError) throw new DeployError(`manifest ${error.message}`)
    throw error
  }
  if (path === undefined) throw new DeployError(`manifest ${file} does not exist in ${root}`)
  return path
}
