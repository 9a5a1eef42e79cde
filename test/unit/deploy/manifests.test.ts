import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parseAllDocuments } from 'yaml'
import { setManifestImages } from '../../../shared/src/deploy/index.js'
import { exec } from '../../../shared/src/exec/index.js'
import { parseImageReference, sameRepository } from '../../../shared/src/image/reference.js'
import { itWithProgram } from '../../support/tools.js'

const DIGEST = `sha256:${'e'.repeat(64)}`

/**
 * Plain manifests for svc-a beside look-alikes that must not change: svc-b and svc-a-worker on
 * the same registry (the prefix trap), svc-a on another port, and a templated image.
 */
const MANIFESTS = `# svc-a: everything the team deploys, one file
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-a
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: "localhost:5000/team/svc-a:1.0.0"   # same image, migration entrypoint
      containers:
        - name: app
          image: localhost:5000/team/svc-a:1.0.0
          ports: [{containerPort: 8080}]

        - name: sidecar
          image: localhost:5000/team/svc-b:1.0.0 # another service
        - name: worker
          image: 'localhost:5000/team/svc-a-worker:1.0.0'
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: svc-a-report}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: localhost:5000/team/svc-a@sha256:${'1'.repeat(64)}
---
# The same repository on a registry at another port is another image.
apiVersion: v1
kind: Pod
metadata:
  name: mirror-check
spec:
  containers:
    - name: probe
      image: localhost:5001/team/svc-a:1.0.0
    - name: templated
      image: \${SVC_A_IMAGE}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-a
spec:
  ports:
    - port: 80
`

const NEXT = 'localhost:5000/team/svc-a:1.1.0'

describe('setManifestImages', () => {
  it('sets every container and init container of the same repository, at any depth, and nothing else', () => {
    const result = setManifestImages(MANIFESTS, NEXT, 'deploy/svc-a.yaml')

    expect(result.text).toBe(`# svc-a: everything the team deploys, one file
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-a
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: "localhost:5000/team/svc-a:1.1.0"   # same image, migration entrypoint
      containers:
        - name: app
          image: localhost:5000/team/svc-a:1.1.0
          ports: [{containerPort: 8080}]

        - name: sidecar
          image: localhost:5000/team/svc-b:1.0.0 # another service
        - name: worker
          image: 'localhost:5000/team/svc-a-worker:1.0.0'
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: svc-a-report}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: localhost:5000/team/svc-a:1.1.0
---
# The same repository on a registry at another port is another image.
apiVersion: v1
kind: Pod
metadata:
  name: mirror-check
spec:
  containers:
    - name: probe
      image: localhost:5001/team/svc-a:1.0.0
    - name: templated
      image: \${SVC_A_IMAGE}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-a
spec:
  ports:
    - port: 80
`)
    expect(result).toMatchObject({ changed: true, previous: 'localhost:5000/team/svc-a:1.0.0' })
  })

  it('never touches a repository whose name merely starts with the target’s', () => {
    const text = 'spec:\n  containers:\n    - name: b\n      image: localhost:5000/team/svc-b:1\n    - name: a2\n      image: localhost:5000/team/svc-a2:1\n'

    expect(setManifestImages(text, 'localhost:5000/team/svc-a:2')).toEqual({ changed: false, text })
  })

  it('matches Docker Hub names however they are spelled, and writes the image as given', () => {
    const text = 'kind: Pod\nspec:\n  containers:\n  - name: web\n    image: nginx:1.25 # hub\n  - name: proxy\n    image: docker.io/library/nginx:1.25\n'

    expect(setManifestImages(text, `nginx@${DIGEST}`).text).toBe(
      `kind: Pod\nspec:\n  containers:\n  - name: web\n    image: nginx@${DIGEST} # hub\n  - name: proxy\n    image: nginx@${DIGEST}\n`
    )
  })

  it('replaces an aliased image only where the container uses it, as kubectl would', () => {
    const text = 'x-image: &img ghcr.io/acme/cart:1\nkind: Pod\nspec:\n  containers:\n  - name: cart\n    image: *img\n'

    expect(setManifestImages(text, 'ghcr.io/acme/cart:2').text).toBe(
      'x-image: &img ghcr.io/acme/cart:1\nkind: Pod\nspec:\n  containers:\n  - name: cart\n    image: ghcr.io/acme/cart:2\n'
    )
  })

  it('leaves a file already at the image unchanged', () => {
    const text = 'kind: Pod\nspec:\n  containers:\n  - name: cart\n    image: ghcr.io/acme/cart:2\n'

    expect(setManifestImages(text, 'ghcr.io/acme/cart:2')).toEqual({ changed: false, text, previous: 'ghcr.io/acme/cart:2' })
  })

  it('refuses an image with neither tag nor digest', () => {
    expect(() => setManifestImages(MANIFESTS, 'localhost:5000/team/svc-a', 'deploy/svc-a.yaml')).toThrow(
      'setManifestImages: localhost:5000/team/svc-a names no tag or digest; refusing to deploy an unpinned image to deploy/svc-a.yaml'
    )
  })

  it('refuses a broken document naming the file and line', () => {
    expect(() => setManifestImages('kind: Pod\n---\nspec:\n  containers: a: b\n', NEXT, 'deploy/pod.yaml')).toThrow(
      /^deploy\/pod\.yaml:4:\d+: YAML syntax error/
    )
  })

  itWithProgram('kubectl', 'kubernetes-client', 'agrees with `kubectl set image --local` on every container', async (kubectl) => {
    const ours = setManifestImages(MANIFESTS, NEXT).text
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-kubectl-'))
    try {
      const theirs: unknown[] = []
      for (const [index, document] of parseAllDocuments(MANIFESTS).entries()) {
        const object = document.toJS()
        const names = containers(object)
          .filter(({ image }) => isSameRepository(image, NEXT))
          .map(({ name }) => `${name.split('/')[1]}=${NEXT}`)
        if (names.length === 0) {
          theirs.push(object)
          continue
        }
        const file = join(dir, `${index}.yaml`)
        await writeFile(file, document.toString())
        const result = await exec([kubectl, 'set', 'image', '--local', '-f', file, ...names, '-o', 'json'])
        theirs.push(JSON.parse(result.stdout.toString('utf8')))
      }
      const expected = theirs.map(containers)
      const actual = parseAllDocuments(ours).map((document) => containers(document.toJS()))
      expect(actual).toEqual(expected)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

/** Every container and init container of an object as `{ name: '<list>/<name>', image }`, sorted by name. */
function containers(object: unknown): Array<{ name: string; image: string }> {
  const found: Array<{ name: string; image: string }> = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (['containers', 'initContainers'].includes(key) && Array.isArray(value)) {
          for (const container of value) found.push({ name: `${key}/${container.name}`, image: container.image })
        } else walk(value)
      }
    }
  }
  walk(object)
  return found.sort((a, b) => a.name.localeCompare(b.name))
}

function isSameRepository(image: unknown, target: string): boolean {
  try {
    return typeof image === 'string' && sameRepository(parseImageReference(image), parseImageReference(target))
  } catch {
    return false
  }
}
