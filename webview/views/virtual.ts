// Arithmetic for the virtualised runs list: which rows to render and which pages to fetch.

export interface RowRange {
  start: number;
  /** exclusive */
  end: number;
}

export function visibleRows(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 8): RowRange {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const count = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  return { start: Math.max(0, first - overscan), end: Math.min(total, first + count + overscan) };
}

export function pagesFor(r: RowRange, pageSize: number): number[] {
  if (r.end <= r.start) return [];
  const out: number[] = [];
  for (let p = Math.floor(r.start / pageSize); p <= Math.floor((r.end - 1) / pageSize); p++) out.push(p);
  return out;
}

/** The scrollTop that brings row `i` fully into view (unchanged when it already is). */
export function scrollToRow(i: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = i * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return scrollTop;
}
