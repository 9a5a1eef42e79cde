/** What the tests of commands a pull request controls share: the runner's secrets, and a stray process to clean up. */
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'

/** What a hosted runner hands an action beside its inputs: tokens no PR-controlled command may see. */
export const RUNNER_SECRETS = {
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-secret',
  ACTIONS_RUNTIME_URL: 'https://pipelines.invalid/runtime-url-secret/',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-secret',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.invalid/oidc-request-url-secret',
  ACTIONS_CACHE_URL: 'https://cache.invalid/cache-url-secret/',
  ACTIONS_RESULTS_URL: 'https://results.invalid/results-url-secret/',
  // A job-level `env:` some workflows set, and what setup-node's registry-url leaves behind.
  GITHUB_TOKEN: 'ghs_jobenvtokensecret',
  NODE_AUTH_TOKEN: 'npm-auth-token-secret'
}

/** argv of a command that writes its environment as JSON to `file`. */
export const envDumpCommand = (file: string): string[] => ['node', '-e', "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))", file]

/**
 * A shell script fragment that leaves a process in a session of its own (out of reach of a
 * process-group kill) holding stdout for 300 s, its pid in `pidFile`.
 */
export const daemonScript = (pidFile: string, ignoreTerm = false): string =>
  `setsid sh -c '${ignoreTerm ? 'trap "" TERM; ' : ''}echo $$ > ${pidFile}; exec sleep 300' &`

/** Kills the stray process a test left behind, by the pid it wrote. */
export async function killByPidFile(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return
  try {
    process.kill(Number((await readFile(pidFile, 'utf8')).trim()), 'SIGKILL')
  } catch {
    // already gone
  }
  await rm(pidFile, { force: true })
}
