// Applies journal records to the store: ordered, idempotent (by sequence number per journal), batched
// in one transaction per call, then publishes the resulting deltas.
import fs from 'node:fs';
import type { Store, RunRow } from '../store/store';
import type { LiveBus } from '../live/bus';
import type { LiveEvent, RunInfo, RunRef, HistoryPoint } from '../protocol/live';
import type { JournalRecord, JsonObject, RunActivity, RunRecord } from '../protocol/journal';
import { parseJournalBytes, type LineProblem } from './journalFormat';

export interface IngestOutcome {
  /** journal byte offset up to which everything is stored */
  offset: number;
  /** next expected sequence number */
  seq: number;
  applied: number;
  problems: LineProblem[];
  runKey: number | null;
}

export type IngestReply = ({ conflict: false } & IngestOutcome) | { conflict: true; offset: number };

interface JournalState {
  uuid: string;
  runKey: number | null;
  nextSeq: number;
  offset: number;
  path: string | null;
}

/** Mutable copy of a run's row for the duration of one batch. */
type Working = RunRow & { changed: boolean; infoChanged: boolean; events: LiveEvent[]; points: HistoryPoint[]; newKeys: string[] };

const MAX_READ = 8 * 1024 * 1024;
/** A running run's heartbeat is pushed at most this often (seconds of its clock): lists show it live
 *  while its last beat is recent (webview isLive allows 30 s), and no more events than that need. */
const HEARTBEAT_EVENT_SECONDS = 10;

export class Ingestor {
  private warned = new Set<string>();
  /** warnings about the batch being applied, reported with its problems (so `trackwell sync` prints them) */
  private notes: string[] = [];
  /** heartbeat_at of the last run event pushed per running run (for the heartbeat throttle) */
  private beatsSent = new Map<number, number>();

  constructor(private store: Store, private bus?: LiveBus, private warn: (msg: string) => void = (m) => console.error(m)) {}

  private journal(uuid: string): JournalState | undefined {
    const r = this.store.db.prepare('SELECT uuid, run_key, next_seq, offset, path FROM journals WHERE uuid = ?').get(uuid) as any;
    return r ? { uuid, runKey: r.run_key, nextSeq: r.next_seq, offset: r.offset, path: r.path } : undefined;
  }

  /** Stored offset of a journal (0 when unknown). */
  storedOffset(uuid: string): number {
    return this.journal(uuid)?.offset ?? 0;
  }

  /** Bytes posted by a client, starting at journal byte `offset`. */
  ingestBytes(uuid: string, offset: number, path: string | null, buf: Buffer): IngestReply {
    const j = this.journal(uuid) ?? { uuid, runKey: null, nextSeq: 0, offset: 0, path };
    if (offset > j.offset) return { conflict: true, offset: j.offset };
    if (path && !j.path) j.path = path;
    const skip = j.offset - offset;
    const body = skip > 0 ? buf.subarray(Math.min(skip, buf.length)) : buf;
    return { conflict: false, ...this.apply(j, body, j.offset) };
  }

  /**
   * Ingests a journal file from where the store left off. `final`: the writer is gone, so a trailing
   * partial line is a truncated record (reported) rather than one still being written.
   */
  ingestFile(path: string, opts: { final?: boolean } = {}): IngestOutcome & { uuid: string | null } {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (e) {
      throw new Error(`Cannot read journal ${path}: ${(e as Error).message}`);
    }
    try {
      const uuid = readJournalUuid(fd);
      if (!uuid) return { uuid: null, offset: 0, seq: 0, applied: 0, problems: [{ offset: 0, reason: 'no readable first record' }], runKey: null };
      const j = this.journal(uuid) ?? { uuid, runKey: null, nextSeq: 0, offset: 0, path };
      if (!j.path) j.path = path;
      const size = fs.fstatSync(fd).size;
      let total: IngestOutcome = { offset: j.offset, seq: j.nextSeq, applied: 0, problems: [], runKey: j.runKey };
      let pos = j.offset;
      while (pos < size) {
        const len = Math.min(MAX_READ, size - pos);
        const buf = Buffer.alloc(len);
        fs.readSync(fd, buf, 0, len, pos);
        const out = this.apply(j, buf, pos);
        total = { ...out, applied: total.applied + out.applied, problems: total.problems.concat(out.problems) };
        if (out.offset === pos) {
          // No complete line in a full read window: a record larger than the window, or a torn tail.
          if (len === MAX_READ) throw new Error(`journal ${path}: record at byte ${pos} is larger than ${MAX_READ} bytes`);
          if (opts.final) total.problems.push({ offset: pos, reason: `last record truncated (${size - pos} bytes)` });
          break;
        }
        pos = out.offset;
      }
      return { uuid, ...total };
    } finally {
      fs.closeSync(fd);
    }
  }

  private apply(j: JournalState, buf: Buffer, base: number): IngestOutcome {
    const parsed = parseJournalBytes(buf, base);
    const problems = [...parsed.problems];
    let applied = 0;
    const work = new Map<number, Working>();
    const events: LiveEvent[] = [];
    this.notes = [];
    this.store.db.transaction(() => {
      for (const { record } of parsed.records) {
        if (record.s < j.nextSeq) continue; // already stored: a replay
        if (record.s > j.nextSeq && j.nextSeq > 0) problems.push({ offset: base, reason: `sequence gap: expected ${j.nextSeq}, got ${record.s}` });
        j.nextSeq = record.s + 1;
        try {
          if (this.applyRecord(j, record, work, events)) applied++;
        } catch (e) {
          problems.push({ offset: base, reason: `record ${record.s} (${record.t}): ${(e as Error).message}` });
        }
      }
      for (const w of work.values()) this.saveWorking(w, events);
      for (const w of work.values()) this.completeWaitingForks(w.key, events);
      for (const reason of this.notes.splice(0)) problems.push({ offset: base, reason });
      j.offset = base + parsed.consumed;
      this.store.db.prepare(`INSERT INTO journals (uuid, run_key, path, next_seq, offset, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(uuid) DO UPDATE SET run_key = excluded.run_key, path = coalesce(journals.path, excluded.path),
        next_seq = excluded.next_seq, offset = excluded.offset, updated_at = excluded.updated_at`)
        .run(j.uuid, j.runKey, j.path, j.nextSeq, j.offset, Date.now() / 1000);
    }).immediate();
    for (const w of work.values()) if (w.state !== 'running') this.store.series.release(w.key);
    this.bus?.publish(events);
    return { offset: j.offset, seq: j.nextSeq, applied, problems, runKey: j.runKey };
  }

  private working(key: number, work: Map<number, Working>): Working {
    let w = work.get(key);
    if (!w) {
      const row = this.store.runByKey(key);
      if (!row) throw new Error(`run ${key} vanished`);
      w = { ...row, changed: false, infoChanged: false, events: [], points: [], newKeys: [] };
      work.set(key, w);
    }
    return w;
  }

  private applyRecord(j: JournalState, rec: JournalRecord, work: Map<number, Working>, events: LiveEvent[]): boolean {
    if (rec.t === 'run') return this.applyRun(j, rec, work, events);
    if (j.runKey === null) {
      this.warnOnce(`orphan:${j.uuid}`, `trackwell: journal ${j.path ?? j.uuid} has records before its run record; they were skipped`);
      return false;
    }
    const w = this.working(j.runKey, work);
    if (typeof rec.ts === 'number' && rec.ts > (w.heartbeat_at ?? 0)) { w.heartbeat_at = rec.ts; w.changed = true; }
    switch (rec.t) {
      case 'config':
        requireObject(rec.update, 'update');
        Object.assign(w.config, rec.update);
        if (Array.isArray(rec.locked)) w.config_locked = [...new Set([...w.config_locked, ...rec.locked])];
        w.changed = true;
        w.events.push({ type: 'config', run: ref(w), config: rec.update });
        return true;
      case 'history': {
        if (!Number.isInteger(rec.step) || rec.step < 0) throw new Error(`step must be a non-negative integer, got ${rec.step}`);
        requireObject(rec.data, 'data');
        if (w.last_step !== null && rec.step <= w.last_step) throw new Error(`step ${rec.step} is not after the run's last step ${w.last_step}`);
        if (!w.points.length) this.store.ensureSeriesLoaded(w.key);
        const values: HistoryPoint['values'] = {};
        const newKeys = this.store.insertHistoryRow(w.key, rec.step, rec.ts, rec.runtime ?? 0, rec.data, (name, v) => {
          if (typeof v === 'number') values[name] = Number.isFinite(v) ? v : { $num: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
        });
        w.last_step = rec.step;
        w.last_runtime = rec.runtime ?? w.last_runtime;
        w.history_rows++;
        w.changed = true;
        if (newKeys.length) w.newKeys.push(...newKeys);
        w.points.push({ step: rec.step, ts: rec.ts, runtime: rec.runtime ?? 0, values });
        return true;
      }
      case 'summary':
        requireObject(rec.update ?? {}, 'update');
        Object.assign(w.summary, rec.update ?? {});
        for (const k of rec.remove ?? []) delete w.summary[k];
        w.changed = true;
        w.events.push({ type: 'summary', run: ref(w), summary: { ...w.summary } });
        return true;
      case 'metric': {
        if (typeof rec.name !== 'string' || !rec.name) throw new Error('metric record without a name');
        const { s: _s, t: _t, ts: _ts, ...def } = rec;
        w.metrics[rec.name] = def as unknown as JsonObject;
        w.changed = true;
        w.events.push({ type: 'metrics', run: ref(w), metrics: { ...w.metrics } });
        return true;
      }
      case 'console': {
        const data = rec.b64 !== undefined ? Buffer.from(rec.b64, 'base64') : Buffer.from(rec.text ?? '', 'utf8');
        if (!data.length) return false;
        const stream = rec.stream === 'stderr' ? 'stderr' : 'stdout';
        this.store.appendConsole(w.key, w.console_bytes, rec.ts, stream, data);
        w.events.push({ type: 'console', run: ref(w), offset: w.console_bytes, ts: rec.ts, stream, text: data.toString('utf8') });
        w.console_bytes += data.length;
        w.changed = true;
        return true;
      }
      case 'heartbeat': {
        // The script's last activity (log() or console output) rides on heartbeats; stored as is, newest wins.
        const a = activityOf(rec.activity);
        if (a && a.ts >= (w.activity?.ts ?? -Infinity)) {
          w.activity = a;
          w.changed = true; // written with the rest of the run row in saveWorking
        }
        return true;
      }
      case 'meta': {
        const { s: _s, t: _t, ts: _ts, ...meta } = rec;
        Object.assign(w.metadata, meta);
        w.changed = true;
        w.infoChanged = true;
        return true;
      }
      case 'file':
        if (typeof rec.path !== 'string' || !/^[0-9a-f]{64}$/.test(rec.sha256)) throw new Error('file record needs path and sha256');
        if (rec.path.split(/[\\/]/).includes('..') || rec.path.startsWith('/')) throw new Error(`file path ${rec.path} escapes the run`);
        this.store.db.prepare('INSERT OR REPLACE INTO files (run_key, path, sha256, size, kind, ts) VALUES (?, ?, ?, ?, ?, ?)')
          .run(w.key, rec.path, rec.sha256, rec.size ?? 0, rec.kind ?? null, rec.ts);
        return true;
      case 'exit':
        if (!['finished', 'failed', 'killed'].includes(rec.state)) throw new Error(`unknown final state ${rec.state}`);
        w.state = rec.state;
        w.exit_code = rec.exit_code ?? null;
        w.error = rec.error ?? null;
        w.finished_at = rec.ts;
        w.changed = w.infoChanged = true;
        return true;
      default:
        this.warnOnce(`type:${(rec as { t: string }).t}`, `trackwell: skipping journal records of unknown type "${(rec as { t: string }).t}" (newer client?)`);
        return false;
    }
  }

  private applyRun(j: JournalState, rec: RunRecord, work: Map<number, Working>, events: LiveEvent[]): boolean {
    if (typeof rec.id !== 'string' || !rec.id || /[/\\#?%:]/.test(rec.id)) throw new Error(`invalid run id ${JSON.stringify(rec.id)}`);
    if (typeof rec.project !== 'string' || !rec.project) throw new Error('run record without a project');
    const db = this.store.db;
    if (rec.discard) {
      if (j.runKey !== null) {
        const w = work.get(j.runKey);
        const row = w ?? this.store.runByKey(j.runKey);
        work.delete(j.runKey);
        this.store.deleteRun(j.runKey);
        if (row) events.push({ type: 'run-deleted', run: ref(row) });
        j.runKey = null;
      }
      return true;
    }
    const now = Date.now() / 1000;
    let key = j.runKey;
    const firstForJournal = key === null;
    if (key === null) {
      const existing = this.store.runByProjectAndId(rec.project, rec.id);
      key = existing?.key ?? null;
    }
    if (key === null) {
      const projectId = this.store.projectId(rec.project, now);
      key = Number(db.prepare(`INSERT INTO runs (project_id, id, created_at, updated_at, state, heartbeat_at) VALUES (?, ?, ?, ?, 'running', ?)`)
        .run(projectId, rec.id, rec.start_time ?? rec.ts, now, rec.ts).lastInsertRowid);
      if (rec.fork_from) this.startFork(key, rec.project, rec.fork_from, events);
    }
    j.runKey = key;
    // stats: the client's system-metrics settings (runtime/metrics reads runs.stats); absent keeps the stored ones.
    const stats = (rec as RunRecord & { stats?: unknown }).stats;
    if (stats === null || (typeof stats === 'object' && !Array.isArray(stats))) {
      db.prepare('UPDATE runs SET stats = ? WHERE key = ?').run(stats === null ? null : JSON.stringify(stats), key);
    }
    const w = this.working(key, work);
    if (w.project !== rec.project) {
      const clash = this.store.runByProjectAndId(rec.project, rec.id);
      if (clash && clash.key !== key) throw new Error(`cannot move run ${rec.id} to project ${rec.project}: that project already has a run with this id`);
      db.prepare('UPDATE runs SET project_id = ? WHERE key = ?').run(this.store.projectId(rec.project, now), key);
      w.project = rec.project;
    }
    w.name = rec.name ?? w.name;
    w.notes = rec.notes ?? w.notes;
    w.group = rec.group ?? w.group;
    w.job_type = rec.job_type ?? w.job_type;
    w.entity = rec.entity ?? w.entity;
    if (Array.isArray(rec.tags)) w.tags = rec.tags;
    w.sweep_id = rec.sweep_id ?? w.sweep_id;
    w.host = rec.host ?? w.host;
    w.pid = rec.pid ?? w.pid;
    w.run_dir = rec.run_dir ?? w.run_dir;
    w.mode = rec.mode ?? w.mode;
    w.launch_id = rec.launch_id ?? w.launch_id;
    w.fork_from = rec.fork_from ?? w.fork_from;
    if (firstForJournal && w.history_rows + w.console_bytes > 0 || rec.resumed) {
      // A new process took the run over (resume): it is running again whatever it ended as.
      w.resumed = w.resumed || !!rec.resumed;
      w.state = 'running';
      w.exit_code = null;
      w.error = null;
      w.finished_at = null;
    }
    if (typeof rec.resume_from_step === 'number') {
      db.prepare('DELETE FROM history WHERE run_key = ? AND step > ?').run(key, rec.resume_from_step);
      this.store.series.truncateAfter(key, rec.resume_from_step);
      const last = db.prepare('SELECT max(step) AS s, max(runtime) AS r, count(*) AS n FROM history WHERE run_key = ?').get(key) as any;
      w.last_step = last.s;
      w.last_runtime = last.r;
      w.history_rows = last.n;
    }
    if (rec.ts > (w.heartbeat_at ?? 0)) w.heartbeat_at = rec.ts;
    w.changed = w.infoChanged = true;
    return true;
  }

  /** A new fork_from run: it gets the source's history up to the fork step and its config now, or once the source is stored. */
  private startFork(key: number, project: string, from: { run: string; step: number }, events: LiveEvent[]): void {
    this.store.db.prepare('UPDATE runs SET fork_from = ?, fork_pending = 1 WHERE key = ?').run(JSON.stringify(from), key);
    if (!this.completeFork(key, project, from, events)) {
      this.notes.push(`fork source ${project}/${from.run} is not stored yet; the fork gets its history up to step ${from.step} ` +
        'and its config when the source is ingested (trackwell sync its run directory)');
    }
  }

  /** Completes the forks waiting for run `sourceKey` (journals are ingested in any order), then forks of those. */
  private completeWaitingForks(sourceKey: number, events: LiveEvent[]): void {
    const waiting = this.store.db.prepare(`SELECT f.key, f.fork_from, s.id AS source, p.name AS project FROM runs s
      JOIN runs f ON f.project_id = s.project_id AND f.fork_pending = 1 AND f.key != s.key
      JOIN projects p ON p.id = s.project_id WHERE s.key = ?`).all(sourceKey) as { key: number; fork_from: string | null; source: string; project: string }[];
    for (const f of waiting) {
      const from = f.fork_from ? (JSON.parse(f.fork_from) as { run: string; step: number }) : null;
      if (from?.run !== f.source) continue;
      if (this.completeFork(f.key, f.project, from, events)) this.completeWaitingForks(f.key, events);
    }
  }

  /**
   * Copies the source's history up to the fork step into a waiting fork and puts the source's config
   * under the fork's own. False (nothing done) while the source is missing, is itself a waiting fork,
   * or is still running short of the fork step.
   */
  private completeFork(key: number, project: string, from: { run: string; step: number }, events: LiveEvent[]): boolean {
    const db = this.store.db;
    const src = this.store.runByProjectAndId(project, from.run);
    if (!src || src.key === key) return false;
    const srcPending = (db.prepare('SELECT fork_pending FROM runs WHERE key = ?').get(src.key) as { fork_pending: number }).fork_pending;
    if (srcPending || (src.state === 'running' && (src.last_step ?? -1) < from.step)) return false;
    const firstOwn = (db.prepare('SELECT min(step) AS s FROM history WHERE run_key = ?').get(key) as { s: number | null }).s;
    const upTo = firstOwn === null ? from.step : Math.min(from.step, firstOwn - 1);
    // Series points must be appended in step order: when the fork's own rows came first, its series
    // are rebuilt below, after the copied rows.
    if (firstOwn !== null) this.store.series.deleteRun(key);
    // Pages, not one iterator: better-sqlite3 allows no writes while a statement is being iterated.
    const page = db.prepare('SELECT step, ts, runtime, data FROM history WHERE run_key = ? AND step > ? AND step <= ? ORDER BY step LIMIT 1000');
    for (let after = -1; ;) {
      const rows = page.all(src.key, after, upTo) as { step: number; ts: number; runtime: number; data: string }[];
      if (!rows.length) break;
      for (const r of rows) this.store.insertHistoryRow(key, r.step, r.ts, r.runtime, JSON.parse(r.data));
      after = rows[rows.length - 1].step;
    }
    if (firstOwn !== null) {
      for (let after = firstOwn - 1; ;) {
        const rows = page.all(key, after, Number.MAX_SAFE_INTEGER) as { step: number; ts: number; data: string }[];
        if (!rows.length) break;
        for (const r of rows) for (const [keyId, v] of this.store.numericLeaves(r.data)) this.store.series.append(key, keyId, r.step, r.ts, v);
        after = rows[rows.length - 1].step;
      }
    }
    // Written out and reloaded on the fork's next record, so no open chunk is built twice.
    this.store.series.release(key);
    const fork = this.store.runByKey(key)!;
    const config = { ...src.config, ...fork.config };
    const last = db.prepare('SELECT max(step) AS s, max(runtime) AS r, count(*) AS n FROM history WHERE run_key = ?').get(key) as any;
    db.prepare('UPDATE runs SET last_step = ?, last_runtime = ?, history_rows = ?, config = ?, fork_pending = 0 WHERE key = ?')
      .run(last.s, last.r, last.n, JSON.stringify(config), key);
    const after = this.store.runByKey(key)!;
    events.push({ type: 'run', run: runInfo(after) }, { type: 'config', run: ref(after), config });
    return true;
  }

  private saveWorking(w: Working, events: LiveEvent[]): void {
    if (!w.changed) return;
    this.store.db.prepare(`UPDATE runs SET name = ?, notes = ?, group_name = ?, job_type = ?, entity = ?, tags = ?, state = ?,
      exit_code = ?, error = ?, updated_at = ?, finished_at = ?, heartbeat_at = ?, host = ?, pid = ?, run_dir = ?, sweep_id = ?,
      mode = ?, launch_id = ?, resumed = ?, fork_from = ?, config = ?, config_locked = ?, summary = ?, metadata = ?, metrics = ?,
      last_step = ?, last_runtime = ?, history_rows = ?, console_bytes = ?, activity = ? WHERE key = ?`).run(
      w.name, w.notes, w.group, w.job_type, w.entity, JSON.stringify(w.tags), w.state, w.exit_code,
      w.error ? JSON.stringify(w.error) : null, Date.now() / 1000, w.finished_at, w.heartbeat_at, w.host, w.pid, w.run_dir,
      w.sweep_id, w.mode, w.launch_id, w.resumed ? 1 : 0, w.fork_from ? JSON.stringify(w.fork_from) : null,
      JSON.stringify(w.config), JSON.stringify(w.config_locked), JSON.stringify(w.summary), JSON.stringify(w.metadata),
      JSON.stringify(w.metrics), w.last_step, w.last_runtime, w.history_rows, w.console_bytes,
      w.activity ? JSON.stringify(w.activity) : null, w.key);
    const beat = w.heartbeat_at ?? 0;
    const beatDue = w.state === 'running' && beat - (this.beatsSent.get(w.key) ?? -Infinity) >= HEARTBEAT_EVENT_SECONDS;
    if (w.infoChanged || beatDue) {
      events.push(w.infoChanged ? { type: 'run', run: runInfo(w) } : { type: 'run', run: runInfo(w), heartbeat: true });
      if (w.state === 'running') this.beatsSent.set(w.key, beat);
      else this.beatsSent.delete(w.key);
    }
    if (w.points.length) events.push({ type: 'history', run: ref(w), points: w.points, newKeys: w.newKeys });
    events.push(...w.events);
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(msg);
  }
}

function requireObject(v: unknown, what: string): void {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} must be an object`);
}

export function ref(r: { key: number; project: string; id: string }): RunRef {
  return { key: r.key, project: r.project, id: r.id };
}

export function runInfo(r: RunRow): RunInfo {
  return {
    key: r.key, project: r.project, id: r.id, name: r.name, state: r.state, group: r.group, job_type: r.job_type,
    tags: r.tags, notes: r.notes, sweep_id: r.sweep_id, launch_id: r.launch_id, created_at: r.created_at, updated_at: r.updated_at,
    finished_at: r.finished_at, heartbeat_at: r.heartbeat_at, exit_code: r.exit_code, last_step: r.last_step,
    history_rows: r.history_rows, activity: r.activity,
  };
}

/** A heartbeat's `activity`, checked; undefined when absent or malformed (older clients send none). */
function activityOf(v: unknown): RunActivity | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const a = v as Record<string, unknown>;
  if (typeof a.ts !== 'number' || !Number.isFinite(a.ts) || (a.kind !== 'log' && a.kind !== 'console')) return undefined;
  return { ts: a.ts, kind: a.kind, step: typeof a.step === 'number' && Number.isInteger(a.step) ? a.step : null };
}

/** Reads the journal uuid from record 0 of an open journal file. */
export function readJournalUuid(fd: number): string | null {
  const head = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  const first = parseJournalBytes(head.subarray(0, n)).records[0]?.record;
  return first && first.t === 'run' && typeof first.journal === 'string' ? first.journal : null;
}
