/** Input and output names of the deploy action, as declared in its action.yml. */
export const Inputs = {
  Service: 'service',
  Environment: 'environment',
  Image: 'image',
  Tag: 'tag',
  Sha: 'sha',
  Token: 'token',
  DeployToken: 'deploy-token',
  RequiredContexts: 'required-contexts',
  WorkingDirectory: 'working-directory',
  Manifest: 'manifest',
  PinDigest: 'pin-digest',
  RegistryUsername: 'registry-username',
  RegistryPassword: 'registry-password',
  KubectlVersion: 'kubectl-version',
  KubectlSha256: 'kubectl-sha256',
  KubectlMirror: 'kubectl-mirror',
  PassEnv: 'pass-env'
} as const

export const Outputs = {
  DeploymentId: 'deployment-id',
  Url: 'url',
  PreviousImage: 'previous-image',
  NewImage: 'new-image',
  Digest: 'digest',
  PushedCommit: 'pushed-commit'
} as const

/** The identity of gitops commits: the Actions bot, as GitHub attributes the workflow's own pushes. */
export const COMMIT_AUTHOR = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' }
