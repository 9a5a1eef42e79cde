import { describe, expect, it } from '@jest/globals'
import type { Manifest, ServiceConfig } from '../../../shared/src/config/index.js'
import { gitOpsEdit, planServiceDeploy, summaryLine } from '../../../shared/src/deploy/index.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const DIGEST = `sha256:${'a'.repeat(64)}`

const service = (name: string, deploy: ServiceConfig['deploy']): ServiceConfig => ({
  name,
  path: `services/${name}`,
  patterns: [`services/${name}/**`],
  dependsOn: [],
  image: { name: `localhost:5000/team/${name}`, context: `services/${name}`, dockerfile: `services/${name}/Dockerfile`, buildArgs: {}, platforms: [] },
  deploy
})

const manifest: Manifest = {
  version: 1,
  source: 'flotilla.yml',
  global: [],
  libraries: {},
  services: {
    cart: service('cart', { production: { target: 'gitops', repo: 'acme/deploy', file: 'prod/kustomization.yaml' }, staging: { target: 'gitops', repo: 'acme/deploy', file: 'x', mode: 'merge' } }),
    users: service('users', {})
  },
  environments: {
    staging: { name: 'staging', requires: [], production: false, transient: false },
    production: { name: 'production', requires: ['staging'], production: true, transient: false, url: 'https://shop.example.com' }
  }
}

describe('planServiceDeploy', () => {
  it('resolves the target, the digest and the environment flags', () => {
    expect(planServiceDeploy(manifest, { service: 'cart', environment: 'production', image: `localhost:5000/team/cart:1.4@${DIGEST}`, sha: SHA })).toEqual({
      request: { service: 'cart', environment: 'production', image: `localhost:5000/team/cart:1.4@${DIGEST}`, digest: DIGEST, sha: SHA },
      target: { target: 'gitops', repo: 'acme/deploy', branch: 'main', file: 'prod/kustomization.yaml', kind: 'kustomize', mode: 'push' },
      production: true,
      transient: false,
      url: 'https://shop.example.com'
    })
  })

  it('carries a transient environment (a review app) to the deployment it records', () => {
    const withReviewApp: Manifest = {
      ...manifest,
      environments: { ...manifest.environments, production: { ...manifest.environments.production, transient: true } }
    }
    const plan = planServiceDeploy(withReviewApp, { service: 'cart', environment: 'production', image: `localhost:5000/team/cart:1.4@${DIGEST}`, sha: SHA })
    expect(plan.transient).toBe(true)
  })

  it("deploys a tag of the service's image as the manifest names it", () => {
    const plan = planServiceDeploy(manifest, { service: 'cart', environment: 'production', tag: `git-${SHA}`, sha: SHA })
    expect(plan.request.image).toBe(`localhost:5000/team/cart:git-${SHA}`)
  })

  it('needs exactly one of an image and a tag', () => {
    expect(() => planServiceDeploy(manifest, { service: 'cart', environment: 'production', sha: SHA })).toThrow("give the image to deploy, or a tag of cart's image (localhost:5000/team/cart)")
    expect(() => planServiceDeploy(manifest, { service: 'cart', environment: 'production', image: 'localhost:5000/team/cart:1', tag: '1', sha: SHA })).toThrow(
      "give the image to deploy or a tag of cart's image, not both"
    )
  })

  it.each([
    [{ environment: 'qa' }, 'unknown environment "qa" (flotilla.yml has staging, production)'],
    [{ service: 'billing' }, 'unknown service "billing" (flotilla.yml has cart, users)'],
    [{ service: 'users' }, 'users has no deploy settings for production: add services.users.deploy.production to flotilla.yml'],
    [{ environment: 'staging' }, 'flotilla.yml: services.cart.deploy.staging.mode: expected one of push, pull-request, got "merge"'],
    [{ image: 'localhost:5000/team/cart' }, 'image localhost:5000/team/cart has neither a tag nor a digest'],
    [{ image: 'localhost:5000/Team/cart:1' }, 'invalid image reference'],
    [{ sha: 'main' }, '"main" is not a full commit SHA']
  ])('refuses %j', (change, message) => {
    const input = { service: 'cart', environment: 'production', image: 'localhost:5000/team/cart:1.4', sha: SHA, ...change }
    expect(() => planServiceDeploy(manifest, input)).toThrow(message)
  })
})

describe('gitOpsEdit', () => {
  it('sets a kustomization entry by repository, tag and digest, never a neighbour sharing its prefix', () => {
    const text = 'images:\n  - name: localhost:5000/team/cart\n    newTag: "1.0"\n  - name: localhost:5000/team/cart-worker\n    newTag: "1.0"\n'
    const edit = gitOpsEdit({ kind: 'kustomize', file: 'kustomization.yaml' }, `localhost:5000/team/cart:1.1@${DIGEST}`)(text)
    expect(edit.text).toBe(`images:\n  - name: localhost:5000/team/cart\n    newTag: "1.1"\n    digest: ${DIGEST}\n  - name: localhost:5000/team/cart-worker\n    newTag: "1.0"\n`)
    expect(edit.previous).toBe('localhost:5000/team/cart:1.0')
  })

  it('sets Helm values at the key path and plain manifests by full repository', () => {
    const values = '# cart chart\ncart:\n  image:\n    repository: localhost:5000/team/cart\n    tag: "1.0"\n'
    expect(gitOpsEdit({ kind: 'helm', key: 'cart.image', file: 'values.yaml' }, 'localhost:5000/team/cart:1.1')(values).text).toBe(values.replace('"1.0"', '"1.1"'))
    const manifestText = 'spec:\n  containers:\n    - image: localhost:5000/team/cart:1.0\n    - image: localhost:5000/team/cart-b:1.0\n'
    expect(gitOpsEdit({ kind: 'manifests', file: 'cart.yaml' }, 'localhost:5000/team/cart:1.1')(manifestText).text).toBe(manifestText.replace('cart:1.0', 'cart:1.1'))
  })
})

describe('summaryLine', () => {
  it('shows before → after, the environment link and the commit', () => {
    expect(summaryLine({ service: 'cart', environment: 'staging', target: 'gitops', image: 'r/cart:2', previous: 'r/cart:1', url: 'https://s.example', pushedCommit: 'abcdef0123456789' })).toBe(
      '- **cart** → [staging](https://s.example) via gitops: `r/cart:1` → `r/cart:2` (commit abcdef012345)'
    )
  })
})
