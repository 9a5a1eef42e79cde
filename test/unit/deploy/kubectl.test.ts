import { describe, expect, it } from '@jest/globals'
import { delimiter } from 'node:path'
import { kubectlInstall, kubectlPlatform, kubectlUrl, withDirectoryFirstOnPath, type KubectlSettings } from '../../../shared/src/deploy/kubectl.js'

const SHA = 'ab'.repeat(32)
const NAMES = { version: 'kubectl-version', sha256: 'kubectl-sha256', mirror: 'kubectl-mirror' }
const LINUX_X64 = { platform: 'linux', arch: 'x64' }
const install = (settings: KubectlSettings, platform = LINUX_X64) => kubectlInstall(settings, NAMES, platform)

describe('kubectlInstall', () => {
  it('is nothing to install when no version is asked for, whatever the mirror', () => {
    expect(install({})).toBeUndefined()
    expect(install({ version: '', sha256: '', mirror: 'https://dl.k8s.io/release' })).toBeUndefined()
  })

  it('downloads from dl.k8s.io by default, the checksum compared in lower case', () => {
    expect(install({ version: '1.31.2', sha256: SHA.toUpperCase() })).toEqual({
      version: '1.31.2',
      sha256: SHA,
      url: 'https://dl.k8s.io/release/v1.31.2/bin/linux/amd64/kubectl'
    })
  })

  it('downloads from a mirror, on the runner platform', () => {
    expect(install({ version: '1.30.0', sha256: SHA, mirror: 'http://127.0.0.1:8080/k8s/' }, { platform: 'darwin', arch: 'arm64' })?.url).toBe(
      'http://127.0.0.1:8080/k8s/v1.30.0/bin/darwin/arm64/kubectl'
    )
  })

  it('requires the checksum with a version, saying where to get it', () => {
    expect(() => install({ version: '1.31.2' })).toThrow(
      'kubectl-sha256 is required with kubectl-version: the SHA-256 of kubectl 1.31.2 for this runner\'s platform, from the .sha256 file beside the binary on dl.k8s.io (https://dl.k8s.io/release/v1.31.2/bin/linux/amd64/kubectl.sha256); check it once and pin it in the workflow'
    )
  })

  it.each([
    ['a version with a leading v', { version: 'v1.31.2', sha256: SHA }, "kubectl-version must be a release such as 1.31.2 (no leading v), got 'v1.31.2'"],
    ['a version range or name', { version: 'latest', sha256: SHA }, "kubectl-version must be a release such as 1.31.2 (no leading v), got 'latest'"],
    ['a checksum with a prefix', { version: '1.31.2', sha256: 'sha256:abc' }, "kubectl-sha256 must be 64 hexadecimal characters, got 'sha256:abc'"],
    ['a checksum of the wrong length', { version: '1.31.2', sha256: `${SHA}0` }, `kubectl-sha256 must be 64 hexadecimal characters, got '${SHA}0'`],
    ['a checksum without a version', { sha256: SHA }, 'kubectl-sha256 is set but kubectl-version is not: say which kubectl release the checksum is for'],
    ['a mirror that is not http(s)', { version: '1.31.2', sha256: SHA, mirror: 'ftp://mirror.example.com' }, "kubectl-mirror must be an http(s) URL such as https://dl.k8s.io/release, got 'ftp://mirror.example.com'"],
    ['a mirror without a scheme', { version: '1.31.2', sha256: SHA, mirror: 'dl.k8s.io/release' }, "kubectl-mirror must be an http(s) URL such as https://dl.k8s.io/release, got 'dl.k8s.io/release'"]
  ])('refuses %s', (_label, settings, message) => {
    expect(() => install(settings)).toThrow(message)
  })

  it('reports every problem at once', () => {
    expect(() => install({ version: 'latest', mirror: 'nope' })).toThrow(/kubectl-version must be .*; kubectl-sha256 is required .*; kubectl-mirror must be/)
  })

  it('refuses a platform kubectl is not installed on, and only when a version is asked for', () => {
    const windows = { platform: 'win32', arch: 'x64' }
    expect(() => install({ version: '1.31.2', sha256: SHA }, windows)).toThrow(
      'kubectl-version cannot install kubectl on win32/x64, only on linux or darwin with x64 or arm64: leave it empty to use the kubectl on PATH'
    )
    expect(() => install({ version: '1.31.2', sha256: SHA }, { platform: 'linux', arch: 's390x' })).toThrow('cannot install kubectl on linux/s390x')
    expect(install({}, windows)).toBeUndefined()
  })
})

describe('kubectlPlatform', () => {
  it("maps Node's names to dl.k8s.io's", () => {
    expect(kubectlPlatform({ platform: 'linux', arch: 'x64' })).toEqual({ os: 'linux', arch: 'amd64' })
    expect(kubectlPlatform({ platform: 'linux', arch: 'arm64' })).toEqual({ os: 'linux', arch: 'arm64' })
    expect(kubectlPlatform({ platform: 'darwin', arch: 'x64' })).toEqual({ os: 'darwin', arch: 'amd64' })
    expect(kubectlPlatform({ platform: 'win32', arch: 'x64' })).toBeUndefined()
  })
})

describe('kubectlUrl', () => {
  it('follows the dl.k8s.io layout, with or without a trailing slash on the mirror', () => {
    const platform = { os: 'linux', arch: 'arm64' } as const
    expect(kubectlUrl('https://dl.k8s.io/release', '1.31.2', platform)).toBe('https://dl.k8s.io/release/v1.31.2/bin/linux/arm64/kubectl')
    expect(kubectlUrl('https://mirror.example.com/k8s//', '1.31.2', platform)).toBe('https://mirror.example.com/k8s/v1.31.2/bin/linux/arm64/kubectl')
  })
})

describe('withDirectoryFirstOnPath', () => {
  it('puts the directory before the rest of PATH and leaves the rest of the environment alone', () => {
    const env = { PATH: ['/usr/local/bin', '/usr/bin'].join(delimiter), HOME: '/home/runner' }
    expect(withDirectoryFirstOnPath(env, '/cache/kubectl/1.31.2/x64')).toEqual({
      PATH: ['/cache/kubectl/1.31.2/x64', '/usr/local/bin', '/usr/bin'].join(delimiter),
      HOME: '/home/runner'
    })
    expect(env.PATH).toBe(['/usr/local/bin', '/usr/bin'].join(delimiter))
  })

  it('makes PATH the directory alone when there was none', () => {
    expect(withDirectoryFirstOnPath({}, '/cache/kubectl')).toEqual({ PATH: '/cache/kubectl' })
  })
})
