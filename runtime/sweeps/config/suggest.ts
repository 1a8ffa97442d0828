// "Did you mean" suggestions for misspelt keys and enum values.

/** Damerau-Levenshtein distance (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidates close enough to `word` to be what the user meant, best first. A candidate that starts
 * with the word (bayes for bayesian's stem "bayes") or that the word starts with (bayesian → bayes) counts
 * as close, since people often type a longer or shorter form of an enum value.
 */
export function suggest(word: string, candidates: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  if (!w) return [];
  const scored: { c: string; score: number }[] = [];
  for (const c of candidates) {
    const lc = c.toLowerCase();
    if (lc === w) continue;
    const limit = Math.max(1, Math.floor(Math.max(w.length, lc.length) / 3));
    const prefix = w.length >= 3 && (lc.startsWith(w) || w.startsWith(lc));
    // The distance is at least the difference in length, and exactly that for a prefix: no quadratic
    // table where that decides (a long value, e.g. the rest of a file inside an unclosed quote, is free).
    const gap = Math.abs(w.length - lc.length);
    if (gap > limit && !prefix) continue;
    const dist = prefix ? gap : editDistance(w, lc);
    if (dist >= Math.max(w.length, lc.length)) continue; // nothing in common: 'q' is not a typo of 'a'
    if (dist <= limit || prefix) scored.push({ c, score: prefix ? Math.min(dist, 1.5) : dist });
  }
  scored.sort((x, y) => x.score - y.score || x.c.localeCompare(y.c));
  // A one-letter slip hides the looser matches; otherwise keep those about as close as the best.
  const best = scored[0]?.score ?? 0;
  const cutoff = best <= 1 ? 1 : best + 0.5;
  return scored.filter((s) => s.score <= cutoff).slice(0, max).map((s) => s.c);
}

/** " Did you mean `x`?" or "" — appended to messages. */
export function didYouMean(suggestions: readonly string[]): string {
  if (!suggestions.length) return '';
  return suggestions.length === 1 ? ` Did you mean \`${suggestions[0]}\`?` : ` Did you mean ${suggestions.slice(0, -1).map((s) => `\`${s}\``).join(', ')} or \`${suggestions.at(-1)}\`?`;
}
