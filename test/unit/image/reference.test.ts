import { describe, expect, it } from '@jest/globals'
import {
  formatImageReference,
  InvalidImageReferenceError,
  parseImageReference,
  pathComponentProblem,
  registryPrefixProblems,
  repositoryNameProblems,
  sameRepository
} from '../../../shared/src/image/reference.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('parseImageReference', () => {
  it('puts single names on Docker Hub under library/', () => {
    expect(parseImageReference('nginx')).toEqual({ registry: 'docker.io', repository: 'library/nginx' })
    expect(parseImageReference('nginx:1.27')).toEqual({ registry: 'docker.io', repository: 'library/nginx', tag: '1.27' })
    expect(parseImageReference('acme/cart')).toEqual({ registry: 'docker.io', repository: 'acme/cart' })
    expect(parseImageReference('index.docker.io/nginx')).toEqual({ registry: 'docker.io', repository: 'library/nginx' })
  })

  it('reads a first component with a dot, a colon or named localhost as the registry', () => {
    expect(parseImageReference('ghcr.io/acme/shop/cart:sha-1234567')).toEqual({
      registry: 'ghcr.io',
      repository: 'acme/shop/cart',
      tag: 'sha-1234567'
    })
    expect(parseImageReference('localhost/x')).toEqual({ registry: 'localhost', repository: 'x' })
    expect(parseImageReference('registry:5000/x')).toEqual({ registry: 'registry:5000', repository: 'x' })
  })

  it('tells a port from a tag by where the last slash is', () => {
    expect(parseImageReference('localhost:5000/team/cart')).toEqual({ registry: 'localhost:5000', repository: 'team/cart' })
    expect(parseImageReference('localhost:5000/team/cart:5000')).toEqual({
      registry: 'localhost:5000',
      repository: 'team/cart',
      tag: '5000'
    })
    // No slash: Docker reads this as the Hub image `localhost` tagged 5000.
    expect(parseImageReference('localhost:5000')).toEqual({ registry: 'docker.io', repository: 'library/localhost', tag: '5000' })
  })

  it('keeps both a tag and a digest', () => {
    expect(parseImageReference(`127.0.0.1:5000/cart:v1@${DIGEST}`)).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'cart',
      tag: 'v1',
      digest: DIGEST
    })
    expect(parseImageReference(`ghcr.io/acme/cart@${DIGEST}`)).toEqual({ registry: 'ghcr.io', repository: 'acme/cart', digest: DIGEST })
  })

  it('accepts an IPv6 registry in brackets', () => {
    expect(parseImageReference('[::1]:5000/cart:v1')).toEqual({ registry: '[::1]:5000', repository: 'cart', tag: 'v1' })
  })

  it.each([
    ['', 'it is empty'],
    ['Acme/Cart', 'must be lowercase'],
    ['ghcr.io/acme/Cart', 'must be lowercase'],
    ['ghcr.io/acme//cart', 'must be lowercase letters and digits'],
    ['ghcr.io/acme/cart-', 'must be lowercase letters and digits'],
    ['ghcr.io/', 'the repository path is empty'],
    ['cart:', 'tag ""'],
    ['cart:-x', 'tag "-x"'],
    [`cart:${'t'.repeat(129)}`, 'tag'],
    ['cart@sha256:abc', 'must have 64 hex digits'],
    [`cart@sha256:${'A'.repeat(64)}`, 'algorithm:lowercase-hex'],
    [`cart@md5:${'a'.repeat(16)}`, 'at least 32 hex digits'],
    ['cart@', 'digest ""'],
    ['bad_host.io:x/cart', 'registry "bad_host.io:x"'],
    [' cart', 'white space']
  ])('rejects %j, naming it and the problem', (text, reason) => {
    let error: unknown
    try {
      parseImageReference(text)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidImageReferenceError)
    expect((error as Error).message).toContain(`invalid image reference ${JSON.stringify(text)}`)
    expect((error as Error).message).toContain(reason)
  })
})

describe('formatImageReference', () => {
  it.each(['localhost:5000/team/cart:v1', `ghcr.io/acme/cart:sha-abc1234@${DIGEST}`, 'docker.io/library/nginx', '[::1]:5000/cart'])(
    'round-trips %s',
    (text) => {
      expect(formatImageReference(parseImageReference(text))).toBe(text)
    }
  )

  it('writes the full name of a short Docker Hub reference', () => {
    expect(formatImageReference(parseImageReference('nginx:1.27'))).toBe('docker.io/library/nginx:1.27')
  })
})

describe('sameRepository', () => {
  it('compares whole repositories, never prefixes', () => {
    const a = parseImageReference('localhost:5000/team/svc-a')
    expect(sameRepository(a, parseImageReference('localhost:5000/team/svc-b'))).toBe(false)
    expect(sameRepository(a, parseImageReference('localhost:5000/team/svc'))).toBe(false)
    expect(sameRepository(a, parseImageReference('localhost:5000/team/svc-a/x'))).toBe(false)
    expect(sameRepository(a, parseImageReference('localhost:5001/team/svc-a'))).toBe(false)
  })

  it('ignores tags, digests, the case of the host and Docker Hub spellings', () => {
    expect(sameRepository(parseImageReference('LOCALHOST:5000/cart:v1'), parseImageReference(`localhost:5000/cart@${DIGEST}`))).toBe(true)
    expect(sameRepository(parseImageReference('nginx'), parseImageReference('index.docker.io/library/nginx:1'))).toBe(true)
  })
})

describe('the distribution grammar, part by part', () => {
  it('takes path components joined by ".", "_", "__" or dashes, and says what is wrong with others', () => {
    for (const name of ['cart', 'a.b', 'a_b', 'a__b', 'a-b', 'a---b', '0', 'web2.v1__x-y']) expect(pathComponentProblem(name)).toBeUndefined()
    expect(pathComponentProblem('')).toBe('it is empty')
    expect(pathComponentProblem('Cart')).toBe('it has capital letters')
    expect(pathComponentProblem('new\nline')).toBe('it holds "\\n"')
    expect(pathComponentProblem('-cart')).toBe('it starts with "-"')
    expect(pathComponentProblem('cart-')).toBe('it ends with "-"')
    expect(pathComponentProblem('x__')).toBe('it ends with "__"')
    expect(pathComponentProblem('a..b')).toBe('".." cannot separate letters or digits (use ".", "_", "__" or dashes)')
    expect(pathComponentProblem('a___b')).toBe('"___" cannot separate letters or digits (use ".", "_", "__" or dashes)')
    expect(pathComponentProblem('a.-b')).toBe('".-" cannot separate letters or digits (use ".", "_", "__" or dashes)')
  })

  it('names each wrong part of a repository name: tag, digest, registry, path, length', () => {
    expect(repositoryNameProblems('Ghcr.io/acme/cart')).toEqual([])
    expect(repositoryNameProblems('Ghcr.io/ACME/Cart:latest')).toEqual([
      'the tag ":latest" does not belong here',
      'the repository path "ACME/Cart" must be lowercase ("acme/cart")'
    ])
    expect(repositoryNameProblems(`cart@${DIGEST}`)).toEqual([`the digest "@${DIGEST}" does not belong here`])
    expect(repositoryNameProblems('bad_host.io/cart')).toEqual(['the registry "bad_host.io" is not a host name with an optional port'])
    expect(repositoryNameProblems('ghcr.io/acme/a..b')).toEqual(['the repository path "acme/a..b" is not valid: component "a..b": ".." cannot separate letters or digits (use ".", "_", "__" or dashes)'])
    expect(repositoryNameProblems('ghcr.io/')).toEqual(['the repository path is empty'])
    expect(repositoryNameProblems(`ghcr.io/${'a'.repeat(250)}`)).toEqual(['it is longer than 255 characters'])
  })

  it('reads a registry prefix as host and path, in any case, and without a scheme', () => {
    expect(registryPrefixProblems('GHCR.io:443/Acme')).toEqual([])
    expect(registryPrefixProblems('https://ghcr.io/acme')).toEqual(['it starts with the scheme "https://"; write the host and path alone'])
    expect(registryPrefixProblems('ghcr.io/acme-')).toEqual(['the repository path "acme-" is not valid: component "acme-": it ends with "-"'])
  })
})
