import type { ChangedFile, ChangeStatus } from './types.js'

const STATUS_BY_LETTER: Record<string, ChangeStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type-changed',
  U: 'unmerged',
  X: 'unknown'
}

/**
 * Parses `git diff --name-status -z`: NUL-separated fields, a status (with a similarity score
 * for renames and copies, e.g. `R087`) followed by one path, or two for renames and copies.
 * Working on bytes and splitting only at NUL keeps every other byte of a path (newline, tab,
 * quote, leading dash) exactly as git stored it.
 */
export function parseNameStatusZ(output: Buffer): ChangedFile[] {
  const fields: string[] = []
  let start = 0
  while (start < output.length) {
    let end = output.indexOf(0, start)
    if (end === -1) end = output.length
    fields.push(output.toString('utf8', start, end))
    start = end + 1
  }

  const files: ChangedFile[] = []
  for (let i = 0; i < fields.length; ) {
    const token = fields[i++]
    const status = STATUS_BY_LETTER[token[0]]
    if (status === undefined || !/^[A-Z]\d*$/.test(token)) {
      throw new Error(`git diff --name-status: unexpected status ${JSON.stringify(token)} at field ${i}`)
    }
    const pathCount = status === 'renamed' || status === 'copied' ? 2 : 1
    if (i + pathCount > fields.length) {
      throw new Error(`git diff --name-status: status ${token} is missing its path`)
    }
    if (pathCount === 2) {
      files.push({ path: fields[i + 1], status, previousPath: fields[i] })
    } else {
      files.push({ path: fields[i], status })
    }
    i += pathCount
  }
  return files
}
