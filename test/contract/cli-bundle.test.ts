/** The committed CLI bundle (`dist/cli/index.js`, the package's `bin`), run as a person would. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec } from '../../shared/src/exec/index.js'
import { RepoFixture } from '../support/git-fixtures.js'
import { exampleFiles, repositoryRoot } from '../support/action-runner.js'

const cli = join(repositoryRoot, 'dist', 'cli', 'index.js')
const flotilla = async (args: string[], cwd?: string) => {
  const result = await exec(['node', cli, ...args], { cwd, allowFailure: true, timeoutMs: 30_000 })
  return { code: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr }
}

let repo: RepoFixture
beforeAll(async () => {
  repo = await RepoFixture.create()
  await repo.commit({ write: await exampleFiles() }, 'the shop')
  await repo.switchTo('feature/money', { create: true })
  await repo.commit({ write: { 'libs/money/src/round.js': 'export const round = Math.round\n' } })
  await repo.commit({ write: { 'services/orders/app/notes.py': 'NOTES = []\n' } })
})
afterAll(() => repo.cleanup())

describe('flotilla plan', () => {
  it('on a feature branch plans against the merge base with main, as its pull request would', async () => {
    const { code, stdout, stderr } = await flotilla(['plan'], repo.work)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('merge base with main')
    expect(stdout).toMatch(/^orders\s+changed services\/orders\/app\/notes\.py$/m)
    expect(stdout).toMatch(/^catalog\s+depends on money \(changed libs\/money\/src\/round\.js\)$/m)
    expect(stdout).not.toMatch(/^users\s/m)
  })

  it('--json prints exactly one JSON document on stdout', async () => {
    const { code, stdout } = await flotilla(['plan', '--json', '-C', repo.work])
    expect(code).toBe(0)
    const document = JSON.parse(stdout)
    expect(document.services).toEqual(['orders', 'catalog', 'cart'])
    expect(document.matrix.include.map((entry: { service: string }) => entry.service)).toEqual(document.services)
    expect(document.base).toBe(await repo.sha('main'))
  })

  it('--base and --head choose the range', async () => {
    const { stdout } = await flotilla(['plan', '--json', '--base', 'HEAD~1', '--head', 'HEAD', '-C', repo.work])
    expect(JSON.parse(stdout).services).toEqual(['orders'])
  })

  it('a base that does not exist selects everything and says why', async () => {
    const { code, stdout } = await flotilla(['plan', '--json', '--base', 'no-such-branch', '-C', repo.work])
    expect(code).toBe(0)
    const document = JSON.parse(stdout)
    expect(document.all).toBe(true)
    expect(document.baseReason).toContain('no-such-branch')
  })
})

describe('flotilla validate', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-validate-'))
    await mkdir(join(dir, 'svc', 'a'), { recursive: true })
    await mkdir(join(dir, 'svc', 'b'), { recursive: true })
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('reports every problem at once with file, line, column and key, and exits 1', async () => {
    await writeFile(
      join(dir, 'flotilla.yml'),
      [
        'version: 1',
        'services:',
        '  a:',
        '    path: svc/a',
        '    depends_on: [b]',
        '    imag: {}',
        '  b:',
        '    path: svc/b',
        '    depends_on: [a]',
        '    test: { retries: many }',
        '  c:',
        '    path: ../outside',
        ''
      ].join('\n')
    )
    const { code, stdout } = await flotilla(['validate', '--json', '-C', dir])
    expect(code).toBe(1)
    const report = JSON.parse(stdout)
    expect(report.ok).toBe(false)
    const at = report.problems.map((problem: { line: number; column: number; keyPath: string }) => `${problem.line}:${problem.column} ${problem.keyPath}`)
    expect(at).toEqual(expect.arrayContaining(['6:5 services.a.imag', '10:22 services.b.test.retries', '12:11 services.c.path']))
    expect(report.error).toMatch(/did you mean "image"/)
    expect(report.error).toMatch(/a -> b -> a|b -> a -> b/)
  })

  it('refuses a YAML alias bomb quickly and clearly, at the first alias that expands past the limit', async () => {
    // Nested inside a service, nine levels of nine copies: 9^9 scalars from 99 written nodes.
    const bomb = ['version: 1', 'services:', '  a:', '    path: svc/a', '    test:', '      command: [make]', '      env:', '        l0: &l0 ["x","x","x","x","x","x","x","x","x"]']
    for (let level = 1; level < 9; level++) bomb.push(`        l${level}: &l${level} [${Array(9).fill(`*l${level - 1}`).join(',')}]`)
    await writeFile(join(dir, 'flotilla.yml'), bomb.join('\n') + '\n')
    const { code, stdout, stderr } = await flotilla(['validate', '-C', dir])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    // 115 nodes are written, so the limit is its floor, 100,000 nodes: l4 holds 66,430 and the
    // first *l4 takes the count past it.
    expect(stderr).toBe(
      `flotilla: flotilla.yml:13:${bomb[12].indexOf('*l4') + 1}: YAML aliases expand this document to more than 100000 nodes ` +
        '(10 times the 115 written, at least 100000); refusing a document that looks like an alias bomb ("billion laughs")\n'
    )
  })

  it('loads 5,000 services that share their test settings through one alias', async () => {
    const lines = ['version: 1', 'services:', '  svc-0000: { path: svc/a, test: &t { command: [make, test], retries: 1 } }']
    for (let i = 1; i < 5000; i++) lines.push(`  svc-${String(i).padStart(4, '0')}: { path: svc/a, test: *t }`)
    await writeFile(join(dir, 'flotilla.yml'), lines.join('\n') + '\n')
    const { code, stdout, stderr } = await flotilla(['validate', '--json', '-C', dir])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(stdout).services).toHaveLength(5000)
  })

  it('refuses names that cannot become image references, at file:line:column with the key', async () => {
    await writeFile(
      join(dir, 'flotilla.yml'),
      [
        'version: 1',
        'services:',
        '  cart-: { path: svc/a }',
        '  a..b: { path: svc/a }',
        '  x__: { path: svc/a }',
        '  "new\\nline": { path: svc/a }',
        '  shop:',
        '    path: svc/a',
        '    image: { name: Ghcr.io/ACME/Cart:latest }',
        '  web:',
        '    path: svc/b',
        '    image:',
        '      name: "ghcr.io/acme/web\\n"',
        ''
      ].join('\n')
    )
    const { code, stdout } = await flotilla(['validate', '--json', '-C', dir])
    expect(code).toBe(1)
    const problems: Array<{ file: string; line: number; column: number; keyPath: string; message: string }> = JSON.parse(stdout).problems
    expect(problems.map((problem) => `${problem.file}:${problem.line}:${problem.column} ${problem.keyPath}`)).toEqual([
      'flotilla.yml:3:3 services.cart-',
      'flotilla.yml:4:3 services["a..b"]',
      'flotilla.yml:5:3 services.x__',
      'flotilla.yml:6:3 services["new\\nline"]',
      'flotilla.yml:9:20 services.shop.image.name',
      'flotilla.yml:13:13 services.web.image.name'
    ])
    expect(problems[0].message).toMatch(/^"cart-" is not a valid service name: it ends with "-"/)
    expect(problems[1].message).toMatch(/^"a\.\.b" is not a valid service name: "\.\." cannot separate/)
    expect(problems[2].message).toMatch(/^"x__" is not a valid service name: it ends with "__"/)
    expect(problems[3].message).toMatch(/^"new\\nline" is not a valid service name: it holds "\\n"/)
    // The registry may have capitals; the repository path may not, and a tag does not belong in image.name.
    expect(problems[4].message).toContain('the repository path "ACME/Cart" must be lowercase ("acme/cart")')
    expect(problems[4].message).toContain('the tag ":latest" does not belong here')
    expect(problems[4].message).not.toMatch(/Ghcr\.io"? must/)
    expect(problems[5].message).toContain('"web\\n"')
    // As text, every problem stays on its own line.
    const text = await flotilla(['validate', '-C', dir])
    expect(text.stderr.trimEnd().split('\n')).toHaveLength(6)
  })

  it('refuses a manifest over the size limit, naming the file, its size and the limit, and plans nothing', async () => {
    const big = await RepoFixture.create()
    try {
      const manifest = (await exampleFiles())['flotilla.yml']
      const padding = `# ${'x'.repeat(98)}\n`.repeat(Math.ceil((4 * 1024 * 1024) / 100))
      await big.commit({ write: { ...(await exampleFiles()), 'flotilla.yml': manifest + padding } }, 'a manifest past the limit')
      const refusal = /^flotilla\.yml: the file is 4\.\d MiB \(\d+ bytes\), over the 4 MiB limit \(4194304 bytes\) for manifest and workspace files; refusing to read it$/
      for (const command of ['validate', 'plan']) {
        const { code, stdout, stderr } = await flotilla([command, '-C', big.work])
        expect(code).toBe(1)
        expect(stdout).toBe('')
        expect(stderr.replace(/^flotilla: /, '').trimEnd()).toMatch(refusal)
      }
      const json = await flotilla(['plan', '--json', '-C', big.work])
      expect(json.code).toBe(1)
      expect(Object.keys(JSON.parse(json.stdout))).toEqual(['ok', 'error', 'problems'])
      expect(JSON.parse(json.stdout).error).toMatch(refusal)
    } finally {
      await big.cleanup()
    }
  })

  it('says which command line is wrong with exit code 2', async () => {
    const unknown = await flotilla(['deploy-everything'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown command 'deploy-everything'")
    const flag = await flotilla(['plan', '--bogus'])
    expect(flag.code).toBe(2)
  })

  it('flotilla <command> --help prints that command alone, with its options and the common ones', async () => {
    for (const args of [['gate', '--help'], ['help', 'gate'], ['gate', '-h']]) {
      const { code, stdout } = await flotilla(args)
      expect(code).toBe(0)
      expect(stdout).toContain('flotilla gate --env ENV')
      expect(stdout).toContain('--prometheus-address')
      expect(stdout).toContain('--manifest FILE')
      expect(stdout).not.toContain('flotilla plan')
      expect(stdout).not.toContain('flotilla build')
    }
  })

  it('an unknown option names the command it was given to, and shows only that command', async () => {
    const { code, stderr } = await flotilla(['test', '--paralel', '3'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^flotilla test: unknown option '--paralel' \(did you mean "--parallel"\?\)/)
    expect(stderr).toContain('flotilla test [SERVICE...]')
    expect(stderr).not.toContain('flotilla plan')
    const help = await flotilla(['help', 'nope'])
    expect(help.code).toBe(2)
    expect(help.stderr).toContain("unknown command 'nope'")
  })

  it('--help and --version answer on stdout', async () => {
    expect((await flotilla(['--help'])).stdout).toContain('flotilla plan')
    const version = await flotilla(['--version', '--json'])
    expect(JSON.parse(version.stdout).version).toMatch(/^\d+\.\d+\.\d+/)
  })
})
