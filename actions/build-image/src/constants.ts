/** Input and output names of the build-image action, as declared in its action.yml. */
export const Inputs = {
  Service: 'service',
  Push: 'push',
  Builder: 'builder',
  Platforms: 'platforms',
  Tags: 'tags',
  Labels: 'labels',
  Secrets: 'secrets',
  /** The former name of `secrets`, still read, with a deprecation warning. */
  SecretBuildArgs: 'secret-build-args',
  RegistryUsername: 'registry-username',
  RegistryPassword: 'registry-password',
  Cache: 'cache',
  WorkingDirectory: 'working-directory',
  Manifest: 'manifest',
  Token: 'token'
} as const

export const Outputs = {
  Image: 'image',
  Digest: 'digest',
  ImageRef: 'image-ref',
  Tags: 'tags',
  Hash: 'hash',
  Skipped: 'skipped'
} as const
