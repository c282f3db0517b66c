/**
 * "Did you mean": the closest known word to a mistyped one.
 *
 * @module
 */

/**
 * Edit distance between two strings: insertions, deletions, substitutions and transpositions of
 * two adjacent characters each cost 1 (optimal string alignment, Damerau–Levenshtein's common variant).
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // Three rolling rows: two back (for transpositions), one back, current.
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** Largest edit distance still offered as a suggestion for a word of this length. */
export function suggestionBudget(word: string): number {
  return word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
}

/**
 * The known word closest to `word`, when it is close enough to be a typo (see
 * {@link suggestionBudget}) or when `word` is the start of exactly one known word (`--report` for
 * `--report-dir`). Ties go to the earlier word of `known`. `undefined` for an exact match or no
 * plausible one.
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  if (word.length === 0 || known.includes(word)) return undefined;
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  if (best !== undefined && bestD <= suggestionBudget(word)) return best;
  const prefixed = known.filter((k) => k.toLowerCase().startsWith(lower));
  return lower.length >= 3 && prefixed.length === 1 ? prefixed[0] : undefined;
}
