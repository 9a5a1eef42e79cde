/**
 * The base a laptop run compares against, chosen to answer "what would CI build for this branch":
 * on a feature branch, the merge base with the default branch (as its pull request would); on the
 * default branch, its upstream (as the push would); else the last commit, said plainly.
 */
import { exec } from '../exec/index.js'

export interface LocalBase {
  base?: string
  why: string
}

export async function localBase(root: string, head = 'HEAD'): Promise<LocalBase> {
  const git = async (...args: string[]): Promise<string | undefined> => {
    const result = await exec(['git', '-C', root, ...args], { allowFailure: true })
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : undefined
  }
  const headSha = await git('rev-parse', '--verify', '--quiet', `${head}^{commit}`)
  if (!headSha) throw new Error(`${head} is not a commit in ${root}`)

  const defaultBranch = await findDefaultBranch(git)
  if (defaultBranch) {
    const tip = await git('rev-parse', '--verify', '--quiet', `${defaultBranch}^{commit}`)
    if (tip && tip !== headSha) {
      const mergeBase = await git('merge-base', defaultBranch, headSha)
      if (mergeBase && mergeBase !== headSha) {
        return { base: mergeBase, why: `merge base with ${defaultBranch}, as a pull request would` }
      }
    }
  }
  const upstream = await git('rev-parse', '--verify', '--quiet', '@{upstream}^{commit}')
  if (upstream && upstream !== headSha && (await git('merge-base', '--is-ancestor', upstream, headSha)) !== undefined) {
    return { base: upstream, why: 'the upstream branch, as a push would' }
  }
  const parent = await git('rev-parse', '--verify', '--quiet', `${headSha}^1`)
  if (parent) return { base: parent, why: 'the previous commit (no feature branch or unpushed commits found)' }
  return { why: 'the first commit has no parent' }
}

async function findDefaultBranch(git: (...args: string[]) => Promise<string | undefined>): Promise<string | undefined> {
  const remoteHead = await git('symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD')
  if (remoteHead) return remoteHead
  for (const candidate of ['main', 'master', 'origin/main', 'origin/master']) {
    if (await git('rev-parse', '--verify', '--quiet', `${candidate}^{commit}`)) return candidate
  }
  return undefined
}
