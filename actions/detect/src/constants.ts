/** Input and output names of the detect action, as declared in its action.yml. */
export const Inputs = {
  WorkingDirectory: 'working-directory',
  Manifest: 'manifest',
  Base: 'base',
  Head: 'head',
  Since: 'since',
  TagPattern: 'tag-pattern',
  Token: 'token',
  Summary: 'summary',
  PromotionLimit: 'promotion-limit'
} as const

export const Outputs = {
  Services: 'services',
  Matrix: 'matrix',
  Shards: 'shards',
  ShardCount: 'shard-count',
  ServiceShards: 'service-shards',
  Promotion: 'promotion',
  AnyChanged: 'any-changed',
  All: 'all',
  Base: 'base',
  Head: 'head',
  BaseReason: 'base-reason',
  Reasons: 'reasons',
  ChangedFiles: 'changed-files',
  PlanFile: 'plan-file'
} as const
