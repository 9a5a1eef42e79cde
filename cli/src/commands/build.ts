import { exec } from '../../../shared/src/exec/index.js'
import { buildService, parseKeyValueLines, resolveCredentials, secretsFromEnvironment, type ServiceBuild } from '../../../shared/src/build/index.js'
import { BuilderError, chooseBuilder } from '../../../shared/src/builders/index.js'
import { loadManifest } from '../../../shared/src/config/index.js'
import { formatImageReference, parseImageReference } from '../../../shared/src/image/reference.js'
import { printJson, type Command } from '../command.js'

export const buildCommand: Command = {
  name: 'build',
  usage: `  flotilla build <service…> [--push] [--registry R] [--builder B]
      Builds the services' images as CI would: the same tags, labels and input hash. With --push
      an image whose inputs-<hash> tag the registry already has is not rebuilt; its new tags are
      added instead. --registry R puts images at R/<service>; --builder picks auto (default),
      buildx, docker, buildah or podman; --build-arg NAME=VALUE (repeatable) adds to or overrides
      the manifest's build_args, and like them is part of the input hash (and recorded in the
      image). --secret NAME (repeatable) passes the environment variable NAME as a build secret,
      which the Dockerfile reads with RUN --mount=type=secret,id=NAME; never in the image or the hash.
      Logins come from the docker config (REGISTRY_USERNAME/REGISTRY_PASSWORD override it).`,
  options: {
    push: { type: 'boolean', default: false },
    registry: { type: 'string' },
    builder: { type: 'string', default: 'auto' },
    'build-arg': { type: 'string', multiple: true },
    secret: { type: 'string', multiple: true }
  },
  positionals: true,
  async run({ values, positionals, root, json, log }) {
    const manifest = await loadManifest(root, { file: values.manifest as string | undefined })
    const services = positionals.length > 0 ? positionals : Object.keys(manifest.services)
    const unknown = services.filter((name) => manifest.services[name] === undefined)
    if (unknown.length > 0) throw new Error(`unknown service ${unknown.map((name) => `'${name}'`).join(', ')}; the manifest has ${Object.keys(manifest.services).join(', ')}`)
    const buildArgs = parseKeyValueLines(((values['build-arg'] as string[] | undefined) ?? []).join('\n'), '--build-arg')
    for (const service of services) Object.assign(manifest.services[service].image.buildArgs, buildArgs)
    const secrets = secretsFromEnvironment((values.secret as string[] | undefined) ?? [], process.env)
    const builder = await chooseBuilder(values.builder as string, { log })
    log.info(`builder: ${builder.name}`)
    const branch = await currentBranch(root)
    const registryOverride = values.registry as string | undefined
    const builds: ServiceBuild[] = []
    for (const service of services) {
      const image = registryOverride === undefined ? manifest.services[service].image.name : `${registryOverride.replace(/\/+$/, '')}/${service}`
      const reference = parseImageReference(image)
      const credentials = await resolveCredentials({
        registry: reference.registry,
        username: process.env.REGISTRY_USERNAME || undefined,
        password: process.env.REGISTRY_PASSWORD || undefined
      })
      try {
        builds.push(
          await buildService({
            root,
            manifest,
            service,
            image: formatImageReference(reference),
            tagContext: branch === undefined ? {} : { branch },
            push: values.push === true,
            builder,
            credentials,
            secrets,
            registryOptions: { log },
            log
          })
        )
      } catch (error) {
        if (error instanceof BuilderError && error.output !== '') process.stderr.write(`${error.output}\n`)
        throw error
      }
    }
    if (json) printJson({ ok: true, builder: builder.name, images: builds })
    else for (const build of builds) process.stdout.write(describe(build))
    return 0
  }
}

function describe(build: ServiceBuild): string {
  const state = build.skipped ? 'skipped' : build.pushed ? 'built and pushed' : 'built'
  const digest = build.digest === undefined ? '' : `\n  digest: ${build.digest}`
  return `${build.service}: ${state} (${build.reason})\n  image: ${build.image}\n  tags: ${build.tags.join(', ')}${digest}\n`
}

/** The checked-out branch, for the branch tag; undefined on a detached HEAD. */
async function currentBranch(root: string): Promise<string | undefined> {
  const result = await exec(['git', 'symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: root, allowFailure: true })
  const branch = result.stdout.toString('utf8').trim()
  return result.exitCode === 0 && branch !== '' ? branch : undefined
}
