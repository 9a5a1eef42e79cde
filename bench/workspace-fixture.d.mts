/** Types of `workspace-fixture.mjs` for the TypeScript tests that import it. */
export interface FixturePackage {
  name: string
  directory: string
  /** An app is a service (it has a Dockerfile); the others are libraries. */
  app: boolean
  dependencies: string[]
  devDependencies: string[]
  optionalDependencies: string[]
  peerDependencies: string[]
}

export function workspaceFixture(options?: { packages?: number; apps?: number; seed?: number; scope?: string }): {
  files: Record<string, string>
  packages: FixturePackage[]
}
