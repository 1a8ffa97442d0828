// The Sweeps view's model, kept free of `vscode` so it can be unit-tested: sweep summaries (newest
// first) and, for sweeps whose trials were fetched, their trials; updated from live events.
import type { LiveEvent, SweepSummary } from '../../runtime/protocol/live';
import type { SweepAction, SweepTrial } from '../../runtime/protocol/api';

type SweepState = SweepSummary['state'];

export interface ApplyResult {
  /** something the tree shows changed */
  changed: boolean;
  /** sweeps whose fetched trials are out of date (refetch their detail) */
  stale: Set<string>;
}

export class SweepsModel {
  private sweeps = new Map<string, SweepSummary>();
  private trials = new Map<string, SweepTrial[]>();

  reset(sweeps: SweepSummary[]): void {
    this.sweeps = new Map(sweeps.map((s) => [s.id, s]));
    for (const id of [...this.trials.keys()]) if (!this.sweeps.has(id)) this.trials.delete(id);
  }

  setTrials(id: string, trials: SweepTrial[]): void {
    this.trials.set(id, trials);
  }

  /** The sweep's trials if they were fetched, newest first. */
  trialsOf(id: string): SweepTrial[] | undefined {
    const t = this.trials.get(id);
    return t && [...t].sort((a, b) => b.created_at - a.created_at || b.run_id.localeCompare(a.run_id));
  }

  get(id: string): SweepSummary | undefined {
    return this.sweeps.get(id);
  }

  list(): SweepSummary[] {
    return [...this.sweeps.values()].sort((a, b) => b.created_at - a.created_at || b.id.localeCompare(a.id));
  }

  /** Which sweep a run (by key) is a trial of, among the fetched trials. */
  sweepOfRun(key: number): string | undefined {
    for (const [id, ts] of this.trials) if (ts.some((t) => t.run_key === key)) return id;
    return undefined;
  }

  apply(events: LiveEvent[]): ApplyResult {
    const out: ApplyResult = { changed: false, stale: new Set() };
    for (const e of events) {
      if (e.type === 'sweep') {
        this.sweeps.set(e.sweep.id, e.sweep);
        out.changed = true;
        // Counts or the best run changed: a trial started, ended, or got its metric.
        if (this.trials.has(e.sweep.id)) out.stale.add(e.sweep.id);
      } else if (e.type === 'run' && e.run.sweep_id) {
        const ts = this.trials.get(e.run.sweep_id);
        if (!ts) continue;
        const t = ts.find((x) => x.run_id === e.run.id);
        if (t) {
          if (t.state !== e.run.state || t.run_key !== e.run.key) {
            t.state = e.run.state;
            t.run_key = e.run.key;
            out.changed = true;
          }
        } else out.stale.add(e.run.sweep_id);
      } else if (e.type === 'run-deleted') {
        const id = this.sweepOfRun(e.run.key);
        if (id) out.stale.add(id);
      }
    }
    return out;
  }
}

/** Codicon and theme colour for a sweep's state. */
export function sweepStateIcon(state: SweepState): { icon: string; color?: string } {
  switch (state) {
    case 'running': return { icon: 'sync~spin', color: 'charts.blue' };
    case 'paused': return { icon: 'debug-pause', color: 'charts.yellow' };
    case 'finished': return { icon: 'pass', color: 'testing.iconPassed' };
    case 'stopped': return { icon: 'debug-stop', color: 'disabledForeground' };
    case 'cancelled': return { icon: 'circle-slash', color: 'disabledForeground' };
  }
}

/** A trial's icon: the best run gets a star, runs stopped by hyperband their own mark. */
export function trialIcon(t: SweepTrial, best: boolean): { icon: string; color?: string } {
  if (best) return { icon: 'star-full', color: 'charts.yellow' };
  if (isEarlyTerminated(t)) return { icon: 'fold-down', color: 'charts.orange' };
  switch (t.state) {
    case 'pending': return { icon: 'loading~spin' };
    case 'running': return { icon: 'sync~spin', color: 'charts.blue' };
    case 'finished': return { icon: 'pass', color: 'testing.iconPassed' };
    case 'failed': return { icon: 'error', color: 'testing.iconFailed' };
    case 'crashed': return { icon: 'warning', color: 'list.warningForeground' };
    case 'killed': return { icon: 'circle-slash', color: 'disabledForeground' };
  }
}

export function isEarlyTerminated(t: Pick<SweepTrial, 'stop_reason'>): boolean {
  return !!t.stop_reason && /^hyperband/i.test(t.stop_reason);
}

/** A metric value in a few significant digits (exact values stay in tooltips). */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

export function sweepLabel(s: Pick<SweepSummary, 'name' | 'id'>): string {
  return s.name ? s.name : `sweep ${s.id}`;
}

/** "done/running/planned", with ? where the plan is open-ended (random or bayes without run_cap). */
export function sweepCounts(s: Pick<SweepSummary, 'counts'>): string {
  const c = s.counts;
  return `${c.done}/${c.running + c.pending}/${c.planned ?? '?'}`;
}

export function sweepBest(s: Pick<SweepSummary, 'best' | 'metric'>): string | undefined {
  if (!s.best) return undefined;
  return `${s.metric?.name ?? 'best'} ${formatMetric(s.best.value)} (${s.best.run_id})`;
}

export function sweepDescription(s: SweepSummary): string {
  const parts = [s.state, sweepCounts(s)];
  const best = sweepBest(s);
  if (best) parts.push(`best ${best}`);
  return parts.join(' · ');
}

export function trialDescription(t: SweepTrial, metric: string | undefined): string {
  const parts: string[] = [isEarlyTerminated(t) ? 'stopped early' : t.state];
  if (t.metric !== null) parts.push(`${metric ?? 'metric'} ${formatMetric(t.metric)}`);
  const params = paramsText(t.params, 60);
  if (params) parts.push(params);
  return parts.join(' · ');
}

/** Parameters as "lr=0.01, layers=2", shortened to about `max` characters. */
export function paramsText(params: Record<string, unknown>, max = Infinity): string {
  const text = Object.entries(flattenParams(params)).map(([k, v]) => `${k}=${typeof v === 'number' ? formatMetric(v) : JSON.stringify(v)}`).join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Nested parameter groups as dotted names: {opt: {lr: 1}} -> {"opt.lr": 1}. */
export function flattenParams(params: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenParams(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** The tree item's contextValue: menus show the actions that apply to the state. */
export function sweepContextValue(state: SweepState): string {
  if (state === 'running') return 'trackwell.sweep.running';
  if (state === 'paused') return 'trackwell.sweep.paused';
  return 'trackwell.sweep.done';
}

/** Control actions that make sense in a state (the runtime refuses the others with 409). */
export function sweepActions(state: SweepState): SweepAction[] {
  if (state === 'running') return ['pause', 'stop', 'cancel'];
  if (state === 'paused') return ['resume', 'stop', 'cancel'];
  return [];
}

/** `trackwell agent ID` for a terminal: node runs the CLI with an argument array, no shell. */
export function agentArgs(cliPath: string, root: string, sweepId: string, extra: string[] = []): string[] {
  return [cliPath, '--dir', root, 'agent', sweepId, ...extra];
}

/**
 * "Run Sweep" in one terminal, without a shell (so no quoting of paths): node runs this script, which
 * creates the sweep with `trackwell sweep FILE --json`, says so, then runs `trackwell agent ID` with
 * the terminal's own stdio so the user sees each trial and can stop it with Ctrl+C.
 * argv: cli, data root, sweep file, [project]
 */
export const SWEEP_RUN_SCRIPT = `
const { spawn, spawnSync } = require('child_process');
const [cli, root, file, project] = process.argv.slice(1);
const node = process.execPath;
console.log('$ trackwell sweep ' + file + (project ? ' --project ' + project : ''));
const created = spawnSync(node, [cli, '--dir', root, 'sweep', 'create', file, '--json'].concat(project ? ['--project', project] : []),
  { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
let res;
try { res = JSON.parse(created.stdout); } catch (e) { res = undefined; }
if (created.status !== 0 || !res || !res.id) {
  if (created.stdout) process.stdout.write(created.stdout);
  console.error('The sweep was not created; fix the file and run it again.');
  process.exit(created.status || 1);
}
console.log('Created sweep ' + res.id + ' in project ' + res.project + '.');
console.log('$ trackwell agent ' + res.id);
const agent = spawn(node, [cli, '--dir', root, 'agent', res.id], { stdio: 'inherit' });
// Ctrl+C reaches the agent too (same process group); it stops its trials, then exits.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => agent.kill('SIGTERM'));
agent.on('exit', (code, signal) => process.exit(code === null ? (signal ? 1 : 0) : code));
`;

export function sweepRunArgs(cliPath: string, root: string, file: string, project?: string): string[] {
  return ['-e', SWEEP_RUN_SCRIPT, '--', cliPath, root, file, ...(project ? [project] : [])];
}

/**
 * Sweep files launched from the editor, waiting for their sweep to appear: a new sweep belongs to a
 * launch when its source_path is the launched file and it was created after the launch.
 */
export class PendingSweepLaunches {
  private files = new Map<string, number>();

  add(file: string, at: number): void {
    this.files.set(normalize(file), at);
  }

  get size(): number {
    return this.files.size;
  }

  /** Takes the launch a new sweep belongs to; returns whether it matched. */
  take(sourcePath: string | null, createdAt: number, maxAgeS = 300): boolean {
    if (!sourcePath) return false;
    const key = normalize(sourcePath);
    const at = this.files.get(key);
    if (at === undefined || createdAt < at - 5 || createdAt > at + maxAgeS) return false;
    this.files.delete(key);
    return true;
  }

  prune(now: number, maxAgeS = 300): void {
    for (const [k, at] of this.files) if (now - at > maxAgeS) this.files.delete(k);
  }
}

function normalize(p: string): string {
  const s = p.replace(/\\/g, '/');
  return /^[a-z]:\//i.test(s) ? s.toLowerCase() : s;
}
