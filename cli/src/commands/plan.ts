import { planChanges, eventContextFromEnv, repositoryFromEnv } from '../../../shared/src/detect/index.js'
import { localBase } from '../../../shared/src/detect/local.js'
import { planDocument, planText } from '../../../shared/src/report/plan.js'
import type { EventContext } from '../../../shared/src/changes/types.js'
import { printJson, type Command } from '../command.js'

export const planCommand: Command = {
  name: 'plan',
  usage: `  flotilla plan [--base REF] [--head REF] [--since SINCE] [--github]
      Which services would CI build for this branch, and why. Without --base or --since the
      base is the merge base with the default branch (as a pull request would use), else the
      upstream branch, else the previous commit. --since takes a ref, last-deploy:<env> or
      last-success (these need GITHUB_TOKEN and GITHUB_REPOSITORY). --github reads the event
      from the GITHUB_* variables, as the action does.`,
  options: {
    base: { type: 'string' },
    head: { type: 'string' },
    since: { type: 'string' },
    github: { type: 'boolean', default: false }
  },
  async run({ values, root, json, log }) {
    const head = values.head as string | undefined
    const since = values.since as string | undefined
    const fromGitHub = values.github === true
    let base = values.base as string | undefined
    let baseLabel: string | undefined
    if (!fromGitHub && base === undefined && since === undefined) {
      const chosen = await localBase(root, head ?? 'HEAD')
      base = chosen.base
      baseLabel = chosen.why
    }
    const context: EventContext = fromGitHub
      ? eventContextFromEnv(process.env)
      : { eventName: 'local', sha: head ?? 'HEAD', ref: '', payload: {}, repository: repositoryFromEnv(process.env) }
    const { manifest, changes, plan } = await planChanges({
      root,
      manifestFile: values.manifest as string | undefined,
      context,
      request: { base, baseLabel, head, since },
      token: process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined,
      apiUrl: process.env.GITHUB_API_URL,
      log
    })
    if (json) printJson(planDocument(manifest, changes, plan))
    else process.stdout.write(planText(manifest, changes, plan))
    return 0
  }
}
