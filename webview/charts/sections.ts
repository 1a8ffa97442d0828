// Charts are grouped into sections by the metric name up to its last '/': "a/b/c" -> "a/b".

export const DEFAULT_SECTION = 'Charts';

export function sectionOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : DEFAULT_SECTION;
}

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
export const naturalCompare = (a: string, b: string): number => natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

export interface Section {
  name: string;
  metrics: string[];
}

/** Default section first, then sections and their metrics in natural order (loss2 before loss10). */
export function groupSections(names: Iterable<string>): Section[] {
  const by = new Map<string, string[]>();
  for (const n of names) {
    const s = sectionOf(n);
    let list = by.get(s);
    if (!list) by.set(s, (list = []));
    list.push(n);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a === DEFAULT_SECTION ? -1 : b === DEFAULT_SECTION ? 1 : naturalCompare(a, b)))
    .map(([name, metrics]) => ({ name, metrics: metrics.sort(naturalCompare) }));
}
