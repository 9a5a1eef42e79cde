import { join, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import { loadManifest } from '../../../shared/src/config/index.js'
import {
  basicCredential,
  deployService,
  parsePinDigestMode,
  pinServiceDeploy,
  planServiceDeploy,
  registryTagDigestLookup,
  runLogUrl,
  summaryLine,
  type ServiceDeployResult
} from '../../../shared/src/deploy/index.js'
import { kubectlInstall, withDirectoryFirstOnPath, type KubectlInstall } from '../../../shared/src/deploy/kubectl.js'
import { allowListedEnvironment, parsePassEnv, withoutRunnerTokens } from '../../../shared/src/exec/environment.js'
import { createGitHubClient, parseRepository } from '../../../shared/src/github/index.js'
import { resolveCredentials, secretsToMask } from '../../../shared/src/registry/index.js'
import * as runner from '../../../shared/src/runner/index.js'
import { installCachedTool } from '../../../shared/src/runner/tool-cache.js'
import { COMMIT_AUTHOR, Inputs, Outputs } from './constants.js'

export async function run(): Promise<void> {
  await runner.runAction(async () => {
    // Every input is read and checked before any work: bad input fails the step and changes nothing.
    const token = runner.input(Inputs.Token)
    const deployToken = runner.input(Inputs.DeployToken) ?? token
    for (const secret of new Set([token, deployToken])) {
      runner.mask(secret)
      if (secret !== undefined) runner.mask(basicCredential(secret))
    }
    const registryPassword = runner.input(Inputs.RegistryPassword)
    runner.mask(registryPassword)
    const pinMode = parsePinDigestMode(runner.input(Inputs.PinDigest) ?? 'auto', `input '${Inputs.PinDigest}'`)
    const kubectl = kubectlInstall(
      { version: runner.input(Inputs.KubectlVersion), sha256: runner.input(Inputs.KubectlSha256), mirror: runner.input(Inputs.KubectlMirror) },
      { version: `input '${Inputs.KubectlVersion}'`, sha256: `input '${Inputs.KubectlSha256}'`, mirror: `input '${Inputs.KubectlMirror}'` },
      { platform: process.platform, arch: process.arch }
    )
    const passEnv = parsePassEnv(runner.input(Inputs.PassEnv) ?? '', `input '${Inputs.PassEnv}'`)
    const service = required(Inputs.Service)
    const environment = required(Inputs.Environment)
    const image = runner.input(Inputs.Image)
    const tag = runner.input(Inputs.Tag)
    const sha = runner.input(Inputs.Sha) ?? process.env.GITHUB_SHA ?? ''
    const requiredContexts = contextList(runner.input(Inputs.RequiredContexts))
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
    const root = resolve(workspace, runner.input(Inputs.WorkingDirectory) ?? '.')
    const manifest = await loadManifest(root, { file: runner.input(Inputs.Manifest) })
    const plan = await pinServiceDeploy(
      planServiceDeploy(manifest, { service, environment, sha, ...(image === undefined ? {} : { image }), ...(tag === undefined ? {} : { tag }) }),
      pinMode,
      registryTagDigestLookup({
        credentials: async (registry) => {
          const credentials = await resolveCredentials({
            registry,
            username: runner.input(Inputs.RegistryUsername),
            password: registryPassword,
            token,
            actor: process.env.GITHUB_ACTOR || undefined
          })
          secretsToMask(credentials).forEach(runner.mask)
          return credentials
        },
        client: { log: runner.actionsLogger, onSecret: runner.mask }
      }),
      runner.actionsLogger
    )

    // Installed after the manifest and image checks, so bad input downloads nothing; before the
    // Deployment is created, so a checksum mismatch records nothing.
    const kubectlDirectory = kubectl === undefined ? undefined : await installKubectl(kubectl)
    const withKubectl = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => (kubectlDirectory === undefined ? env : withDirectoryFirstOnPath(env, kubectlDirectory))
    // Our own kubectl, docker and git calls get the step's environment without the runner's tokens
    // and the inputs; a command target's command, which the repository's manifest names, only the allow-list.
    const env = withKubectl(withoutRunnerTokens(process.env))
    const commandEnv = withKubectl(allowListedEnvironment(process.env, passEnv))

    const client = createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL, log: runner.actionsLogger })
    const repository = process.env.GITHUB_REPOSITORY
    if (repository === undefined) runner.actionsLogger.warn('GITHUB_REPOSITORY is not set: the deploy is not recorded as a GitHub Deployment')
    const result = await deployService(plan, {
      root,
      workdir: process.env.RUNNER_TEMP ?? tmpdir(),
      env,
      commandEnv,
      log: runner.actionsLogger,
      // The command is the repository's: its output must not issue workflow commands.
      commandOutput: (work) => runner.withoutWorkflowCommands(work),
      ...(repository === undefined ? {} : { github: { client, ...parseRepository(repository), logUrl: runLogUrl(process.env), requiredContexts } }),
      gitops: {
        serverUrl: process.env.GITHUB_SERVER_URL ?? 'https://github.com',
        author: COMMIT_AUTHOR,
        ...(deployToken === undefined ? {} : { token: deployToken, client: deployToken === token ? client : createGitHubClient({ token: deployToken, baseUrl: process.env.GITHUB_API_URL, log: runner.actionsLogger }) })
      }
    })
    await runner.appendSummary(`${summaryLine(result)}\n`)
    runner.setOutputs(outputs(result))
  })
}

function outputs(result: ServiceDeployResult): Record<string, string> {
  return {
    [Outputs.DeploymentId]: result.deploymentId === undefined ? '' : String(result.deploymentId),
    [Outputs.Url]: result.url ?? result.pullRequest ?? '',
    [Outputs.PreviousImage]: result.previous ?? '',
    [Outputs.NewImage]: result.image,
    [Outputs.Digest]: result.digest ?? '',
    [Outputs.PushedCommit]: result.pushedCommit ?? ''
  }
}

/** The pinned kubectl's directory, to put first on PATH for this deploy only: later steps keep their PATH (no addPath). */
async function installKubectl(kubectl: KubectlInstall): Promise<string> {
  const directory = await installCachedTool({ name: 'kubectl', ...kubectl })
  runner.actionsLogger.info(`Deploying with kubectl ${kubectl.version}: ${join(directory, 'kubectl')}`)
  return directory
}

function required(name: string): string {
  const value = runner.input(name)
  if (value === undefined) throw new Error(`input '${name}' is required`)
  return value.trim()
}

/** A JSON array of context names, or one name per line. */
function contextList(value: string | undefined): string[] {
  if (value === undefined) return []
  if (value.trim().startsWith('[')) {
    const parsed: unknown = JSON.parse(value)
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`input '${Inputs.RequiredContexts}' must be a JSON array of strings`)
    return parsed
  }
  return value.split('\n').map((line) => line.trim()).filter((line) => line !== '')
}
