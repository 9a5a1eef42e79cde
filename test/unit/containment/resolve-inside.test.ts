import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ContainmentError, realPathInside, resolveInside } from '../../../shared/src/containment/index.js'

let dir: string
let root: string
let outside: string

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'flotilla-containment-')))
  root = join(dir, 'repo')
  outside = join(dir, 'outside')
  await mkdir(join(root, 'svc', 'real'), { recursive: true })
  await mkdir(outside)
  await writeFile(join(root, 'svc', 'real', 'a.xml'), 'a')
  await writeFile(join(outside, 'passwd'), 'root')
})
afterEach(() => rm(dir, { recursive: true, force: true }))

describe('resolveInside', () => {
  it('gives the real path of a plain path, and of one behind links that stay inside', async () => {
    expect(resolveInside(root, 'svc/real/a.xml')).toEqual({ kind: 'inside', real: join(root, 'svc/real/a.xml'), path: 'svc/real/a.xml', isDirectory: false })
    await symlink('real', join(root, 'svc', 'reports'))
    await symlink('svc', join(root, 'service'))
    expect(resolveInside(root, 'service/reports/a.xml')).toMatchObject({ kind: 'inside', path: 'svc/real/a.xml' })
    expect(resolveInside(root, 'service/reports')).toMatchObject({ kind: 'inside', path: 'svc/real', isDirectory: true })
    expect(resolveInside(root, '.')).toMatchObject({ kind: 'inside', path: '.', real: root })
    expect(resolveInside(root, join(root, 'service', 'reports'))).toMatchObject({ kind: 'inside', path: 'svc/real' })
  })

  it('names the link that leads out, at any component, whether or not anything lies behind it', async () => {
    await symlink(outside, join(root, 'svc', 'reports'))
    expect(resolveInside(root, 'svc/reports/passwd')).toEqual({ kind: 'outside', link: 'svc/reports', target: outside })
    expect(resolveInside(root, 'svc/reports/missing.xml')).toEqual({ kind: 'outside', link: 'svc/reports', target: outside })
    await symlink('../../outside/nothing/here', join(root, 'svc', 'dangling'))
    expect(resolveInside(root, 'svc/dangling')).toEqual({ kind: 'outside', link: 'svc/dangling', target: '../../outside/nothing/here' })
  })

  it('follows a link through another link, and `..` from where a link points, as the kernel does', async () => {
    await symlink(outside, join(root, 'out'))
    await symlink('../out/passwd', join(root, 'svc', 'via')) // points inside first, then out through `out`
    expect(resolveInside(root, 'svc/via')).toMatchObject({ kind: 'outside', link: 'svc/via' })
    await symlink('real', join(root, 'svc', 'deep'))
    // svc/deep/.. is svc (the link's target's parent), not svc/deep's lexical parent
    expect(resolveInside(root, 'svc/deep/../real/a.xml')).toMatchObject({ kind: 'inside', path: 'svc/real/a.xml' })
    expect(resolveInside(root, '../outside/passwd')).toEqual({ kind: 'outside' })
    expect(resolveInside(root, 'svc/../../outside')).toEqual({ kind: 'outside' })
  })

  it('says missing for a path that does not exist yet, or behind a link loop, and is inside a root that is itself a link', async () => {
    expect(resolveInside(root, 'svc/reports/a.xml')).toEqual({ kind: 'missing' })
    await symlink('loop', join(root, 'loop'))
    expect(resolveInside(root, 'loop/x')).toEqual({ kind: 'missing' })
    await symlink(root, join(dir, 'alias'))
    expect(resolveInside(join(dir, 'alias'), 'svc/real/a.xml')).toMatchObject({ kind: 'inside', real: join(root, 'svc/real/a.xml') })
  })
})

describe('realPathInside', () => {
  it('throws a ContainmentError naming the link and what was not done', async () => {
    await symlink(outside, join(root, 'svc', 'reports'))
    const refuse = () => realPathInside(root, join(root, 'svc/reports/passwd'), 'repository', { what: 'report pattern "reports/*"', consequence: 'it was not deleted' })
    expect(refuse).toThrow(ContainmentError)
    expect(refuse).toThrow(
      `report pattern "reports/*": "svc/reports/passwd" leads outside the repository through the symbolic link svc/reports (pointing to ${outside}); it was not deleted`
    )
    expect(realPathInside(root, 'svc/real/missing', 'repository')).toBeUndefined()
  })
})
