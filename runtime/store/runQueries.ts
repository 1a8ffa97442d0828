// Run listing for the dashboard and the API: filters, sorting by any column (config and summary
// values included, through SQLite's JSON functions), paging.
import type { DB } from './db';
import type { JsonValue } from '../protocol/journal';
import type { RunListItem } from '../protocol/api';

export interface RunQuery {
  project?: string[];
  state?: string[];
  tag?: string[];
  group?: string[];
  q?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  columns?: string[];
  offset?: number;
  limit?: number;
  keys?: number[];
}

export class QueryError extends Error {}

const PLAIN_SORTS: Record<string, string> = {
  created_at: 'r.created_at', updated_at: 'r.updated_at', name: 'r.name COLLATE NOCASE', id: 'r.id', state: 'r.state',
  project: 'p.name COLLATE NOCASE', group: 'r.group_name COLLATE NOCASE', job_type: 'r.job_type', last_step: 'r.last_step',
  duration: 'duration', finished_at: 'r.finished_at', heartbeat_at: 'r.heartbeat_at',
  tags: "(SELECT group_concat(value, ', ') FROM json_each(r.tags)) COLLATE NOCASE", notes: 'r.notes COLLATE NOCASE', exit_code: 'r.exit_code', sweep_id: 'r.sweep_id', history_rows: 'r.history_rows',
};

/**
 * `config.a.b` -> the nested value a → b, or else a top-level key literally named "a.b" (W&B configs
 * often hold flat dotted keys such as "optimizer.lr", and the column picker shows both the same way).
 */
export function jsonColumn(spec: string): string {
  const m = /^(config|summary|metadata)\.(.+)$/.exec(spec);
  if (!m) throw new QueryError(`unknown column "${spec}": use a run field (${Object.keys(PLAIN_SORTS).join(', ')}) or config.<key> / summary.<key>`);
  const seg = (s: string) => `"${s.replace(/"/g, '""').replace(/'/g, "''")}"`;
  const nested = `json_extract(r.${m[1]}, '$.${m[2].split('.').map(seg).join('.')}')`;
  if (!m[2].includes('.')) return nested;
  return `coalesce(${nested}, json_extract(r.${m[1]}, '$.${seg(m[2])}'))`;
}

const LIST_COLUMNS = `r.key, p.name AS project, r.id, r.name, r.state, r.group_name, r.job_type, r.tags, r.notes, r.sweep_id, r.launch_id,
  r.created_at, r.updated_at, r.finished_at, r.heartbeat_at, r.exit_code, r.last_step, r.history_rows`;

/** The WHERE clause of a run filter (project, state, group, keys, tags, free text). */
function runFilter(q: RunQuery): { whereSql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const inList = (col: string, vals?: string[]) => {
    if (!vals?.length) return;
    where.push(`${col} IN (${vals.map(() => '?').join(',')})`);
    args.push(...vals);
  };
  inList('p.name', q.project);
  inList('r.state', q.state);
  inList('r.group_name', q.group);
  if (q.keys?.length) {
    where.push(`r.key IN (${q.keys.map(() => '?').join(',')})`);
    args.push(...q.keys);
  }
  for (const t of q.tag ?? []) {
    where.push('EXISTS (SELECT 1 FROM json_each(r.tags) WHERE value = ?)');
    args.push(t);
  }
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    where.push(`(r.id LIKE ? ESCAPE '\\' OR r.name LIKE ? ESCAPE '\\' OR r.notes LIKE ? ESCAPE '\\' OR r.tags LIKE ? ESCAPE '\\'
      OR r.group_name LIKE ? ESCAPE '\\' OR r.job_type LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\')`);
    args.push(like, like, like, like, like, like, like);
  }
  return { whereSql: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

export function queryRuns(db: DB, q: RunQuery, now = Date.now() / 1000): { total: number; runs: RunListItem[] } {
  const { whereSql, args } = runFilter(q);
  const sort = q.sort ?? 'created_at';
  const plain = PLAIN_SORTS[sort];
  const sortExpr = plain ?? jsonColumn(sort);
  const order = q.order ?? (sort === 'created_at' ? 'desc' : 'asc');
  if (order !== 'asc' && order !== 'desc') throw new QueryError(`order must be asc or desc, not "${order}"`);
  const columns = (q.columns ?? []).filter(Boolean);
  const colExprs = columns.map((c, i) => `${jsonColumn(c)} AS c${i}`);
  const duration = `(CASE WHEN r.state = 'running' THEN ? ELSE coalesce(r.finished_at, r.heartbeat_at, r.updated_at) END) - r.created_at`;
  const limit = Math.min(Math.max(q.limit ?? 1000, 0), 100000);
  const offset = Math.max(q.offset ?? 0, 0);
  const total = (db.prepare(`SELECT count(*) AS n FROM runs r JOIN projects p ON p.id = r.project_id ${whereSql}`).get(...args) as any).n;
  // NULLs last whatever the direction, then a stable tie-break.
  const orderBy = plain ? `(${sortExpr}) IS NULL, ${sortExpr} ${order}` : jsonOrder(order);
  const sql = `SELECT ${LIST_COLUMNS}, ${duration} AS duration ${colExprs.length ? ', ' + colExprs.join(', ') : ''}
    ${plain ? '' : `, ${sortExpr} AS sort_value`}
    FROM runs r JOIN projects p ON p.id = r.project_id ${whereSql}
    ORDER BY ${orderBy}, r.key ${order} LIMIT ? OFFSET ?`;
  const rows = db.prepare(sql).all(now, ...args, limit, offset) as any[];
  return {
    total,
    runs: rows.map((r) => {
      const cols: Record<string, JsonValue> = {};
      columns.forEach((c, i) => (cols[c] = parseJsonCell(r[`c${i}`])));
      return {
        key: r.key, project: r.project, id: r.id, name: r.name, state: r.state, group: r.group_name, job_type: r.job_type,
        tags: JSON.parse(r.tags), notes: r.notes, sweep_id: r.sweep_id, launch_id: r.launch_id, created_at: r.created_at, updated_at: r.updated_at,
        finished_at: r.finished_at, heartbeat_at: r.heartbeat_at, exit_code: r.exit_code, last_step: r.last_step,
        history_rows: r.history_rows, duration: Math.max(0, r.duration ?? 0), columns: cols,
      };
    }),
  };
}

// Non-finite numbers are stored as {"$num": ...} markers, which json_extract gives as this JSON text.
const NUM = (kind: string) => `'{"$num":"${kind}"}'`;

/**
 * ORDER BY terms for a config/summary value (the select's sort_value), as spreadsheets order numbers:
 * -Infinity < finite < +Infinity, then other values (text, objects) after numbers as SQLite orders them;
 * NaN, then missing, last in both directions.
 */
function jsonOrder(order: 'asc' | 'desc'): string {
  const v = 'sort_value';
  const last = `CASE WHEN ${v} IS NULL THEN 2 WHEN ${v} = ${NUM('NaN')} THEN 1 ELSE 0 END`;
  const rank = `CASE WHEN ${v} = ${NUM('-Infinity')} THEN 0 WHEN typeof(${v}) IN ('integer', 'real') THEN 1 WHEN ${v} = ${NUM('Infinity')} THEN 2 ELSE 3 END`;
  return `${last}, ${rank} ${order}, ${v} ${order}`;
}

/** json_extract gives scalars as SQL values and objects/arrays as JSON text. */
function parseJsonCell(v: unknown): JsonValue {
  if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
    try { return JSON.parse(v); } catch { return v; }
  }
  return (v ?? null) as JsonValue;
}

export function listProjects(db: DB): { name: string; runs: number; running: number; last_created: number | null }[] {
  return db.prepare(`SELECT p.name, count(r.key) AS runs, sum(r.state = 'running') AS running, max(r.created_at) AS last_created
    FROM projects p LEFT JOIN runs r ON r.project_id = p.id GROUP BY p.id HAVING count(r.key) > 0 ORDER BY p.name`).all()
    .map((r: any) => ({ name: r.name, runs: r.runs, running: r.running ?? 0, last_created: r.last_created }));
}

/**
 * Every config and summary key of the runs a filter matches, as the column picker offers them
 * (`config.a.b`): leaves of nested objects; arrays, {"$num"} markers and media objects ({"_type"})
 * are leaves; keys starting with "_" are internal. Found by SQLite's json_tree, so all runs count,
 * not just the ones on screen.
 */
export function runColumnKeys(db: DB, q: RunQuery): string[] {
  const { whereSql, args } = runFilter(q);
  const out = new Set<string>();
  for (const kind of ['config', 'summary'] as const) {
    const rows = db.prepare(`SELECT DISTINCT j.fullkey AS k FROM runs r JOIN projects p ON p.id = r.project_id, json_tree(r.${kind}) j
      ${whereSql ? whereSql + ' AND' : 'WHERE'} j.type != 'object' AND j.fullkey NOT LIKE '%]'`).all(...args) as { k: string }[];
    for (const { k } of rows) {
      const segs = jsonPathSegments(k);
      const media = segs.indexOf('_type');
      const leaf = media > 0 ? segs.slice(0, media) : segs.at(-1) === '$num' ? segs.slice(0, -1) : segs;
      if (!leaf.length || leaf.some((seg) => seg.startsWith('_') || seg === '$num')) continue;
      out.add(`${kind}.${leaf.join('.')}`);
    }
  }
  return [...out].sort();
}

/** `$.a."b.c"[2].d` -> ["a", "b.c", "d"]: json_tree's fullkey as object keys, array indexes dropped. */
function jsonPathSegments(fullkey: string): string[] {
  const segs: string[] = [];
  const re = /\.(?:"((?:[^"]|"")*)"|([^.[]+))|\[\d+\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(fullkey))) {
    if (m[1] !== undefined) segs.push(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined) segs.push(m[2]);
  }
  return segs;
}
