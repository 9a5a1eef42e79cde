/** Input and output names of the run-tests action, as declared in its action.yml. */
export const Inputs = {
  Services: 'services',
  MatrixEntry: 'matrix-entry',
  WorkingDirectory: 'working-directory',
  Manifest: 'manifest',
  Parallel: 'parallel',
  CheckRuns: 'check-runs',
  Token: 'token',
  FailOnError: 'fail-on-error',
  PassEnv: 'pass-env'
} as const

export const Outputs = {
  Passed: 'passed',
  Totals: 'totals',
  ReportFile: 'report-file'
} as const
