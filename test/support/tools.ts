/**
 * Programs a test needs from the machine, found on PATH. A missing one is a loud skip on a laptop
 * and a failure under `CI=true`, where `.ci/run` installs every program the tests use.
 *
 *   itWithProgram('kubectl', 'kubernetes-client', 'agrees with kubectl', async (kubectl) => { … })
 *   describeWhenAvailable('prometheus', missingReason, 'gates on Prometheus', () => { … })
 */
import { describe, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

export function findOnPath(program: string): string | undefined {
  const directories = (process.env.PATH ?? '').split(delimiter).filter((directory) => directory !== '')
  return directories.map((directory) => join(directory, program)).find((path) => existsSync(path))
}

/** `it` with the program's path, or a loud skip (outside CI) or a failure (CI) naming the Debian package. */
export function itWithProgram(program: string, debianPackage: string, name: string, body: (path: string) => Promise<void>, timeout?: number): void {
  const path = findOnPath(program)
  if (path !== undefined) {
    it(name, () => body(path), timeout)
  } else if (process.env.CI === 'true') {
    it(name, () => {
      throw new Error(`${program} is not installed (apt-get install ${debianPackage}); CI runs every test`)
    })
  } else {
    console.warn(`SKIPPED "${name}": ${program} is not installed (apt-get install ${debianPackage}); CI runs it`)
    it.skip(name, () => body(''))
  }
}

/**
 * `describe` when `missing` is undefined; otherwise a loud skip on a laptop, or under `CI=true` one
 * failing test saying what is missing (`what`: the engine or program, `missing`: why it cannot run).
 */
export function describeWhenAvailable(what: string, missing: string | undefined, name: string, body: () => void): void {
  if (missing === undefined) {
    describe(name, body)
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${what}, which CI must provide`, () => {
        throw new Error(`${what}: ${missing}; CI runs every test that needs it`)
      })
    })
  } else {
    console.warn(`SKIPPED "${name}": ${what}: ${missing}; CI runs these tests`)
    describe.skip(name, body)
  }
}
