// Bayes search: random start, convergence against random search over many seeds, maximize,
// mixed parameter kinds, imputation of failed runs and NaN metrics, pending points (kriging
// believer), subsampling above 100 runs, and metric.target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bayesNext, randomNext, makeRng, nextRun, targetReached, SearchConfigError, type SweepRunView, type Suggestion } from '../../runtime/sweeps/search';
import { observedValue, worstMetric } from '../../runtime/sweeps/search/bayes';
import type { ParameterSpec, SweepConfig, SweepMetric } from '../../runtime/sweeps/config/types';
import { config, run, uniform, values, median } from '../fixtures/sweeps-search/helpers';

type Params = Record<string, any>;
const paramsOf = (s: Suggestion): Params => {
  assert.ok('params' in s, 'expected params');
  return s.params;
};
const bayes = (parameters: Record<string, ParameterSpec>, metric: Partial<SweepMetric> = {}) => config('bayes', parameters, { metric });

/** Runs a sequential sweep: each suggestion is evaluated and recorded as a finished run (or as `outcome` says). */
function simulate(cfg: SweepConfig, f: (p: Params) => number, n: number, seed: number, search = bayesNext,
  outcome: (p: Params, v: number) => SweepRunView['state'] = () => 'finished'): SweepRunView[] {
  const runs: SweepRunView[] = [];
  for (let i = 0; i < n; i++) {
    const p = paramsOf(search(cfg, runs, makeRng(seed * 7919 + i)));
    const v = f(p);
    const state = outcome(p, v);
    runs.push(run(state, p, state === 'failed' ? [] : [v], `t${i}`));
  }
  return runs;
}
const bestOf = (runs: SweepRunView[], goal: 'minimize' | 'maximize' = 'minimize') => {
  const vs = runs.flatMap((r) => r.metricHistory.filter(Number.isFinite));
  return goal === 'minimize' ? Math.min(...vs) : Math.max(...vs);
};

const quadCfg = (method: 'bayes' | 'random', goal: 'minimize' | 'maximize' = 'minimize') =>
  config(method, { x: uniform(-2, 2), y: uniform(-2, 2) }, { metric: { goal } });
const quad = (p: Params) => (p.x - 0.3) ** 2 + (p.y + 1.2) ** 2;

test('bayes: random for the first two runs, then the GP', () => {
  const cfg = quadCfg('bayes');
  const s0 = bayesNext(cfg, [], makeRng(1));
  assert.ok('params' in s0 && s0.info?.source === 'random');
  const r1 = run('finished', paramsOf(s0), [quad(paramsOf(s0))]);
  const s1 = bayesNext(cfg, [r1, run('running', { x: 0, y: 0 }), run('failed', { x: 1, y: 1 })], makeRng(2));
  assert.equal('params' in s1 && s1.info?.source, 'gp', 'a failed run is an (imputed) observation');
  const s1b = bayesNext(cfg, [r1, run('running', { x: 0, y: 0 })], makeRng(2));
  assert.equal('params' in s1b && s1b.info?.source, 'random', 'one observation and a pending point: still random');
  const s2 = bayesNext(cfg, [r1, run('finished', { x: 1, y: 1 }, [quad({ x: 1, y: 1 })])], makeRng(3));
  assert.ok('params' in s2 && s2.info?.source === 'gp');
  assert.deepEqual(bayesNext(cfg, [r1, run('finished', { x: 1, y: 1 }, [2.33])], makeRng(3)), bayesNext(cfg, [r1, run('finished', { x: 1, y: 1 }, [2.33])], makeRng(3)), 'deterministic');
});

test('bayes finds the minimum of (x−0.3)² + (y+1.2)² on [−2,2]² in 25 runs far more often than random search', (t) => {
  const seeds = 24;
  const b: number[] = [], r: number[] = [];
  let wins = 0;
  for (let s = 1; s <= seeds; s++) {
    const vb = bestOf(simulate(quadCfg('bayes'), quad, 25, s));
    const vr = bestOf(simulate(quadCfg('random'), quad, 25, s, randomNext));
    b.push(vb);
    r.push(vr);
    if (vb < vr) wins++;
  }
  t.diagnostic(`bayes beat random in ${wins}/${seeds} seeds; median best after 25 runs: bayes ${median(b).toExponential(2)}, random ${median(r).toExponential(2)}; worst bayes ${Math.max(...b).toExponential(2)}`);
  assert.ok(wins >= 20, `bayes won only ${wins}/${seeds}`);
  assert.ok(median(b) < median(r) / 100, `medians ${median(b)} vs ${median(r)}`);
  assert.ok(median(b) < 1e-3);
});

test('bayes: maximize is minimize of the negated metric (same suggestions), and it converges', () => {
  for (const seed of [1, 2]) {
    const mx = simulate(quadCfg('bayes', 'maximize'), (p) => -quad(p), 25, seed);
    const mn = simulate(quadCfg('bayes'), quad, 25, seed);
    assert.deepEqual(mx.map((r) => r.params), mn.map((r) => r.params));
    assert.ok(bestOf(mx, 'maximize') > -1e-2, `best ${bestOf(mx, 'maximize')}`);
  }
});

test('bayes: categorical + log-scale + int parameters (constant and ints kept) beat random search', (t) => {
  const cfg = bayes({
    opt: values(['sgd', 'adam', 'rmsprop']),
    lr: { distribution: 'log_uniform_values', min: 1e-4, max: 1e-1 },
    layers: { distribution: 'int_uniform', min: 1, max: 6 },
    momentum: { distribution: 'constant', value: 0.9 },
  });
  const rnd = config('random', cfg.parameters);
  const penalty: Record<string, number> = { sgd: 1, adam: 0, rmsprop: 0.5 };
  const f = (p: Params) => (Math.log10(p.lr) + 2) ** 2 + penalty[p.opt] + 0.2 * Math.abs(p.layers - 3);
  const hit = (r: SweepRunView) => r.params.opt === 'adam' && r.params.layers === 3 && Math.abs(Math.log10(r.params.lr as number) + 2) < 0.3;
  const tally = (search: typeof bayesNext, c: SweepConfig) => {
    let found = 0;
    const bests: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const runs = simulate(c, f, 25, seed, search);
      assert.ok(runs.every((r) => Number.isInteger(r.params.layers) && r.params.momentum === 0.9 && ['sgd', 'adam', 'rmsprop'].includes(r.params.opt as string)));
      const best = runs.reduce((a, b) => (b.metricHistory[0] < a.metricHistory[0] ? b : a));
      bests.push(best.metricHistory[0]);
      if (hit(best)) found++;
    }
    return { found, median: median(bests) };
  };
  const b = tally(bayesNext, cfg);
  const r = tally(randomNext, rnd);
  t.diagnostic(`best combination (adam, 3 layers, lr within 2x of 1e-2) found in ${b.found}/8 seeds by bayes, ${r.found}/8 by random; median best ${b.median.toFixed(4)} vs ${r.median.toFixed(4)}`);
  assert.ok(b.found >= 4 && b.found > r.found);
  assert.ok(b.median < r.median / 10);
});

test('imputation: failed/crashed/killed runs per metric.impute (worst by default), non-finite values are worst', () => {
  const runs = [
    run('finished', {}, [5, 3, 4]),
    run('finished', {}, [2, 9]),
    run('failed', {}, [7, 1, 6]),
    run('running', {}, [100]),
  ];
  // worst: the worst value any ENDED run logged (the running run's 100 does not count).
  assert.equal(worstMetric(runs, 'minimize'), 9);
  assert.equal(worstMetric(runs, 'maximize'), 1);
  assert.equal(worstMetric([run('running', {}, [4])], 'minimize'), 4);
  assert.equal(worstMetric([], 'minimize'), 0);
  const failed = runs[2];
  assert.equal(observedValue(failed, 'minimize', 'worst', false, 9), 9);
  assert.equal(observedValue(failed, 'minimize', 'best', false, 9), 1);
  assert.equal(observedValue(failed, 'minimize', 'latest', false, 9), 6);
  assert.equal(observedValue(run('crashed', {}, []), 'minimize', 'best', false, 9), 9, 'nothing logged: worst');
  assert.equal(observedValue(run('killed', {}, [3, NaN]), 'minimize', 'latest', false, 9), 3, 'latest finite');
  // Finished runs count with their best value; NaN/inf are ignored, and none finite means worst.
  assert.equal(observedValue(runs[0], 'minimize', 'worst', false, 9), 3);
  assert.equal(observedValue(runs[0], 'maximize', 'worst', false, 9), 5);
  assert.equal(observedValue(run('finished', {}, [NaN, Infinity]), 'minimize', 'worst', false, 9), 9);
  // Running: a pending point unless impute_while_running says otherwise.
  assert.equal(observedValue(runs[3], 'minimize', 'worst', false, 9), undefined);
  assert.equal(observedValue(runs[3], 'minimize', 'worst', 'latest', 9), 100);
  assert.equal(observedValue(run('running', {}, []), 'minimize', 'worst', 'best', 9), 9);
  assert.equal(observedValue(run('pending', {}), 'minimize', 'worst', 'latest', 9), undefined);
});

test('bayes steers away from a region where runs fail (imputed worst) or log NaN (treated as worst)', (t) => {
  const cfg = bayes({ x: uniform(0, 1) });
  const f = (p: Params) => (p.x - 0.45) ** 2;
  const bad = (p: Params) => p.x < 0.4;
  let failedB = 0, failedR = 0, nanB = 0;
  for (const seed of [1, 2, 3, 4]) {
    failedB += simulate(cfg, f, 20, seed, bayesNext, (p) => (bad(p) ? 'failed' : 'finished')).slice(4).filter((r) => r.state === 'failed').length;
    failedR += simulate(cfg, f, 20, seed, randomNext, (p) => (bad(p) ? 'failed' : 'finished')).slice(4).filter((r) => r.state === 'failed').length;
    nanB += simulate(cfg, (p) => (bad(p) ? NaN : f(p)), 20, seed).slice(4).filter((r) => Number.isNaN(r.metricHistory[0])).length;
  }
  t.diagnostic(`runs 5..20 in the failing region over 4 seeds: bayes ${failedB}/64 failed, ${nanB}/64 NaN; random ${failedR}/64`);
  assert.ok(failedB < failedR / 2, `${failedB} vs ${failedR}`);
  assert.ok(nanB < failedR / 2, `${nanB} vs ${failedR}`);
});

test('bayes: running and pending runs are pending points at the GP prediction (kriging believer)', () => {
  const cfg = quadCfg('bayes');
  const runs = simulate(cfg, quad, 6, 3);
  const a = paramsOf(bayesNext(cfg, runs, makeRng(99)));
  // The same call with a run in flight at that point must look elsewhere.
  const withPending = [...runs, run('running', a, [])];
  const b = paramsOf(bayesNext(cfg, withPending, makeRng(99)));
  assert.ok(Math.hypot(a.x - b.x, a.y - b.y) > 0.02, `suggested the in-flight point again: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
  const c = paramsOf(bayesNext(cfg, [...runs, run('pending', a)], makeRng(99)));
  assert.deepEqual(c, b, 'pending and running (no metric used) are the same to the model');
  // With impute_while_running the running run is an observation instead.
  const iwr = config('bayes', cfg.parameters, { metric: { impute_while_running: 'latest' } });
  const d = bayesNext(iwr, [...runs, run('running', a, [quad(a)])], makeRng(99));
  assert.ok('params' in d && d.info?.source === 'gp');
});

test('bayes: more than 100 runs are subsampled deterministically; outputs respect q and int kinds', () => {
  const cfg = bayes({
    x: { distribution: 'q_uniform', min: 0, max: 10, q: 0.5 },
    n: { distribution: 'int_uniform', min: 0, max: 20 },
    b: { distribution: 'q_log_uniform_values', min: 1, max: 512, q: 1 },
    nested: { parameters: { z: uniform(0, 1) } },
  });
  const rng = makeRng(5);
  const runs: SweepRunView[] = [];
  for (let i = 0; i < 130; i++) {
    const p = paramsOf(randomNext(cfg, [], rng));
    runs.push(run('finished', p, [(p.x - 3) ** 2 + (p.n - 7) ** 2 / 10 + (p.nested.z - 0.5) ** 2]));
  }
  const t0 = Date.now();
  const s = bayesNext(cfg, runs, makeRng(6));
  const ms = Date.now() - t0;
  assert.ok('params' in s && s.info?.source === 'gp');
  assert.deepEqual(s, bayesNext(cfg, runs, makeRng(6)));
  const p = s.params as Params;
  assert.ok(Number.isInteger(p.x * 2) && Number.isInteger(p.n) && Number.isInteger(p.b) && p.b >= 1 && p.b <= 512);
  assert.equal(typeof p.nested.z, 'number');
  assert.ok(ms < 5000, `${ms} ms`);
});

test('bayes: errors and edge cases', () => {
  assert.throws(() => bayesNext({ method: 'bayes', parameters: { x: uniform(0, 1) } }, [], makeRng(1)), SearchConfigError);
  const consts = bayes({ a: { distribution: 'constant', value: 3 }, b: { parameters: { c: { distribution: 'constant', value: 'x' } } } });
  assert.deepEqual(paramsOf(bayesNext(consts, [], makeRng(1))), { a: 3, b: { c: 'x' } });
  // Runs whose parameters cannot be placed (a prior run from another space) are left out, not fatal.
  const cfg = bayes({ opt: values(['a', 'b']), x: uniform(0, 1) });
  const runs = [run('finished', { opt: 'zzz', x: 0.5 }, [1]), run('finished', { x: 0.2 }, [1]), run('finished', { opt: 'a', x: 'str' }, [1])];
  const s = bayesNext(cfg, runs, makeRng(1));
  assert.ok('params' in s && s.info?.source === 'random', 'no run could be placed: random');
  // Every metric identical: no signal, still a valid suggestion.
  const flat = [0.1, 0.5, 0.9].map((x) => run('finished', { opt: 'a', x }, [1]));
  assert.ok('params' in bayesNext(cfg, flat, makeRng(2)));
  assert.ok('params' in nextRun(cfg, flat, makeRng(2)));
});

test('targetReached: the first run at or past metric.target', () => {
  const runs = [run('finished', {}, [0.5, 0.3], 'a'), run('running', {}, [NaN, 0.09], 'b'), run('finished', {}, [0.05], 'c')];
  assert.equal(targetReached(config('random', {}, { metric: { target: 0.1 } }), runs), 'b');
  assert.equal(targetReached(config('random', {}, { metric: { target: 0.01 } }), runs), undefined);
  assert.equal(targetReached(config('random', {}, { metric: { target: 0.5, goal: 'maximize' } }), runs), 'a');
  assert.equal(targetReached(config('random', {}), runs), undefined);
  assert.equal(targetReached({ method: 'random', parameters: {} }, runs), undefined);
  const summaryOnly: SweepRunView = { id: 's', state: 'finished', params: {}, metricHistory: [], metricValue: 0.01 };
  assert.equal(targetReached(config('random', {}, { metric: { target: 0.1 } }), [summaryOnly]), 's');
});
