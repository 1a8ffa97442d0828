// The local sweep controller: hands out trials (grid, random, bayes), decides early termination
// (hyperband), ends the sweep on run_cap, target or an exhausted grid, and carries pause, resume,
// stop and cancel. Its state is in the store, so a sweep picks up where it was after a restart.
import crypto from 'node:crypto';
import type { Store, RunRow } from '../store/store';
import type { LiveBus } from '../live/bus';
import { SweepStore, type SweepRow, type SweepState, type TrialRow } from './sweepStore';
import type { SweepConfig } from './config/types';
import { nextRun, stopRuns, makeRng, targetReached, gridSize, hyperbandBands, SearchConfigError, type SweepRunView } from './search';
import { newRunId } from '../launch/launch';
import { runInfo } from '../ingest/ingestor';
import type { SweepSummary } from '../protocol/live';

export type TrialState = SweepRunView['state'];

export type Assignment =
  | { run_id: string; params: Record<string, unknown>; program?: string; command?: string[]; project: string }
  | { wait: true; reason: string }
  | { done: true; reason: string };

export interface TrialInfo {
  run_id: string;
  run_key: number | null;
  state: TrialState;
  params: Record<string, unknown>;
  metric: number | null;
  stop_reason: string | null;
  created_at: number;
}

export type { SweepSummary } from '../protocol/live';

const PENDING_TIMEOUT_S = 180;
const AGENT_TIMEOUT_S = 60;

export class SweepError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

export class SweepController {
  readonly sweeps: SweepStore;

  constructor(private readonly store: Store, private readonly bus?: LiveBus) {
    this.sweeps = new SweepStore(store.db);
    // A trial the controller stopped ends as "killed"; say why on the run itself.
    bus?.subscribe((events) => {
      const changed = new Set<string>();
      for (const e of events) {
        if (e.type !== 'run' || !e.run.sweep_id) continue;
        // Trial counts and the best run change when a trial's run starts or ends: tell the sweep's viewers.
        if (this.trialStates.get(e.run.id) !== e.run.state) changed.add(e.run.sweep_id);
        this.trialStates.set(e.run.id, e.run.state);
        if (e.run.state !== 'killed') continue;
        const t = this.sweeps.trial(e.run.sweep_id, e.run.id);
        if (t?.stop_reason) this.annotateStopped(e.run.key, t.stop_reason);
      }
      for (const id of changed) this.publish(id);
    });
  }

  /** Last state seen per trial run, so only real changes are pushed. */
  private readonly trialStates = new Map<string, string>();

  /** Pushes the sweep's summary to live subscribers (the Sweeps view, sweep panels). */
  private publish(sweepId: string): void {
    if (!this.bus) return;
    const s = this.sweeps.get(sweepId);
    if (s) this.bus.publish([{ type: 'sweep', sweep: this.summary(s) }]);
  }

  private annotateStopped(runKey: number, reason: string): void {
    const early = reason.startsWith('hyperband');
    const error = { type: early ? 'EarlyTermination' : 'SweepStopped', message: early ? `killed by early termination: ${reason}` : reason, traceback: '' };
    this.store.db.prepare('UPDATE runs SET error = ? WHERE key = ?').run(JSON.stringify(error), runKey);
    const run = this.store.runByKey(runKey);
    if (run) this.bus?.publish([{ type: 'run', run: runInfo(run) }]);
  }

  create(opts: { config: SweepConfig; project: string; raw?: string | null; sourcePath?: string | null; priorRuns?: string[]; seed?: number }): SweepRow {
    checkSearchable(opts.config);
    const id = newRunId();
    const now = Date.now() / 1000;
    const projectId = this.store.projectId(opts.project, now);
    const seed = opts.seed ?? crypto.randomInt(2 ** 31);
    this.store.db.transaction(() => {
      this.sweeps.insert({ id, project: opts.project, name: opts.config.name ?? null, config: opts.config, raw: opts.raw ?? null,
        source_path: opts.sourcePath ?? null, seed, created_at: now }, projectId);
      for (const runId of new Set(opts.priorRuns ?? [])) { // a run named twice is one trial
        const run = this.store.runByProjectAndId(opts.project, runId);
        if (!run) throw new SweepError(`prior run ${opts.project}/${runId} does not exist`);
        const params = Object.fromEntries(Object.keys(opts.config.parameters).filter((k) => k in run.config).map((k) => [k, run.config[k]]));
        this.sweeps.addTrial({ sweep_id: id, run_id: runId, params, agent_id: null, created_at: run.created_at });
        this.store.db.prepare('UPDATE runs SET sweep_id = ? WHERE key = ?').run(id, run.key);
      }
    })();
    this.publish(id);
    return this.sweeps.get(id)!;
  }

  get(id: string): SweepRow {
    const s = this.sweeps.get(id);
    if (!s) throw new SweepError(`no sweep with id "${id}"; list sweeps with: trackwell sweep ls`, 404);
    return s;
  }

  private runOf(sweep: SweepRow, runId: string): RunRow | undefined {
    return this.store.runByProjectAndId(sweep.project, runId) ?? this.store.runsById(runId).find((r) => r.sweep_id === sweep.id);
  }

  private trialState(sweep: SweepRow, t: TrialRow, run: RunRow | undefined, now: number): TrialState {
    if (run) return run.state;
    if (t.ended_at !== null) return 'failed'; // the process ended before it recorded a run
    return now - t.created_at > PENDING_TIMEOUT_S && !this.agentAlive(sweep.id, t.agent_id, now) ? 'crashed' : 'pending';
  }

  private agentAlive(sweepId: string, agentId: string | null, now: number): boolean {
    if (!agentId) return false;
    const a = this.sweeps.agents(sweepId).find((x) => x.id === agentId);
    return !!a && a.state === 'running' && now - a.heartbeat_at < AGENT_TIMEOUT_S;
  }

  /** What the search methods see: every trial with its state, parameters and metric history. */
  views(sweep: SweepRow, now = Date.now() / 1000): { view: SweepRunView; trial: TrialRow; run?: RunRow }[] {
    const metric = sweep.config.metric?.name;
    const keyId = metric ? this.store.keyId(metric) : undefined;
    return this.sweeps.trials(sweep.id).map((t) => {
      const run = this.runOf(sweep, t.run_id);
      const view: SweepRunView = { id: t.run_id, state: this.trialState(sweep, t, run, now), params: t.params, metricHistory: [] };
      if (run && keyId !== undefined) {
        this.store.ensureSeriesLoaded(run.key);
        // Every value in step order, straight from the stored blobs (the chunks are not decoded one by one).
        view.metricHistory = Array.from(this.store.series.stepsAndValues(run.key, keyId).vals);
        const s = metric ? run.summary[metric] : undefined;
        const last = view.metricHistory[view.metricHistory.length - 1];
        view.metricValue = typeof s === 'number' ? s : last;
      }
      return { view, trial: t, run };
    });
  }

  private finishIfIdle(sweep: SweepRow, views: { view: SweepRunView }[], reason: string): void {
    if (views.some((v) => v.view.state === 'running' || v.view.state === 'pending')) return;
    if (sweep.state === 'running' || sweep.state === 'paused') this.setState(sweep, 'finished', reason);
  }

  private setState(sweep: SweepRow, state: SweepState, reason: string | null): void {
    this.sweeps.setState(sweep.id, state, reason);
    sweep.state = state;
    sweep.reason = reason;
    this.publish(sweep.id);
  }

  /** The next trial for an agent, or why there is none. */
  next(sweepId: string, agentId: string | null): Assignment {
    const sweep = this.get(sweepId);
    if (agentId) this.sweeps.agentHeartbeat(agentId);
    if (sweep.state === 'paused') return { wait: true, reason: 'the sweep is paused' };
    if (sweep.state !== 'running') return { done: true, reason: `the sweep is ${sweep.state}${sweep.reason ? `: ${sweep.reason}` : ''}` };
    const views = this.views(sweep);
    const reached = targetReached(sweep.config, views.map((v) => v.view));
    if (reached) {
      this.setState(sweep, 'finished', `run ${reached} reached the target ${sweep.config.metric?.target}`);
      return { done: true, reason: sweep.reason! };
    }
    const cap = sweep.config.run_cap;
    if (cap !== undefined && views.length >= cap) {
      this.finishIfIdle(sweep, views, `run_cap ${cap} reached`);
      return { done: true, reason: `run_cap ${cap} reached` };
    }
    // Seeded by the sweep and the trial count: a restarted controller continues the same sequence.
    const rng = makeRng(sweep.seed + views.length * 7919);
    let s;
    try {
      s = nextRun(sweep.config, views.map((v) => v.view), rng);
    } catch (e) {
      if (e instanceof SearchConfigError) throw new SweepError(`sweep ${sweep.id} cannot suggest a run: ${e.message}`);
      throw e;
    }
    if ('done' in s) {
      this.finishIfIdle(sweep, views, s.reason);
      return { done: true, reason: s.reason };
    }
    const runId = newRunId();
    this.sweeps.addTrial({ sweep_id: sweep.id, run_id: runId, params: s.params, agent_id: agentId, created_at: Date.now() / 1000 });
    this.publish(sweep.id);
    return { run_id: runId, params: s.params, program: sweep.config.program, command: sweep.config.command, project: sweep.project };
  }

  /**
   * An agent reports: trials that ended (with exit codes). The answer lists trials it must stop
   * (early termination, cancel) and whether the sweep still wants work.
   */
  heartbeat(sweepId: string, agentId: string, ended: { run_id: string; exit_code: number | null }[] = []): { stop: { run_id: string; reason: string }[]; state: SweepState } {
    const sweep = this.get(sweepId);
    this.sweeps.agentHeartbeat(agentId);
    for (const e of ended) this.sweeps.endTrial(sweepId, e.run_id, e.exit_code);
    const views = this.views(sweep);
    const stop: { run_id: string; reason: string }[] = [];
    if (sweep.state === 'cancelled') {
      for (const v of views) if ((v.view.state === 'running' || v.view.state === 'pending') && v.trial.agent_id === agentId) stop.push({ run_id: v.view.id, reason: 'the sweep was cancelled' });
    } else if (sweep.config.early_terminate) {
      for (const d of stopRuns(sweep.config, views.map((v) => v.view))) {
        const v = views.find((x) => x.view.id === d.id);
        if (v && v.trial.agent_id === agentId) stop.push({ run_id: d.id, reason: d.reason });
      }
    }
    for (const s of stop) this.sweeps.setStopReason(sweepId, s.run_id, s.reason);
    if (sweep.state === 'stopped' || sweep.state === 'cancelled') this.finishIfIdle(sweep, views, sweep.reason ?? sweep.state);
    return { stop, state: sweep.state };
  }

  registerAgent(sweepId: string, host: string | null, pid: number | null): string {
    this.get(sweepId);
    const id = `${sweepId}-${newRunId().slice(0, 6)}`;
    this.sweeps.registerAgent(id, sweepId, host, pid);
    this.publish(sweepId); // views show how many agents work on the sweep
    return id;
  }

  agentExited(agentId: string): void {
    this.sweeps.agentHeartbeat(agentId, 'exited');
    const sweepId = this.sweeps.agentSweep(agentId);
    if (sweepId) this.publish(sweepId);
  }

  control(sweepId: string, action: 'pause' | 'resume' | 'stop' | 'cancel'): SweepRow {
    const sweep = this.get(sweepId);
    const final = ['finished', 'stopped', 'cancelled'].includes(sweep.state);
    if (final && action !== 'cancel') throw new SweepError(`sweep ${sweepId} is already ${sweep.state}`, 409);
    if (action === 'pause') this.setState(sweep, 'paused', 'paused by the user');
    else if (action === 'resume') this.setState(sweep, 'running', null);
    else if (action === 'stop') this.setState(sweep, 'stopped', 'stopped by the user: running trials finish, no new ones start');
    else {
      this.setState(sweep, 'cancelled', 'cancelled by the user: running trials were stopped');
      for (const v of this.views(sweep)) if (v.view.state === 'running' || v.view.state === 'pending') this.sweeps.setStopReason(sweepId, v.view.id, 'the sweep was cancelled');
    }
    return sweep;
  }

  trialInfos(sweep: SweepRow): TrialInfo[] {
    return this.views(sweep).map(({ view, trial, run }) => ({
      run_id: view.id, run_key: run?.key ?? null, state: view.state, params: view.params,
      metric: typeof view.metricValue === 'number' && Number.isFinite(view.metricValue) ? view.metricValue : null,
      stop_reason: trial.stop_reason, created_at: trial.created_at,
    }));
  }

  summary(sweep: SweepRow, trials = this.trialInfos(sweep)): SweepSummary {
    const goal = sweep.config.metric?.goal ?? 'minimize';
    let best: SweepSummary['best'] = null;
    for (const t of trials) {
      if (t.metric === null) continue;
      if (!best || (goal === 'minimize' ? t.metric < best.value : t.metric > best.value)) best = { run_id: t.run_id, run_key: t.run_key, value: t.metric };
    }
    const done = trials.filter((t) => !['running', 'pending'].includes(t.state)).length;
    const running = trials.filter((t) => t.state === 'running').length;
    const pending = trials.filter((t) => t.state === 'pending').length;
    const now = Date.now() / 1000;
    return {
      id: sweep.id, project: sweep.project, name: sweep.name, state: sweep.state, reason: sweep.reason, method: sweep.config.method,
      metric: sweep.config.metric ? { name: sweep.config.metric.name, goal } : null, created_at: sweep.created_at,
      counts: { done, running, pending, planned: plannedCount(sweep.config) },
      best, agents: this.sweeps.agents(sweep.id).filter((a) => a.state === 'running' && now - a.heartbeat_at < AGENT_TIMEOUT_S).length,
    };
  }
}

/** How many trials the sweep will run, when that is known (grid size, run_cap). */
function plannedCount(config: SweepConfig): number | null {
  const grid = config.method === 'grid' ? gridSize(config) : null;
  if (config.run_cap !== undefined) return grid === null ? config.run_cap : Math.min(grid, config.run_cap);
  return grid;
}

/** Checks the search method can work with the config before anything is stored. */
function checkSearchable(config: SweepConfig): void {
  try {
    if (config.method === 'grid' && gridSize(config) === 0) throw new SearchConfigError('the grid is empty: every parameter needs at least one value');
    if (config.early_terminate) hyperbandBands(config.early_terminate);
  } catch (e) {
    if (e instanceof SearchConfigError) throw new SweepError(e.message);
    throw e;
  }
}
