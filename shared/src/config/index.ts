/** The manifest (`flotilla.yml`): schema, loading with located problems, discovery, defaults. */
export * from './types.js'
export { ManifestError, formatProblem } from './errors.js'
export { MANIFEST_FILES, discoverManifest, loadManifest, validateManifestText, type LoadOptions } from './load.js'
export { COMPOSE_FILES, SERVICE_DIRECTORIES } from './discover.js'
export { DEFAULT_PLATFORMS, DEFAULT_TEST_TIMEOUT_SECONDS } from './resolve.js'
export { DEPLOY_TARGETS, NAME_PATTERN, manifestSchema, schemaFields, schemaKeyPaths, type FieldSchema, type ValueSchema } from './schema.js'
export { parseDuration } from './validate.js'
export { MAX_MANIFEST_FILE_BYTES, locatePath, type SourceLocation } from './yaml-source.js'
