/**
 * How a token reaches git: an `http.extraheader` set through git's environment-variable config
 * (`GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, git 2.31+). That is the `-c` option
 * without the argv: it never lands in the remote URL, in any config file, or in the process list
 * other users can read, and `ExecError` messages never print it.
 */

/** The base64 credential inside the header. Mask it as well as the token: it is a secret derived from it. */
export function basicCredential(token: string): string {
  return Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')
}

/** `env` plus the authorization header for every git process run with it. */
export function withGitAuthorization(env: NodeJS.ProcessEnv, token: string): NodeJS.ProcessEnv {
  const count = Number(env.GIT_CONFIG_COUNT ?? 0) || 0
  return {
    ...env,
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${count}`]: 'http.extraheader',
    [`GIT_CONFIG_VALUE_${count}`]: `AUTHORIZATION: basic ${basicCredential(token)}`
  }
}
