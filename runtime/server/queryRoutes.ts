// The query API the dashboard, the extension and scripts read runs through (protocol/api.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Runtime } from './runtime';
import { HttpError, type Request } from './router';
import { listProjects, queryRuns, QueryError, runColumnKeys, type RunQuery } from '../store/runQueries';
import { downsample, downsampleByMetric, type Downsampled } from '../store/downsample';
import { runInfo } from '../ingest/ingestor';
import type { ColumnsResponse, ConsoleResponse, FilesResponse, HistoryResponse, RunDetail, SeriesData, XAxis } from '../protocol/api';
import type { RunRow } from '../store/store';
import { systemHistory, SYSTEM_KEY_PREFIX } from '../store/systemSamples'; // system metrics
import { blobPath, contentType, runFile, runFiles } from '../store/blobs';

const many = (req: Request, name: string): string[] | undefined => {
  const v = req.query.getAll(name).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  return v.length ? v : undefined;
};

const intParam = (req: Request, name: string, dflt?: number): number | undefined => {
  const v = req.query.get(name);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new HttpError(400, `${name} must be a number, not "${v}"`);
  return n;
};

export function registerQueryRoutes(rt: Runtime): void {
  const r = rt.router;
  const store = rt.store;

  const runOr404 = (req: Request): RunRow => {
    const key = Number(req.params.key);
    const run = Number.isInteger(key) ? store.runByKey(key) : undefined;
    if (!run) throw new HttpError(404, `no run with key ${req.params.key}`);
    return run;
  };

  r.on('GET', '/api/projects', () => ({ json: { projects: listProjects(store.db) } }));

  const runQuery = (req: Request): RunQuery => ({
    project: many(req, 'project'), state: many(req, 'state'), tag: many(req, 'tag'), group: many(req, 'group'),
    q: req.query.get('q') ?? undefined, sort: req.query.get('sort') ?? undefined,
    order: (req.query.get('order') as RunQuery['order']) ?? undefined, columns: many(req, 'columns'),
    offset: intParam(req, 'offset'), limit: intParam(req, 'limit'),
    keys: many(req, 'keys')?.map(Number),
  });

  // The keys the column picker offers: every config/summary key of the runs the same filter matches.
  r.on('GET', '/api/columns', (req) => {
    const res: ColumnsResponse = { columns: runColumnKeys(store.db, runQuery(req)) };
    return { json: res };
  });

  r.on('GET', '/api/runs', (req) => {
    const q = runQuery(req);
    try {
      const res = queryRuns(store.db, q);
      return { json: { total: res.total, offset: q.offset ?? 0, runs: res.runs } };
    } catch (e) {
      if (e instanceof QueryError) throw new HttpError(400, e.message);
      throw e;
    }
  });

  r.on('GET', '/api/runs/:key', (req) => {
    const run = runOr404(req);
    const base = queryRuns(store.db, { keys: [run.key] }).runs[0];
    const keys = store.runKeys(run.key);
    const detail: RunDetail = {
      ...base, entity: run.entity, error: run.error, host: run.host, pid: run.pid, run_dir: run.run_dir, resumed: run.resumed,
      config: run.config, summary: run.summary, metadata: run.metadata, metrics: run.metrics,
      history_keys: keys.filter((k) => !k.name.startsWith('system/')),
      console_bytes: run.console_bytes, activity: run.activity,
      system_keys: keys.filter((k) => k.name.startsWith('system/')).map((k) => k.name.slice('system/'.length)),
    };
    return { json: detail };
  });

  r.on('GET', '/api/runs/:key/console', (req) => {
    const run = runOr404(req);
    const offset = intParam(req, 'offset', 0)!;
    const limit = Math.min(intParam(req, 'limit', 1 << 20)!, 16 << 20);
    const pieces: ConsoleResponse['pieces'] = [];
    let next = offset;
    let bytes = 0;
    for (const p of store.consoleFrom(run.key, offset, 100000)) {
      if (bytes >= limit) break;
      pieces.push({ offset: p.offset, ts: p.ts, stream: p.stream as 'stdout' | 'stderr', text: p.data.toString('utf8') });
      next = p.offset + p.data.length;
      bytes += p.data.length;
    }
    // An offset inside a piece (a client resuming mid-piece) starts at that piece: pieces keep their own
    // offsets and the client drops the bytes before the one it asked for.
    const res: ConsoleResponse = { offset, next_offset: next, total: run.console_bytes, pieces };
    return { json: res };
  });

  r.on('GET', '/api/runs/:key/files', (req) => {
    const res: FilesResponse = { files: runFiles(store.db, runOr404(req).key) };
    return { json: res };
  });

  r.on('GET', '/api/runs/:key/files/content', (req) => {
    const run = runOr404(req);
    const wanted = req.query.get('path');
    if (!wanted) throw new HttpError(400, 'path is required, e.g. ?path=code/train.py (see /api/runs/:key/files)');
    // Only a stored row's exact path is served, and the bytes are found by its sha256, never by the name.
    const file = runFile(store.db, run.key, wanted);
    if (!file) throw new HttpError(404, `run ${run.id} has no file ${JSON.stringify(wanted)}`);
    let body: Buffer;
    try {
      body = fs.readFileSync(blobPath(rt.paths.blobs, file.sha256));
    } catch {
      throw new HttpError(404, `the bytes of ${file.path} are not in this data root's blob store`);
    }
    // User content: never rendered as a page of the dashboard's origin.
    const headers = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; sandbox", 'Cache-Control': 'no-store' };
    return { body, type: contentType(file.path, file.kind), headers };
  });

  r.on('GET', '/api/runs/:key/history', (req) => {
    const run = runOr404(req);
    const keys = many(req, 'keys');
    if (!keys) throw new HttpError(400, 'keys is required, e.g. ?keys=loss,acc');
    const x = (req.query.get('x') ?? 'step') as XAxis;
    const width = intParam(req, 'width', 1000)!;
    const from = intParam(req, 'from', -Infinity)!;
    const to = intParam(req, 'to', Infinity)!;
    if (!(x === 'step' || x === 'wall' || x === 'relative' || x.startsWith('metric:'))) {
      throw new HttpError(400, `x must be step, wall, relative or metric:<key>, not "${x}"`);
    }
    store.ensureSeriesLoaded(run.key);
    const series: Record<string, SeriesData> = {};
    // system metrics: system/<tag> keys are answered from system_samples (store/systemSamples.ts)
    const sysTags = keys.filter((k) => k.startsWith(SYSTEM_KEY_PREFIX)).map((k) => k.slice(SYSTEM_KEY_PREFIX.length));
    const sys = systemHistory(store.db, run.key, sysTags, x, width, from, to, run.created_at);
    for (const key of keys) {
      if (key.startsWith(SYSTEM_KEY_PREFIX)) { series[key] = toSeriesData(sys[key.slice(SYSTEM_KEY_PREFIX.length)]); continue; } // system metrics
      // A key never logged has no id (-1 matches nothing): the answer is an empty series, and nothing is written.
      const keyId = store.findKeyId(key) ?? -1;
      let d: Downsampled;
      if (x.startsWith('metric:')) d = downsampleByMetric(store.series, run.key, keyId, store.findKeyId(x.slice(7)) ?? -1, width, from, to);
      else d = downsample(store.series, run.key, keyId, x as 'step' | 'wall' | 'relative', width, from, to, run.created_at);
      series[key] = toSeriesData(d);
    }
    const res: HistoryResponse = { x, series };
    return { json: res };
  });

  r.on('POST', '/api/runs/:key/stop', (req) => {
    const run = runOr404(req);
    if (run.state !== 'running') throw new HttpError(409, `run ${run.id} is not running (it is ${run.state})`);
    if (!run.pid || run.host !== os.hostname()) throw new HttpError(409, `run ${run.id} runs on ${run.host ?? 'another machine'}; stop it there`);
    try {
      process.kill(run.pid, 'SIGTERM');
    } catch (e) {
      throw new HttpError(409, `could not signal process ${run.pid}: ${(e as Error).message}`);
    }
    return { json: { ok: true, signal: 'SIGTERM', pid: run.pid } };
  });

  r.on('DELETE', '/api/runs/:key', (req) => {
    const run = runOr404(req);
    if (run.state === 'running') throw new HttpError(409, `run ${run.id} is still running; stop it first`);
    // Its run directories inside the data root go too, or the scanner would find them again later.
    const dirs = rt.journalPaths(run.key).map((p) => path.dirname(p)).filter((d) => path.dirname(d) === rt.paths.runs);
    store.deleteRun(run.key);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    rt.bus.publish([{ type: 'run-deleted', run: { key: run.key, project: run.project, id: run.id } }]);
    return { json: { ok: true } };
  });

  r.on('GET', '/api/runs/:key/info', (req) => ({ json: runInfo(runOr404(req)) }));
}

function toSeriesData(d: Downsampled): SeriesData {
  const out: SeriesData = { x: [], y: [], steps: [], count: d.count, sampled: d.sampled };
  d.points.forEach((p, i) => {
    out.x.push(p.x);
    out.steps.push(p.step);
    if (Number.isFinite(p.y)) out.y.push(p.y);
    else {
      out.y.push(null);
      (out.nonFinite ??= {})[i] = Number.isNaN(p.y) ? 'NaN' : p.y > 0 ? 'Infinity' : '-Infinity';
    }
  });
  return out;
}
