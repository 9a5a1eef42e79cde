/**
 * "Did you mean" suggestions for near-miss names. A candidate is close when it differs only in
 * case and `-`/`_` spelling (`dependsOn`, `depends-on`), or is within a small edit distance that
 * counts a swap of neighbours as one edit (`depnds_on`, `dpeends_on`).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const folded = fold(word)
  const limit = word.length <= 4 ? 1 : 2
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = fold(candidate) === folded ? 0 : editDistance(word, candidate)
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance }
  }
  return best?.candidate
}

/** ` (did you mean "x"?)` when a candidate is close, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const suggestion = closest(word, candidates)
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`
}

function fold(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '')
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}
