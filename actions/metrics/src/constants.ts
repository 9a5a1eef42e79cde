/** Input and output names of the metrics action, as declared in its action.yml. */
export const Inputs = {
  Environments: 'environments',
  Services: 'services',
  Since: 'since',
  Until: 'until',
  Lookback: 'lookback',
  RollbackWindow: 'rollback-window',
  GateStatus: 'gate-status',
  MaxRequests: 'max-requests',
  CacheFile: 'cache-file',
  PrometheusFile: 'prometheus-file',
  Token: 'token',
  WorkingDirectory: 'working-directory',
  Manifest: 'manifest'
} as const

export const Outputs = {
  ReportFile: 'report-file',
  Summary: 'summary'
} as const
