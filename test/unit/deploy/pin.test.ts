import { describe, expect, it } from '@jest/globals'
import {
  decidePin,
  DeployError,
  parsePinDigestMode,
  pinnedImage,
  pinServiceDeploy,
  registryTagDigestLookup,
  type ServiceDeploy,
  type TagDigestLookup,
  type TaggedImage
} from '../../../shared/src/deploy/index.js'
import { parseImageReference } from '../../../shared/src/image/reference.js'
import type { Logger } from '../../../shared/src/log/index.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const DIGEST = `sha256:${'b'.repeat(64)}`
const TAGGED = 'localhost:5000/team/cart:git-0123456'

function deploy(image: string, production: boolean): ServiceDeploy {
  return {
    request: { service: 'cart', environment: production ? 'production' : 'staging', image, sha: SHA },
    target: { target: 'gitops', repo: 'acme/deploy', branch: 'main', file: 'kustomization.yaml', kind: 'kustomize', mode: 'push' },
    production,
    transient: false
  }
}

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { warnings, info: () => undefined, debug: () => undefined, warn: (message) => warnings.push(message) }
}

/** A lookup that answers from a table of `registry/repository:tag` → digest and records what it was asked. */
function tableLookup(table: Record<string, string>): TagDigestLookup & { asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    digestOf: async (image: TaggedImage) => {
      const name = `${image.registry}/${image.repository}:${image.tag}`
      asked.push(name)
      const digest = table[name]
      if (digest === undefined) throw new Error(`${name} is not in the registry`)
      return digest
    }
  }
}

describe('parsePinDigestMode', () => {
  it('reads auto, true and false in any case', () => {
    expect(['auto', 'TRUE', ' false '].map((text) => parsePinDigestMode(text))).toEqual(['auto', 'true', 'false'])
  })

  it('names the setting and the choices when the value is none of them', () => {
    expect(() => parsePinDigestMode('yes', "input 'pin-digest'")).toThrow("input 'pin-digest' must be one of auto, true, false, got 'yes'")
  })
})

describe('decidePin', () => {
  const tagged = parseImageReference(TAGGED)
  it.each([
    ['auto', false, TAGGED, { lookup: true, image: tagged, onFailure: 'warn' }],
    ['auto', true, TAGGED, { lookup: true, image: tagged, onFailure: 'fail' }],
    ['true', false, TAGGED, { lookup: true, image: tagged, onFailure: 'fail' }],
    ['false', true, TAGGED, { lookup: false }],
    ['auto', true, `${TAGGED}@${DIGEST}`, { lookup: false }],
    ['true', true, `localhost:5000/team/cart@${DIGEST}`, { lookup: false }]
  ] as const)('mode %s, production %s, %s', (mode, production, image, decision) => {
    expect(decidePin(parseImageReference(image), mode, production)).toEqual(decision)
  })
})

describe('pinnedImage', () => {
  it('keeps the reference as written, registry port and tag included, and adds the digest', () => {
    expect(pinnedImage(TAGGED, DIGEST)).toBe(`${TAGGED}@${DIGEST}`)
    expect(parseImageReference(pinnedImage(TAGGED, DIGEST))).toEqual({ registry: 'localhost:5000', repository: 'team/cart', tag: 'git-0123456', digest: DIGEST })
  })
})

describe('pinServiceDeploy', () => {
  it('deploys the tag pinned to the digest the registry gives it', async () => {
    const lookup = tableLookup({ [TAGGED]: DIGEST })
    const pinned = await pinServiceDeploy(deploy(TAGGED, true), 'auto', lookup, capturingLogger())
    expect(pinned.request).toEqual({ service: 'cart', environment: 'production', image: `${TAGGED}@${DIGEST}`, digest: DIGEST, sha: SHA })
    expect(lookup.asked).toEqual([TAGGED])
  })

  it('fails a production deploy whose tag cannot be looked up, saying why', async () => {
    const failed = pinServiceDeploy(deploy(TAGGED, true), 'auto', tableLookup({}), capturingLogger())
    await expect(failed).rejects.toThrow(DeployError)
    await expect(failed).rejects.toThrow(
      `production is a production environment, never deployed by a movable tag: cannot pin ${TAGGED} to a digest: ${TAGGED} is not in the registry`
    )
  })

  it('deploys the tag elsewhere with a warning when the lookup fails', async () => {
    const log = capturingLogger()
    const plan = deploy(TAGGED, false)
    expect(await pinServiceDeploy(plan, 'auto', tableLookup({}), log)).toBe(plan)
    expect(log.warnings).toEqual([`cannot pin ${TAGGED} to a digest: ${TAGGED} is not in the registry; deploying the tag to staging`])
  })

  it('fails any environment with pin-digest true', async () => {
    await expect(pinServiceDeploy(deploy(TAGGED, false), 'true', tableLookup({}), capturingLogger())).rejects.toThrow(
      `cannot pin ${TAGGED} to a digest: ${TAGGED} is not in the registry`
    )
  })

  it('asks no registry with pin-digest false or when the image names a digest', async () => {
    const lookup = tableLookup({ [TAGGED]: DIGEST })
    const byTag = deploy(TAGGED, true)
    const byDigest = deploy(`${TAGGED}@${DIGEST}`, true)
    expect(await pinServiceDeploy(byTag, 'false', lookup, capturingLogger())).toBe(byTag)
    expect(await pinServiceDeploy(byDigest, 'true', lookup, capturingLogger())).toBe(byDigest)
    expect(lookup.asked).toEqual([])
  })
})

describe('registryTagDigestLookup', () => {
  it('refuses a digest header that is not a content digest', async () => {
    const fetch = (async () => new Response(null, { status: 200, headers: { 'docker-content-digest': 'sha256:abc' } })) as typeof globalThis.fetch
    const lookup = registryTagDigestLookup({ credentials: async () => undefined, client: { fetch } })
    await expect(lookup.digestOf(parseImageReference(TAGGED) as TaggedImage)).rejects.toThrow(
      `localhost:5000 answered an invalid digest for ${TAGGED}: digest "sha256:abc" must have 64 hex digits for sha256, not 3`
    )
  })
})
