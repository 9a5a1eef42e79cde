/**
 * The gate's measurement sources and publication: I/O at the edge, behind the `measure`
 * function `evaluateGate` takes.
 */
export { fetchChecks, judgeChecks, measureChecks, type CheckResult, type CheckState } from './checks.js'
export { measureDeployments, measureSoak, successfulDeployment, type SuccessfulDeployment } from './deployment.js'
export { gateContext, type CommitTarget } from './github.js'
export { describeFetchError, MAX_BODY_BYTES, measureHttp } from './http.js'
export { measureCanary, measurePrometheus, PrometheusError, queryInstant, queryRange, queryRangeSteps } from './prometheus.js'
export { gateStatusPublisher, type GateStatusPublisher, type StatusKind } from './publish.js'
export { runGate, type RunGateOptions } from './run.js'
export { createMeasure, type Measure, type MeasureContext } from './measure.js'
