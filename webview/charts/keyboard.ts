// Reading a chart from the keyboard: an active x that Left/Right/Home/End move from drawn point to drawn
// point (the tooltip shows every run's value there), and +/- zoom around it. Pure, so it is unit-tested.

export type MoveKey = 'ArrowLeft' | 'ArrowRight' | 'Home' | 'End';
export const MOVE_KEYS: readonly string[] = ['ArrowLeft', 'ArrowRight', 'Home', 'End'];

/** Sorted distinct finite x values of the point lists inside [min, max]. */
export function xStops(lists: readonly (readonly { x: number }[])[], min = -Infinity, max = Infinity): number[] {
  const set = new Set<number>();
  for (const l of lists) for (const p of l) if (Number.isFinite(p.x) && p.x >= min && p.x <= max) set.add(p.x);
  return [...set].sort((a, b) => a - b);
}

/** Where a key moves the active x; with none yet, Right/Home start at the first stop and Left/End at the last. */
export function nextX(stops: readonly number[], current: number | null, key: MoveKey): number | undefined {
  if (!stops.length) return undefined;
  if (key === 'Home') return stops[0];
  if (key === 'End' || (current === null && key === 'ArrowLeft')) return stops[stops.length - 1];
  if (current === null) return stops[0];
  if (key === 'ArrowRight') return stops.find((x) => x > current) ?? stops[stops.length - 1];
  for (let i = stops.length - 1; i >= 0; i--) if (stops[i] < current) return stops[i];
  return stops[0];
}

/** Index of the point whose x is nearest `x` (binary search when the points are in x order); -1 if none. */
export function nearestIndex(pts: readonly { x: number }[], x: number, sorted: boolean): number {
  if (!pts.length) return -1;
  let best = -1;
  const consider = (i: number) => {
    if (i >= 0 && i < pts.length && Number.isFinite(pts[i].x) && (best < 0 || Math.abs(pts[i].x - x) < Math.abs(pts[best].x - x))) best = i;
  };
  if (!sorted) {
    for (let i = 0; i < pts.length; i++) consider(i);
    return best;
  }
  let lo = 0, hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  consider(lo - 1);
  consider(lo);
  return best;
}

/**
 * The x range after a zoom key: `factor` times as wide as `view` (0.5 in, 2 out), centred on `center`
 * and shifted to stay inside `extent` (all the data, when known). null: it would show everything, so
 * the zoom is reset instead. undefined: nothing to do (no width).
 */
export function zoomAround(view: [number, number], center: number, factor: number, extent: [number, number] | null): [number, number] | null | undefined {
  const width = (view[1] - view[0]) * factor;
  if (!(width > 0) || !Number.isFinite(width)) return undefined;
  let lo = center - width / 2, hi = center + width / 2;
  if (extent) {
    if (width >= extent[1] - extent[0]) return null;
    if (lo < extent[0]) [lo, hi] = [extent[0], extent[0] + width];
    if (hi > extent[1]) [lo, hi] = [extent[1] - width, extent[1]];
  }
  return [lo, hi];
}
