// The store: one SQLite database per data root, plus the numeric series index.
import type { DB } from './db';
import { openDatabase } from './db';
import { SeriesStore } from './series';
import { flattenRow } from './values';
import type { JsonObject, JsonValue, RunActivity, RunState } from '../protocol/journal';

export interface RunRow {
  key: number;
  project: string;
  id: string;
  name: string | null;
  notes: string | null;
  group: string | null;
  job_type: string | null;
  entity: string | null;
  tags: string[];
  state: RunState;
  exit_code: number | null;
  error: { type: string; message: string; traceback: string } | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  heartbeat_at: number | null;
  host: string | null;
  pid: number | null;
  run_dir: string | null;
  sweep_id: string | null;
  mode: string | null;
  launch_id: string | null;
  resumed: boolean;
  fork_from: { run: string; step: number } | null;
  config: JsonObject;
  config_locked: string[];
  summary: JsonObject;
  metadata: JsonObject;
  metrics: Record<string, JsonObject>;
  last_step: number | null;
  last_runtime: number | null;
  history_rows: number;
  console_bytes: number;
  /** the last activity its heartbeats reported (migration 4) */
  activity: RunActivity | null;
}

const RUN_COLUMNS = `r.key, p.name AS project, r.id, r.name, r.notes, r.group_name, r.job_type, r.entity, r.tags, r.state,
  r.exit_code, r.error, r.created_at, r.updated_at, r.finished_at, r.heartbeat_at, r.host, r.pid, r.run_dir, r.sweep_id,
  r.mode, r.launch_id, r.resumed, r.fork_from, r.config, r.config_locked, r.summary, r.metadata, r.metrics, r.last_step,
  r.last_runtime, r.history_rows, r.console_bytes, r.activity`;

export function rowToRun(r: any): RunRow {
  return {
    key: r.key, project: r.project, id: r.id, name: r.name, notes: r.notes, group: r.group_name, job_type: r.job_type,
    entity: r.entity, tags: JSON.parse(r.tags), state: r.state, exit_code: r.exit_code,
    error: r.error ? JSON.parse(r.error) : null, created_at: r.created_at, updated_at: r.updated_at,
    finished_at: r.finished_at, heartbeat_at: r.heartbeat_at, host: r.host, pid: r.pid, run_dir: r.run_dir,
    sweep_id: r.sweep_id, mode: r.mode, launch_id: r.launch_id, resumed: !!r.resumed,
    fork_from: r.fork_from ? JSON.parse(r.fork_from) : null, config: JSON.parse(r.config),
    config_locked: JSON.parse(r.config_locked), summary: JSON.parse(r.summary), metadata: JSON.parse(r.metadata),
    metrics: JSON.parse(r.metrics), last_step: r.last_step, last_runtime: r.last_runtime, history_rows: r.history_rows,
    console_bytes: r.console_bytes, activity: r.activity ? JSON.parse(r.activity) : null,
  };
}

export class Store {
  readonly series: SeriesStore;
  private keyIds = new Map<string, number>();
  /** (run, key) pairs known to be in run_keys, so repeated keys cost no statement. */
  private runKeyIds = new Map<number, Set<number>>();
  private keyNames = new Map<number, string>();
  private projectIds = new Map<string, number>();
  private s;

  constructor(readonly db: DB) {
    this.series = new SeriesStore(db);
    this.s = {
      projectByName: db.prepare('SELECT id FROM projects WHERE name = ?'),
      insertProject: db.prepare('INSERT INTO projects (name, created_at) VALUES (?, ?)'),
      keyByName: db.prepare('SELECT id FROM metric_keys WHERE name = ?'),
      keyById: db.prepare('SELECT name FROM metric_keys WHERE id = ?'),
      insertKey: db.prepare('INSERT INTO metric_keys (name) VALUES (?)'),
      runByKey: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.key = ?`),
      runByProjectId: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = ? AND r.id = ?`),
      runsById: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN projects p ON p.id = r.project_id WHERE r.id = ?`),
      insertHistory: db.prepare('INSERT OR REPLACE INTO history (run_key, step, ts, runtime, data) VALUES (?, ?, ?, ?, ?)'),
      insertRunKey: db.prepare('INSERT OR IGNORE INTO run_keys (run_key, key_id, numeric) VALUES (?, ?, ?)'),
      insertConsole: db.prepare('INSERT OR REPLACE INTO console (run_key, offset, ts, stream, data) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  close(): void {
    this.series.flush();
    this.db.close();
  }

  projectId(name: string, now = Date.now() / 1000): number {
    let id = this.projectIds.get(name);
    if (id !== undefined) return id;
    const r = this.s.projectByName.get(name) as any;
    id = r ? (r.id as number) : Number(this.s.insertProject.run(name, now).lastInsertRowid);
    this.projectIds.set(name, id);
    return id;
  }

  keyId(name: string): number {
    let id = this.keyIds.get(name);
    if (id !== undefined) return id;
    const r = this.s.keyByName.get(name) as any;
    id = r ? (r.id as number) : Number(this.s.insertKey.run(name).lastInsertRowid);
    this.keyIds.set(name, id);
    this.keyNames.set(id, name);
    return id;
  }

  /** The id of a key already stored, without creating one (queries for unknown keys stay read-only). */
  findKeyId(name: string): number | undefined {
    const known = this.keyIds.get(name);
    if (known !== undefined) return known;
    const r = this.s.keyByName.get(name) as any;
    return r ? this.keyId(name) : undefined;
  }

  keyName(id: number): string {
    let name = this.keyNames.get(id);
    if (name === undefined) {
      name = (this.s.keyById.get(id) as any)?.name as string;
      this.keyNames.set(id, name);
    }
    return name;
  }

  runByKey(key: number): RunRow | undefined {
    const r = this.s.runByKey.get(key);
    return r ? rowToRun(r) : undefined;
  }

  runByProjectAndId(project: string, id: string): RunRow | undefined {
    const r = this.s.runByProjectId.get(project, id);
    return r ? rowToRun(r) : undefined;
  }

  /** Runs with this id in any project (ids are unique per project only). */
  runsById(id: string): RunRow[] {
    return (this.s.runsById.all(id) as any[]).map(rowToRun);
  }

  /** Resolves `id` or `project/id` to one run, or explains why not. */
  resolveRun(ref: string): RunRow {
    const slash = ref.lastIndexOf('/');
    if (slash > 0) {
      const run = this.runByProjectAndId(ref.slice(0, slash), ref.slice(slash + 1));
      if (!run) throw new Error(`No run "${ref.slice(slash + 1)}" in project "${ref.slice(0, slash)}". List runs with: trackwell ls`);
      return run;
    }
    const runs = this.runsById(ref);
    if (!runs.length) throw new Error(`No run with id "${ref}". List runs with: trackwell ls`);
    if (runs.length > 1) {
      throw new Error(`Run id "${ref}" exists in several projects (${runs.map((r) => r.project).join(', ')}); ` +
        `name it as PROJECT/ID, e.g. ${runs[0].project}/${ref}`);
    }
    return runs[0];
  }

  listRuns(filter: { project?: string; state?: string } = {}): RunRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.project) { where.push('p.name = ?'); args.push(filter.project); }
    if (filter.state) { where.push('r.state = ?'); args.push(filter.state); }
    const sql = `SELECT ${RUN_COLUMNS} FROM runs r JOIN projects p ON p.id = r.project_id
      ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY r.created_at, r.key`;
    return (this.db.prepare(sql).all(...args) as any[]).map(rowToRun);
  }

  /** Stores a history row and its numeric leaves; `each` sees every flattened leaf (one pass for callers). */
  insertHistoryRow(runKey: number, step: number, ts: number, runtime: number, data: JsonObject, each?: (name: string, value: JsonValue) => void): string[] {
    const json = JSON.stringify(data);
    this.s.insertHistory.run(runKey, step, ts, runtime, json);
    const newKeys: string[] = [];
    // Keys this run already has skip the INSERT OR IGNORE: most rows repeat the same keys, and one
    // statement per key per row was a third of the ingest time.
    let known = this.runKeyIds.get(runKey);
    if (!known) this.runKeyIds.set(runKey, (known = new Set()));
    for (const [name, value] of flattenRow(data)) {
      const keyId = this.keyId(name);
      const numeric = typeof value === 'number';
      if (!known.has(keyId)) {
        known.add(keyId);
        if (this.s.insertRunKey.run(runKey, keyId, numeric ? 1 : 0).changes) newKeys.push(name);
      }
      if (numeric) this.series.append(runKey, keyId, step, ts, value);
      each?.(name, value);
    }
    return newKeys;
  }

  /** Numeric leaves of a stored history row as [key id, value] (for rebuilding series). */
  numericLeaves = (json: string): Iterable<[number, number]> => {
    const out: [number, number][] = [];
    for (const [name, value] of flattenRow(JSON.parse(json))) if (typeof value === 'number') out.push([this.keyId(name), value]);
    return out;
  };

  ensureSeriesLoaded(runKey: number): void {
    this.series.ensureLoaded(runKey, this.numericLeaves);
  }

  appendConsole(runKey: number, offset: number, ts: number, stream: string, data: Buffer): void {
    this.s.insertConsole.run(runKey, offset, ts, stream, data);
  }

  /** History key names of a run, with whether they are numeric. */
  runKeys(runKey: number): { name: string; numeric: boolean }[] {
    return (this.db.prepare('SELECT k.name, rk.numeric FROM run_keys rk JOIN metric_keys k ON k.id = rk.key_id WHERE rk.run_key = ? ORDER BY k.name')
      .all(runKey) as any[]).map((r) => ({ name: r.name, numeric: !!r.numeric }));
  }

  /** Every history row of a run in step order. */
  *historyRows(runKey: number): Generator<{ step: number; ts: number; runtime: number; data: JsonObject }> {
    for (const r of this.db.prepare('SELECT step, ts, runtime, data FROM history WHERE run_key = ? ORDER BY step').iterate(runKey) as Iterable<any>) {
      yield { step: r.step, ts: r.ts, runtime: r.runtime, data: JSON.parse(r.data) };
    }
  }

  /** Console pieces of a run from a byte offset. */
  consoleFrom(runKey: number, offset = 0, limit = 100000): { offset: number; ts: number; stream: string; data: Buffer }[] {
    // An offset inside a piece starts at that piece (the reader trims what it already has), so a
    // reader resuming mid-piece never skips bytes; a piece that ends at or before the offset is done.
    return this.db.prepare(`SELECT offset, ts, stream, data FROM console WHERE run_key = ?
        AND offset >= COALESCE((SELECT MAX(offset) FROM console WHERE run_key = ? AND offset <= ?), 0)
        AND offset + length(data) > ?
        ORDER BY offset LIMIT ?`)
      .all(runKey, runKey, offset, offset, limit) as any[];
  }

  deleteRun(runKey: number): void {
    this.runKeyIds.delete(runKey);
    this.db.transaction(() => {
      this.series.deleteRun(runKey);
      for (const t of ['history', 'console', 'run_keys', 'files']) this.db.prepare(`DELETE FROM ${t} WHERE run_key = ?`).run(runKey);
      this.db.prepare('UPDATE journals SET run_key = NULL WHERE run_key = ?').run(runKey);
      this.db.prepare('DELETE FROM runs WHERE key = ?').run(runKey);
    })();
  }
}
