/** Building a service's image: input hash, tags, labels, skip-or-build-and-push. */
export * from './tags.js'
export { INPUT_HASH_LENGTH, hashServiceInputs, inputHash, inputPaths, patternDirectories } from './inputs.js'
export type { HashServiceOptions, InputHashParts, InputObject, ServiceInputs } from './inputs.js'
export { OCI_LABELS, imageLabels, type LabelFacts } from './labels.js'
export { sourceUrl, tagContextFromEvent, type EventTagContext } from './context.js'
export { withAuthFile } from './auth-file.js'
export { buildService, type BuildServiceOptions, type ServiceBuild } from './service.js'
export {
  mergeSecretInputs,
  parseKeyValueLines,
  parseList,
  resolveCredentials,
  secretsFromEnvironment,
  serviceFromInput,
  withPlatforms,
  type CredentialSources
} from './options.js'
export { buildSummaryMarkdown } from './summary.js'
