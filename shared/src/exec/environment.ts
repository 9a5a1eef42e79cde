/**
 * The environment of commands a pull request controls (test commands, command deploys).
 *
 * On a runner the step's environment holds more than a `run:` step would show such a command:
 * the runner's tokens for its own services (`ACTIONS_RUNTIME_TOKEN`, the OIDC request token and
 * URL, the cache and results URLs), the action's inputs with their tokens (`INPUT_*`), the files
 * through which a step sets the job's environment, PATH and outputs (`GITHUB_ENV`, …), and
 * whatever the workflow's `env:` put there, secrets included. So such a command gets an
 * allow-list: the runner's context, locale, proxies and the toolchains the runner images and the
 * setup-* actions install — and, by name, what the workflow itself chooses to pass. The list is
 * documented in docs/run-tests.md; keep the two in step.
 */

/** Variables passed by exact name. */
const ALLOWED_NAMES = new Set([
  // the login session and the shell
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'HOSTNAME', 'TZ', 'LANG', 'LANGUAGE', 'TMPDIR', 'TMP', 'TEMP',
  'CI', 'DEBIAN_FRONTEND', 'ACCEPT_EULA',
  // proxies and the certificates that go with them
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE',
  // hosted runner images and setup-* actions
  'ImageOS', 'ImageVersion', 'AGENT_TOOLSDIRECTORY', 'pythonLocation', 'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH',
  'GOPATH', 'GOROOT', 'CONDA', 'NVM_DIR', 'SWIFT_PATH', 'LEIN_JAR', 'SELENIUM_JAR_PATH', 'CHROME_BIN',
  'CHROMEWEBDRIVER', 'EDGEWEBDRIVER', 'GECKOWEBDRIVER', 'VCPKG_INSTALLATION_ROOT', 'AZURE_EXTENSION_DIR',
  'GHCUP_INSTALL_BASE_PREFIX', 'BOOTSTRAP_HASKELL_NONINTERACTIVE', 'POWERSHELL_DISTRIBUTION_CHANNEL', 'POWERSHELL_UPDATECHECK'
])

/** Variables passed by the shape of their name. */
const ALLOWED_PATTERNS: readonly RegExp[] = [
  /^GITHUB_/, // the run's context: GITHUB_SHA, GITHUB_REF, GITHUB_WORKSPACE, GITHUB_EVENT_PATH, …
  /^RUNNER_/, // RUNNER_OS, RUNNER_TEMP, RUNNER_TOOL_CACHE, …
  /^LC_/,
  /^XDG_/,
  /^DOTNET_/,
  /^(JAVA_HOME|GOROOT)_/, // JAVA_HOME_17_X64, GOROOT_1_22_X64
  /^Python[23]?_ROOT_DIR$/,
  /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*_(HOME|ROOT)$/ // JAVA_HOME, ANDROID_SDK_ROOT, CARGO_HOME, GRADLE_HOME, …
]

/** Never passed by the allow-list, even when a pattern matches: the step's file commands and its token. */
const WITHHELD_NAMES = new Set(['GITHUB_TOKEN', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'])

/** A name that reads like a credential is never passed by a pattern (only by pass-env). */
const CREDENTIAL = /TOKEN|SECRET|PASSW(OR)?D|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH/i

/** The runner's own variables and the action's inputs: they never reach a command the user or a pull request controls. */
function belongsToRunner(name: string): boolean {
  return name.startsWith('ACTIONS_') || name.startsWith('INPUT_')
}

function allowed(name: string): boolean {
  if (belongsToRunner(name) || WITHHELD_NAMES.has(name) || CREDENTIAL.test(name)) return false
  return ALLOWED_NAMES.has(name) || ALLOWED_PATTERNS.some((pattern) => pattern.test(name))
}

/**
 * The allow-listed part of `env`, and the variables named in `pass` that it holds. `pass` (the
 * workflow's choice, never the manifest's, which the pull request can edit) cannot name the
 * runner's `ACTIONS_*` or the action's `INPUT_*`.
 */
export function allowListedEnvironment(env: NodeJS.ProcessEnv, pass: readonly string[] = []): NodeJS.ProcessEnv {
  const refused = pass.filter(belongsToRunner)
  if (refused.length > 0) throw new Error(`${refused.join(', ')} cannot be passed to a command: ACTIONS_* and INPUT_* belong to the runner`)
  const passed = new Set(pass)
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => value !== undefined && (allowed(name) || passed.has(name))))
}

/** `env` without the runner's `ACTIONS_*` and the action's `INPUT_*`: for commands run outside a runner's step (the CLI). */
export function withoutRunnerTokens(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !belongsToRunner(name)))
}

/**
 * Variable names from a `pass-env` input: a JSON array, or names separated by newlines, commas
 * or spaces. `what` names the input in errors.
 */
export function parsePassEnv(value: string, what: string): string[] {
  const text = value.trim()
  let names: unknown[]
  if (text.startsWith('[')) {
    try {
      names = JSON.parse(text) as unknown[]
    } catch {
      throw new Error(`${what}: not a JSON array of names`)
    }
    if (!Array.isArray(names)) throw new Error(`${what}: not a JSON array of names`)
  } else {
    names = text.split(/[\s,]+/).filter((name) => name !== '')
  }
  for (const name of names) {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${what}: '${String(name)}' is not a variable name`)
    if (belongsToRunner(name)) throw new Error(`${what}: ${name} belongs to the runner (ACTIONS_* and INPUT_* never reach a command)`)
  }
  return names as string[]
}
