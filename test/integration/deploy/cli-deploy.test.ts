import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { deployCommand, imagesFor } from '../../../cli/src/commands/deploy.js'
import { validateManifestText } from '../../../shared/src/config/index.js'
import { describeWithRegistry, pushImage, startRegistry, type PushedManifest, type TestRegistry } from '../../support/registry.js'

const SHA = 'f'.repeat(40)
const MANIFEST = `version: 1
registry: localhost:5000/shop
services:
  cart:
    path: services/cart
    deploy:
      staging: { target: command, command: [/bin/sh, -c, 'echo "$FLOTILLA_SERVICE $FLOTILLA_IMAGE $FLOTILLA_SHA" >> deployed.txt'] }
      production: { target: command, command: ['true'] }
  users:
    path: services/users
    deploy:
      staging: { target: command, command: [/bin/sh, -c, 'echo "users refused" >&2; exit 4'] }
  orders:
    path: services/orders
environments:
  staging: {}
  production: { production: true }
`

const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined }
let root: string
let stdout: string[]

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'flotilla-cli-deploy-'))
  await writeFile(join(root, 'flotilla.yml'), MANIFEST)
  for (const service of ['cart', 'users', 'orders']) await mkdir(join(root, 'services', service), { recursive: true })
  stdout = []
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk))
    return true
  })
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true)
})
afterEach(async () => {
  jest.restoreAllMocks()
  await rm(root, { recursive: true, force: true })
})

// localhost:5000 runs no registry here: these cases deploy tags as given; pinning has its own below.
const run = (positionals: string[], values: Record<string, string | string[] | boolean>, json = true) =>
  deployCommand.run({ values: { sha: SHA, 'pin-digest': 'false', ...values }, positionals, root, json, log: silent })

describe('flotilla deploy', () => {
  it('deploys each service with its target and prints one JSON document', async () => {
    const code = await run(['cart'], { env: 'staging', tag: '2.0.0' })
    expect(code).toBe(0)
    expect(await readFile(join(root, 'deployed.txt'), 'utf8')).toBe(`cart localhost:5000/shop/cart:2.0.0 ${SHA}\n`)
    expect(JSON.parse(stdout.join(''))).toEqual({
      environment: 'staging',
      deploys: [{ service: 'cart', environment: 'staging', target: 'command', image: 'localhost:5000/shop/cart:2.0.0' }]
    })
  })

  it('goes on past a failed deploy and exits 1, naming it', async () => {
    const code = await run(['users', 'cart'], { env: 'staging', image: ['users=localhost:5000/shop/users:1.0', 'cart=localhost:5000/shop/cart:1.0'] }, false)
    expect(code).toBe(1)
    expect(stdout.join('')).toBe('✗ users → staging: deploy command /bin/sh exited with 4\n✓ cart → staging (command): (none) → localhost:5000/shop/cart:1.0\n')
  })

  it('warns when a production environment gets a tag without a digest', async () => {
    const warnings: string[] = []
    const log = { ...silent, warn: (message: string) => warnings.push(message) }
    const digest = `sha256:${'b'.repeat(64)}`
    const values = { sha: SHA, env: 'production', 'pin-digest': 'false' }
    expect(await deployCommand.run({ values: { ...values, image: [`localhost:5000/shop/cart:2.0.0@${digest}`] }, positionals: ['cart'], root, json: true, log })).toBe(0)
    expect(warnings).toEqual([])
    expect(await deployCommand.run({ values: { ...values, tag: '2.0.0' }, positionals: ['cart'], root, json: true, log })).toBe(0)
    expect(warnings).toEqual(['production is a production environment: deploy cart by digest, not by the movable tag of localhost:5000/shop/cart:2.0.0'])
  })

  it('checks every deploy before running any', async () => {
    await expect(run(['cart', 'orders'], { env: 'staging', tag: '1.0' })).rejects.toThrow('orders has no deploy settings for staging: add services.orders.deploy.staging to flotilla.yml')
    await expect(run(['cart'], { env: 'prod', tag: '1.0' })).rejects.toThrow('unknown environment "prod" (flotilla.yml has staging, production)')
    await expect(readFile(join(root, 'deployed.txt'))).rejects.toThrow('ENOENT')
  })
})

describeWithRegistry('flotilla deploy pinning tags through a real registry', () => {
  let registry: TestRegistry
  let pushed: PushedManifest

  beforeAll(async () => {
    registry = await startRegistry()
    pushed = await pushImage(registry, 'shop/cart', '2.0.0')
  })
  afterAll(() => registry?.stop())

  const production = async (values: Record<string, string | string[]>) => {
    const manifest = MANIFEST.replace('registry: localhost:5000/shop', `registry: ${registry.host}/shop`).replace("production: { target: command, command: ['true'] }", "production: { target: command, command: [/bin/sh, -c, 'echo \"$FLOTILLA_IMAGE\" >> deployed.txt'] }")
    await writeFile(join(root, 'flotilla.yml'), manifest)
    return deployCommand.run({ values: { sha: SHA, env: 'production', ...values }, positionals: ['cart'], root, json: true, log: silent })
  }

  it('deploys a tag to production by the digest the registry holds, as the deploy action does', async () => {
    expect(await production({ tag: '2.0.0' })).toBe(0)
    const pinned = `${registry.host}/shop/cart:2.0.0@${pushed.digest}`
    expect(await readFile(join(root, 'deployed.txt'), 'utf8')).toBe(`${pinned}\n`)
    expect(JSON.parse(stdout.join('')).deploys[0]).toMatchObject({ image: pinned, digest: pushed.digest })
  })

  it('refuses to ship a production tag the registry does not have, before anything runs', async () => {
    await expect(production({ tag: '9.9.9' })).rejects.toThrow(`${registry.host}/shop/cart:9.9.9 is not in the registry`)
    await expect(readFile(join(root, 'deployed.txt'))).rejects.toThrow('ENOENT')
  })
})

describe('imagesFor', () => {
  it('takes one bare reference for one service, SERVICE=REF for several, and --tag for the rest', async () => {
    const manifest = await validateManifestText(MANIFEST, 'flotilla.yml', root)
    expect(imagesFor(manifest, ['cart'], ['localhost:5000/shop/cart:9'], undefined)).toEqual(new Map([['cart', 'localhost:5000/shop/cart:9']]))
    expect(imagesFor(manifest, ['cart', 'users'], ['users=localhost:5000/x/users@sha256:' + 'a'.repeat(64)], '3.1')).toEqual(
      new Map([['users', `localhost:5000/x/users@sha256:${'a'.repeat(64)}`], ['cart', 'localhost:5000/shop/cart:3.1']])
    )
    expect(() => imagesFor(manifest, ['cart', 'users'], ['localhost:5000/shop/cart:9'], undefined)).toThrow('with several services, write --image SERVICE=REF')
    expect(() => imagesFor(manifest, ['cart'], [], undefined)).toThrow('no image for cart: give --image or --tag')
  })
})
