// Sweep endpoints: create, list, inspect, control, and the agent protocol (register, next, heartbeat).
import type { Runtime } from './runtime';
import { HttpError } from './router';
import { SweepController, SweepError, type SweepSummary } from '../sweeps/controller';
import { checkSweepObject } from '../sweeps/configCheck';

export interface SweepListResponse {
  sweeps: SweepSummary[];
}

export function registerSweepRoutes(rt: Runtime): SweepController {
  const ctl = new SweepController(rt.store, rt.bus);
  const r = rt.router;
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SweepError) throw new HttpError(e.status, e.message);
      throw e;
    }
  };

  r.on('POST', '/api/sweeps', (req) => wrap(() => {
    const body = req.json<{ config?: unknown; project?: string; raw?: string; source_path?: string; prior_runs?: string[] }>();
    if (!body.config || typeof body.config !== 'object') throw new HttpError(400, 'config (the sweep configuration as an object) is required');
    const checked = checkSweepObject(body.config);
    if (!checked.config) throw new HttpError(400, `the sweep configuration has errors:\n${checked.errors.join('\n')}`);
    const project = body.project || checked.config.project || 'uncategorized';
    const sweep = ctl.create({ config: checked.config, project, raw: body.raw ?? null, sourcePath: body.source_path ?? null, priorRuns: body.prior_runs });
    return { json: { id: sweep.id, project, warnings: checked.warnings } };
  }));

  r.on('GET', '/api/sweeps', (req) => wrap(() => {
    const sweeps = ctl.sweeps.list(req.query.get('project') ?? undefined).map((s) => ctl.summary(s));
    return { json: { sweeps } satisfies SweepListResponse };
  }));

  r.on('GET', '/api/sweeps/:id', (req) => wrap(() => {
    const s = ctl.get(req.params.id);
    const trials = ctl.trialInfos(s);
    return { json: { ...ctl.summary(s, trials), config: s.config, raw: s.raw, source_path: s.source_path, trials } };
  }));

  r.on('POST', '/api/sweeps/:id/control', (req) => wrap(() => {
    const { action } = req.json<{ action?: string }>();
    if (action !== 'pause' && action !== 'resume' && action !== 'stop' && action !== 'cancel') {
      throw new HttpError(400, 'action must be pause, resume, stop or cancel');
    }
    const s = ctl.control(req.params.id, action);
    return { json: ctl.summary(s) };
  }));

  r.on('POST', '/api/sweeps/:id/agents', (req) => wrap(() => {
    const { host, pid } = req.json<{ host?: string; pid?: number }>();
    return { json: { agent_id: ctl.registerAgent(req.params.id, host ?? null, pid ?? null) } };
  }));

  r.on('POST', '/api/sweeps/:id/next', (req) => wrap(() => {
    const { agent_id: agentId } = req.json<{ agent_id?: string }>();
    return { json: ctl.next(req.params.id, agentId ?? null) };
  }));

  r.on('POST', '/api/sweeps/:id/agents/:agent/heartbeat', (req) => wrap(() => {
    const { ended } = req.json<{ ended?: { run_id: string; exit_code: number | null }[] }>();
    return { json: ctl.heartbeat(req.params.id, req.params.agent, ended ?? []) };
  }));

  r.on('POST', '/api/sweeps/:id/agents/:agent/exit', (req) => wrap(() => {
    ctl.agentExited(req.params.agent);
    return { json: { ok: true } };
  }));

  return ctl;
}
