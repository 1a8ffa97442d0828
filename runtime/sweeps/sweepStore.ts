// Sweeps in the store: the sweep (its filled config and state) and the trials it handed out.
import type { DB } from '../store/db';
import type { SweepConfig } from './config/types';

export type SweepState = 'running' | 'paused' | 'finished' | 'stopped' | 'cancelled';

export interface SweepRow {
  id: string;
  project: string;
  name: string | null;
  config: SweepConfig;
  raw: string | null;
  source_path: string | null;
  state: SweepState;
  reason: string | null;
  seed: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface TrialRow {
  sweep_id: string;
  run_id: string;
  params: Record<string, unknown>;
  agent_id: string | null;
  created_at: number;
  /** why the controller asked this trial to stop (early termination, cancel) */
  stop_reason: string | null;
  /** set when the agent saw the process end */
  exit_code: number | null;
  ended_at: number | null;
}

// The tables are created by store migration 3 (runtime/store/migrations.ts).

const SWEEP_COLUMNS = `s.id, p.name AS project, s.name, s.config, s.raw, s.source_path, s.state, s.reason, s.seed, s.created_at,
  s.updated_at, s.finished_at`;

function toSweep(r: any): SweepRow {
  return { ...r, config: JSON.parse(r.config) };
}

function toTrial(r: any): TrialRow {
  return { ...r, params: JSON.parse(r.params) };
}

export class SweepStore {
  constructor(private readonly db: DB) {}

  insert(s: Omit<SweepRow, 'updated_at' | 'finished_at' | 'reason' | 'state'>, projectId: number): void {
    this.db.prepare(`INSERT INTO sweeps (id, project_id, name, config, raw, source_path, state, seed, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`).run(s.id, projectId, s.name, JSON.stringify(s.config), s.raw, s.source_path,
      s.seed, s.created_at, s.created_at);
  }

  get(id: string): SweepRow | undefined {
    const r = this.db.prepare(`SELECT ${SWEEP_COLUMNS} FROM sweeps s JOIN projects p ON p.id = s.project_id WHERE s.id = ?`).get(id);
    return r ? toSweep(r) : undefined;
  }

  list(project?: string): SweepRow[] {
    return (this.db.prepare(`SELECT ${SWEEP_COLUMNS} FROM sweeps s JOIN projects p ON p.id = s.project_id
      ${project ? 'WHERE p.name = ?' : ''} ORDER BY s.created_at DESC`).all(...(project ? [project] : [])) as any[]).map(toSweep);
  }

  setState(id: string, state: SweepState, reason: string | null): void {
    const now = Date.now() / 1000;
    const final = state === 'finished' || state === 'stopped' || state === 'cancelled';
    this.db.prepare('UPDATE sweeps SET state = ?, reason = ?, updated_at = ?, finished_at = CASE WHEN ? THEN coalesce(finished_at, ?) ELSE NULL END WHERE id = ?')
      .run(state, reason, now, final ? 1 : 0, now, id);
  }

  trials(sweepId: string): TrialRow[] {
    return (this.db.prepare('SELECT * FROM sweep_trials WHERE sweep_id = ? ORDER BY created_at, run_id').all(sweepId) as any[]).map(toTrial);
  }

  trial(sweepId: string, runId: string): TrialRow | undefined {
    const r = this.db.prepare('SELECT * FROM sweep_trials WHERE sweep_id = ? AND run_id = ?').get(sweepId, runId);
    return r ? toTrial(r) : undefined;
  }

  addTrial(t: Pick<TrialRow, 'sweep_id' | 'run_id' | 'params' | 'agent_id' | 'created_at'>): void {
    this.db.prepare('INSERT INTO sweep_trials (sweep_id, run_id, params, agent_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(t.sweep_id, t.run_id, JSON.stringify(t.params), t.agent_id, t.created_at);
  }

  setStopReason(sweepId: string, runId: string, reason: string): void {
    this.db.prepare('UPDATE sweep_trials SET stop_reason = coalesce(stop_reason, ?) WHERE sweep_id = ? AND run_id = ?').run(reason, sweepId, runId);
  }

  endTrial(sweepId: string, runId: string, exitCode: number | null): void {
    this.db.prepare('UPDATE sweep_trials SET exit_code = ?, ended_at = coalesce(ended_at, ?) WHERE sweep_id = ? AND run_id = ?')
      .run(exitCode, Date.now() / 1000, sweepId, runId);
  }

  registerAgent(id: string, sweepId: string, host: string | null, pid: number | null): void {
    const now = Date.now() / 1000;
    this.db.prepare(`INSERT OR REPLACE INTO sweep_agents (id, sweep_id, host, pid, started_at, heartbeat_at, state) VALUES (?, ?, ?, ?, ?, ?, 'running')`)
      .run(id, sweepId, host, pid, now, now);
  }

  agentHeartbeat(id: string, state = 'running'): void {
    this.db.prepare('UPDATE sweep_agents SET heartbeat_at = ?, state = ? WHERE id = ?').run(Date.now() / 1000, state, id);
  }

  agentSweep(agentId: string): string | undefined {
    return (this.db.prepare('SELECT sweep_id FROM sweep_agents WHERE id = ?').get(agentId) as { sweep_id: string } | undefined)?.sweep_id;
  }

  agents(sweepId: string): { id: string; host: string | null; pid: number | null; heartbeat_at: number; state: string }[] {
    return this.db.prepare('SELECT id, host, pid, heartbeat_at, state FROM sweep_agents WHERE sweep_id = ?').all(sweepId) as any[];
  }
}
