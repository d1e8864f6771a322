/**
 * "Did you mean" hints: the known name closest to a mistyped one (fields,
 * commands, task and flow names, schema keywords), by edit distance.
 */

/** The candidate within edit distance 2 of `name` (case-insensitive), nearest first; undefined when none is. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const c of candidates) {
    if (c === name) continue
    const d = editDistance(name.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

/** `; did you mean "x"?` for the closest candidate, or the empty string (appended to a message). */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const suggestion = closest(name, candidates)
  return suggestion === undefined ? '' : `; did you mean "${suggestion}"?`
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      )
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
