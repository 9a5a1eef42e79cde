import { tmpdir } from 'node:os'
import { loadManifest, type Manifest } from '../../../shared/src/config/index.js'
import {
  deployService,
  parsePinDigestMode,
  pinServiceDeploy,
  planServiceDeploy,
  registryTagDigestLookup,
  runLogUrl,
  type ServiceDeploy,
  type ServiceDeployResult
} from '../../../shared/src/deploy/index.js'
import { repositoryFromEnv } from '../../../shared/src/detect/index.js'
import { exec } from '../../../shared/src/exec/index.js'
import { createGitHubClient } from '../../../shared/src/github/index.js'
import { resolveCredentials } from '../../../shared/src/registry/index.js'
import { printJson, type Command } from '../command.js'

export const deployCommand: Command = {
  name: 'deploy',
  usage: `  flotilla deploy <service…> --env ENV (--image REF | --image SERVICE=REF… | --tag TAG) [--sha SHA] [--pin-digest auto|true|false]
      Deploys each service's image to ENV with the target flotilla.yml names for it (gitops,
      kubernetes or command), one after the other; every deploy is checked before the first
      runs. --tag TAG deploys <image name>:TAG for every service. --sha is the commit the images
      were built from (default HEAD). A tag is pinned to its registry digest first, as the deploy
      action does (--pin-digest auto: required for production environments, tried elsewhere;
      credentials from the docker config, or GITHUB_TOKEN for ghcr.io). With GITHUB_REPOSITORY and GITHUB_TOKEN set, each deploy is
      recorded as a GitHub Deployment (GITHUB_API_URL for another server); GITOPS_TOKEN, else
      GITHUB_TOKEN, authenticates gitops pushes. Exits 1 when a deploy failed.`,
  options: {
    env: { type: 'string' },
    image: { type: 'string', multiple: true },
    tag: { type: 'string' },
    sha: { type: 'string' },
    'pin-digest': { type: 'string' }
  },
  positionals: true,
  async run({ values, positionals, root, json, log }) {
    const environment = values.env as string | undefined
    if (environment === undefined) throw new Error('give the environment with --env')
    if (positionals.length === 0) throw new Error('name the services to deploy')
    const manifest = await loadManifest(root, { file: values.manifest as string | undefined })
    const sha = (values.sha as string | undefined) ?? (await exec(['git', 'rev-parse', 'HEAD'], { cwd: root })).stdout.toString('utf8').trim()
    const images = imagesFor(manifest, positionals, (values.image as string[] | undefined) ?? [], values.tag as string | undefined)
    const pinMode = parsePinDigestMode((values['pin-digest'] as string | undefined) ?? 'auto', '--pin-digest')
    const token = process.env.GITHUB_TOKEN || undefined
    const lookup = registryTagDigestLookup({
      credentials: (registry) => resolveCredentials({ registry, token, actor: process.env.GITHUB_ACTOR || undefined, env: process.env }),
      client: { log }
    })
    const plans: ServiceDeploy[] = []
    for (const service of positionals) {
      // Pinned before any deploy runs: a production tag that cannot be pinned stops them all.
      plans.push(await pinServiceDeploy(planServiceDeploy(manifest, { service, environment, image: images.get(service)!, sha }), pinMode, lookup, log))
    }

    const deployToken = process.env.GITOPS_TOKEN || token
    const repository = repositoryFromEnv(process.env)
    const client = createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL, log })
    if (repository === undefined || token === undefined) log.info('GITHUB_REPOSITORY or GITHUB_TOKEN is not set: deploys are not recorded as GitHub Deployments')

    const results: Array<ServiceDeployResult | { service: string; environment: string; error: string }> = []
    for (const plan of plans) {
      try {
        results.push(
          await deployService(plan, {
            root,
            workdir: tmpdir(),
            env: process.env,
            log,
            commandOutput: (work) => work((chunk) => process.stderr.write(chunk)),
            ...(repository === undefined || token === undefined ? {} : { github: { client, ...repository, logUrl: runLogUrl(process.env) } }),
            gitops: {
              serverUrl: process.env.GITHUB_SERVER_URL ?? 'https://github.com',
              author: { name: 'Flotilla', email: 'flotilla@users.noreply.github.com' },
              ...(deployToken === undefined ? {} : { token: deployToken, client: createGitHubClient({ token: deployToken, baseUrl: process.env.GITHUB_API_URL, log }) })
            }
          })
        )
      } catch (error) {
        results.push({ service: plan.request.service, environment, error: (error as Error).message })
      }
    }
    if (json) printJson({ environment, deploys: results })
    else process.stdout.write(results.map(resultLine).join('\n') + '\n')
    return results.every((result) => !('error' in result)) ? 0 : 1
  }
}

/** The image per service: `--image REF` for a single service, `--image SERVICE=REF`, or `--tag` on the manifest's image name. */
export function imagesFor(manifest: Manifest, services: readonly string[], images: readonly string[], tag: string | undefined): Map<string, string> {
  const chosen = new Map<string, string>()
  for (const image of images) {
    const equals = image.indexOf('=')
    if (equals > 0 && !image.slice(0, equals).includes('/')) chosen.set(image.slice(0, equals), image.slice(equals + 1))
    else if (services.length === 1) chosen.set(services[0], image)
    else throw new Error(`--image ${image}: with several services, write --image SERVICE=REF`)
  }
  for (const service of services) {
    if (chosen.has(service)) continue
    const name = manifest.services[service]?.image.name
    if (tag === undefined || name === undefined) throw new Error(`no image for ${service}: give --image or --tag`)
    chosen.set(service, `${name}:${tag}`)
  }
  const extra = [...chosen.keys()].filter((service) => !services.includes(service))
  if (extra.length > 0) throw new Error(`--image names ${extra.join(', ')}, which is not among the services to deploy`)
  return chosen
}

function resultLine(result: ServiceDeployResult | { service: string; environment: string; error: string }): string {
  if ('error' in result) return `✗ ${result.service} → ${result.environment}: ${result.error}`
  const extra = [result.pushedCommit && `commit ${result.pushedCommit.slice(0, 12)}`, result.pullRequest, result.deploymentId !== undefined && `deployment ${result.deploymentId}`].filter(Boolean)
  return `✓ ${result.service} → ${result.environment} (${result.target}): ${result.previous ?? '(none)'} → ${result.image}${extra.length > 0 ? ` [${extra.join(', ')}]` : ''}`
}
