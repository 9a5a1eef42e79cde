/** Input and output names of the gate action, as declared in its action.yml. */
export const Inputs = {
  Environment: 'environment',
  Sha: 'sha',
  Services: 'services',
  WorkingDirectory: 'working-directory',
  Manifest: 'manifest',
  Token: 'token',
  Gate: 'gate',
  PrometheusAddress: 'prometheus-address',
  Status: 'status',
  DryRun: 'dry-run',
  Fail: 'fail',
  FailOnInconclusive: 'fail-on-inconclusive'
} as const

export const Outputs = {
  Decision: 'decision',
  Summary: 'summary',
  ReportFile: 'report-file'
} as const
