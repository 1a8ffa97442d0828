// System-metric samples (runtime/metrics): one row per run and sample time in `system_samples`, the
// data a JSON object of W&B tag -> number. Each tag is also registered in `run_keys` as `system/<tag>`
// (RunDetail.system_keys comes from there) with numeric = 2: numeric, but not a history series, so
// the numeric-series index (numeric = 1) and /api/metric-keys leave it alone.
import type { DB } from './db';
import type { Store } from './store';
import type { Downsampled, Point } from './downsample';

export const SYSTEM_KEY_PREFIX = 'system/';
/** run_keys.numeric for a system-metric tag. */
export const SYSTEM_KEY_NUMERIC = 2;

export interface SystemSample {
  ts: number;
  data: Record<string, number>;
}

/** Writes samples; caches which tags each run already has registered. */
export class SystemSampleWriter {
  private registered = new Map<number, Set<string>>();
  private s;

  constructor(private store: Store) {
    const db = store.db;
    this.s = {
      insert: db.prepare('INSERT OR REPLACE INTO system_samples (run_key, ts, data) VALUES (?, ?, ?)'),
      runKey: db.prepare('INSERT OR IGNORE INTO run_keys (run_key, key_id, numeric) VALUES (?, ?, ?)'),
      last: db.prepare('SELECT ts, data FROM system_samples WHERE run_key = ? ORDER BY ts DESC LIMIT 1'),
      exists: db.prepare('SELECT 1 FROM runs WHERE key = ?'),
    };
  }

  /** Stores one sample; returns the tags new to the run. Call inside a transaction when writing several. */
  insert(runKey: number, ts: number, data: Record<string, number>): string[] {
    if (!this.s.exists.get(runKey)) return []; // deleted meanwhile
    this.s.insert.run(runKey, ts, JSON.stringify(data));
    let known = this.registered.get(runKey);
    if (!known) this.registered.set(runKey, (known = new Set()));
    const added: string[] = [];
    for (const tag of Object.keys(data)) {
      if (known.has(tag)) continue;
      known.add(tag);
      if (this.s.runKey.run(runKey, this.store.keyId(SYSTEM_KEY_PREFIX + tag), SYSTEM_KEY_NUMERIC).changes) added.push(tag);
    }
    return added;
  }

  /** Forgets a run's cached tag list (the run ended or was deleted). */
  forget(runKey: number): void {
    this.registered.delete(runKey);
  }

  lastSample(runKey: number): SystemSample | undefined {
    const r = this.s.last.get(runKey) as { ts: number; data: string } | undefined;
    return r ? { ts: r.ts, data: JSON.parse(r.data) } : undefined;
  }
}

/** Every sample of a run in time order. */
export function readSystemSamples(db: DB, runKey: number): SystemSample[] {
  return (db.prepare('SELECT ts, data FROM system_samples WHERE run_key = ? ORDER BY ts').all(runKey) as { ts: number; data: string }[])
    .map((r) => ({ ts: r.ts, data: JSON.parse(r.data) }));
}

export type SystemX = 'step' | 'wall' | 'relative' | `metric:${string}`;

/**
 * Chart series for system tags (without the `system/` prefix): x = wall (epoch seconds), relative
 * (seconds since `origin`, the run's start) or step (the sample's index). A run has one sample per
 * few seconds (tens of thousands for a long run), so all samples are read and downsampled here:
 * min and max per pixel bucket, first and last point exact, as for history series.
 */
export function systemHistory(
  db: DB, runKey: number, tags: string[], x: SystemX, width: number, from = -Infinity, to = Infinity, origin = 0,
): Record<string, Downsampled> {
  const out: Record<string, Downsampled> = {};
  tags = [...new Set(tags)];
  if (!tags.length) return out;
  const points: Record<string, Point[]> = {};
  for (const t of tags) points[t] = [];
  // x = metric:<key> has no meaning for samples taken on the runtime's clock: empty series.
  if (!x.startsWith('metric:')) {
    readSystemSamples(db, runKey).forEach((s, i) => {
      const px = x === 'step' ? i : x === 'relative' ? s.ts - origin : s.ts;
      if (px < from || px > to) return;
      for (const t of tags) {
        const y = s.data[t];
        if (typeof y === 'number') points[t].push({ x: px, y, step: i });
      }
    });
  }
  for (const t of tags) out[t] = minMaxDownsample(points[t], width);
  return out;
}

/** Min and max per bucket of x-sorted points, the first and last points kept exactly. */
export function minMaxDownsample(pts: Point[], width: number): Downsampled {
  const buckets = Math.max(1, Math.min(20000, Math.floor(width)));
  if (pts.length <= 2 * buckets) return { points: pts, count: pts.length, sampled: false };
  const lo = pts[0].x;
  const hi = pts[pts.length - 1].x;
  const bw = (hi - lo || 1) / buckets;
  const out: Point[] = [pts[0]];
  let b = -1;
  let min: Point | undefined;
  let max: Point | undefined;
  const flush = () => {
    if (!min || !max) return;
    const [a, z] = min.x <= max.x ? [min, max] : [max, min];
    out.push(a);
    if (z !== a) out.push(z);
  };
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i];
    const nb = Math.min(buckets - 1, Math.floor((p.x - lo) / bw));
    if (nb !== b) {
      flush();
      b = nb;
      min = max = undefined;
    }
    if (!min || p.y < min.y) min = p;
    if (!max || p.y > max.y) max = p;
  }
  flush();
  out.push(pts[pts.length - 1]);
  return { points: out, count: pts.length, sampled: true };
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * `trackwell export RUN --system`: one line per sample with `_timestamp` (epoch seconds), `_runtime`
 * (seconds since the run started), then the tags in sorted order. CSV has a header line; a tag a
 * sample lacks is an empty cell.
 */
export function* systemExportLines(db: DB, runKey: number, runStart: number, format: 'jsonl' | 'csv'): Generator<string> {
  const stmt = db.prepare('SELECT ts, data FROM system_samples WHERE run_key = ? ORDER BY ts');
  if (format === 'csv') {
    const tags = new Set<string>();
    for (const r of stmt.iterate(runKey) as Iterable<{ data: string }>) for (const k of Object.keys(JSON.parse(r.data))) tags.add(k);
    const cols = [...tags].sort();
    yield ['_timestamp', '_runtime', ...cols].map(csvField).join(',') + '\n';
    for (const r of stmt.iterate(runKey) as Iterable<{ ts: number; data: string }>) {
      const d = JSON.parse(r.data) as Record<string, number>;
      yield [String(r.ts), String(round6(r.ts - runStart)), ...cols.map((c) => (typeof d[c] === 'number' ? String(d[c]) : ''))].join(',') + '\n';
    }
    return;
  }
  for (const r of stmt.iterate(runKey) as Iterable<{ ts: number; data: string }>) {
    const d = JSON.parse(r.data) as Record<string, number>;
    const row: Record<string, number> = { _timestamp: r.ts, _runtime: round6(r.ts - runStart) };
    for (const k of Object.keys(d).sort()) row[k] = d[k];
    yield JSON.stringify(row) + '\n';
  }
}
