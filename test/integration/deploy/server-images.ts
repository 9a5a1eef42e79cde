/**
 * Images that serve HTTP without any registry: FROM scratch with Debian's docker-registry binary
 * and the two libraries it links. `/v2/` answers 200 on REGISTRY_HTTP_ADDR. A tag built `broken`
 * points the server at a missing config, so its container exits at once.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../../shared/src/exec/index.js'
import type { DockerTarget } from '../../../shared/src/deploy/index.js'
import type { TestDockerd } from '../../support/engines.js'

const CONFIG = 'version: 0.1\nstorage:\n  inmemory: {}\nhttp:\n  addr: 127.0.0.1:5000\n'

const dockerfile = (tag: string): string => `FROM scratch
COPY docker-registry /registry
COPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6
COPY ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2
COPY config.yml /config.yml
LABEL version=${tag}
ENTRYPOINT ["/registry", "serve", "${tag === 'broken' ? '/missing.yml' : '/config.yml'}"]
`

/** Builds `<repository>:<tag>` for each tag in the daemon. */
export async function buildServerImages(daemon: TestDockerd, repository: string, tags: readonly string[]): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), 'flotilla-server-image-'))
  try {
    await copyFile('/usr/bin/docker-registry', join(context, 'docker-registry'))
    await copyFile('/lib/x86_64-linux-gnu/libc.so.6', join(context, 'libc.so.6'))
    await copyFile('/lib64/ld-linux-x86-64.so.2', join(context, 'ld-linux-x86-64.so.2'))
    await writeFile(join(context, 'config.yml'), CONFIG)
    for (const tag of tags) {
      await mkdir(join(context, tag))
      await writeFile(join(context, tag, 'Dockerfile'), dockerfile(tag))
      await exec(['docker', 'build', '--quiet', '--tag', `${repository}:${tag}`, '--file', join(context, tag, 'Dockerfile'), context], { env: daemon.env })
    }
  } finally {
    await rm(context, { recursive: true, force: true })
  }
}

/** Removes the containers, then stops the daemon. */
export async function stopDaemonWithContainers(daemon: TestDockerd, containers: readonly string[]): Promise<void> {
  await exec(['docker', 'rm', '--force', ...containers], { env: daemon.env, allowFailure: true })
  await daemon.stop()
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * A docker target running these images on the host network: the server listens on `port`, and the
 * health probe (made from the runner; here both are this machine) asks it for `/v2/`.
 */
export function servedImageTarget(port: number): DockerTarget {
  return {
    target: 'docker',
    network: 'host',
    ports: [],
    env: { REGISTRY_HTTP_ADDR: `127.0.0.1:${port}` },
    health: { url: `http://127.0.0.1:${port}/v2/`, timeoutSeconds: 20 }
  }
}
