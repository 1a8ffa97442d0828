// Downsampling against brute force: every bucket's extremes kept, first/last exact, gaps for NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Store } from '../../runtime/store/store';
import { downsample, downsampleByMetric, allPoints } from '../../runtime/store/downsample';
import { tmpDir } from '../helpers/cli';

function storeWith(n: number, f: (i: number) => number, opts: { stepEvery?: number; flushAt?: number } = {}) {
  const store = Store.open(path.join(tmpDir(), 'db.sqlite'));
  const pid = store.projectId('p');
  const key = Number(store.db.prepare(`INSERT INTO runs (project_id, id, created_at, updated_at) VALUES (?, 'r', 1000, 1000)`).run(pid).lastInsertRowid);
  const every = opts.stepEvery ?? 1;
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      store.insertHistoryRow(key, i * every, 1000 + i * 0.01, i * 0.01, { y: f(i), x2: i * 2 });
      if (opts.flushAt === i) store.series.flush();
    }
  })();
  return { store, key, y: store.keyId('y'), x2: store.keyId('x2') };
}

function bruteExtremes(n: number, f: (i: number) => number, lo: number, hi: number, buckets: number) {
  const bw = (hi - lo) / buckets;
  const mins = new Map<number, number>(), maxs = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (i < lo || i > hi) continue;
    const v = f(i);
    if (!Number.isFinite(v)) continue;
    const b = Math.min(buckets - 1, Math.floor((i - lo) / bw));
    mins.set(b, Math.min(mins.get(b) ?? Infinity, v));
    maxs.set(b, Math.max(maxs.get(b) ?? -Infinity, v));
  }
  return { mins, maxs };
}

const wave = (i: number) => Math.sin(i / 37) * 10 + ((i * 7919) % 101) / 10;

test('a long series keeps the global and per-bucket extremes and the exact first and last points', () => {
  const n = 200_000;
  const { store, key, y } = storeWith(n, wave);
  const d = downsample(store.series, key, y, 'step', 500);
  assert.equal(d.sampled, true);
  assert.equal(d.count, n);
  assert.ok(d.points.length <= 2 * 500 + 2, `${d.points.length} points`);
  assert.deepEqual(d.points[0], { x: 0, y: wave(0), step: 0 });
  assert.deepEqual(d.points[d.points.length - 1], { x: n - 1, y: wave(n - 1), step: n - 1 });
  let gmin = Infinity, gmax = -Infinity;
  for (let i = 0; i < n; i++) { gmin = Math.min(gmin, wave(i)); gmax = Math.max(gmax, wave(i)); }
  assert.equal(Math.min(...d.points.map((p) => p.y)), gmin);
  assert.equal(Math.max(...d.points.map((p) => p.y)), gmax);
  // Every returned point is a real point of the series.
  for (const p of d.points) assert.equal(p.y, wave(p.x));
  // Each bucket's true extremes appear (block summaries never hide one).
  const { mins, maxs } = bruteExtremes(n, wave, 0, n - 1, 500);
  const ys = new Set(d.points.map((p) => p.y));
  for (const v of mins.values()) assert.ok(ys.has(v), `bucket min ${v} missing`);
  for (const v of maxs.values()) assert.ok(ys.has(v), `bucket max ${v} missing`);
  store.close();
});

/** Asserts every pixel bucket of [lo, hi] holds exactly its true min and max (first/last points aside). */
function assertExactBuckets(
  d: ReturnType<typeof downsample>, pts: { x: number; y: number }[], lo: number, hi: number, width: number,
) {
  const bw = (hi - lo || 1) / width;
  const slot = (x: number) => Math.min(width - 1, Math.max(0, Math.floor((x - lo) / bw)));
  const want = new Map<number, { min: number; max: number }>();
  for (const p of pts) {
    if (p.x < lo || p.x > hi || !Number.isFinite(p.y)) continue;
    const w = want.get(slot(p.x)) ?? { min: Infinity, max: -Infinity };
    w.min = Math.min(w.min, p.y);
    w.max = Math.max(w.max, p.y);
    want.set(slot(p.x), w);
  }
  const got = new Map<number, number[]>();
  for (const p of d.points.slice(1, -1)) got.set(slot(p.x), [...(got.get(slot(p.x)) ?? []), p.y]);
  let wrong = 0;
  for (const [b, w] of want) {
    const ys = got.get(b) ?? [];
    const first = b === slot(d.points[0].x) ? [d.points[0].y] : [];
    const last = b === slot(d.points[d.points.length - 1].x) ? [d.points[d.points.length - 1].y] : [];
    const seen = [...ys, ...first, ...last];
    if (Math.min(...seen) !== w.min || Math.max(...seen) !== w.max) wrong++;
  }
  assert.equal(wrong, 0, `${wrong} of ${want.size} buckets lack their exact min or max`);
  assert.ok(d.points.length <= 2 * width + 2, `${d.points.length} points for ${width} px`);
}

const shapes: Record<string, (i: number) => number> = {
  linear: (i) => i / 1000,
  falling: (i) => -i * 3,
  random: (i) => ((i * 2654435761) % 4294967296) / 4294967296,
  wave,
  steps: (i) => Math.floor(i / 5000),
};

for (const [name, f] of Object.entries(shapes)) {
  test(`every bucket keeps its exact min and max at 1000 px: ${name}`, () => {
    const n = 300_000;
    const { store, key, y } = storeWith(n, f);
    const pts = Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));
    const d = downsample(store.series, key, y, 'step', 1000);
    assert.equal(d.sampled, true);
    assertExactBuckets(d, pts, 0, n - 1, 1000);
    // A zoomed window not aligned to chunks or blocks, narrower and wider than a block per bucket.
    for (const [from, to, width] of [[12_345, 98_765, 1000], [100_003, 103_999, 700], [5, 290_001, 333]]) {
      const z = downsample(store.series, key, y, 'step', width, from, to);
      assert.equal(z.points[0].x, from);
      assert.equal(z.points[z.points.length - 1].x, to);
      assertExactBuckets(z, pts, from, to, width);
    }
    // Time axes: wall time and time since the run started bucket just as exactly.
    const wall = downsample(store.series, key, y, 'wall', 1000);
    assertExactBuckets(wall, pts.map((p, i) => ({ x: 1000 + i * 0.01, y: p.y })), 1000, 1000 + (n - 1) * 0.01, 1000);
    const rel = downsample(store.series, key, y, 'relative', 800, 100, 2500, 1000);
    assertExactBuckets(rel, pts.map((p, i) => ({ x: i * 0.01, y: p.y })), rel.points[0].x, rel.points[rel.points.length - 1].x, 800);
    store.close();
  });
}

test('a zoomed range reads points and returns them all when they fit', () => {
  const { store, key, y } = storeWith(50_000, wave);
  const d = downsample(store.series, key, y, 'step', 1000, 10_000, 10_500);
  assert.equal(d.sampled, false);
  assert.equal(d.points.length, 501);
  assert.equal(d.points[0].x, 10_000);
  assert.equal(d.points[500].x, 10_500);
  store.close();
});

test('NaN and infinities are kept as gaps and do not count as extremes', () => {
  const f = (i: number) => (i % 1000 === 500 ? NaN : i === 777 ? Infinity : i % 3);
  const { store, key, y } = storeWith(20_000, f);
  const all = allPoints(store.series, key, y);
  assert.ok(Number.isNaN(all.vals[500]));
  assert.equal(all.vals[777], Infinity);
  const d = downsample(store.series, key, y, 'step', 100);
  assert.equal(Math.max(...d.points.filter((p) => Number.isFinite(p.y)).map((p) => p.y)), 2);
  store.close();
});

test('time axes bucket by wall time and by time since the start', () => {
  const { store, key, y } = storeWith(30_000, wave);
  const wall = downsample(store.series, key, y, 'wall', 300);
  assert.equal(wall.points[0].x, 1000);
  const rel = downsample(store.series, key, y, 'relative', 300, 0, 100, 1000);
  assert.ok(rel.points.every((p) => p.x >= 0 && p.x <= 100));
  assert.equal(rel.points[0].x, 0);
  store.close();
});

test('another metric as x joins by step', () => {
  const { store, key, y, x2 } = storeWith(1000, (i) => i * i);
  const d = downsampleByMetric(store.series, key, y, x2, 2000);
  assert.equal(d.points.length, 1000);
  assert.deepEqual(d.points[10], { x: 20, y: 100, step: 10 });
  store.close();
});

test('open chunks are rebuilt from history rows after a restart', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'db.sqlite');
  let store = Store.open(file);
  const pid = store.projectId('p');
  const key = Number(store.db.prepare(`INSERT INTO runs (project_id, id, created_at, updated_at) VALUES (?, 'r', 0, 0)`).run(pid).lastInsertRowid);
  for (let i = 0; i < 3000; i++) store.insertHistoryRow(key, i, i, i, { y: i });
  // Simulate a crash: drop the in-memory open chunk without flushing.
  store.db.close();
  store = Store.open(file);
  store.ensureSeriesLoaded(key);
  const all = allPoints(store.series, key, store.keyId('y'));
  assert.equal(all.steps.length, 3000);
  assert.equal(all.vals[2999], 2999);
  store.close();
});

test('another metric as x: sampled, exact per x bucket, also when that metric goes back and forth', () => {
  const n = 100_000;
  const f = (i: number) => Math.sin(i / 97) + ((i * 7919) % 13) / 13;
  // x2 grows (i * 2); a zig-zag x must be put in x order first.
  const { store, key, y, x2 } = storeWith(n, f);
  const d = downsampleByMetric(store.series, key, y, x2, 1000);
  assert.equal(d.sampled, true);
  assert.equal(d.count, n);
  assert.deepEqual(d.points[0], { x: 0, y: f(0), step: 0 });
  assert.deepEqual(d.points[d.points.length - 1], { x: 2 * (n - 1), y: f(n - 1), step: n - 1 });
  assertExactBuckets(d, Array.from({ length: n }, (_, i) => ({ x: 2 * i, y: f(i) })), 0, 2 * (n - 1), 1000);
  // A zig-zag x: points are put in x order before bucketing.
  const zig = (i: number) => (i % 2 ? n - i : i);
  const other = Store.open(path.join(tmpDir(), 'db.sqlite'));
  const run = Number(other.db.prepare(`INSERT INTO runs (project_id, id, created_at, updated_at) VALUES (?, 'z', 0, 0)`).run(other.projectId('p')).lastInsertRowid);
  other.db.transaction(() => {
    for (let i = 0; i < n; i++) other.insertHistoryRow(run, i, i, i, { y: f(i), zig: zig(i) });
  })();
  const z = downsampleByMetric(other.series, run, other.keyId('y'), other.keyId('zig'), 500, 10, 90_000);
  assert.equal(z.sampled, true);
  for (let k = 1; k < z.points.length; k++) assert.ok(z.points[k].x >= z.points[k - 1].x, 'points in x order');
  assertExactBuckets(z, Array.from({ length: n }, (_, i) => ({ x: zig(i), y: f(i) })), z.points[0].x, z.points[z.points.length - 1].x, 500);
  other.close();
  store.close();
});
