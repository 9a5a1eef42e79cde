/** Helpers of the report parser tests. */
import { fileURLToPath } from 'node:url'
import { ReportError } from '../../../../shared/src/testing/reports/index.js'

/** The path of a fixture report under test/fixtures/reports. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/reports/${name}`, import.meta.url))

/** The ReportError a parse ends with; anything else (or success) fails the test. */
export async function reportError(parsing: Promise<unknown>): Promise<ReportError> {
  const error = await parsing.then(
    () => undefined,
    (thrown: unknown) => thrown
  )
  if (!(error instanceof ReportError)) throw new Error(`expected a ReportError, got ${String(error)}`)
  return error
}
