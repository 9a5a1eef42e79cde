/** A registry login: a user and a password or access token (GHCR takes `GITHUB_TOKEN` as the password). */
export interface RegistryCredentials {
  username: string
  password: string
}

/** One challenge from a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** Lowercased: `basic`, `bearer`, … */
  scheme: string
  /** Parameter names lowercased, values unquoted: `realm`, `service`, `scope`, … */
  params: Record<string, string>
}

const SCHEME = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)/
const PARAM = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/y

/**
 * Reads the first challenge of a `WWW-Authenticate` header, e.g.
 * `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/cart:pull"`.
 * Quoted values may hold commas (`scope="repository:a:pull,push"`). Returns undefined when the
 * header names no scheme.
 */
export function parseAuthenticateChallenge(header: string): AuthChallenge | undefined {
  const scheme = SCHEME.exec(header)
  if (scheme === null) return undefined
  const params: Record<string, string> = {}
  PARAM.lastIndex = scheme[0].length
  for (let match = PARAM.exec(header); match !== null; match = PARAM.exec(header)) {
    params[match[1].toLowerCase()] = match[2] === undefined ? match[3] : match[2].replace(/\\(.)/g, '$1')
  }
  return { scheme: scheme[1].toLowerCase(), params }
}

/** The `Authorization` value for HTTP basic auth. */
export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${encodeBasic(credentials)}`
}

/**
 * Every form of the credentials that could leak into a log: the password and the base64 of
 * `user:password` (what basic auth and docker's config.json carry). Tokens a client obtains
 * reach its `onSecret` callback instead, as soon as they arrive.
 */
export function secretsToMask(credentials: RegistryCredentials | undefined): string[] {
  if (credentials === undefined || credentials.password === '') return []
  return [credentials.password, encodeBasic(credentials)]
}

function encodeBasic(credentials: RegistryCredentials): string {
  return Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')
}
