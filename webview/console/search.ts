// Finding text in the console's lines (pure): case-insensitive, every occurrence, in line order.

export interface Match {
  line: number;
  start: number;
  end: number;
}

export function findMatches(query: string, first: number, count: number, text: (line: number) => string, max = 10000): Match[] {
  const q = query.toLowerCase();
  const out: Match[] = [];
  if (!q) return out;
  for (let i = first; i < count && out.length < max; i++) {
    const t = text(i).toLowerCase();
    let at = t.indexOf(q);
    while (at >= 0 && out.length < max) {
      out.push({ line: i, start: at, end: at + q.length });
      at = t.indexOf(q, at + Math.max(1, q.length));
    }
  }
  return out;
}
