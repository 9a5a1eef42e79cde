import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import { planChanges, eventContextFromEnv } from '../../../shared/src/detect/index.js'
import { locatePath, ManifestError } from '../../../shared/src/config/index.js'
import { planDocument, planSummaryMarkdown } from '../../../shared/src/report/plan.js'
import { MATRIX_LIMIT, describePromotion } from '../../../shared/src/plan/index.js'
import * as runner from '../../../shared/src/runner/index.js'
import { Inputs, Outputs } from './constants.js'

export async function run(): Promise<void> {
  await runner.runAction(async () => {
    // Every input is read and checked before any work: bad input fails the step and changes nothing.
    const token = runner.input(Inputs.Token)
    runner.mask(token)
    const writeSummary = runner.booleanInput(Inputs.Summary, true)
    const promotionLimit = optionalCount(Inputs.PromotionLimit)
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
    const root = resolve(workspace, runner.input(Inputs.WorkingDirectory) ?? '.')

    const result = await runner.group('Flotilla plan', async () => {
      try {
        return await planChanges({
          root,
          manifestFile: runner.input(Inputs.Manifest),
          context: eventContextFromEnv(process.env),
          request: {
            base: runner.input(Inputs.Base),
            head: runner.input(Inputs.Head),
            since: runner.input(Inputs.Since),
            tagPattern: runner.input(Inputs.TagPattern)
          },
          token,
          apiUrl: process.env.GITHUB_API_URL,
          log: runner.actionsLogger
        })
      } catch (error) {
        if (error instanceof ManifestError) annotateManifestProblems(error, root, workspace)
        throw error
      }
    })

    const { manifest, changes, plan } = result
    if (promotionLimit !== undefined && plan.promotion.length > promotionLimit) {
      // Checked before any output: a workflow with fewer deploy steps would silently skip environments.
      const error = await promotionLimitError(root, manifest.source, plan.promotion.map((step) => step.environments), promotionLimit)
      annotateManifestProblems(error, root, workspace)
      throw error
    }
    const document = planDocument(manifest, changes, plan)
    const planFile = join(process.env.RUNNER_TEMP ?? tmpdir(), 'flotilla-plan.json')
    await writeFile(planFile, JSON.stringify(document, null, 2))

    const fitsOneMatrix = plan.matrix.include.length <= MATRIX_LIMIT
    if (!fitsOneMatrix) {
      runner.annotate({
        level: 'warning',
        title: 'Flotilla plan',
        message: `${plan.matrix.include.length} services exceed GitHub's ${MATRIX_LIMIT}-job matrix limit: the matrix output is empty; use the shards output.`
      })
    }
    runner.setOutputs({
      [Outputs.Services]: JSON.stringify(document.services),
      // Past the limit an empty output makes `fromJSON(matrix)` fail loudly instead of GitHub
      // rejecting (or a truncation silently dropping) services.
      [Outputs.Matrix]: fitsOneMatrix ? JSON.stringify(plan.matrix) : '',
      [Outputs.Shards]: JSON.stringify(plan.shards),
      [Outputs.ShardCount]: String(plan.shards.length),
      [Outputs.ServiceShards]: JSON.stringify(plan.serviceShards),
      [Outputs.Promotion]: JSON.stringify(plan.promotion),
      [Outputs.AnyChanged]: String(document.anyChanged),
      [Outputs.All]: String(plan.all),
      [Outputs.Base]: plan.base ?? '',
      [Outputs.Head]: plan.head,
      [Outputs.BaseReason]: plan.baseReason,
      [Outputs.Reasons]: JSON.stringify(document.reasons),
      [Outputs.ChangedFiles]: String(plan.changedFiles),
      [Outputs.PlanFile]: planFile
    })
    runner.actionsLogger.info(
      `${document.services.length} services selected: ${document.services.join(', ') || '(none)'} — ${plan.baseReason}`
    )
    if (writeSummary) {
      await runner.appendSummary(planSummaryMarkdown(manifest, changes, plan))
    }
  })
}

/** Each manifest problem becomes an annotation on the manifest's line, relative to the workspace. */
function annotateManifestProblems(error: ManifestError, root: string, workspace: string): void {
  for (const problem of error.problems) {
    const absolute = resolve(root, problem.file)
    const file = absolute.startsWith(workspace + '/') ? absolute.slice(workspace.length + 1) : problem.file
    runner.annotate({
      level: 'error',
      title: `flotilla.yml: ${problem.keyPath}`,
      message: problem.message,
      file,
      line: problem.line,
      column: problem.column
    })
  }
}

/** The manifest problem of too many promotion steps, located at the `requires` that makes the last one. */
async function promotionLimitError(root: string, source: string, waves: string[][], limit: number): Promise<ManifestError> {
  const deepest = waves[waves.length - 1][0]
  const path = ['environments', deepest, 'requires']
  const text = await readFile(resolve(root, source), 'utf8').catch(() => '')
  const message =
    `environments need ${waves.length} promotion steps (${describePromotion(waves)}) but this workflow deploys at most ${limit} ` +
    `(input '${Inputs.PromotionLimit}'): merge environments into fewer steps of \`requires\`, or wire the extra step with the deploy and gate actions`
  return new ManifestError([{ ...locatePath(text, source, path), keyPath: path.join('.'), message }])
}

/** A whole number input, or undefined when empty. */
function optionalCount(name: string): number | undefined {
  const text = runner.input(name)
  if (text === undefined) return undefined
  if (!/^[1-9]\d*$/.test(text)) throw new Error(`input '${name}' must be a whole number of at least 1, got '${text}'`)
  return Number(text)
}
