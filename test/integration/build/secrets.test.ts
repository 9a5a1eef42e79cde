/**
 * Build secrets against the real engines: a Dockerfile reads the secret with
 * `RUN --mount=type=secret,id=NPM_TOKEN` (it writes the secret's sha256 into the image, which
 * proves the build saw the exact value), then the image is exported (`buildah push
 * oci-archive:`, `podman save`) and every file of the archive (manifest, config with its
 * history, each layer unpacked) is searched for the value: it must be nowhere, nor in the
 * tool's own history and inspect output. A Dockerfile that still declares `ARG NPM_TOKEN` gets
 * no value. Docker's legacy builder cannot carry secrets: docker builds them with BuildKit where
 * the CLI has it (Debian's 20.10 CLI carries it; later ones need buildx), and otherwise refuses
 * them before building anything.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BuildahBuilder, BuilderError, DockerBuilder, PodmanBuilder, type BuildRequest, type ImageBuilder } from '../../../shared/src/builders/index.js'
import { exec } from '../../../shared/src/exec/index.js'
import {
  buildahStorage,
  copyPrograms,
  describeWithEngine,
  dockerCliHasBuildKit,
  imageArchiveFilesContaining,
  podmanStorage,
  startDockerd,
  type BuildahStorage,
  type PodmanStorage,
  type TestDockerd
} from '../../support/engines.js'
import { describeWhenAvailable } from '../../support/tools.js'

const SECRET = 'npm_Zq8vT3secretValue41'
const SECRET_SHA256 = createHash('sha256').update(SECRET).digest('hex')
/**
 * The tools run with the secret also in a variable named like its id, as `flotilla build
 * --secret NPM_TOKEN` has it: buildah 1.28 then reads an empty secret unless told `type=file`.
 */
const TOOL_ENV = { ...process.env, NPM_TOKEN: SECRET }

/** Reads the secret the way the docs say, and keeps only its hash. */
const MOUNT_DOCKERFILE = ['FROM scratch', 'COPY rootfs/ /', 'RUN --mount=type=secret,id=NPM_TOKEN sha256sum /run/secrets/NPM_TOKEN > /secret.sha256', ''].join('\n')
/** The old way: a build arg of the secret's name, used in a RUN step (recorded in history as is). */
const ARG_DOCKERFILE = ['FROM scratch', 'COPY rootfs/ /', 'ARG NPM_TOKEN', 'RUN echo "token=$NPM_TOKEN" > /token.txt', ''].join('\n')
/** Both at once. */
const ARG_AND_MOUNT_DOCKERFILE = `${ARG_DOCKERFILE}${MOUNT_DOCKERFILE.split('\n').slice(2).join('\n')}`

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'flotilla-secrets-test-'))
})
afterAll(() => rm(work, { recursive: true, force: true }))

/** A build context with the Dockerfile and a rootfs holding sh and sha256sum. */
async function context(name: string, dockerfile: string): Promise<string> {
  const dir = join(work, name)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'Dockerfile'), dockerfile)
  await copyPrograms(join(dir, 'rootfs'), ['/bin/sh', '/usr/bin/sha256sum'])
  return dir
}

function request(dir: string, tag: string): BuildRequest {
  return {
    context: dir,
    dockerfile: join(dir, 'Dockerfile'),
    tags: [tag],
    buildArgs: { MODE: 'production' },
    secrets: { NPM_TOKEN: SECRET },
    labels: {},
    platforms: [],
    push: false
  }
}

interface ContainersEngine {
  builder: ImageBuilder
  /** Writes the image as an OCI archive to `path`. */
  save(image: string, path: string): Promise<void>
  /** What the tool itself says about the image: inspect and history output. */
  describe(image: string): Promise<string>
}

/** The same cases for buildah and podman: both read secrets from `--secret id=…,src=…`. */
function secretCases(engine: () => ContainersEngine): void {
  it('lets RUN --mount=type=secret read the exact value, and the exported image holds it nowhere', async () => {
    const dir = await context('mount', MOUNT_DOCKERFILE)
    const { imageId } = await engine().builder.build(request(dir, 'localhost/secrets/mount:v1'))
    const archive = join(work, `${engine().builder.name}-mount.tar`)
    await engine().save(imageId, archive)

    expect((await imageArchiveFilesContaining(archive, SECRET_SHA256)).length).toBeGreaterThan(0)
    expect(await imageArchiveFilesContaining(archive, SECRET)).toEqual([])
    expect(await engine().describe(imageId)).not.toContain(SECRET)
  })

  it('never passes a secret as a build arg: a Dockerfile ARG of its name stays empty', async () => {
    const dir = await context('arg', ARG_DOCKERFILE)
    const { imageId } = await engine().builder.build(request(dir, 'localhost/secrets/arg:v1'))
    const archive = join(work, `${engine().builder.name}-arg.tar`)
    await engine().save(imageId, archive)

    expect(await imageArchiveFilesContaining(archive, SECRET)).toEqual([])
    expect(await engine().describe(imageId)).not.toContain(SECRET)
    expect(await imageArchiveFilesContaining(archive, 'token=\n')).not.toEqual([])
  })
}

const run = async (argv: string[]) => (await exec(argv)).stdout.toString('utf8')

describeWithEngine('buildah', 'build secrets with buildah (vfs, chroot)', () => {
  let storage: BuildahStorage
  let engine: ContainersEngine
  beforeAll(async () => {
    storage = await buildahStorage()
    const buildah = ['buildah', '--root', storage.root, '--runroot', storage.runroot, '--storage-driver', 'vfs']
    engine = {
      builder: new BuildahBuilder({ root: storage.root, runroot: storage.runroot, env: TOOL_ENV }),
      save: async (image, path) => void (await run([...buildah, 'push', image, `oci-archive:${path}`])),
      describe: (image) => run([...buildah, 'inspect', '--type', 'image', image])
    }
  })
  afterAll(() => storage?.remove())

  secretCases(() => engine)
})

describeWithEngine('podman', 'build secrets with podman (vfs, chroot)', () => {
  let storage: PodmanStorage
  let engine: ContainersEngine
  beforeAll(async () => {
    storage = await podmanStorage()
    const podman = ['podman', '--root', storage.root, '--runroot', storage.runroot, '--tmpdir', storage.tmpdir, '--storage-driver', 'vfs']
    engine = {
      builder: new PodmanBuilder({ root: storage.root, runroot: storage.runroot, tmpdir: storage.tmpdir, env: TOOL_ENV }),
      save: async (image, path) => void (await run([...podman, 'save', '--format', 'oci-archive', '--output', path, image])),
      describe: async (image) => (await run([...podman, 'image', 'inspect', image])) + (await run([...podman, 'history', '--no-trunc', image]))
    }
  })
  afterAll(() => storage?.remove())

  secretCases(() => engine)
})

/** Debian's docker.io CLI (20.10): BuildKit built in, no buildx needed. */
const DEBIAN_DOCKER = '/usr/bin/docker'

describeWithEngine('dockerd', 'build secrets with docker (a dockerd the test starts)', () => {
  let dockerd: TestDockerd
  beforeAll(async () => {
    dockerd = await startDockerd()
  }, 120_000)
  afterAll(() => dockerd?.stop())

  it("builds through BuildKit with Debian's docker CLI: RUN --mount=type=secret reads the value, an ARG of its name stays empty, the saved image and its history hold it nowhere", async () => {
    expect([DEBIAN_DOCKER, dockerCliHasBuildKit(DEBIAN_DOCKER)]).toEqual([DEBIAN_DOCKER, true])
    // The test daemon runs without a bridge network, so RUN steps get none (`build --network none`).
    const docker = join(work, 'docker')
    await writeFile(docker, `#!/bin/sh\nif [ "$1" = build ]; then shift; exec ${DEBIAN_DOCKER} build --network none "$@"; fi\nexec ${DEBIAN_DOCKER} "$@"\n`, { mode: 0o755 })
    const dir = await context('docker-mount', ARG_AND_MOUNT_DOCKERFILE)
    const { imageId } = await new DockerBuilder({ binary: docker, env: { ...dockerd.env, NPM_TOKEN: SECRET } }).build(request(dir, 'localhost/secrets/docker:v1'))
    const archive = join(work, 'docker-mount.tar')
    await exec([DEBIAN_DOCKER, 'save', '--output', archive, imageId], { env: dockerd.env })

    expect((await imageArchiveFilesContaining(archive, SECRET_SHA256)).length).toBeGreaterThan(0)
    expect(await imageArchiveFilesContaining(archive, SECRET)).toEqual([])
    const described = await exec([DEBIAN_DOCKER, 'history', '--no-trunc', imageId], { env: dockerd.env })
    expect(described.stdout.toString('utf8')).not.toContain(SECRET)
    expect(await imageArchiveFilesContaining(archive, 'token=\n')).not.toEqual([])
  })

  describeWhenAvailable(
    'a docker CLI without BuildKit',
    dockerCliHasBuildKit() ? 'the docker on PATH can use BuildKit (the machine image has docker 28 without buildx there)' : undefined,
    'with a docker CLI that cannot use BuildKit (23 or later without buildx)',
    () => {
      it('refuses the secrets with a clear error before building anything, rather than record them in the image', async () => {
        const dir = await context('docker-arg', ARG_DOCKERFILE)
        const error = await new DockerBuilder({ env: dockerd.env }).build(request(dir, 'localhost/secrets/refused:v1')).catch((caught: unknown) => caught)

        expect(error).toBeInstanceOf(BuilderError)
        expect((error as BuilderError).message).toMatch(/build secrets \(NPM_TOKEN\) need BuildKit.*buildx.*buildah or podman/)
        expect((error as BuilderError).message).not.toContain(SECRET)
        const images = await exec(['docker', 'image', 'ls', '--quiet', 'localhost/secrets/refused'], { env: dockerd.env })
        expect(images.stdout.toString('utf8').trim()).toBe('')
      })
    }
  )
})
