/** A whole gate run over real sources: what the action and the CLI share. */
import type { GitHubClient } from '../../github/index.js'
import { evaluateGate, systemClock, type Clock } from '../evaluate.js'
import { gateDocument, type GateDocument } from '../summary.js'
import type { DeploymentScope, GateConfig, GateCriterion } from '../types.js'
import type { CommitTarget } from './github.js'
import { createMeasure } from './measure.js'

export interface RunGateOptions {
  config: GateConfig
  environment: string
  target: CommitTarget
  /** See `MeasureContext.soakEnvironments`. */
  soakEnvironments?: readonly string[]
  /** Which deployments count for `deployment` and `soak`. */
  scope?: DeploymentScope
  /** Needed by `checks`, `deployment` and `soak`. */
  github?: GitHubClient
  clock?: Clock
  signal?: AbortSignal
}

export async function runGate(options: RunGateOptions): Promise<GateDocument> {
  const clock = options.clock ?? systemClock
  const { config } = options
  const report = await evaluateGate<GateCriterion>({
    criteria: config.criteria,
    timeoutSeconds: config.timeoutSeconds,
    clock,
    measure: createMeasure({
      environment: options.environment,
      target: options.target,
      clock,
      ...(options.github === undefined ? {} : { github: options.github }),
      ...(options.soakEnvironments === undefined ? {} : { soakEnvironments: options.soakEnvironments }),
      ...(options.scope === undefined ? {} : { scope: options.scope })
    }),
    ...(options.signal === undefined ? {} : { signal: options.signal })
  })
  return gateDocument(report, { environment: options.environment, sha: options.target.sha })
}
