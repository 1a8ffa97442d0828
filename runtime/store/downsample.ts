// Faithful downsampling of a numeric series for a chart: for a requested x range and pixel width,
// the minimum and maximum point of every pixel bucket, plus the first and last point of the range
// exactly. Chunk and block summaries (series.ts) answer buckets wider than a block without reading
// the points, so a million-point series costs about a thousand summary rows plus, at most, the points
// of the blocks that straddle bucket boundaries.
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

/** Crossing blocks of one chunk beyond which reading the whole chunk is cheaper than block by block. */
const WHOLE_CHUNK_AFTER = 4;

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
  const blockX0 = (b: Float64Array, o: number) => (byStep ? b[o] : xOfTs(b[o + 8]));
  const blockX1 = (b: Float64Array, o: number) => (byStep ? b[o + 1] : xOfTs(b[o + 9]));
  const couldImprove = (b: Float64Array, o: number): boolean => {
    const x0 = blockX0(b, o), x1 = blockX1(b, o);
    if (x1 < x0 || Number.isNaN(b[o + 2])) return true;
    for (let k = slot(x0); k <= slot(x1); k++) {
      const s = slots[k];
      if (!s?.min || b[o + 2] < s.min.y || b[o + 5] > s.max!.y) return true;
    }
    return false;
  };
  const crossing: { c: Chunk; block: number }[] = [];
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
    // Blocks inside one bucket contribute their summary extremes; a block that crosses a bucket
    // boundary does not say which side its extremes fall on, so it is settled below from its points.
    const blocks = c.blocks;
    for (let o = 0; o < blocks.length; o += BLOCK_FIELDS) {
      const x0 = blockX0(blocks, o), x1 = blockX1(blocks, o);
      if (x1 < x0 || slot(x0) !== slot(x1)) {
        crossing.push({ c, block: o / BLOCK_FIELDS });
        continue;
      }
      if (Number.isNaN(blocks[o + 2])) {
        // No finite value in the block: mark a gap at its start.
        add({ x: x0, y: NaN, step: blocks[o] });
        continue;
      }
      add({ x: byStep ? blocks[o + 3] : xOfTs(blocks[o + 4]), y: blocks[o + 2], step: blocks[o + 3] });
      add({ x: byStep ? blocks[o + 6] : xOfTs(blocks[o + 7]), y: blocks[o + 5], step: blocks[o + 6] });
    }
  }
  // A crossing block can only matter to a bucket it touches whose extremes it could beat: its own
  // min/max bound every point in it. For a noisy series most are skipped; the rest are read one
  // block at a time, or as a whole chunk when zoomed in so far that most of its blocks cross.
  const needed = new Map<Chunk, number[]>();
  for (const { c, block } of crossing) {
    const o = block * BLOCK_FIELDS;
    if (!couldImprove(c.blocks, o)) continue;
    const list = needed.get(c) ?? [];
    list.push(block);
    needed.set(c, list);
  }
  for (const [c, list] of needed) {
    if (list.length > WHOLE_CHUNK_AFTER) {
      for (const p of pointsOf(raw(c))) add(p);
      continue;
    }
    for (const block of list) {
      const pts = series.blockPoints(c, block);
      for (let i = 0; i < pts.vals.length; i++) {
        const x = byStep ? pts.steps[i] : xOfTs(pts.ts[i]);
        if (x >= lo && x <= hi) add({ x, y: pts.vals[i], step: pts.steps[i] });
      }
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

interface JoinedByX {
  version: string;
  /** x (the other metric's value), ascending; y and step of the same point */
  x: Float64Array;
  y: Float64Array;
  step: Float64Array;
}

// Joining two million-point series costs tens of ms; a chart pans, zooms and redraws over the same
// pair, so the last few joins are kept (bounded by points held) until either series changes.
const joinCache = new WeakMap<SeriesStore, Map<string, JoinedByX>>();
const JOIN_CACHE_POINTS = 4_000_000;

/** Each y point paired with the x metric's value at the same step, or its latest value before it. */
function joinByX(series: SeriesStore, runKey: number, yKey: number, xKey: number): JoinedByX {
  const version = `${series.version(runKey, yKey)}/${series.version(runKey, xKey)}`;
  const cache = joinCache.get(series) ?? new Map<string, JoinedByX>();
  joinCache.set(series, cache);
  const id = `${runKey}:${yKey}:${xKey}`;
  const hit = cache.get(id);
  if (hit?.version === version) {
    cache.delete(id);
    cache.set(id, hit); // most recently used last
    return hit;
  }
  const xs = series.stepsAndValues(runKey, xKey);
  const ys = series.stepsAndValues(runKey, yKey);
  let x = new Float64Array(ys.steps.length), y = new Float64Array(ys.steps.length), step = new Float64Array(ys.steps.length);
  let n = 0, monotone = true;
  for (let i = 0, j = -1; i < ys.steps.length; i++) {
    const s = ys.steps[i];
    while (j + 1 < xs.steps.length && xs.steps[j + 1] <= s) j++;
    if (j < 0 || !Number.isFinite(xs.vals[j])) continue;
    if (n && xs.vals[j] < x[n - 1]) monotone = false;
    x[n] = xs.vals[j]; y[n] = ys.vals[i]; step[n] = s;
    n++;
  }
  x = x.subarray(0, n); y = y.subarray(0, n); step = step.subarray(0, n);
  if (!monotone) {
    // An x metric that goes back and forth: put the points in x order (steps break ties).
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || step[a] - step[b]);
    x = Float64Array.from(order, (i) => x[i]); y = Float64Array.from(order, (i) => y[i]); step = Float64Array.from(order, (i) => step[i]);
  }
  const joined = { version, x, y, step };
  cache.delete(id);
  cache.set(id, joined);
  let held = 0;
  for (const v of cache.values()) held += v.x.length;
  for (const [k, v] of cache) {
    if (held <= JOIN_CACHE_POINTS || k === id) break;
    cache.delete(k);
    held -= v.x.length;
  }
  return joined;
}

/** First index in ascending `a` with a[i] >= v (or > v when `after`). */
function bound(a: Float64Array, v: number, after: boolean): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v || (after && a[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * x = another logged metric (define_metric step_metric). Each y point takes the x metric's value at
 * the same step, or its latest value before it; then min/max per x bucket as above, over the points
 * put in x order once (an x metric that only grows, such as samples seen or epoch, needs no sort).
 */
export function downsampleByMetric(
  series: SeriesStore, runKey: number, yKey: number, xKey: number, width: number, from = -Infinity, to = Infinity,
): Downsampled {
  const j = joinByX(series, runKey, yKey, xKey);
  const start = bound(j.x, from, false), end = bound(j.x, to, true); // [start, end)
  const n = end - start;
  const point = (i: number): Point => ({ x: j.x[i], y: j.y[i], step: j.step[i] });
  const buckets = Math.max(1, Math.min(20000, Math.floor(width)));
  if (n <= 2 * buckets) {
    const pts: Point[] = [];
    for (let i = start; i < end; i++) pts.push(point(i));
    return { points: pts, count: n, sampled: false };
  }
  const lo = j.x[start], hi = j.x[end - 1];
  const bw = (hi - lo || 1) / buckets;
  const out: Point[] = [point(start)];
  let b = -1, min = -1, max = -1, gap = -1;
  const flush = () => {
    if (min >= 0) {
      const [a, z] = j.x[min] <= j.x[max] ? [min, max] : [max, min];
      out.push(point(a));
      if (z !== a) out.push(point(z));
    } else if (gap >= 0) out.push(point(gap));
  };
  for (let i = start + 1; i < end - 1; i++) {
    const nb = Math.min(buckets - 1, Math.floor((j.x[i] - lo) / bw));
    if (nb !== b) {
      flush();
      b = nb; min = max = gap = -1;
    }
    const y = j.y[i];
    if (!Number.isFinite(y)) {
      if (gap < 0) gap = i;
    } else {
      if (min < 0 || y < j.y[min]) min = i;
      if (max < 0 || y > j.y[max]) max = i;
    }
  }
  flush();
  out.push(point(end - 1));
  return { points: out, count: n, sampled: true };
}
