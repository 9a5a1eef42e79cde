import { describe, expect, it } from '@jest/globals'
import { allowListedEnvironment, parsePassEnv, withoutRunnerTokens } from '../../shared/src/exec/environment.js'

/** A step's environment on a hosted Ubuntu runner, trimmed: runner, toolchain, job `env:` and tokens. */
const HOSTED = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/runner',
  USER: 'runner',
  SHELL: '/bin/bash',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TZ: 'UTC',
  TMPDIR: '/tmp',
  CI: 'true',
  DEBIAN_FRONTEND: 'noninteractive',
  ImageOS: 'ubuntu24',
  ImageVersion: '20250101.1.0',
  GITHUB_ACTIONS: 'true',
  GITHUB_SHA: 'c'.repeat(40),
  GITHUB_REF: 'refs/pull/7/merge',
  GITHUB_WORKSPACE: '/home/runner/work/shop/shop',
  GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
  GITHUB_ENV: '/home/runner/work/_temp/_runner_file_commands/set_env_1',
  GITHUB_PATH: '/home/runner/work/_temp/_runner_file_commands/add_path_1',
  GITHUB_OUTPUT: '/home/runner/work/_temp/_runner_file_commands/set_output_1',
  GITHUB_STATE: '/home/runner/work/_temp/_runner_file_commands/save_state_1',
  GITHUB_STEP_SUMMARY: '/home/runner/work/_temp/_runner_file_commands/step_summary_1',
  GITHUB_TOKEN: 'ghs_secret',
  RUNNER_OS: 'Linux',
  RUNNER_TEMP: '/home/runner/work/_temp',
  RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
  JAVA_HOME: '/usr/lib/jvm/temurin-17-jdk-amd64',
  JAVA_HOME_21_X64: '/usr/lib/jvm/temurin-21-jdk-amd64',
  GOROOT_1_22_X64: '/opt/hostedtoolcache/go/1.22.0/x64',
  ANDROID_SDK_ROOT: '/usr/local/lib/android/sdk',
  DOTNET_NOLOGO: '1',
  pythonLocation: '/opt/hostedtoolcache/Python/3.12.0/x64',
  LD_LIBRARY_PATH: '/opt/hostedtoolcache/Python/3.12.0/x64/lib',
  XDG_CONFIG_HOME: '/home/runner/.config',
  HTTPS_PROXY: 'http://proxy:3128',
  no_proxy: 'localhost',
  SSL_CERT_FILE: '/etc/ssl/certs/ca.pem',
  ACTIONS_RUNTIME_TOKEN: 'secret',
  ACTIONS_RUNTIME_URL: 'https://pipelines/',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token/',
  ACTIONS_CACHE_URL: 'https://cache/',
  ACTIONS_RESULTS_URL: 'https://results/',
  INPUT_TOKEN: 'ghs_secret',
  NODE_AUTH_TOKEN: 'secret',
  NPM_TOKEN: 'secret',
  AWS_SECRET_ACCESS_KEY: 'secret',
  JAVA_HOME_PASSWORD: 'secret',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
  DATABASE_URL: 'postgres://user:secret@db/app',
  STATS_TRP: 'true'
}

const PASSED = [
  'PATH', 'HOME', 'USER', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'CI', 'DEBIAN_FRONTEND', 'ImageOS', 'ImageVersion',
  'GITHUB_ACTIONS', 'GITHUB_SHA', 'GITHUB_REF', 'GITHUB_WORKSPACE', 'GITHUB_EVENT_PATH',
  'RUNNER_OS', 'RUNNER_TEMP', 'RUNNER_TOOL_CACHE',
  'JAVA_HOME', 'JAVA_HOME_21_X64', 'GOROOT_1_22_X64', 'ANDROID_SDK_ROOT', 'DOTNET_NOLOGO', 'pythonLocation', 'LD_LIBRARY_PATH', 'XDG_CONFIG_HOME',
  'HTTPS_PROXY', 'no_proxy', 'SSL_CERT_FILE'
]

describe('allowListedEnvironment', () => {
  it("passes the runner's context and the toolchains, and nothing else of a hosted runner's step", () => {
    expect(Object.keys(allowListedEnvironment(HOSTED)).sort()).toEqual([...PASSED].sort())
  })

  it('adds the names it is given, present or not, but never a runner token or input', () => {
    const env = allowListedEnvironment(HOSTED, ['DATABASE_URL', 'NPM_TOKEN', 'NOT_SET'])
    expect(env.DATABASE_URL).toBe(HOSTED.DATABASE_URL)
    expect(env.NPM_TOKEN).toBe('secret')
    expect('NOT_SET' in env).toBe(false)
    expect(() => allowListedEnvironment(HOSTED, ['ACTIONS_RUNTIME_TOKEN'])).toThrow(/ACTIONS_RUNTIME_TOKEN/)
  })
})

describe('parsePassEnv', () => {
  it('reads names from lines, commas, spaces or a JSON array', () => {
    expect(parsePassEnv('A\nB_2, c  d', 'input')).toEqual(['A', 'B_2', 'c', 'd'])
    expect(parsePassEnv('["A", "B"]', 'input')).toEqual(['A', 'B'])
    expect(parsePassEnv('  ', 'input')).toEqual([])
  })

  it("refuses a name that is not a variable name, or that names the runner's tokens or the action's inputs", () => {
    expect(() => parsePassEnv('A=1', "input 'pass-env'")).toThrow("input 'pass-env': 'A=1' is not a variable name")
    expect(() => parsePassEnv('ACTIONS_ID_TOKEN_REQUEST_TOKEN', "input 'pass-env'")).toThrow(
      "input 'pass-env': ACTIONS_ID_TOKEN_REQUEST_TOKEN belongs to the runner (ACTIONS_* and INPUT_* never reach a command)"
    )
    expect(() => parsePassEnv('INPUT_TOKEN', 'x')).toThrow(/INPUT_TOKEN/)
  })
})

describe('withoutRunnerTokens', () => {
  it("drops only the runner's ACTIONS_* and the action's INPUT_* variables", () => {
    const env = withoutRunnerTokens(HOSTED)
    expect(Object.keys(env).filter((name) => /^(ACTIONS|INPUT)_/.test(name))).toEqual([])
    expect(env.DATABASE_URL).toBe(HOSTED.DATABASE_URL)
    expect(env.GITHUB_TOKEN).toBe('ghs_secret')
  })
})
