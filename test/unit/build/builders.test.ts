import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BuildxBuilder, chooseBuilder, DockerBuilder, parseBuildxMetadata, type BuildRequest } from '../../../shared/src/builders/index.js'
import { containersBuildArgv, containersPushArgv, containersTool } from '../../../shared/src/builders/containers.js'
import { cliEmbedsBuildKit } from '../../../shared/src/builders/docker.js'
import { podmanTool } from '../../../shared/src/builders/podman.js'
import { buildArgFlags, digestFromPushOutput, secretEnvFlags, secretFileFlags } from '../../../shared/src/builders/run.js'
import { BuilderError } from '../../../shared/src/builders/types.js'
import { sanitizeTag } from '../../../shared/src/build/tags.js'

const hostileBranch = sanitizeTag('feature/Fix_$(id)#1')

const request: BuildRequest = {
  context: '/repo/services/cart',
  dockerfile: '/repo/services/cart/Dockerfile',
  tags: ['ghcr.io/acme/cart:sha-0123456', `ghcr.io/acme/cart:${hostileBranch}`],
  buildArgs: { MODE: 'production' },
  secrets: { NPM_TOKEN: 'npm_supersecret' },
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

describe('build args and build secrets', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-secret-files-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('passes build args with their values, and never a secret as a build arg', () => {
    expect(buildArgFlags(request.buildArgs)).toEqual(['--build-arg', 'MODE=production'])
  })

  it('passes secrets to buildx as docker/build-push-action does: --secret id=NAME,env=VAR, the value only in the environment', () => {
    expect(secretEnvFlags(request.secrets)).toEqual({
      flags: ['--secret', 'id=NPM_TOKEN,env=FLOTILLA_SECRET_NPM_TOKEN'],
      env: { FLOTILLA_SECRET_NPM_TOKEN: 'npm_supersecret' }
    })
    // A secret named PATH cannot replace the tool's own PATH.
    expect(secretEnvFlags({ PATH: 'x' }).env).toEqual({ FLOTILLA_SECRET_PATH: 'x' })
  })

  it('writes secrets for docker, buildah and podman to files only their owner can read, as --secret id=NAME,type=file,src=FILE', async () => {
    const flags = await secretFileFlags({ NPM_TOKEN: 'npm_supersecret', 'pip.conf': 'index-url=x' }, dir)
    expect(flags).toEqual(['--secret', `id=NPM_TOKEN,type=file,src=${join(dir, 'secret-0')}`, '--secret', `id=pip.conf,type=file,src=${join(dir, 'secret-1')}`])
    expect(await readFile(join(dir, 'secret-0'), 'utf8')).toBe('npm_supersecret')
    expect((await stat(join(dir, 'secret-0'))).mode & 0o777).toBe(0o600)
    expectNoSecret(flags)
  })

  it('refuses a secret id that would break the --secret field list or the /run/secrets path, writing nothing', async () => {
    for (const id of ['a,src=/etc/passwd', '../x', 'with space', '']) {
      await expect(secretFileFlags({ GOOD: 'v', [id]: 'v' }, join(dir, 'never'))).rejects.toThrow(/invalid build secret id/)
      expect(() => secretEnvFlags({ [id]: 'v' })).toThrow(/invalid build secret id/)
    }
    expect(existsSync(join(dir, 'never'))).toBe(false)
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
      '--build-arg', 'MODE=production',
      '--platform', 'linux/amd64', '--target', 'runtime',
      '/repo/services/cart'
    ])
    expectNoSecret(argv)
  })

  it('knows which docker CLIs carry BuildKit themselves (18.09 to 22) and which need buildx for it', () => {
    expect(['18.06.3-ce', '18.09.0', '20.10.24+dfsg1', '22.06.0-beta.0', '23.0.0', '28.2.2', '', 'unknown'].map(cliEmbedsBuildKit)).toEqual([
      false, true, true, true, false, false, false, false
    ])
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

  it('passes secrets as --secret id=NAME,env=VAR and never as a build arg', () => {
    const argv = new BuildxBuilder().buildArgv(request, '/tmp/meta.json')
    const secret = argv.indexOf('--secret')
    expect(argv.slice(secret, secret + 2)).toEqual(['--secret', 'id=NPM_TOKEN,env=FLOTILLA_SECRET_NPM_TOKEN'])
    expect(argv.filter((argument) => argument.startsWith('NPM_TOKEN'))).toEqual([])
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

/**
 * A stand-in docker CLI: answers `buildx version` and `version --format` as told, and for a build
 * logs its argv, the variables that carry the build mode and buildx's secret, and each secret
 * file's mode and content while the build runs; it writes the iid or metadata file a build leaves.
 */
const FAKE_DOCKER = `#!/bin/sh
case "$1 $2" in
  "buildx version") [ "$FAKE_BUILDX" = 1 ] && exit 0; echo "docker: unknown command: docker buildx" >&2; exit 1 ;;
  "version --format") echo "$FAKE_CLIENT_VERSION"; exit 0 ;;
esac
echo "argv: $*" >> "$FAKE_LOG"
echo "DOCKER_BUILDKIT=\${DOCKER_BUILDKIT-unset} FLOTILLA_SECRET_NPM_TOKEN=\${FLOTILLA_SECRET_NPM_TOKEN-unset}" >> "$FAKE_LOG"
previous=
for argument in "$@"; do
  case "$previous" in
    --iidfile) printf 'sha256:%064d' 0 > "$argument" ;;
    --metadata-file) printf '{"containerimage.config.digest":"sha256:%064d"}' 0 > "$argument" ;;
    --secret) file=\${argument#*src=}; [ "$file" != "$argument" ] && echo "secret file $file mode $(stat -c %a "$file"): $(cat "$file")" >> "$FAKE_LOG" ;;
  esac
  previous=$argument
done
exit 0
`

describe('docker and buildx builds with secrets, through a stand-in docker CLI', () => {
  let dir: string
  let docker: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-fake-docker-'))
    docker = join(dir, 'docker')
    await writeFile(docker, FAKE_DOCKER, { mode: 0o755 })
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  async function build(builder: 'docker' | 'buildx', fake: { buildx: boolean; version: string }, buildRequest: BuildRequest = request) {
    const log = join(dir, `log-${Math.random().toString(36).slice(2)}`)
    await writeFile(log, '')
    const env = { ...process.env, FAKE_LOG: log, FAKE_BUILDX: fake.buildx ? '1' : '0', FAKE_CLIENT_VERSION: fake.version }
    const tool = builder === 'docker' ? new DockerBuilder({ binary: docker, env }) : new BuildxBuilder({ binary: docker, env, cache: 'none' })
    const outcome = await tool.build({ ...buildRequest, push: false }).catch((error: unknown) => error)
    return { outcome, log: await readFile(log, 'utf8') }
  }

  const secretFile = (log: string) => /secret file (\S+) mode/.exec(log)?.[1]

  it('docker build with buildx present: BuildKit, the secret in a 0600 file named by --secret id=…,type=file,src=…, removed after the build', async () => {
    const { outcome, log } = await build('docker', { buildx: true, version: '28.2.2' })
    expect(outcome).toEqual({ imageId: `sha256:${'0'.repeat(64)}` })
    expect(log).toContain('DOCKER_BUILDKIT=1 FLOTILLA_SECRET_NPM_TOKEN=unset')
    expect(log).toMatch(/--secret id=NPM_TOKEN,type=file,src=\S+\/secret-0 /)
    expect(log).toMatch(/secret file \S+ mode 600: npm_supersecret\n/)
    expect(log.split('\n')[0]).not.toContain('npm_supersecret')
    expect(existsSync(secretFile(log)!)).toBe(false)
  })

  it('docker build with a CLI that carries BuildKit itself (20.10, no buildx): BuildKit with the secret file', async () => {
    const { outcome, log } = await build('docker', { buildx: false, version: '20.10.24+dfsg1' })
    expect(outcome).not.toBeInstanceOf(Error)
    expect(log).toContain('DOCKER_BUILDKIT=1')
    expect(log).toMatch(/secret file \S+ mode 600: npm_supersecret\n/)
  })

  it('docker build where the CLI cannot use BuildKit: refused before anything runs, naming the secret, not its value', async () => {
    const { outcome, log } = await build('docker', { buildx: false, version: '28.2.2' })
    expect(outcome).toBeInstanceOf(BuilderError)
    expect((outcome as Error).message).toBe(
      'docker build: build secrets (NPM_TOKEN) need BuildKit, which this docker CLI (28.2.2) cannot use without the buildx component; ' +
        'the legacy builder would record them in the image. Install docker buildx, or use builder buildah or podman.'
    )
    expect(log).toBe('')
  })

  it('docker build without secrets stays on the legacy builder', async () => {
    const { log } = await build('docker', { buildx: false, version: '28.2.2' }, { ...request, secrets: {} })
    expect(log).toContain('DOCKER_BUILDKIT=0')
    expect(log).not.toContain('--secret')
  })

  it('docker buildx build: --secret id=NPM_TOKEN,env=FLOTILLA_SECRET_NPM_TOKEN with the value in its environment only', async () => {
    const { outcome, log } = await build('buildx', { buildx: true, version: '28.2.2' })
    expect(outcome).not.toBeInstanceOf(Error)
    expect(log).toContain('--secret id=NPM_TOKEN,env=FLOTILLA_SECRET_NPM_TOKEN ')
    expect(log).toContain('FLOTILLA_SECRET_NPM_TOKEN=npm_supersecret')
    expect(log.split('\n')[0]).not.toContain('npm_supersecret')
  })
})

describe('buildah and podman', () => {
  const buildah = containersTool('buildah', 'bud', { root: '/tmp/store', runroot: '/tmp/run' })
  const podman = podmanTool({ storageDriver: 'overlay', isolation: 'oci' })

  it('build with vfs and chroot by default, with private storage when given', () => {
    const argv = containersBuildArgv(buildah, request, '/tmp/iid')
    expect(argv.slice(0, 9)).toEqual(['buildah', '--root', '/tmp/store', '--runroot', '/tmp/run', '--storage-driver', 'vfs', 'bud', '--isolation'])
    expect(argv[9]).toBe('chroot')
    expect(argv).not.toContain('NPM_TOKEN')
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
