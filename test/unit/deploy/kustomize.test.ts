import { describe, expect, it } from '@jest/globals'
import { setKustomizeImage, YamlEditError } from '../../../shared/src/deploy/index.js'

const DIGEST_A = `sha256:${'a'.repeat(64)}`
const DIGEST_B = `sha256:${'b'.repeat(64)}`

/** A staging overlay the way teams write them: comments everywhere, mixed quoting, a blank line, odd indentation. */
const OVERLAY = `# Staging overlay. Flotilla bumps the images below; everything else is hand-written.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-staging

resources:
  - ../../base   # shared manifests

images:
  # cart is pinned by digest since the 2024 incident
  - name: ghcr.io/acme/cart
    newTag: '1.4.0' # bumped by flotilla
    digest: ${DIGEST_A}
  - name: ghcr.io/acme/cart-worker
    newTag: "1.4.0"
  -   name: localhost:5000/team/svc-a
      newName: localhost:5000/team/svc-a-staging   # mirrored
      newTag: 2024.01.07

patches:
  - path: replicas.yaml
`

describe('setKustomizeImage', () => {
  it("sets a new tag on the entry named exactly, keeps its quoting and comment, and drops the digest that would still pin the old image", () => {
    const result = setKustomizeImage(OVERLAY, { name: 'ghcr.io/acme/cart', newTag: '1.5.0' })

    expect(result).toEqual({ changed: true, previous: `ghcr.io/acme/cart:1.4.0@${DIGEST_A}`, text: OVERLAY.replace(
      `    newTag: '1.4.0' # bumped by flotilla\n    digest: ${DIGEST_A}\n`,
      `    newTag: '1.5.0' # bumped by flotilla\n`
    ) })
    expect(result.text).toContain('  - name: ghcr.io/acme/cart-worker\n    newTag: "1.4.0"\n')
  })

  it('sets a digest alone and drops the tag that would label the new image with the old version', () => {
    const result = setKustomizeImage(OVERLAY, { name: 'ghcr.io/acme/cart', digest: DIGEST_B })

    expect(result).toEqual({ changed: true, previous: `ghcr.io/acme/cart:1.4.0@${DIGEST_A}`, text: OVERLAY.replace(
      `    newTag: '1.4.0' # bumped by flotilla\n    digest: ${DIGEST_A}\n`,
      `    digest: ${DIGEST_B}\n`
    ) })
  })

  it('writes tag and digest together, adding the missing key in the entry’s own indentation after its last line', () => {
    const result = setKustomizeImage(OVERLAY, { name: 'localhost:5000/team/svc-a', newTag: '2024.02.01', digest: DIGEST_B })

    expect(result.text).toBe(`# Staging overlay. Flotilla bumps the images below; everything else is hand-written.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-staging

resources:
  - ../../base   # shared manifests

images:
  # cart is pinned by digest since the 2024 incident
  - name: ghcr.io/acme/cart
    newTag: '1.4.0' # bumped by flotilla
    digest: ${DIGEST_A}
  - name: ghcr.io/acme/cart-worker
    newTag: "1.4.0"
  -   name: localhost:5000/team/svc-a
      newName: localhost:5000/team/svc-a-staging   # mirrored
      newTag: 2024.02.01
      digest: ${DIGEST_B}

patches:
  - path: replicas.yaml
`)
    expect(result.previous).toBe('localhost:5000/team/svc-a-staging:2024.01.07')
  })

  it('adds an entry for an image the overlay does not list yet, in the list’s own layout', () => {
    const result = setKustomizeImage(OVERLAY, { name: 'ghcr.io/acme/catalog', newTag: 'sha-0c0ffee' })

    expect(result).toEqual({
      changed: true,
      text: OVERLAY.replace(
        '      newTag: 2024.01.07\n',
        '      newTag: 2024.01.07\n  - name: ghcr.io/acme/catalog\n    newTag: sha-0c0ffee\n'
      )
    })
  })

  it('adds the images list to a kustomization without one, and quotes a tag YAML would read as a number', () => {
    const text = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml] # one file'

    const result = setKustomizeImage(text, { name: 'ghcr.io/acme/cart', newTag: '1.10' })

    expect(result.text).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml] # one file\n' +
        'images:\n- name: ghcr.io/acme/cart\n  newTag: "1.10"\n'
    )
  })

  it('edits flow-style entries in place', () => {
    const text = 'images: [{name: cart, newTag: "1"}, {name: web}]\n'

    expect(setKustomizeImage(text, { name: 'web', newName: 'ghcr.io/acme/web', newTag: 'v2' }).text).toBe(
      'images: [{name: cart, newTag: "1"}, {name: web, newName: ghcr.io/acme/web, newTag: v2}]\n'
    )
    expect(setKustomizeImage('images: []\n', { name: 'web', newTag: 'v2' }).text).toBe('images: [{ name: web, newTag: v2 }]\n')
  })

  it('fills in an empty value after its colon', () => {
    const text = 'images:\n  - name: cart\n    newTag:   # set by CI\n'

    expect(setKustomizeImage(text, { name: 'cart', newTag: 'v3' }).text).toBe('images:\n  - name: cart\n    newTag: v3   # set by CI\n')
  })

  it('reports an entry that already names the image as unchanged and returns the text untouched', () => {
    const result = setKustomizeImage(OVERLAY, { name: 'ghcr.io/acme/cart-worker', newTag: '1.4.0' })

    expect(result).toEqual({ changed: false, text: OVERLAY, previous: 'ghcr.io/acme/cart-worker:1.4.0' })
  })

  it('refuses a syntax error with the file, line and column', () => {
    const broken = 'images:\n  - name: cart\n    newTag: [1.0\n'

    expect(() => setKustomizeImage(broken, { name: 'cart', newTag: '2' }, 'envs/staging/kustomization.yaml')).toThrow(
      /^envs\/staging\/kustomization\.yaml:\d+:\d+: YAML syntax error/
    )
  })

  it('refuses an alias bomb before expanding it', () => {
    // Nine levels of nine copies: 9^9 scalars written in under 100 nodes.
    const levels = 'abcdefghi'.split('')
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...levels.slice(1).map((level, i) => `${level}: &${level} [${Array(9).fill(`*${levels[i]}`).join(',')}]`),
      'images: [{name: cart, newTag: "1"}]',
      ''
    ].join('\n')

    const attempt = (): unknown => setKustomizeImage(bomb, { name: 'cart', newTag: '2' }, 'kustomization.yaml')

    expect(attempt).toThrow(YamlEditError)
    expect(attempt).toThrow(/^kustomization\.yaml:6:\d+: .*alias bomb/)
  })

  it('names the key when images is not a list', () => {
    expect(() => setKustomizeImage('kind: Kustomization\nimages:\n  cart: v1\n', { name: 'cart', newTag: '2' })).toThrow(
      'kustomization.yaml:3:3 (images): images must be a list of {name, newName, newTag, digest} entries'
    )
  })
})
