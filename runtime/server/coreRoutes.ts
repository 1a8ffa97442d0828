// Endpoints clients need to record runs: health, ingest, resume lookups, sync, shutdown.
import path from 'node:path';
import type { Runtime } from './runtime';
import { HttpError } from './router';
import { VERSION } from './runtimeInfo';

export function registerCoreRoutes(rt: Runtime): void {
  const r = rt.router;

  r.on('GET', '/api/health', () => ({ json: { ok: true, version: VERSION, pid: process.pid, data_root: rt.paths.root } }));

  r.on('POST', '/api/ingest', (req) => {
    const journal = req.query.get('journal') ?? '';
    const offset = Number(req.query.get('offset') ?? '0');
    const p = req.query.get('path');
    if (!/^[A-Za-z0-9-]{8,64}$/.test(journal)) throw new HttpError(400, 'journal must be the journal uuid');
    if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, 'offset must be a non-negative integer');
    if (p !== null && !path.isAbsolute(p)) throw new HttpError(400, 'path must be the absolute path of the journal');
    const out = rt.ingestor.ingestBytes(journal, offset, p, req.body);
    if (out.conflict) return { status: 409, json: { offset: out.offset } };
    return { json: { offset: out.offset, seq: out.seq, problems: out.problems.map((x) => x.reason) } };
  });

  r.on('GET', '/api/resume', (req) => {
    const project = req.query.get('project');
    const id = req.query.get('id');
    if (!project || !id) throw new HttpError(400, 'project and id are required');
    let run = rt.store.runByProjectAndId(project, id);
    if (!run) return { json: { exists: false } };
    // The run's journals may hold steps the store has not seen yet (a client that died offline).
    rt.catchUpRun(run.key, run.state !== 'running');
    run = rt.store.runByProjectAndId(project, id)!;
    return {
      json: {
        exists: true, state: run.state, last_step: run.last_step, last_runtime: run.last_runtime, config: run.config,
        summary: run.summary, tags: run.tags, name: run.name, notes: run.notes, group: run.group, job_type: run.job_type,
        host: run.host, created_at: run.created_at,
      },
    };
  });

  r.on('POST', '/api/sync', (req) => {
    const { path: target } = req.json<{ path?: string }>();
    if (!target || !path.isAbsolute(target)) throw new HttpError(400, 'path must be an absolute path');
    try {
      return { json: { journals: rt.scanner.sync(target) } };
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
  });

  r.on('POST', '/api/process-exit', (req) => {
    // `stopped`: the launcher stopped the process on purpose (why), so the run ends killed rather than crashed.
    const { pid, launch_id: launchId, code, signal, stopped } = req.json<{ pid?: number; launch_id?: string; code?: number | null; signal?: string | null; stopped?: string }>();
    const runs = rt.store.db.prepare(`SELECT key FROM runs WHERE state = 'running' AND ((launch_id IS NOT NULL AND launch_id = ?) OR (pid = ? AND host = ?))`)
      .all(launchId ?? null, pid ?? -1, rt.hostname) as any[];
    const how = signal ? `its process was killed by ${signal}` : `its process exited with code ${code} without finishing the run`;
    const why = stopped ? `stopped (${stopped}); ${how}` : how;
    for (const x of runs) rt.liveness.markCrashedIfStillRunning(x.key, why, stopped ? 'killed' : 'crashed');
    return { json: { checked: runs.length } };
  });

  r.on('GET', '/api/metric-keys', (req) => {
    const project = req.query.get('project');
    const rows = rt.store.db.prepare(`SELECT DISTINCT k.name FROM run_keys rk JOIN metric_keys k ON k.id = rk.key_id
      JOIN runs r ON r.key = rk.run_key JOIN projects p ON p.id = r.project_id
      WHERE rk.numeric = 1 ${project ? 'AND p.name = ?' : ''} ORDER BY k.name LIMIT 5000`).all(...(project ? [project] : [])) as any[];
    return { json: { keys: rows.map((x) => x.name) } };
  });

  r.on('POST', '/api/shutdown', () => {
    setImmediate(() => void rt.stop());
    return { json: { ok: true } };
  });
}
