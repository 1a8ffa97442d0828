// Numeric history series, packed into chunks of up to CHUNK_SIZE points.
//
// The `history` table holds every row as logged and is the source of truth. Chunks are an index
// built from it for charts: each holds Float64 arrays of steps, timestamps and values plus min/max
// summaries for the whole chunk and for each BLOCK_SIZE-point block, so a downsampled query over a
// million points reads about a thousand small summaries instead of the points. The open (not yet
// full) chunk of each series lives in memory and is written when it fills, when its run ends, and
// every few seconds; if the process dies, `ensureLoaded` rebuilds it from the history rows.
import type { DB } from './db';

export const CHUNK_SIZE = 1024;
export const BLOCK_SIZE = 64;
/** Floats per block summary: first_step, last_step, min, min_step, min_ts, max, max_step, max_ts, first_ts, last_ts */
export const BLOCK_FIELDS = 10;

export interface Chunk {
  /** series_chunks row id; absent for the open chunk, which lives in memory */
  id?: number;
  chunk: number;
  n: number;
  firstStep: number;
  lastStep: number;
  firstTs: number;
  lastTs: number;
  min: number | null;
  max: number | null;
  steps: Float64Array;
  ts: Float64Array;
  vals: Float64Array;
  blocks: Float64Array;
}

interface Buffer_ {
  chunk: number;
  steps: number[];
  ts: number[];
  vals: number[];
  dirty: boolean;
}

const f64 = (b: Buffer): Float64Array => {
  // Copy so the array is 8-byte aligned whatever SQLite's buffer offset is.
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float64Array(copy.buffer, 0, b.byteLength / 8);
};
const blob = (a: ArrayLike<number>): Buffer => Buffer.from(Float64Array.from(a).buffer);

/** Summaries of a run of points: min/max over finite values only (NaN and ±Infinity are kept but not ranked). */
export function summarizeBlocks(steps: ArrayLike<number>, ts: ArrayLike<number>, vals: ArrayLike<number>): Float64Array {
  const n = vals.length;
  const nb = Math.ceil(n / BLOCK_SIZE);
  const out = new Float64Array(nb * BLOCK_FIELDS);
  for (let b = 0; b < nb; b++) {
    const lo = b * BLOCK_SIZE;
    const hi = Math.min(n, lo + BLOCK_SIZE);
    let min = NaN, minS = NaN, minT = NaN, max = NaN, maxS = NaN, maxT = NaN;
    for (let i = lo; i < hi; i++) {
      const v = vals[i];
      if (!Number.isFinite(v)) continue;
      if (!(v >= min)) { min = v; minS = steps[i]; minT = ts[i]; }
      if (!(v <= max)) { max = v; maxS = steps[i]; maxT = ts[i]; }
    }
    const o = b * BLOCK_FIELDS;
    out[o] = steps[lo]; out[o + 1] = steps[hi - 1];
    out[o + 2] = min; out[o + 3] = minS; out[o + 4] = minT;
    out[o + 5] = max; out[o + 6] = maxS; out[o + 7] = maxT;
    out[o + 8] = ts[lo]; out[o + 9] = ts[hi - 1];
  }
  return out;
}

function chunkFromArrays(chunk: number, steps: number[], ts: number[], vals: number[]): Chunk {
  const blocks = summarizeBlocks(steps, ts, vals);
  let min: number | null = null, max: number | null = null;
  for (let o = 0; o < blocks.length; o += BLOCK_FIELDS) {
    if (Number.isNaN(blocks[o + 2])) continue;
    if (min === null || blocks[o + 2] < min) min = blocks[o + 2];
    if (max === null || blocks[o + 5] > max) max = blocks[o + 5];
  }
  return {
    chunk, n: vals.length, firstStep: steps[0], lastStep: steps[steps.length - 1], firstTs: ts[0], lastTs: ts[ts.length - 1],
    min, max, steps: Float64Array.from(steps), ts: Float64Array.from(ts), vals: Float64Array.from(vals), blocks,
  };
}

export class SeriesStore {
  private buffers = new Map<string, Buffer_>();
  private loadedRuns = new Set<number>();
  private stmts;

  constructor(db: DB) {
    const SUMMARY = 'c.id, c.chunk, c.n, c.first_step, c.last_step, c.first_ts, c.last_ts, c.min_value, c.max_value, c.blocks';
    const POINTS = 'p.steps, p.ts, p.vals';
    this.stmts = {
      putChunk: db.prepare(`INSERT INTO series_chunks
        (run_key, key_id, chunk, n, first_step, last_step, first_ts, last_ts, min_value, max_value, blocks)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_key, key_id, chunk) DO UPDATE SET n = excluded.n, first_step = excluded.first_step,
          last_step = excluded.last_step, first_ts = excluded.first_ts, last_ts = excluded.last_ts,
          min_value = excluded.min_value, max_value = excluded.max_value, blocks = excluded.blocks
        RETURNING id`),
      putPoints: db.prepare('INSERT OR REPLACE INTO series_points (chunk_id, steps, ts, vals) VALUES (?, ?, ?, ?)'),
      lastChunks: db.prepare(`SELECT c.key_id, ${SUMMARY}, ${POINTS} FROM series_chunks c JOIN series_points p ON p.chunk_id = c.id
        WHERE c.run_key = ? AND c.chunk = (SELECT max(chunk) FROM series_chunks WHERE run_key = c.run_key AND key_id = c.key_id)`),
      numericKeys: db.prepare('SELECT key_id FROM run_keys WHERE run_key = ? AND numeric = 1'),
      rowsAfter: db.prepare('SELECT step, ts, data FROM history WHERE run_key = ? AND step > ? ORDER BY step'),
      chunks: db.prepare(`SELECT ${SUMMARY}, ${POINTS} FROM series_chunks c JOIN series_points p ON p.chunk_id = c.id
        WHERE c.run_key = ? AND c.key_id = ? AND c.last_step >= ? AND c.first_step <= ? ORDER BY c.chunk`),
      summaries: db.prepare(`SELECT ${SUMMARY} FROM series_chunks c
        WHERE c.run_key = ? AND c.key_id = ? AND c.last_step >= ? AND c.first_step <= ? ORDER BY c.chunk`),
      chunkAt: db.prepare(`SELECT ${SUMMARY}, ${POINTS} FROM series_chunks c JOIN series_points p ON p.chunk_id = c.id
        WHERE c.run_key = ? AND c.key_id = ? AND c.chunk = ?`),
      // One block's points without decoding its chunk: SQLite's substr on a BLOB counts bytes (1-based).
      blockPoints: db.prepare('SELECT substr(steps, ?, ?) AS steps, substr(ts, ?, ?) AS ts, substr(vals, ?, ?) AS vals FROM series_points WHERE chunk_id = ?'),
      stepsAndValues: db.prepare(`SELECT c.chunk, c.n, p.steps, p.vals FROM series_chunks c JOIN series_points p ON p.chunk_id = c.id
        WHERE c.run_key = ? AND c.key_id = ? ORDER BY c.chunk`),
      pointCount: db.prepare('SELECT coalesce(sum(n), 0) AS n FROM series_chunks WHERE run_key = ? AND key_id = ?'),
      lastChunkNo: db.prepare('SELECT max(chunk) AS c FROM series_chunks WHERE run_key = ? AND key_id = ?'),
      deleteAfter: db.prepare('DELETE FROM series_chunks WHERE run_key = ? AND first_step > ?'),
      straddling: db.prepare(`SELECT c.key_id, c.chunk, ${POINTS} FROM series_chunks c JOIN series_points p ON p.chunk_id = c.id
        WHERE c.run_key = ? AND c.first_step <= ? AND c.last_step > ?`),
      deleteRun: db.prepare('DELETE FROM series_chunks WHERE run_key = ?'),
    };
  }

  private bufKey(runKey: number, keyId: number): string {
    return `${runKey}:${keyId}`;
  }

  /**
   * Makes the in-memory open chunks of a run match the store: the last persisted chunk of each series,
   * plus any history rows newer than it (written before a crash but never packed into a chunk).
   * `keyIdOf` maps a flattened key name to its id; `flatten` yields numeric leaves of a row.
   */
  ensureLoaded(runKey: number, flatten: (data: string) => Iterable<[number, number]>): void {
    if (this.loadedRuns.has(runKey)) return;
    this.loadedRuns.add(runKey);
    const lastStepByKey = new Map<number, number>();
    for (const r of this.stmts.lastChunks.all(runKey) as any[]) {
      lastStepByKey.set(r.key_id, r.last_step);
      if (r.n < CHUNK_SIZE) {
        this.buffers.set(this.bufKey(runKey, r.key_id), {
          chunk: r.chunk, steps: Array.from(f64(r.steps)), ts: Array.from(f64(r.ts)), vals: Array.from(f64(r.vals)), dirty: false,
        });
      }
    }
    const numeric = (this.stmts.numericKeys.all(runKey) as any[]).map((r) => r.key_id as number);
    if (!numeric.length) return;
    let from = Infinity;
    for (const k of numeric) from = Math.min(from, lastStepByKey.get(k) ?? -Infinity);
    if (from === Infinity) return;
    for (const row of this.stmts.rowsAfter.iterate(runKey, from === -Infinity ? -1 : from) as Iterable<any>) {
      for (const [keyId, value] of flatten(row.data)) {
        const last = lastStepByKey.get(keyId);
        if (last !== undefined && row.step <= last) continue;
        this.appendLoaded(runKey, keyId, row.step, row.ts, value);
      }
    }
  }

  /** Appends a point; steps of a series must increase. Returns false (and stores nothing) otherwise. */
  append(runKey: number, keyId: number, step: number, ts: number, value: number): boolean {
    return this.appendLoaded(runKey, keyId, step, ts, value);
  }

  private appendLoaded(runKey: number, keyId: number, step: number, ts: number, value: number): boolean {
    const k = this.bufKey(runKey, keyId);
    let b = this.buffers.get(k);
    if (!b) {
      const last = this.lastChunkNo(runKey, keyId);
      b = { chunk: last + 1, steps: [], ts: [], vals: [], dirty: false };
      this.buffers.set(k, b);
    }
    if (b.steps.length && step <= b.steps[b.steps.length - 1]) return false;
    b.steps.push(step); b.ts.push(ts); b.vals.push(value); b.dirty = true;
    if (b.steps.length >= CHUNK_SIZE) {
      this.write(runKey, keyId, b);
      this.buffers.set(k, { chunk: b.chunk + 1, steps: [], ts: [], vals: [], dirty: false });
    }
    return true;
  }

  private lastChunkNo(runKey: number, keyId: number): number {
    const r = this.stmts.lastChunkNo.get(runKey, keyId) as any;
    return r?.c ?? -1;
  }

  private write(runKey: number, keyId: number, b: Buffer_): void {
    const c = chunkFromArrays(b.chunk, b.steps, b.ts, b.vals);
    const { id } = this.stmts.putChunk.get(runKey, keyId, c.chunk, c.n, c.firstStep, c.lastStep, c.firstTs, c.lastTs, c.min, c.max,
      Buffer.from(c.blocks.buffer)) as { id: number };
    this.stmts.putPoints.run(id, blob(c.steps), blob(c.ts), blob(c.vals));
    b.dirty = false;
  }

  /** Writes the open chunks (of one run, or all) that changed since they were last written. */
  flush(runKey?: number): number {
    let written = 0;
    for (const [k, b] of this.buffers) {
      if (!b.dirty || !b.steps.length) continue;
      const [rk, kid] = k.split(':').map(Number);
      if (runKey !== undefined && rk !== runKey) continue;
      this.write(rk, kid, b);
      written++;
    }
    return written;
  }

  /** Drops the open chunks of a finished run from memory (after flushing them). */
  release(runKey: number): void {
    this.flush(runKey);
    for (const k of [...this.buffers.keys()]) if (k.startsWith(`${runKey}:`)) this.buffers.delete(k);
    this.loadedRuns.delete(runKey);
  }

  /** Chunks overlapping [fromStep, toStep], with the in-memory open chunk in place of its stored copy. */
  chunks(runKey: number, keyId: number, fromStep = -Infinity, toStep = Infinity, withPoints = true): Chunk[] {
    const stmt = withPoints ? this.stmts.chunks : this.stmts.summaries;
    const rows = stmt.all(runKey, keyId, clampStep(fromStep), clampStep(toStep)) as any[];
    const out: Chunk[] = [];
    const open = this.buffers.get(this.bufKey(runKey, keyId));
    for (const r of rows) {
      if (open && r.chunk === open.chunk) continue;
      out.push(rowToChunk(r, withPoints));
    }
    if (open && open.steps.length && open.steps[open.steps.length - 1] >= fromStep && open.steps[0] <= toStep) {
      out.push(chunkFromArrays(open.chunk, open.steps, open.ts, open.vals));
    }
    return out;
  }

  /** One chunk with its points (for decoding a chunk whose summary was too coarse). */
  chunkWithPoints(runKey: number, keyId: number, chunk: number): Chunk | undefined {
    const open = this.buffers.get(this.bufKey(runKey, keyId));
    if (open && open.chunk === chunk) return chunkFromArrays(open.chunk, open.steps, open.ts, open.vals);
    const r = this.stmts.chunkAt.get(runKey, keyId, chunk) as any;
    return r ? rowToChunk(r, true) : undefined;
  }

  /**
   * Every step and value of a series as two flat arrays, copied straight from the stored blobs (no
   * per-chunk objects): the fast path for passes over all points, such as another metric as x.
   */
  stepsAndValues(runKey: number, keyId: number): { steps: Float64Array; vals: Float64Array } {
    const open = this.buffers.get(this.bufKey(runKey, keyId));
    const stored = (this.stmts.pointCount.get(runKey, keyId) as any).n as number;
    const cap = stored + (open?.steps.length ?? 0);
    const steps = new Float64Array(cap), vals = new Float64Array(cap);
    const stepBytes = new Uint8Array(steps.buffer), valBytes = new Uint8Array(vals.buffer);
    let n = 0;
    for (const r of this.stmts.stepsAndValues.iterate(runKey, keyId) as Iterable<any>) {
      if (open && r.chunk === open.chunk) continue;
      stepBytes.set(r.steps, n * 8);
      valBytes.set(r.vals, n * 8);
      n += r.n;
    }
    if (open) {
      steps.set(open.steps, n);
      vals.set(open.vals, n);
      n += open.steps.length;
    }
    return { steps: steps.subarray(0, n), vals: vals.subarray(0, n) };
  }

  /** Changes whenever points are appended, written or removed: a cache key for derived views of a series. */
  version(runKey: number, keyId: number): string {
    const open = this.buffers.get(this.bufKey(runKey, keyId));
    const stored = (this.stmts.pointCount.get(runKey, keyId) as any).n as number;
    return `${stored}:${open?.chunk ?? -1}:${open?.steps.length ?? 0}`;
  }

  /** The points of block `block` of a chunk (a summary row or the open chunk), read without the rest of the chunk. */
  blockPoints(c: Chunk, block: number): { steps: Float64Array; ts: Float64Array; vals: Float64Array } {
    const lo = block * BLOCK_SIZE;
    const hi = Math.min(c.n, lo + BLOCK_SIZE);
    if (c.id === undefined || c.vals.length === c.n) {
      return { steps: c.steps.subarray(lo, hi), ts: c.ts.subarray(lo, hi), vals: c.vals.subarray(lo, hi) };
    }
    const at = lo * 8 + 1, len = (hi - lo) * 8;
    const r = this.stmts.blockPoints.get(at, len, at, len, at, len, c.id) as any;
    return { steps: f64(r.steps), ts: f64(r.ts), vals: f64(r.vals) };
  }

  /** Removes points after `step` (resume_from). */
  truncateAfter(runKey: number, step: number): void {
    this.flush(runKey);
    for (const r of this.stmts.straddling.all(runKey, step, step) as any[]) {
      const steps = Array.from(f64(r.steps)), ts = Array.from(f64(r.ts)), vals = Array.from(f64(r.vals));
      let n = 0;
      while (n < steps.length && steps[n] <= step) n++;
      this.write(runKey, r.key_id, { chunk: r.chunk, steps: steps.slice(0, n), ts: ts.slice(0, n), vals: vals.slice(0, n), dirty: true });
    }
    this.stmts.deleteAfter.run(runKey, step);
    for (const k of [...this.buffers.keys()]) if (k.startsWith(`${runKey}:`)) this.buffers.delete(k);
    this.loadedRuns.delete(runKey);
  }

  deleteRun(runKey: number): void {
    for (const k of [...this.buffers.keys()]) if (k.startsWith(`${runKey}:`)) this.buffers.delete(k);
    this.loadedRuns.delete(runKey);
    this.stmts.deleteRun.run(runKey);
  }
}

function clampStep(x: number): number {
  return x === Infinity ? Number.MAX_SAFE_INTEGER : x === -Infinity ? Number.MIN_SAFE_INTEGER : x;
}

function rowToChunk(r: any, withPoints: boolean): Chunk {
  const empty = new Float64Array(0);
  return {
    id: r.id, chunk: r.chunk, n: r.n, firstStep: r.first_step, lastStep: r.last_step, firstTs: r.first_ts, lastTs: r.last_ts,
    min: r.min_value, max: r.max_value,
    steps: withPoints ? f64(r.steps) : empty, ts: withPoints ? f64(r.ts) : empty, vals: withPoints ? f64(r.vals) : empty,
    blocks: f64(r.blocks),
  };
}
