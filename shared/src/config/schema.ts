/**
 * The manifest's schema: every key `flotilla.yml` accepts, with its type, default and meaning.
 * The validator walks documents against it and `docs/manifest.md` documents it (a test checks
 * that every key listed by `schemaKeyPaths` appears there).
 */

import { pathComponentProblem, registryPrefixProblems, repositoryNameProblems } from '../image/reference.js'

/** Names of libraries and environments: they become job names and parts of container names. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/

/** The kinds of names a `named` mapping holds: service names are also image repository components. */
export type NameKind = 'name' | 'service'

/**
 * Why `name` cannot name a service (`kind: 'service'`), a library or an environment; undefined
 * when it can. A service name becomes the last component of its image (`<registry>/<service>`)
 * and its container's name, so it follows the distribution reference grammar of a path component.
 */
export function nameProblem(name: string, kind: NameKind = 'name'): string | undefined {
  if (kind === 'service') {
    const problem = pathComponentProblem(name)
    return problem === undefined
      ? undefined
      : `${JSON.stringify(name)} is not a valid service name: ${problem}; a service name becomes its image's name ` +
          `(<registry>/<service>): lowercase letters and digits, separated by ".", "_", "__" or dashes`
  }
  return NAME_PATTERN.test(name) ? undefined : `${JSON.stringify(name)} is not a valid name: use lowercase letters, digits, ".", "_" or "-", starting with a letter or digit`
}

export const DEPLOY_TARGETS = ['gitops', 'docker', 'kubernetes', 'command'] as const

export type ValueSchema =
  /** `check` says what is wrong with a value (after its quoted text), or undefined when it is fine. */
  | { kind: 'string'; pattern?: RegExp; patternDescription?: string; check?: (value: string) => string | undefined }
  | { kind: 'version' }
  | { kind: 'boolean' }
  | { kind: 'count' }
  /** `90s`, `10m`, `1h30m`, or a number of seconds; loaded as seconds. */
  | { kind: 'duration' }
  /** An argv array, or one string (checked against `shell` by the loader). */
  | { kind: 'command' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list'; items: ValueSchema }
  /** A mapping of names to scalars; numbers and booleans are kept as their text. */
  | { kind: 'scalarMap' }
  /** A mapping with known keys; with `passThrough`, other keys are kept unvalidated. */
  | { kind: 'object'; fields: Record<string, FieldSchema>; passThrough?: boolean }
  /** A mapping whose keys are names (services, libraries, environments). */
  | { kind: 'named'; entry: ValueSchema; names?: NameKind }
  /** Any mapping, kept as is for a later stage to validate. */
  | { kind: 'anyMap' }

export interface FieldSchema {
  type: ValueSchema
  required?: boolean
  /** The default as documented, when there is one. */
  default?: string
  description: string
}

function imageNameCheck(value: string): string | undefined {
  const problems = repositoryNameProblems(value)
  if (problems.length === 0) return undefined
  const hint = problems.some((problem) => / does not belong here$/.test(problem)) ? ' (image.name is the repository alone; Flotilla adds the tags)' : ''
  return `is not an image repository name: ${problems.join('; ')}${hint}`
}

function registryCheck(value: string): string | undefined {
  const problems = registryPrefixProblems(value)
  return problems.length === 0 ? undefined : `is not a registry host and optional path, e.g. ghcr.io/acme: ${problems.join('; ')}`
}

const name: ValueSchema = { kind: 'string', pattern: NAME_PATTERN, patternDescription: 'lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' }
const stringList: ValueSchema = { kind: 'list', items: { kind: 'string' } }
const nameList: ValueSchema = { kind: 'list', items: name }

const ownership = {
  paths: {
    type: stringList,
    default: '`[]`',
    description: 'Extra path patterns, after `<path>/**`; the last matching pattern wins and a leading `!` excludes.'
  },
  depends_on: {
    type: nameList,
    default: 'inferred from workspaces, else `[]`',
    description: 'Libraries or services this one depends on, transitively: a change to a dependency selects this one too.'
  }
} satisfies Record<string, FieldSchema>

const image: ValueSchema = {
  kind: 'object',
  fields: {
    name: { type: { kind: 'string', check: imageNameCheck }, default: '`<registry>/<service>`, or `<service>` without a registry', description: 'Image repository, without tag.' },
    context: { type: { kind: 'string' }, default: 'the service path', description: 'Build context, relative to the repository root.' },
    dockerfile: { type: { kind: 'string' }, default: '`Dockerfile`', description: 'Dockerfile, relative to the build context (as in docker-compose).' },
    build_args: { type: { kind: 'scalarMap' }, default: '`{}`', description: 'Build arguments (`--build-arg`).' },
    platforms: {
      type: { kind: 'list', items: { kind: 'string', pattern: /^[a-z0-9_]+\/[a-z0-9_]+(\/[a-z0-9_]+)?$/, patternDescription: 'os/arch[/variant], e.g. linux/arm64' } },
      default: '`[linux/amd64]`',
      description: 'Target platforms.'
    },
    target: { type: { kind: 'string' }, description: 'Build stage to stop at (`--target`).' }
  }
}

const test: ValueSchema = {
  kind: 'object',
  fields: {
    command: { type: { kind: 'command' }, required: true, description: 'The test command as an argv array, run in the service directory; one string only with `shell: true`.' },
    shell: { type: { kind: 'boolean' }, default: '`false`', description: 'Run `command` (one string) with `sh -c`.' },
    reports: { type: stringList, default: '`[]`', description: 'Glob patterns of test report files (JUnit XML, TRX, NUnit), relative to the service path.' },
    timeout: { type: { kind: 'duration' }, default: '`10m`', description: 'Time limit per attempt (`90s`, `10m`, `1h30m`, or seconds); the whole process tree is killed when it passes.' },
    retries: { type: { kind: 'count' }, default: '`0`', description: 'Extra attempts after a failure.' },
    env: { type: { kind: 'scalarMap' }, default: '`{}`', description: 'Extra environment variables for the command.' }
  }
}

const deployTarget: ValueSchema = {
  kind: 'object',
  passThrough: true,
  fields: {
    target: { type: { kind: 'enum', values: DEPLOY_TARGETS }, required: true, description: 'How to deploy: `gitops`, `docker`, `kubernetes` or `command`; the other keys belong to the target (see docs/deploy.md).' }
  }
}

export const manifestSchema: FieldSchema = {
  description: 'The manifest.',
  type: {
    kind: 'object',
    fields: {
      version: { type: { kind: 'version' }, required: true, description: 'Manifest format version; must be `1`.' },
      registry: { type: { kind: 'string', check: registryCheck }, description: 'Default image prefix: images are `<registry>/<service>` (lowercased).' },
      global: { type: stringList, default: '`[]`', description: 'Path patterns; a change matching any of them selects every service.' },
      workspaces: {
        type: {
          kind: 'object',
          fields: {
            dev_dependencies: {
              type: { kind: 'boolean' },
              default: '`true`',
              description: 'Whether dependencies only needed for development make inferred edges: npm `devDependencies`, Cargo `[dev-dependencies]`, Maven `test` scope, Gradle `test…` configurations.'
            }
          }
        },
        description: 'How dependencies are inferred from the build tools\' own files (see "Dependencies inferred from workspaces").'
      },
      libraries: {
        type: {
          kind: 'named',
          entry: {
            kind: 'object',
            fields: {
              path: { type: { kind: 'string' }, description: 'Directory the library owns (`<path>/**`).' },
              ...ownership
            }
          }
        },
        default: '`{}`',
        description: 'Shared code that is not deployed itself; services depend on it.'
      },
      services: {
        type: {
          kind: 'named',
          names: 'service',
          entry: {
            kind: 'object',
            fields: {
              path: { type: { kind: 'string' }, required: true, description: 'Directory of the service; it owns `<path>/**`. Must exist.' },
              ...ownership,
              image: { type: image, description: 'How the image is built and named.' },
              test: { type: test, description: 'How the service is tested; no tests run without it.' },
              deploy: { type: { kind: 'named', entry: deployTarget }, default: '`{}`', description: 'Deploy settings per environment name.' }
            }
          }
        },
        default: '`{}`',
        description: 'Deployable services, each built into an image.'
      },
      environments: {
        type: {
          kind: 'named',
          entry: {
            kind: 'object',
            fields: {
              requires: { type: nameList, default: '`[]`', description: 'Environments a commit must reach first (promotion order).' },
              production: { type: { kind: 'boolean' }, default: 'true for `production` and `prod`, else false', description: 'Marks a production environment (GitHub Deployments `production_environment`; digests preferred).' },
              transient: { type: { kind: 'boolean' }, default: 'false', description: 'Marks an environment that goes away (a review app): GitHub Deployments `transient_environment`.' },
              url: { type: { kind: 'string' }, description: 'The environment URL shown on deployments.' },
              gate: { type: { kind: 'anyMap' }, description: 'Promotion gate criteria, validated by the gate stage (see docs/gate.md).' }
            }
          }
        },
        default: 'those named under `services.<name>.deploy`',
        description: 'Deployment environments and their promotion order.'
      }
    }
  }
}

/**
 * Every field with its key path, e.g. `services.<name>.image.build_args`, in schema order;
 * the entries of named mappings appear as `<name>` (`<env>` under `deploy`).
 */
export function schemaFields(schema: ValueSchema = manifestSchema.type, prefix = ''): Array<[string, FieldSchema]> {
  if (schema.kind === 'object') {
    return Object.entries(schema.fields).flatMap(([key, field]): Array<[string, FieldSchema]> => {
      const path = prefix === '' ? key : `${prefix}.${key}`
      return [[path, field], ...schemaFields(field.type, path)]
    })
  }
  if (schema.kind === 'named') return schemaFields(schema.entry, `${prefix}.${prefix.endsWith('deploy') ? '<env>' : '<name>'}`)
  return []
}

/** Every documented key path, as listed by `schemaFields`. */
export function schemaKeyPaths(): string[] {
  return schemaFields().map(([path]) => path)
}
