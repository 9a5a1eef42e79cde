/** Running services' tests and reporting them: annotations, job summary, check runs, a JSON document. */
export type { FailureLocation, LocationPrecision, ServiceTestResult, TestAttempt, TestFailure } from './model.js'
export type { ReportFormat, TestCase, TestReport, TestStatus, TestTotals } from './types.js'
export { isTestable, OUTPUT_HELD_WARNING, runServiceTests, runTests, type RunTestsOptions, type TestableService } from './run.js'
export { locateFailure, workspacePath, type LocateContext } from './locate.js'
export {
  CHECK_RUN_ANNOTATIONS,
  CHECK_RUN_ANNOTATIONS_PER_REQUEST,
  JOB_ANNOTATIONS,
  STEP_ERROR_ANNOTATIONS,
  checkRunAnnotation,
  selectAnnotations,
  testTitle,
  workflowAnnotation,
  type CheckRunAnnotation,
  type WorkflowAnnotation
} from './annotations.js'
export { CHECK_RUN_SUMMARY_BYTES, JOB_SUMMARY_BYTES, renderTestSummary, type SummaryOptions } from './summary.js'
export { overallTotals, testDocument, type FailureDocument, type ServiceTestDocument, type TestDocument } from './document.js'
export { checkRunName, publishCheckRun, type CheckRunPublication, type CheckRunTarget } from './check-run.js'
export { LineSplitter } from './output.js'
export { findFiles } from './files.js'
export { parseMatrixEntry, parseServiceNames, selectTestServices, type TestSelection } from './select.js'
