import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { fullFormats } from 'ajv-formats/dist/formats.js'

// Both packages are CommonJS with a `default` export; under NodeNext the callable sits one level down.
const Ajv = AjvModule.default
const addFormats = addFormatsModule.default

/** GitHub's REST description, the variant with `$ref`s (the dereferenced one is five times larger). */
const DESCRIPTION_PATH = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json')
const DOCUMENT_ID = 'github-rest'
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

type Json = any

export interface Operation {
  method: string
  /** The path template as written in the description, e.g. `/repos/{owner}/{repo}`. */
  template: string
  operationId: string
  /** JSON pointer of the operation object inside the description. */
  pointer: string
}

export interface OperationMatch {
  operation: Operation
  /** Decoded path parameters. */
  params: Record<string, string>
}

export interface RequestProblem {
  /** What GitHub answers: 404 for a path it cannot route or resolve, 422 for a bad query or body, 400 for unparsable JSON. */
  status: 400 | 404 | 422
  message: string
  errors: Array<{ resource: string; field: string; code: string; message: string }>
}

interface Route {
  methods: Map<string, Operation>
  regex: RegExp
  names: string[]
  /** Literal segments, then fewer parameters: the most specific template wins when several match. */
  specificity: number
}

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required: boolean
  schemaPointer: string
}

/**
 * One process-wide view of GitHub's OpenAPI description: routes requests to operations and
 * validates parameters, bodies and responses with schemas compiled lazily per operation.
 */
export class OpenApiDescription {
  private static instance?: OpenApiDescription

  /** Loads (once per process) and returns the description. */
  static load(): OpenApiDescription {
    OpenApiDescription.instance ??= new OpenApiDescription(JSON.parse(readFileSync(DESCRIPTION_PATH, 'utf8')))
    return OpenApiDescription.instance
  }

  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
  private readonly validators = new Map<string, ValidateFunction>()
  private readonly routes: Route[]

  private constructor(private readonly document: Json) {
    // OpenAPI 3.0 allows `nullable` without `type` (next to oneOf/allOf); Ajv only knows it beside `type`.
    normaliseNullable(document.components)
    normaliseNullable(document.paths)
    addFormats(this.ajv)
    // GitHub sends and accepts "" for URL fields it documents as `format: uri, default: ""`.
    const uri = fullFormats.uri as (value: string) => boolean
    this.ajv.addFormat('uri', (value: string) => value === '' || uri(value))
    // GitHub's own format for "owner/repo" (pulls create: head_repo).
    this.ajv.addFormat('repo.nwo', /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/)
    // Registered, not compiled: Ajv only walks what a compiled `$ref` reaches.
    this.ajv.addSchema(document, DOCUMENT_ID)
    this.routes = buildRoutes(document.paths, document.components)
  }

  /** The operation for a method and a path relative to the API root, or undefined (GitHub answers 404). */
  match(method: string, path: string): OperationMatch | undefined {
    let best: { route: Route; values: string[] } | undefined
    for (const route of this.routes) {
      const found = route.regex.exec(path)
      if (found && route.methods.has(method.toLowerCase()) && (!best || route.specificity > best.route.specificity)) {
        best = { route, values: found.slice(1) }
      }
    }
    if (!best) return undefined
    const { route, values } = best
    const params: Record<string, string> = {}
    route.names.forEach((name, index) => (params[name] = decodeURIComponent(values[index]!)))
    return { operation: route.methods.get(method.toLowerCase())!, params }
  }

  /** Whether any operation exists for this path, whatever the method. */
  hasPath(path: string): boolean {
    return this.routes.some(route => route.regex.test(path))
  }

  /** What GitHub would object to in a request, or undefined when it is valid. */
  checkRequest(
    match: OperationMatch,
    query: Record<string, string>,
    body: { present: false } | { present: true; parsed: boolean; value: unknown }
  ): RequestProblem | undefined {
    const parameters = this.parameters(match.operation)
    for (const parameter of parameters.filter(p => p.in === 'path')) {
      const value = match.params[parameter.name]
      if (value === undefined || !this.acceptsParameter(parameter, value)) {
        return { status: 404, message: 'Not Found', errors: [] }
      }
    }
    const errors: RequestProblem['errors'] = []
    for (const parameter of parameters.filter(p => p.in === 'query')) {
      const value = query[parameter.name]
      if (value === undefined) {
        if (parameter.required) errors.push(invalid(parameter.name, 'missing_field', `${parameter.name} is required`))
      } else if (!this.acceptsParameter(parameter, value)) {
        errors.push(invalid(parameter.name, 'invalid', `${JSON.stringify(value)} is not a valid value for ${parameter.name}`))
      }
    }
    const requestBody = this.requestBody(match.operation)
    if (body.present && !body.parsed) {
      return { status: 400, message: 'Problems parsing JSON', errors: [] }
    }
    if (requestBody) {
      if (!body.present) {
        if (requestBody.required) errors.push(invalid('body', 'missing', 'a JSON request body is required'))
      } else {
        const validate = this.validator(requestBody.schemaPointer)
        if (!validate(body.value)) errors.push(...describeErrors(validate.errors ?? []))
      }
    }
    if (errors.length === 0) return undefined
    return {
      status: 422,
      message: `Invalid request.\n\n${errors.map(error => error.message).join('\n')}`,
      errors
    }
  }

  /** Schema errors in a response body (an empty list when it matches, or when the status is undocumented). */
  checkResponse(operation: Operation, status: number, body: unknown): string[] {
    const pointer = this.responseSchemaPointer(operation, status)
    if (!pointer) return []
    const validate = this.validator(pointer)
    return validate(body) ? [] : describeErrors(validate.errors ?? []).map(error => error.message)
  }

  /** A documented example (`components/examples/<name>`), deep-copied so callers may change it. */
  example<T = Json>(name: string): T {
    const example = this.document.components.examples[name]
    if (!example) throw new Error(`the OpenAPI description has no example named ${name}`)
    return structuredClone(example.value)
  }

  private acceptsParameter(parameter: Parameter, raw: string): boolean {
    // Parameters arrive as text; the schema may want a number or boolean (or `oneOf` both, as in workflow_id).
    const validate = this.validator(parameter.schemaPointer)
    return parameterReadings(raw).some(reading => validate(reading))
  }

  private parameters(operation: Operation): Parameter[] {
    const pathItemPointer = operation.pointer.slice(0, operation.pointer.lastIndexOf('/'))
    const declared = [
      ...this.listAt(`${pathItemPointer}/parameters`),
      ...this.listAt(`${operation.pointer}/parameters`)
    ]
    return declared.map(pointer => {
      const [resolved, node] = this.resolve(pointer)
      return { name: node.name, in: node.in, required: node.required === true, schemaPointer: `${resolved}/schema` }
    })
  }

  private requestBody(operation: Operation): { required: boolean; schemaPointer: string } | undefined {
    if (!this.at(`${operation.pointer}/requestBody`)) return undefined
    const [resolved, node] = this.resolve(`${operation.pointer}/requestBody`)
    if (!node.content?.['application/json']) return undefined
    return { required: node.required === true, schemaPointer: `${resolved}/content/application~1json/schema` }
  }

  private responseSchemaPointer(operation: Operation, status: number): string | undefined {
    if (!this.at(`${operation.pointer}/responses/${status}`)) return undefined
    const [resolved, node] = this.resolve(`${operation.pointer}/responses/${status}`)
    if (!node.content?.['application/json']?.schema) return undefined
    return `${resolved}/content/application~1json/schema`
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer)
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` })
      this.validators.set(pointer, validate)
    }
    return validate
  }

  /** Follows `$ref`s from a pointer to the node it finally designates. */
  private resolve(pointer: string): [string, Json] {
    let node = this.at(pointer)
    while (typeof node?.$ref === 'string') {
      pointer = node.$ref.slice(1)
      node = this.at(pointer)
    }
    return [pointer, node]
  }

  private listAt(pointer: string): string[] {
    const list = this.at(pointer)
    return Array.isArray(list) ? list.map((_, index) => `${pointer}/${index}`) : []
  }

  private at(pointer: string): Json {
    let node = this.document
    for (const token of pointer.split('/').slice(1)) {
      node = node?.[token.replace(/~1/g, '/').replace(/~0/g, '~')]
    }
    return node
  }
}

/** The values a text parameter may stand for, in the order GitHub would read them. */
function parameterReadings(raw: string): unknown[] {
  const readings: unknown[] = [raw]
  if (/^-?\d+(\.\d+)?$/.test(raw)) readings.push(Number(raw))
  if (raw === 'true' || raw === 'false') readings.push(raw === 'true')
  return readings
}

function invalid(field: string, code: string, message: string): RequestProblem['errors'][number] {
  return { resource: 'Request', field, code, message }
}

function describeErrors(errors: ErrorObject[]): RequestProblem['errors'] {
  // allErrors reports every failed `oneOf` branch too; the innermost messages are the useful ones.
  const leaves = errors.filter(error => !['oneOf', 'anyOf', 'allOf'].includes(error.keyword))
  return (leaves.length > 0 ? leaves : errors).map(error => {
    const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body'
    return invalid(field, error.keyword === 'required' ? 'missing_field' : 'invalid', `For '${field}': ${error.message}.`)
  })
}

function buildRoutes(paths: Json, components: Json): Route[] {
  return Object.entries<Json>(paths).map(([template, item]) => {
    const names: string[] = []
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name)
      // `x-multi-segment` parameters (refs, basehead) may hold slashes; GitHub clients also send them encoded.
      const multiSegment = [...(item.parameters ?? []), ...HTTP_METHODS.flatMap(m => item[m]?.parameters ?? [])]
        .map((parameter: Json) => (parameter.$ref ? components.parameters[parameter.$ref.split('/').pop()] : parameter))
        .some((parameter: Json) => parameter.name === name && parameter['x-multi-segment'])
      return multiSegment ? '(.+?)' : '([^/]+)'
    })
    const methods = new Map<string, Operation>()
    for (const method of HTTP_METHODS) {
      if (item[method]) {
        methods.set(method, {
          method: method.toUpperCase(),
          template,
          operationId: item[method].operationId,
          pointer: `/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`
        })
      }
    }
    return { methods, regex: new RegExp(`^${source}$`), names, specificity: literalSegments(template) * 100 - names.length }
  })
}

function literalSegments(template: string): number {
  return template.split('/').filter(segment => segment !== '' && !segment.includes('{')).length
}

/** Makes OpenAPI 3.0 `nullable` mean what it says to Ajv: `anyOf: [schema, null]` where there is no `type`, null in any `enum`. */
function normaliseNullable(node: Json): Json {
  if (Array.isArray(node)) {
    node.forEach((child, index) => (node[index] = normaliseNullable(child)))
    return node
  }
  if (node === null || typeof node !== 'object') return node
  for (const key of Object.keys(node)) node[key] = normaliseNullable(node[key])
  if (node.nullable !== true) return node
  if ('type' in node) {
    // Ajv checks `enum` separately from `nullable`, so null must be listed to pass.
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null)
    return node
  }
  const { nullable: _nullable, ...schema } = node
  const constraining = Object.keys(schema).filter(key => !['description', 'readOnly', 'title', 'example'].includes(key))
  return constraining.length === 0 ? schema : { anyOf: [schema, { type: 'null' }] }
}
