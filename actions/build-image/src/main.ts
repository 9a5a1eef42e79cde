import { resolve } from 'node:path'
import {
  buildService,
  buildSummaryMarkdown,
  mergeSecretInputs,
  parseKeyValueLines,
  parseList,
  resolveCredentials,
  serviceFromInput,
  sourceUrl,
  tagContextFromEvent,
  withPlatforms
} from '../../../shared/src/build/index.js'
import { BuilderError, chooseBuilder, type BuildxCache } from '../../../shared/src/builders/index.js'
import { loadManifest } from '../../../shared/src/config/index.js'
import { eventContextFromEnv } from '../../../shared/src/detect/context.js'
import { parseImageReference } from '../../../shared/src/image/reference.js'
import { secretsToMask } from '../../../shared/src/registry/auth.js'
import * as runner from '../../../shared/src/runner/index.js'
import { Inputs, Outputs } from './constants.js'

const CACHES: readonly BuildxCache[] = ['registry', 'gha', 'none']

export async function run(): Promise<void> {
  await runner.runAction(async () => {
    // Secrets are masked before anything else can print them.
    const password = runner.input(Inputs.RegistryPassword)
    const token = runner.input(Inputs.Token)
    runner.mask(password)
    runner.mask(token)
    const secretInputs = [Inputs.Secrets, Inputs.SecretBuildArgs].map((name) => ({ name, secrets: parseKeyValueLines(runner.input(name) ?? '', name) }))
    for (const { secrets } of secretInputs) Object.values(secrets).forEach(runner.mask)
    const secrets = mergeSecretInputs(secretInputs)
    if (Object.keys(secretInputs[1].secrets).length > 0) {
      runner.actionsLogger.warn(
        `${Inputs.SecretBuildArgs} is deprecated: use ${Inputs.Secrets} (the same NAME=value lines). Both now reach the build as build secrets, ` +
          'which a Dockerfile reads with RUN --mount=type=secret,id=NAME (at /run/secrets/NAME); an ARG of that name gets no value.'
      )
    }

    const service = serviceFromInput(runner.input(Inputs.Service) ?? '')
    if (service === '') throw new Error(`input '${Inputs.Service}' is required`)
    const push = runner.booleanInput(Inputs.Push, true)
    const cache = runner.input(Inputs.Cache) ?? 'registry'
    if (!(CACHES as readonly string[]).includes(cache)) throw new Error(`input '${Inputs.Cache}' must be one of ${CACHES.join(', ')}, got '${cache}'`)
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
    const root = resolve(workspace, runner.input(Inputs.WorkingDirectory) ?? '.')
    const loaded = await loadManifest(root, { file: runner.input(Inputs.Manifest) })
    if (loaded.services[service] === undefined) {
      throw new Error(`unknown service '${service}'; the manifest has ${Object.keys(loaded.services).join(', ') || 'none'}`)
    }
    const manifest = withPlatforms(loaded, service, parseList(runner.input(Inputs.Platforms) ?? ''))
    const registry = parseImageReference(manifest.services[service].image.name).registry
    const credentials = await resolveCredentials({
      registry,
      username: runner.input(Inputs.RegistryUsername),
      password,
      token,
      actor: process.env.GITHUB_ACTOR || undefined
    })
    secretsToMask(credentials).forEach(runner.mask)

    const event = eventContextFromEnv(process.env)
    const builderLog = { info: runner.actionsLogger.info, debug: runner.actionsLogger.info }
    const build = await runner.group(`Build ${service}`, async () => {
      const builder = await chooseBuilder(runner.input(Inputs.Builder) ?? 'auto', { log: builderLog, cache: cache as BuildxCache })
      runner.actionsLogger.info(`builder: ${builder.name}`)
      try {
        return await buildService({
          root,
          manifest,
          service,
          tagContext: tagContextFromEvent(event),
          rawTags: parseList(runner.input(Inputs.Tags) ?? ''),
          push,
          builder,
          credentials,
          secrets,
          sourceUrl: sourceUrl(event, process.env.GITHUB_SERVER_URL),
          labels: parseKeyValueLines(runner.input(Inputs.Labels) ?? '', Inputs.Labels),
          registryOptions: { log: runner.actionsLogger, onSecret: runner.mask },
          log: runner.actionsLogger
        })
      } catch (error) {
        // Inside the group, so the tool's own words sit next to the command that failed.
        if (error instanceof BuilderError && error.output !== '') runner.actionsLogger.info(error.output)
        throw error
      }
    })

    runner.setOutputs({
      [Outputs.Image]: build.image,
      [Outputs.Digest]: build.digest ?? '',
      [Outputs.ImageRef]: build.imageRef ?? '',
      [Outputs.Tags]: JSON.stringify(build.tags),
      [Outputs.Hash]: build.hash,
      [Outputs.Skipped]: String(build.skipped)
    })
    await runner.appendSummary(buildSummaryMarkdown([build]))
  })
}
