import { describe, expect, it } from '@jest/globals'
import { parseDeployTarget } from '../../../shared/src/deploy/index.js'

const at = 'services.cart.deploy.staging'

describe('parseDeployTarget', () => {
  it('fills the gitops defaults and infers the kind from the file name', () => {
    expect(parseDeployTarget({ target: 'gitops', repo: 'acme/deploy', file: 'envs/staging/kustomization.yaml' }, at)).toEqual({
      target: { target: 'gitops', repo: 'acme/deploy', branch: 'main', file: 'envs/staging/kustomization.yaml', kind: 'kustomize', mode: 'push' },
      problems: []
    })
    expect(parseDeployTarget({ target: 'gitops', repo: 'acme/deploy', file: 'charts/cart/values-staging.yaml', key: 'cart.image', mode: 'pull-request' }, at).target).toMatchObject({ kind: 'helm', key: 'cart.image', mode: 'pull-request' })
    expect(parseDeployTarget({ target: 'gitops', repo: 'acme/deploy', file: 'apps/cart.yaml' }, at).target).toMatchObject({ kind: 'manifests' })
  })

  it('reads command, kubernetes and docker targets with their durations', () => {
    expect(parseDeployTarget({ target: 'command', command: ['./deploy.sh', '--env', 'staging'], timeout: '5m', env: { REGION: 'eu', RETRIES: 3 } }, at).target).toEqual({
      target: 'command', command: ['./deploy.sh', '--env', 'staging'], shell: false, timeoutSeconds: 300, env: { REGION: 'eu', RETRIES: '3' }
    })
    expect(parseDeployTarget({ target: 'command', command: 'make deploy', shell: true }, at).target).toMatchObject({ command: ['make deploy'], shell: true, timeoutSeconds: 600 })
    expect(parseDeployTarget({ target: 'kubernetes', manifests: ['k8s/cart.yaml'], rollout: ['deployment/cart'], namespace: 'shop', timeout: '2m' }, at).target).toEqual({
      target: 'kubernetes', manifests: ['k8s/cart.yaml'], rollout: ['deployment/cart'], namespace: 'shop', timeoutSeconds: 120
    })
    expect(parseDeployTarget({ target: 'docker', host: 'ssh://deploy@staging', ports: ['8080:80'], health: { url: 'http://127.0.0.1:8080/health', timeout: '30s' } }, at).target).toEqual({
      target: 'docker', host: 'ssh://deploy@staging', ports: ['8080:80'], env: {}, health: { url: 'http://127.0.0.1:8080/health', timeoutSeconds: 30 }
    })
  })

  it('reports every problem at its key path', () => {
    expect(parseDeployTarget({ target: 'gitops', repo: 'acme/deploy', file: '../secrets.yaml', kind: 'kustomise', brnach: 'main' }, at).problems).toEqual([
      { keyPath: `${at}.brnach`, message: 'unknown key "brnach" for target gitops (did you mean "branch"?)' },
      { keyPath: `${at}.file`, message: '"../secrets.yaml" must be a path inside the deploy repository' },
      { keyPath: `${at}.kind`, message: 'expected one of kustomize, helm, manifests, got "kustomise" (did you mean "kustomize"?)' }
    ])
    expect(parseDeployTarget({ target: 'command', command: 'make deploy', timeout: 'soon' }, at).problems).toEqual([
      { keyPath: `${at}.command`, message: 'a single string runs through a shell: give an argv list, or set shell: true' },
      { keyPath: `${at}.timeout`, message: 'expected a positive duration such as 30s, 5m or 1h30m, got "soon"' }
    ])
    expect(parseDeployTarget({ target: 'kubernetes', rollout: ['cart'] }, at).problems).toEqual([
      { keyPath: at, message: 'missing required key "manifests"' },
      { keyPath: `${at}.rollout[0]`, message: '"cart" is not kind/name, e.g. deployment/cart' }
    ])
    expect(parseDeployTarget({ target: 'docker', host: 'staging:2375', ports: ['80'] }, at).problems.map((problem) => problem.keyPath)).toEqual([`${at}.host`, `${at}.ports[0]`])
    expect(parseDeployTarget({ target: 'docker', health: { url: 'http://127.0.0.1:8080/health', timout: '30s' } }, at).problems).toEqual([
      { keyPath: `${at}.health.timout`, message: 'unknown key "timout" for health (did you mean "timeout"?)' }
    ])
    expect(parseDeployTarget({ target: 'helm' }, at).problems).toEqual([{ keyPath: `${at}.target`, message: 'expected one of gitops, command, kubernetes, docker, got "helm"' }])
  })
})
