// Hyperband early termination as W&B's hyperband_stopping does it. Bands are iteration counts,
// where an iteration is a position in a run's list of FINITE metric values (not _step, not epoch).
// At each band the threshold is the value at rank ⌊n/eta⌋ (0-based, best first) among the
// values of every run (any state) that reached the band; a RUNNING run is stopped when it is
// worse than the threshold of the last band it reached.
import type { Hyperband, SweepConfig } from '../config/types';
import { SearchConfigError, type SweepRunView } from './types';

/** At most this many bands from min_iter (as W&B), and none above 2^31−1: no run logs more values. */
const MAX_BANDS = 100;
const MAX_BAND = 2 ** 31 - 1;

/**
 * The bands, ascending and distinct.
 *  - max_iter (takes precedence, as in W&B): max_iter/eta^k for k = 1..s, truncated to integers,
 *    keeping those ≥ 1 (27, s 2, eta 3 → [3, 9]).
 *  - min_iter: min_iter·eta^k for k = 0, 1, … truncated to integers (3, eta 3 → [3, 9, 27, …]).
 */
export function hyperbandBands(et: Hyperband): number[] {
  const eta = et.eta ?? 3;
  if (!(eta > 1)) throw new SearchConfigError(`hyperband eta must be greater than 1 (got ${eta})`);
  const bands: number[] = [];
  if (typeof et.max_iter === 'number') {
    if (typeof et.s !== 'number') throw new SearchConfigError('hyperband with max_iter also needs s (the number of bands)');
    let band = et.max_iter;
    for (let i = 0; i < Math.floor(et.s); i++) {
      band /= eta;
      if (band < 1) break;
      bands.push(Math.floor(band));
    }
  } else if (typeof et.min_iter === 'number') {
    let band = et.min_iter;
    for (let i = 0; i < MAX_BANDS && band <= MAX_BAND; i++) {
      bands.push(Math.floor(band));
      band *= eta;
    }
  } else {
    throw new SearchConfigError('hyperband needs either max_iter and s, or min_iter');
  }
  const out = [...new Set(bands)].filter((b) => b >= 1).sort((a, b) => a - b);
  if (!out.length) {
    throw new SearchConfigError('hyperband has no bands: increase max_iter or s, decrease eta, or set min_iter ≥ 1');
  }
  return out;
}

export interface BandThreshold {
  band: number;
  /** In the minimised sign (negated when the goal is maximize); Infinity when no run reached it. */
  threshold: number;
  /** How many runs reached the band, and the 0-based rank the threshold was taken at. */
  count: number;
  rank: number;
}

const finiteHistory = (r: SweepRunView) => r.metricHistory.filter((v) => typeof v === 'number' && Number.isFinite(v));

/** Thresholds for every band, from all runs of the sweep (finished ones included). */
export function hyperbandThresholds(config: SweepConfig, runs: SweepRunView[]): BandThreshold[] {
  const et = config.early_terminate;
  if (!et) return [];
  const eta = et.eta ?? 3;
  const sign = config.metric?.goal === 'maximize' ? -1 : 1;
  const histories = runs.map((r) => finiteHistory(r).map((v) => sign * v)).filter((h) => h.length > 0);
  return hyperbandBands(et).map((band) => {
    const values = histories.filter((h) => h.length >= band).map((h) => h[band - 1]).sort((a, b) => a - b);
    const rank = Math.floor(values.length / eta);
    return { band, threshold: values.length ? values[rank] : Infinity, count: values.length, rank };
  });
}

const fmt = (x: number) => String(Number(x.toPrecision(6)));
const ordinal = (n: number) => {
  const t = n % 100;
  const suffix = t >= 11 && t <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
};

/** The running runs hyperband stops now, each with a reason that names the band, value and threshold. */
export function stopRuns(config: SweepConfig, runs: SweepRunView[]): { id: string; reason: string }[] {
  const et = config.early_terminate;
  const metric = config.metric;
  if (!et || et.type !== 'hyperband') return [];
  if (!metric) throw new SearchConfigError('hyperband early termination needs a metric');
  const sign = metric.goal === 'maximize' ? -1 : 1;
  const strict = et.strict ?? true;
  const eta = et.eta ?? 3;
  const thresholds = hyperbandThresholds(config, runs);
  const out: { id: string; reason: string }[] = [];
  for (const run of runs) {
    if (run.state !== 'running') continue;
    const h = finiteHistory(run).map((v) => sign * v);
    let last: BandThreshold | undefined;
    for (const t of thresholds) {
      if (t.band <= h.length) last = t;
      else break;
    }
    if (!last) continue; // no band reached yet
    // Strict compares the value at the band; relaxed the best value so far.
    const value = strict ? h[last.band - 1] : Math.min(...h);
    if (!(value > last.threshold)) continue;
    const what = strict ? `at iteration ${last.band} ${metric.name} ${fmt(sign * value)}` : `by iteration ${h.length} the best ${metric.name} so far ${fmt(sign * value)}`;
    out.push({
      id: run.id,
      reason:
        `hyperband: ${what} is worse than the threshold ${fmt(sign * last.threshold)} of the band at iteration ${last.band} ` +
        `(the ${ordinal(last.rank + 1)} best of ${last.count} runs there, eta ${eta})`,
    });
  }
  return out;
}
