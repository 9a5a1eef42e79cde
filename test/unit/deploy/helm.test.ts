import { describe, expect, it } from '@jest/globals'
import { setHelmImage } from '../../../shared/src/deploy/index.js'

const DIGEST = `sha256:${'c'.repeat(64)}`

/** Umbrella-chart values: anchors shared between services, a merge key, comments and mixed quoting. */
const VALUES = `## Shop umbrella chart values (staging)
global:
  pullPolicy: &pull IfNotPresent

defaults: &defaults
  replicas: 2
  resources: { limits: { memory: 256Mi } }

cart:
  <<: *defaults
  image:
    repository: ghcr.io/acme/cart   # built by flotilla
    tag: "1.4.0"
    digest: '${DIGEST}'
    pullPolicy: *pull

web:
  <<: *defaults
  image: ghcr.io/acme/web:2.3.1  # single-string form

worker:
  image:
    name: localhost:5000/team/worker
    version: v7
`

describe('setHelmImage', () => {
  it('sets the tag at a nested path, keeps its double quotes, and empties the digest charts would prefer', () => {
    const result = setHelmImage(VALUES, { path: 'cart.image', tag: '1.5.0' })

    expect(result.text).toBe(
      VALUES.replace('    tag: "1.4.0"\n', '    tag: "1.5.0"\n').replace(`    digest: '${DIGEST}'\n`, "    digest: ''\n")
    )
    expect(result).toMatchObject({ changed: true, previous: `ghcr.io/acme/cart:1.4.0@${DIGEST}` })
  })

  it('writes repository, tag and digest together, anchors and merge keys untouched', () => {
    const result = setHelmImage(VALUES, { path: 'cart.image', repository: 'ghcr.io/acme/cart-v2', tag: '2.0.0', digest: `sha256:${'d'.repeat(64)}` })

    expect(result.text).toBe(`## Shop umbrella chart values (staging)
global:
  pullPolicy: &pull IfNotPresent

defaults: &defaults
  replicas: 2
  resources: { limits: { memory: 256Mi } }

cart:
  <<: *defaults
  image:
    repository: ghcr.io/acme/cart-v2   # built by flotilla
    tag: "2.0.0"
    digest: 'sha256:${'d'.repeat(64)}'
    pullPolicy: *pull

web:
  <<: *defaults
  image: ghcr.io/acme/web:2.3.1  # single-string form

worker:
  image:
    name: localhost:5000/team/worker
    version: v7
`)
  })

  it('rewrites an image given as one string, keeping how its name is written', () => {
    const result = setHelmImage(VALUES, { path: 'web.image', tag: '2.4.0' })

    expect(result.text).toBe(VALUES.replace('  image: ghcr.io/acme/web:2.3.1  #', '  image: ghcr.io/acme/web:2.4.0  #'))
    expect(result.previous).toBe('ghcr.io/acme/web:2.3.1')
  })

  it('uses the chart’s own key names', () => {
    const result = setHelmImage(VALUES, { path: 'worker.image', tag: 'v8', keys: { repository: 'name', tag: 'version' } })

    expect(result).toEqual({
      changed: true,
      previous: 'localhost:5000/team/worker:v7',
      text: VALUES.replace('    version: v7\n', '    version: v8\n')
    })
  })

  it('creates the mappings a path needs, indented like their parent', () => {
    const text = 'catalog:\n  replicas: 1 # one is enough in staging\n\nsearch:\n  enabled: false\n'

    const result = setHelmImage(text, { path: 'catalog.image', repository: 'ghcr.io/acme/catalog', tag: 'sha-1234567' })

    expect(result).toEqual({
      changed: true,
      text:
        'catalog:\n  replicas: 1 # one is enough in staging\n  image:\n    repository: ghcr.io/acme/catalog\n    tag: sha-1234567\n' +
        '\nsearch:\n  enabled: false\n'
    })
  })

  it('adds fields to a flow mapping inline', () => {
    const text = 'image: {repository: ghcr.io/acme/cart}\n'

    expect(setHelmImage(text, { path: 'image', tag: '3', digest: DIGEST }).text).toBe(
      `image: {repository: ghcr.io/acme/cart, tag: "3", digest: ${DIGEST}}\n`
    )
  })

  it('leaves a file that already names the image unchanged', () => {
    expect(setHelmImage(VALUES, { path: 'worker.image', tag: 'v7', keys: { tag: 'version', repository: 'name' } })).toEqual({
      changed: false,
      text: VALUES,
      previous: 'localhost:5000/team/worker:v7'
    })
  })

  it('refuses to shadow a mapping that a merge key brings in', () => {
    expect(() => setHelmImage(VALUES, { path: 'web.resources', tag: '1' })).toThrow(
      'values.yaml:18:3 (web.resources): web.resources would shadow what the merge key (<<) brings in; write web.resources out in full first'
    )
  })

  it('refuses to edit through an alias, which would change every place that uses the anchor', () => {
    const text = 'base: &img\n  repository: r\n  tag: "1"\ncart:\n  image: *img\n'

    expect(() => setHelmImage(text, { path: 'cart.image.tag', tag: '2' }, 'envs/staging/values.yaml')).toThrow(
      'envs/staging/values.yaml:5:10 (cart.image): cart.image is an alias; edit the anchored mapping instead'
    )
  })
})
