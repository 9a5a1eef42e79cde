/** One measurement of any criterion: the `measure` function `evaluateGate` takes. */
import type { GitHubClient } from '../../github/index.js'
import type { Clock } from '../evaluate.js'
import { evaluateWindows } from '../window.js'
import type { DeploymentScope, GateCriterion, Observation } from '../types.js'
import { measureChecks } from './checks.js'
import { measureDeployments, measureSoak } from './deployment.js'
import type { CommitTarget } from './github.js'
import { measureHttp } from './http.js'
import { measureCanary, measurePrometheus } from './prometheus.js'

export interface MeasureContext {
  /** The environment being gated. */
  environment: string
  /**
   * Where `soak` counts from the commit's deployment: the environments the gated one requires
   * (a gate runs before its own environment is deployed); the gated environment when it requires none.
   */
  soakEnvironments?: readonly string[]
  target: CommitTarget
  /** Which deployments count for `deployment` and `soak`; each service needs its own. */
  scope?: DeploymentScope
  /** Needed by `checks`, `deployment` and `soak`. */
  github?: GitHubClient
  clock: Clock
}

export type Measure = (criterion: GateCriterion, attempt: number, signal: AbortSignal) => Promise<Observation>

export function createMeasure(context: MeasureContext): Measure {
  const github = (criterion: GateCriterion): GitHubClient => {
    if (context.github === undefined) throw new Error(`${criterion.name} needs the GitHub API (a token and the repository), which this run does not have`)
    return context.github
  }
  return async (criterion, attempt, signal) => {
    switch (criterion.kind) {
      case 'checks':
        return measureChecks(github(criterion), context.target, context.environment, criterion, attempt)
      case 'deployment':
        return measureDeployments(github(criterion), context.target, criterion, context.scope)
      case 'soak':
        return measureSoak(github(criterion), context.target, context.soakEnvironments ?? [context.environment], criterion, context.clock.now(), context.scope)
      case 'http':
        return measureHttp(criterion, signal)
      case 'prometheus':
        return measurePrometheus(criterion, { now: context.clock.now(), signal })
      case 'canary':
        return measureCanary(criterion, { now: context.clock.now(), signal })
      case 'window':
        return evaluateWindows(criterion, context.clock.now())
    }
  }
}
