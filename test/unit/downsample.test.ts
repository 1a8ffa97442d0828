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
