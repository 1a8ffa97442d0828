// Faithful downsampling of a numeric series for a chart: for a requested x range and pixel width,
// the minimum and maximum point of every pixel bucket, plus the first and last point of the range
// exactly. Chunk and block summaries (series.ts) answer buckets wider than a block without reading
// the points, so a million-point series costs about a thousand summary rows.
import { BLOCK_FIELDS, type Chunk, type SeriesStore } from './series';

export interface Point {
  x: number;
  y: number;
  step: number;
}

export interface Downsampled {
  points: Point[];
  /** points in the range before downsampling */
  count: number;
  sampled: boolean;
}

export type XKind = 'step' | 'wall' | 'relative';

interface Bucket {
  min?: Point;
  max?: Point;
  /** a non-finite value seen in the bucket (shown as a gap when the bucket has no finite point) */
  gap?: Point;
}

/**
 * `origin` is subtracted from timestamps for x = relative. `from`/`to` bound x (inclusive).
 */
export function downsample(
  series: SeriesStore, runKey: number, keyId: number, xKind: XKind, width: number,
  from = -Infinity, to = Infinity, origin = 0,
): Downsampled {
  const buckets = Math.max(1, Math.min(20000, Math.floor(width)));
  const byStep = xKind === 'step';
  const xOfTs = (ts: number) => (xKind === 'relative' ? ts - origin : ts);
  // Chunks are indexed by step; time ranges filter on each chunk's first/last timestamp instead.
  const summaries = series.chunks(runKey, keyId, byStep ? from : -Infinity, byStep ? to : Infinity, false)
    .filter((c) => byStep || (xOfTs(c.lastTs) >= from && xOfTs(c.firstTs) <= to));
  if (!summaries.length) return { points: [], count: 0, sampled: false };
  const cx0 = (c: Chunk) => (byStep ? c.firstStep : xOfTs(c.firstTs));
  const cx1 = (c: Chunk) => (byStep ? c.lastStep : xOfTs(c.lastTs));
  const lo = Math.max(from, cx0(summaries[0]));
  const hi = Math.min(to, cx1(summaries[summaries.length - 1]));

  const raw = (c: Chunk) => series.chunkWithPoints(runKey, keyId, c.chunk)!;
  const pointsOf = function* (c: Chunk): Generator<Point> {
    for (let i = 0; i < c.n; i++) {
      const x = byStep ? c.steps[i] : xOfTs(c.ts[i]);
      if (x >= lo && x <= hi) yield { x, y: c.vals[i], step: c.steps[i] };
    }
  };

  // Small ranges: every point, no summaries needed.
  const inside = (c: Chunk) => cx0(c) >= lo && cx1(c) <= hi;
  let count = 0;
  for (const c of summaries) count += inside(c) ? c.n : Array.from(pointsOf(raw(c))).length;
  if (count <= 2 * buckets) {
    const pts: Point[] = [];
    for (const c of summaries) pts.push(...pointsOf(raw(c)));
    return { points: pts, count, sampled: false };
  }

  const span = hi - lo || 1;
  const bw = span / buckets;
  const slots: Bucket[] = new Array(buckets);
  const slot = (x: number) => Math.min(buckets - 1, Math.max(0, Math.floor((x - lo) / bw)));
  const add = (p: Point) => {
    const b = (slots[slot(p.x)] ??= {});
    if (!Number.isFinite(p.y)) {
      b.gap ??= p;
      return;
    }
    if (!b.min || p.y < b.min.y) b.min = p;
    if (!b.max || p.y > b.max.y) b.max = p;
  };
  let first: Point | undefined;
  let last: Point | undefined;
  for (const c of summaries) {
    const edge = !inside(c);
    if (edge || c === summaries[0] || c === summaries[summaries.length - 1]) {
      // Edge chunks are read point by point: partial overlap, and the exact first/last points.
      for (const p of pointsOf(raw(c))) {
        first ??= p;
        last = p;
        add(p);
      }
      continue;
    }
    const blocks = c.blocks;
    let needPoints = false;
    for (let o = 0; o < blocks.length && !needPoints; o += BLOCK_FIELDS) {
      // A block wider than a bucket would put its extremes in one bucket and leave others empty.
      const w = byStep ? blocks[o + 1] - blocks[o] : blocks[o + 9] - blocks[o + 8];
      if (w > bw) needPoints = true;
    }
    if (needPoints) {
      for (const p of pointsOf(raw(c))) add(p);
      continue;
    }
    for (let o = 0; o < blocks.length; o += BLOCK_FIELDS) {
      if (Number.isNaN(blocks[o + 2])) {
        // No finite value in the block: mark a gap at its start.
        add({ x: byStep ? blocks[o] : xOfTs(blocks[o + 8]), y: NaN, step: blocks[o] });
        continue;
      }
      add({ x: byStep ? blocks[o + 3] : xOfTs(blocks[o + 4]), y: blocks[o + 2], step: blocks[o + 3] });
      add({ x: byStep ? blocks[o + 6] : xOfTs(blocks[o + 7]), y: blocks[o + 5], step: blocks[o + 6] });
    }
  }
  const out: Point[] = [];
  const push = (p: Point | undefined) => {
    if (p && (!out.length || out[out.length - 1] !== p)) out.push(p);
  };
  push(first);
  for (const b of slots) {
    if (!b) continue;
    if (!b.min) {
      push(b.gap);
      continue;
    }
    const [a, z] = b.min.x <= b.max!.x ? [b.min, b.max!] : [b.max!, b.min];
    if (a !== first && a !== last) push(a);
    if (z !== a && z !== first && z !== last) push(z);
  }
  push(last);
  out.sort((p, q) => p.x - q.x || p.step - q.step);
  return { points: out, count, sampled: true };
}

/** All points of a series in step order (chunks decoded). */
export function allPoints(series: SeriesStore, runKey: number, keyId: number, fromStep = -Infinity, toStep = Infinity): { steps: number[]; ts: number[]; vals: number[] } {
  const steps: number[] = [], ts: number[] = [], vals: number[] = [];
  for (const c of series.chunks(runKey, keyId, fromStep, toStep, true)) {
    for (let i = 0; i < c.n; i++) {
      if (c.steps[i] < fromStep || c.steps[i] > toStep) continue;
      steps.push(c.steps[i]); ts.push(c.ts[i]); vals.push(c.vals[i]);
    }
  }
  return { steps, ts, vals };
}

/**
 * x = another logged metric (define_metric step_metric). Each y point takes the x metric's value at
 * the same step, or its latest value before it; then min/max per x bucket as above.
 */
export function downsampleByMetric(
  series: SeriesStore, runKey: number, yKey: number, xKey: number, width: number, from = -Infinity, to = Infinity,
): Downsampled {
  const xs = allPoints(series, runKey, xKey);
  const ys = allPoints(series, runKey, yKey);
  const pts: Point[] = [];
  let j = -1;
  for (let i = 0; i < ys.steps.length; i++) {
    const s = ys.steps[i];
    while (j + 1 < xs.steps.length && xs.steps[j + 1] <= s) j++;
    if (j < 0 || !Number.isFinite(xs.vals[j])) continue;
    const x = xs.vals[j];
    if (x >= from && x <= to) pts.push({ x, y: ys.vals[i], step: s });
  }
  pts.sort((a, b) => a.x - b.x || a.step - b.step);
  const buckets = Math.max(1, Math.min(20000, Math.floor(width)));
  if (pts.length <= 2 * buckets) return { points: pts, count: pts.length, sampled: false };
  const lo = pts[0].x, hi = pts[pts.length - 1].x;
  const bw = (hi - lo || 1) / buckets;
  const out: Point[] = [pts[0]];
  let b = -1, min: Point | undefined, max: Point | undefined, gap: Point | undefined;
  const flush = () => {
    if (min && max) {
      const [a, z] = min.x <= max.x ? [min, max] : [max, min];
      out.push(a);
      if (z !== a) out.push(z);
    } else if (gap) out.push(gap);
  };
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i];
    const nb = Math.min(buckets - 1, Math.floor((p.x - lo) / bw));
    if (nb !== b) {
      flush();
      b = nb; min = max = gap = undefined;
    }
    if (!Number.isFinite(p.y)) gap ??= p;
    else {
      if (!min || p.y < min.y) min = p;
      if (!max || p.y > max.y) max = p;
    }
  }
  flush();
  out.push(pts[pts.length - 1]);
  return { points: out, count: pts.length, sampled: true };
}
