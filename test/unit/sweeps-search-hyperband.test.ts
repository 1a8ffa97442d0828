// Hyperband early termination: bands from both forms, thresholds, and stop sets on constructed
// run histories (the scenarios of W&B's hyperband tests, rebuilt here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hyperbandBands, hyperbandThresholds, stopRuns, SearchConfigError, type SweepRunView } from '../../runtime/sweeps/search';
import type { Hyperband, SweepConfig } from '../../runtime/sweeps/config/types';
import { config, run, values } from '../fixtures/sweeps-search/helpers';

const hb = (et: Partial<Hyperband>, goal: 'minimize' | 'maximize' = 'minimize'): SweepConfig =>
  config('grid', { a: values([1, 2, 3]) }, { early_terminate: { type: 'hyperband', eta: 3, strict: true, ...et }, metric: { goal } });
const stopped = (cfg: SweepConfig, runs: SweepRunView[]) => stopRuns(cfg, runs).map((s) => s.id);
const r = (id: string, state: SweepRunView['state'], history: number[]) => run(state, {}, history, id);

test('bands from max_iter: max_iter/eta^k for k = 1..s, integers ≥ 1, ascending', () => {
  assert.deepEqual(hyperbandBands({ type: 'hyperband', max_iter: 27, s: 2, eta: 3, strict: true }), [3, 9]);
  assert.deepEqual(hyperbandBands({ type: 'hyperband', max_iter: 81, s: 3, eta: 3, strict: true }), [3, 9, 27]);
  assert.deepEqual(hyperbandBands({ type: 'hyperband', max_iter: 18, s: 2, eta: 3, strict: true }), [2, 6]);
  assert.deepEqual(hyperbandBands({ type: 'hyperband', max_iter: 5, s: 2, eta: 2, strict: true }), [1, 2]);
  assert.deepEqual(hyperbandBands({ type: 'hyperband', max_iter: 9, s: 5, eta: 3, strict: true }), [1, 3], 'stops below 1');
  // max_iter wins when both forms are given (as in W&B).
  assert.deepEqual(hyperbandBands({ type: 'hyperband', max_iter: 27, s: 2, min_iter: 1, eta: 3, strict: true }), [3, 9]);
  assert.throws(() => hyperbandBands({ type: 'hyperband', max_iter: 2, s: 3, eta: 3, strict: true }), /no bands/);
  assert.throws(() => hyperbandBands({ type: 'hyperband', max_iter: 27, eta: 3, strict: true }), /needs s/);
});

test('bands from min_iter: min_iter·eta^k for k = 0.., at most 100 bands and none above 2^31−1', () => {
  const b = hyperbandBands({ type: 'hyperband', min_iter: 3, eta: 3, strict: true });
  assert.deepEqual(b.slice(0, 4), [3, 9, 27, 81]);
  assert.equal(b.length, 19); // 3^1 .. 3^19 ≤ 2^31 − 1
  assert.ok(b[b.length - 1] <= 2 ** 31 - 1);
  // Non-integer eta truncates, and repeated bands collapse: 1, 1.5, 2.25, 3.375, 5.06, 7.59 …
  assert.deepEqual(hyperbandBands({ type: 'hyperband', min_iter: 1, eta: 1.5, strict: true }).slice(0, 6), [1, 2, 3, 5, 7, 11]);
  assert.equal(hyperbandBands({ type: 'hyperband', min_iter: 1, eta: 1.01, strict: true }).length <= 100, true);
  assert.throws(() => hyperbandBands({ type: 'hyperband', min_iter: 3, eta: 1, strict: true }), SearchConfigError);
  assert.throws(() => hyperbandBands({ type: 'hyperband', eta: 3, strict: true }), /max_iter and s, or min_iter/);
});

test('one run: never stopped (it sets its own thresholds)', () => {
  assert.deepEqual(stopped(hb({ max_iter: 18, s: 2, strict: false }), [r('a', 'running', [10, 9, 8, 7, 6, 5, 4, 3, 2, 1])]), []);
  assert.deepEqual(stopped(hb({ min_iter: 1, eta: 2 }), [r('a', 'running', [5, 6, 7, 8])]), []);
});

test('two runs: min_iter bands (minimize and maximize), and a relaxed pass', () => {
  const runs = [r('flat', 'running', [10, 10, 10, 10]), r('improving', 'running', [10, 9, 8, 7, 6, 5, 4, 3, 2, 1])];
  assert.deepEqual(stopped(hb({ min_iter: 3 }), runs), ['flat']);
  assert.deepEqual(stopped(hb({ max_iter: 81, s: 3 }), runs), ['flat']);
  const up = [r('flat', 'running', [10, 10, 10, 10]), r('improving', 'running', [10, 11, 12, 13, 14, 15, 16, 17, 18, 19])];
  assert.deepEqual(stopped(hb({ min_iter: 3 }, 'maximize'), up), ['flat']);
  // max_iter 18, s 2 → bands [2, 6]; non-strict uses the best so far (6 ≤ 9).
  assert.deepEqual(stopped(hb({ max_iter: 18, s: 2, strict: false }), [r('a', 'running', [10, 10, 6]), r('b', 'running', [10, 9, 8, 7, 6, 5, 4, 3, 2, 1])]), []);
});

test('five runs: thresholds from every run that reached a band, finished ones included', () => {
  const cfg = hb({ max_iter: 5, s: 2, eta: 2 }); // bands [1, 2], strict
  const runs = [
    r('a', 'finished', [10, 9]),
    r('b', 'running', [10, 10]),
    r('c', 'running', [10, 8, 8]),
    r('d', 'running', [10, 7, 7]),
    r('e', 'finished', [10, 6, 6]),
  ];
  // band 2: values 9, 10, 8, 7, 6 → sorted [6, 7, 8, 9, 10], rank ⌊5/2⌋ = 2 → 8; b (10) is worse.
  const th = hyperbandThresholds(cfg, runs);
  assert.deepEqual(th.map((t) => [t.band, t.threshold, t.count, t.rank]), [[1, 10, 5, 2], [2, 8, 5, 2]]);
  assert.deepEqual(stopped(cfg, runs), ['b']);
  // A run that has only reached band 1 is judged there; c fails band 2 (8 > 7).
  const runs2 = [
    r('a', 'finished', [10]),
    r('b', 'running', [11]),
    r('c', 'running', [10, 8, 8]),
    r('d', 'running', [10, 7, 7]),
    r('e', 'finished', [10, 6, 6]),
  ];
  assert.deepEqual(stopped(cfg, runs2), ['b', 'c']);
});

test('eta 3, relaxed mode, minimize and maximize', () => {
  const cfg = hb({ max_iter: 9, s: 2, strict: false }); // bands [1, 3]
  const runs = [
    r('a', 'finished', [9, 8]),
    r('b', 'running', [11, 11]),
    r('c', 'running', [10, 8, 3]),
    r('d', 'running', [10, 7, 4]),
    r('e', 'running', [10, 6, 6]),
  ];
  // band 1: [9, 10, 10, 10, 11] rank ⌊5/3⌋ = 1 → 10; band 3: [3, 4, 6] rank 1 → 4.
  assert.deepEqual(hyperbandThresholds(cfg, runs).map((t) => t.threshold), [10, 4]);
  assert.deepEqual(stopped(cfg, runs), ['b', 'e']);
  const neg = runs.map((x) => ({ ...x, metricHistory: x.metricHistory.map((v) => -v) }));
  assert.deepEqual(stopped(hb({ max_iter: 9, s: 2, strict: false }, 'maximize'), neg), ['b', 'e']);
  assert.deepEqual(hyperbandThresholds(hb({ max_iter: 9, s: 2 }, 'maximize'), neg).map((t) => t.threshold), [10, 4], 'in the minimised sign');
});

test('strict compares the value at the band, relaxed the best value so far', () => {
  const runs = [r('f1', 'finished', [5, 4, 3, 2]), r('f2', 'finished', [5, 4, 3, 2]), r('x', 'running', [5, 1, 6, 7])];
  // min_iter 2, eta 2 → bands [2, 4, 8, …]; band 4: [2, 2, 7] rank 1 → 2.
  assert.deepEqual(stopped(hb({ min_iter: 2, eta: 2, strict: true }), runs), ['x']);
  assert.deepEqual(stopped(hb({ min_iter: 2, eta: 2, strict: false }), runs), []);
});

test('iterations count finite values only: NaN and infinities are ignored', () => {
  const cfg = hb({ max_iter: 5, s: 2, eta: 2 }); // bands [1, 2]
  const a = r('a', 'finished', [NaN, 6, Infinity, 6]);
  const c = r('c', 'finished', [7, 7]);
  // b's finite history is [10, 10]: band 2 values [6, 7, 10] → threshold 7.
  const res = stopRuns(cfg, [a, r('b', 'running', [10, NaN, 10]), c]);
  assert.deepEqual(res.map((x) => x.id), ['b']);
  assert.match(res[0].reason, /iteration 2 loss 10 .*threshold 7 /);
  // Only one finite value: judged at band 1 (values 6, 10, 7 → rank 1 → 7).
  const one = stopRuns(cfg, [a, r('b', 'running', [NaN, NaN, 10]), c]);
  assert.deepEqual(one.map((x) => x.id), ['b']);
  assert.match(one[0].reason, /iteration 1 /);
  assert.deepEqual(stopped(cfg, [a, c, r('nan', 'running', [NaN, NaN, -Infinity])]), []);
});

test('only running runs are stopped; the reason names the band, value, threshold, rank and eta', () => {
  const cfg = config('random', { a: values([1]) }, { early_terminate: { type: 'hyperband', min_iter: 3, eta: 3, strict: true }, metric: { name: 'val_loss' } });
  const runs = [
    ...[0.2, 0.3, 0.4, 0.5, 0.61, 0.7, 0.8, 0.9].map((v, i) => r(`f${i}`, 'finished', [1, 1, v])),
    r('slow', 'running', [1, 1, 0.82]),
    r('p', 'pending', []),
    r('dead', 'failed', [1, 1, 5]),
  ];
  // band 3: ten values, sorted: 0.2 0.3 0.4 0.5 0.61 0.7 0.8 0.82 0.9 5 → rank ⌊10/3⌋ = 3 → 0.5
  const res = stopRuns(cfg, runs);
  assert.deepEqual(res.map((x) => x.id), ['slow']);
  assert.equal(res[0].reason, 'hyperband: at iteration 3 val_loss 0.82 is worse than the threshold 0.5 of the band at iteration 3 (the 4th best of 10 runs there, eta 3)');
  const relaxed = stopRuns({ ...cfg, early_terminate: { ...cfg.early_terminate!, strict: false } }, runs);
  assert.match(relaxed[0].reason, /^hyperband: by iteration 3 the best val_loss so far 0\.82 is worse than the threshold 0\.5 /);
  // Maximize: values are reported in their own sign.
  const mx = config('random', { a: values([1]) }, { early_terminate: { type: 'hyperband', min_iter: 1, eta: 2, strict: true }, metric: { name: 'acc', goal: 'maximize' } });
  const m = stopRuns(mx, [r('good', 'finished', [0.9]), r('ok', 'running', [0.8]), r('bad', 'running', [0.4])]);
  assert.deepEqual(m.map((x) => x.id), ['bad']);
  assert.match(m[0].reason, /acc 0\.4 is worse than the threshold 0\.8 .*the 2nd best of 3 runs/);
});

test('no early_terminate: nothing stops; hyperband without a metric is an error', () => {
  assert.deepEqual(stopRuns(config('grid', { a: values([1]) }), [r('x', 'running', [1, 2, 3])]), []);
  assert.throws(() => stopRuns({ method: 'grid', parameters: {}, early_terminate: { type: 'hyperband', min_iter: 1, eta: 3, strict: true } }, []), SearchConfigError);
});
