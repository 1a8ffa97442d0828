// Reading the sweep metric off a run: its finite values, best/worst/latest, and metric.target.
import type { Goal, SweepConfig } from '../config/types';
import type { SweepRunView } from './types';

/** The run's finite metric values in order: history, then the summary value when it adds one. */
export function finiteValues(run: SweepRunView): number[] {
  const out = run.metricHistory.filter((v) => typeof v === 'number' && Number.isFinite(v));
  // The summary is normally the last history value; count it only when the history lacks it
  // (e.g. a summary set directly with run.summary[...] = v).
  const s = run.metricValue;
  if (typeof s === 'number' && Number.isFinite(s) && (out.length === 0 || out[out.length - 1] !== s)) out.push(s);
  return out;
}

const better = (goal: Goal) => (a: number, b: number) => (goal === 'maximize' ? a > b : a < b);

/** The run's best finite value for the goal (W&B's metric_extremum), if any. */
export function bestValue(run: SweepRunView, goal: Goal): number | undefined {
  const vals = finiteValues(run);
  if (!vals.length) return undefined;
  const b = better(goal);
  return vals.reduce((acc, v) => (b(v, acc) ? v : acc));
}

/** The run's worst finite value for the goal, if any. */
export function worstValue(run: SweepRunView, goal: Goal): number | undefined {
  const vals = finiteValues(run);
  if (!vals.length) return undefined;
  const b = better(goal);
  return vals.reduce((acc, v) => (b(acc, v) ? v : acc));
}

export function latestValue(run: SweepRunView): number | undefined {
  const vals = finiteValues(run);
  return vals.length ? vals[vals.length - 1] : undefined;
}

/**
 * The id of the first run (in the given order) with a finite metric value at or past
 * metric.target (≤ when minimising, ≥ when maximising), so the controller can end the sweep.
 */
export function targetReached(config: SweepConfig, runs: SweepRunView[]): string | undefined {
  const m = config.metric;
  if (!m || typeof m.target !== 'number' || !Number.isFinite(m.target)) return undefined;
  const target = m.target;
  const reached = (v: number) => (m.goal === 'maximize' ? v >= target : v <= target);
  return runs.find((r) => finiteValues(r).some(reached))?.id;
}
