/** Delivery metrics (the four DORA keys) from the Deployments and statuses Flotilla writes. */
export type * from './types.js'
export { computeMetrics, commitsWanted, deploymentOutcome, flotillaService, isoWeek, percentile, shippedRanges, windowWeeks, type Outcome } from './compute.js'
export { metricsScope, type ScopeFilter } from './scope.js'
export { CACHE_VERSION, compareHistory, emptyCache, fetchDeploymentHistory, reviveCache, type GateStatusKind, type MetricsCache, type RequestCounts } from './fetch.js'
export { localHistory } from './history.js'
export { collectMetrics, parseInstant, parseSince, parseSpan, writeFileAtomically, type MetricsDocument, type MetricsRunOptions } from './run.js'
export { formatDuration, metricsPrometheus, metricsSummary, metricsText } from './render.js'
export { DEFAULTS as METRICS_DEFAULTS, metricsSettings, type MetricsSettings, type RawSettings } from './settings.js'
