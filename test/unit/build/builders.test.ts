import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BuildxBuilder, chooseBuilder, DockerBuilder, parseBuildxMetadata, type BuildRequest } from '../../../shared/src/builders/index.js'
import { containersBuildArgv, containersPushArgv, containersTool } from '../../../shared/src/builders/containers.js'
import { podmanTool } from '../../../shared/src/builders/podman.js'
import { buildArgFlags, digestFromPushOutput } from '../../../shared/src/builders/run.js'
import { BuilderError } from '../../../shared/src/builders/types.js'
import { sanitizeTag } from '../../../shared/src/build/tags.js'

const hostileBranch = sanitizeTag('feature/Fix_$(id)#1')

const request: BuildRequest = {
  context: '/repo/services/cart',
  dockerfile: '/repo/services/cart/Dockerfile',
  tags: ['ghcr.io/acme/cart:sha-0123456', `ghcr.io/acme/cart:${hostileBranch}`],
  buildArgs: { MODE: 'production' },
  secretBuildArgs: { NPM_TOKEN: 'npm_supersecret' },
  labels: { 'org.opencontainers.image.revision': '0123456789' },
  platforms: ['linux/amd64'],
  push: true,
  authFile: '/tmp/auth/config.json',
  service: 'cart'
}

/** Every secret value must stay out of argv, which is logged. */
function expectNoSecret(argv: readonly string[]): void {
  expect(argv.join(' ')).not.toContain('npm_supersecret')
}

describe('build args', () => {
  it('passes secret build args by name only, so the value comes from the environment', () => {
    expect(buildArgFlags(request.buildArgs, request.secretBuildArgs)).toEqual(['--build-arg', 'MODE=production', '--build-arg', 'NPM_TOKEN'])
  })
})

describe('a branch named feature/Fix_$(id)#1', () => {
  it('becomes a valid tag that reaches the builder as one argv element', () => {
    expect(hostileBranch).toBe('feature-fix_-id-1')
    const argv = new DockerBuilder().buildArgv(request, '/tmp/iid')
    expect(argv).toContain(`ghcr.io/acme/cart:${hostileBranch}`)
    expect(argv.some((argument) => argument.includes('$('))).toBe(false)
  })
})

describe('DockerBuilder (legacy docker build)', () => {
  it('builds with every tag, label, build arg and the platform, context last', () => {
    const argv = new DockerBuilder({ binary: 'docker' }).buildArgv({ ...request, target: 'runtime' }, '/tmp/iid')
    expect(argv).toEqual([
      'docker', 'build', '--file', '/repo/services/cart/Dockerfile', '--iidfile', '/tmp/iid',
      '--tag', 'ghcr.io/acme/cart:sha-0123456', '--tag', `ghcr.io/acme/cart:${hostileBranch}`,
      '--label', 'org.opencontainers.image.revision=0123456789',
      '--build-arg', 'MODE=production', '--build-arg', 'NPM_TOKEN',
      '--platform', 'linux/amd64', '--target', 'runtime',
      '/repo/services/cart'
    ])
    expectNoSecret(argv)
  })

  it('refuses several platforms and points at buildx', () => {
    expect(() => new DockerBuilder().buildArgv({ ...request, platforms: ['linux/amd64', 'linux/arm64'] }, '/tmp/iid')).toThrow(/use builder buildx/)
  })

  it('reads the digest from docker push output', () => {
    const digest = `sha256:${'a'.repeat(64)}`
    expect(digestFromPushOutput(`The push refers to repository [127.0.0.1:5000/cart]\nsha-0123456: digest: ${digest} size: 528\n`)).toBe(digest)
  })
})

describe('BuildxBuilder', () => {
  it('pushes multi-platform images with a per-service registry cache', () => {
    const argv = new BuildxBuilder({ cache: 'registry' }).buildArgv({ ...request, platforms: ['linux/amd64', 'linux/arm64'] }, '/tmp/meta.json')
    expect(argv.slice(0, 7)).toEqual(['docker', 'buildx', 'build', '--file', '/repo/services/cart/Dockerfile', '--metadata-file', '/tmp/meta.json'])
    expect(argv).toEqual(expect.arrayContaining(['--platform', 'linux/amd64,linux/arm64', '--push']))
    expect(argv).toEqual(
      expect.arrayContaining([
        '--cache-from', 'type=registry,ref=ghcr.io/acme/cart:buildcache',
        '--cache-to', 'type=registry,ref=ghcr.io/acme/cart:buildcache,mode=max'
      ])
    )
    expect(argv.at(-1)).toBe('/repo/services/cart')
    expectNoSecret(argv)
  })

  it('scopes the gha cache per service and only reads it when not pushing', () => {
    const argv = new BuildxBuilder({ cache: 'gha' }).buildArgv({ ...request, push: false }, '/tmp/meta.json')
    expect(argv).toEqual(expect.arrayContaining(['--cache-from', 'type=gha,scope=cart', '--load']))
    expect(argv).not.toContain('--cache-to')
    expect(argv).not.toContain('--push')
  })

  it('uses no cache flags with cache none', () => {
    const argv = new BuildxBuilder({ cache: 'none' }).buildArgv(request, '/tmp/meta.json')
    expect(argv.filter((argument) => argument.startsWith('--cache'))).toEqual([])
  })

  it('reads the pushed digest and image id from the metadata file', () => {
    const digest = `sha256:${'a'.repeat(64)}`
    const config = `sha256:${'b'.repeat(64)}`
    expect(parseBuildxMetadata(JSON.stringify({ 'containerimage.digest': digest, 'containerimage.config.digest': config }))).toEqual({
      imageId: config,
      digest
    })
    expect(() => parseBuildxMetadata('{}')).toThrow(BuilderError)
    expect(() => parseBuildxMetadata('not json')).toThrow(/not JSON/)
  })
})

describe('buildah and podman', () => {
  const buildah = containersTool('buildah', 'bud', { root: '/tmp/store', runroot: '/tmp/run' })
  const podman = podmanTool({ storageDriver: 'overlay', isolation: 'oci' })

  it('build with vfs and chroot by default, with private storage when given', () => {
    const argv = containersBuildArgv(buildah, request, '/tmp/iid')
    expect(argv.slice(0, 9)).toEqual(['buildah', '--root', '/tmp/store', '--runroot', '/tmp/run', '--storage-driver', 'vfs', 'bud', '--isolation'])
    expect(argv[9]).toBe('chroot')
    expectNoSecret(argv)
    expect(containersBuildArgv(podman, request, '/tmp/iid').slice(0, 6)).toEqual(['podman', '--storage-driver', 'overlay', 'build', '--isolation', 'oci'])
  })

  it('give podman its own state directory as a global flag, before build and push', () => {
    const privatePodman = podmanTool({ root: '/tmp/store', runroot: '/tmp/run', tmpdir: '/tmp/libpod' })
    const globalFlags = ['podman', '--root', '/tmp/store', '--runroot', '/tmp/run', '--storage-driver', 'vfs', '--tmpdir', '/tmp/libpod']
    expect(containersBuildArgv(privatePodman, request, '/tmp/iid').slice(0, 12)).toEqual([...globalFlags, 'build', '--isolation', 'chroot'])
    expect(containersPushArgv(privatePodman, request, '127.0.0.1:5000/cart:v1', '/tmp/digest').slice(0, 10)).toEqual([...globalFlags, 'push'])
  })

  it('push with a digest file and the auth file, plain http only to loopback registries', () => {
    expect(containersPushArgv(buildah, request, 'ghcr.io/acme/cart:sha-0123456', '/tmp/digest').slice(7)).toEqual([
      'push', '--digestfile', '/tmp/digest', '--authfile', '/tmp/auth/config.json',
      'ghcr.io/acme/cart:sha-0123456', 'docker://ghcr.io/acme/cart:sha-0123456'
    ])
    expect(containersPushArgv(podman, request, '127.0.0.1:5000/cart:v1', '/tmp/digest')).toContain('--tls-verify=false')
  })
})

describe('chooseBuilder', () => {
  it('names the unknown builder and the valid ones', async () => {
    await expect(chooseBuilder('kaniko')).rejects.toThrow("unknown builder 'kaniko': use auto, buildx, docker, buildah, podman")
  })

  it('says when no builder can build here', async () => {
    await expect(chooseBuilder('auto', { env: { PATH: '/nonexistent' } })).rejects.toThrow(/no image builder found: tried buildx, docker, buildah, podman/)
  })

  describe('auto, on a PATH holding only tools that answer --version', () => {
    let bin: string
    beforeAll(async () => {
      bin = await mkdtemp(join(tmpdir(), 'flotilla-builders-path-'))
    })
    afterAll(() => rm(bin, { recursive: true, force: true }))

    const onPath = (...tools: string[]) => Promise.all(tools.map((tool) => writeFile(join(bin, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 })))

    it('takes buildah before podman, and podman when it is the only one', async () => {
      await onPath('podman')
      expect((await chooseBuilder('auto', { env: { PATH: bin } })).name).toBe('podman')
      await onPath('buildah')
      expect((await chooseBuilder('auto', { env: { PATH: bin } })).name).toBe('buildah')
    })
  })
})
