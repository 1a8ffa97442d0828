// Random search and the distributions: every kind checked statistically against its exact CDF
// (Kolmogorov–Smirnov, α = 0.001) or exact probabilities (chi-square), with fixed seeds; plus the
// rng and the special functions against reference values (mpmath, 30 digits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng, randomNext, nextRun } from '../../runtime/sweeps/search';
import { sample, ppf, encode, qRound, roundHalfEven } from '../../runtime/sweeps/search/distributions';
import { erfc, normalCdf, normalPpf, lnGamma, betaCdf, betaPpf } from '../../runtime/sweeps/search/special';
import type { FilledParameter } from '../../runtime/sweeps/config/types';
import { config, ksStatistic, ksCritical, chiSquare, CHI2_CRITICAL_001, mean, variance } from '../fixtures/sweeps-search/helpers';

const N = 4000;
const draw = (spec: FilledParameter, seed: number, n = N) => {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => sample(spec, rng) as number);
};
const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
const ks = (xs: number[], cdf: (x: number) => number, what: string) => {
  const d = ksStatistic(xs, cdf);
  assert.ok(d < ksCritical(xs.length), `${what}: KS D=${d.toFixed(4)} ≥ ${ksCritical(xs.length).toFixed(4)}`);
};
const isMultiple = (x: number, q: number) => Math.abs(x / q - Math.round(x / q)) < 1e-9;

test('special functions match 30-digit references', () => {
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
  const cases: [number, number][] = [[erfc(-1), 1.8427007929497148], [erfc(0.5), 0.4795001221869535], [erfc(2), 0.004677734981047266],
    [erfc(3), 2.209049699858544e-5], [erfc(6), 2.1519736712498913e-17], [normalPpf(0.975), 1.9599639845400543], [normalPpf(0.1), -1.2815515655446004],
    [normalPpf(1e-10), -6.361340902404057], [lnGamma(0.5), 0.5723649429247001], [lnGamma(3.7), 1.4280723266653879], [lnGamma(10), 12.801827480081469],
    [lnGamma(123.4), 469.3360974421906], [betaCdf(0.3, 2, 5), 0.579825], [betaCdf(0.9, 0.5, 0.5), 0.7951672353008665],
    [betaCdf(0.01, 0.5, 3), 0.18625375], [betaCdf(0.6, 10, 10), 0.8139079785845883], [betaCdf(0.7, 100, 40), 0.34582801012999087]];
  for (const [got, want] of cases) assert.ok(rel(got, want) < 1e-12, `${got} vs ${want}`);
  assert.equal(normalPpf(0.5), 0);
  for (const p of [1e-12, 0.01, 0.3, 0.77, 0.999]) close(normalCdf(normalPpf(p)), p, 1e-14 + 1e-12 * p);
  for (const [a, b] of [[2, 5], [0.5, 0.5], [0.3, 3], [40, 2]]) for (const p of [1e-6, 0.1, 0.5, 0.93]) close(betaCdf(betaPpf(p, a, b), a, b), p, 1e-12);
});

test('rng: seeded, reproducible, uniform on (0,1), normal N(0,1)', () => {
  const a = makeRng(42), b = makeRng(42), c = makeRng(43);
  const sa = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.uniform()));
  // Large, fractional and negative seeds are valid and distinct.
  assert.notEqual(makeRng(2 ** 40).uniform(), makeRng(2 ** 40 + 1).uniform());
  assert.notEqual(makeRng(-1).uniform(), makeRng(1).uniform());
  assert.throws(() => makeRng(NaN));
  const r = makeRng(7);
  const u = Array.from({ length: N }, () => r.uniform());
  assert.ok(u.every((x) => x > 0 && x < 1));
  ks(u, (x) => x, 'uniform');
  const z = Array.from({ length: N }, () => r.normal());
  ks(z, normalCdf, 'normal');
  const ints = Array.from({ length: N }, () => r.int(5));
  assert.ok(chiSquare([0, 1, 2, 3, 4].map((k) => ints.filter((i) => i === k).length), [0.2, 0.2, 0.2, 0.2, 0.2]) < CHI2_CRITICAL_001[4]);
});

test('random: continuous distributions match their exact CDFs (KS)', () => {
  const logU = (lo: number, hi: number) => (x: number) => (Math.log(x) - lo) / (hi - lo);
  ks(draw({ distribution: 'uniform', min: -2, max: 3 }, 1), (x) => (x + 2) / 5, 'uniform');
  // v1: min/max are e-exponents.
  ks(draw({ distribution: 'log_uniform', min: -3, max: 2 }, 2), logU(-3, 2), 'log_uniform');
  const lv = draw({ distribution: 'log_uniform_values', min: 1e-4, max: 0.1 }, 3);
  assert.ok(lv.every((x) => x >= 1e-4 && x <= 0.1));
  ks(lv, logU(Math.log(1e-4), Math.log(0.1)), 'log_uniform_values');
  // inv v1: 1/exp(U(min, max)), so P(X ≤ x) = 1 − (−ln x − min)/(max − min).
  const inv = draw({ distribution: 'inv_log_uniform', min: 0, max: 3 }, 4);
  assert.ok(inv.every((x) => x >= Math.exp(-3) && x <= 1));
  ks(inv, (x) => 1 - (-Math.log(x) - 0) / 3, 'inv_log_uniform');
  const invv = draw({ distribution: 'inv_log_uniform_values', min: 0.01, max: 1 }, 5);
  assert.ok(invv.every((x) => x >= 0.01 && x <= 1));
  ks(invv, logU(Math.log(0.01), 0), 'inv_log_uniform_values');
  const nrm = draw({ distribution: 'normal', mu: 2, sigma: 3 }, 6);
  ks(nrm, (x) => normalCdf((x - 2) / 3), 'normal');
  close(mean(nrm), 2, 4 * 3 / Math.sqrt(N), 'normal mean');
  close(Math.sqrt(variance(nrm)), 3, 0.15, 'normal sd');
  const ln = draw({ distribution: 'log_normal', mu: 0.5, sigma: 0.4 }, 7);
  ks(ln, (x) => normalCdf((Math.log(x) - 0.5) / 0.4), 'log_normal');
  close(mean(ln), Math.exp(0.5 + 0.08), 0.03, 'log_normal mean');
  for (const [a, b, seed] of [[2, 5, 8], [0.5, 0.5, 9], [0.3, 4, 10]]) {
    const xs = draw({ distribution: 'beta', a, b }, seed);
    assert.ok(xs.every((x) => x >= 0 && x <= 1));
    ks(xs, (x) => betaCdf(x, a, b), `beta(${a},${b})`);
    close(mean(xs), a / (a + b), 0.015, 'beta mean');
    close(variance(xs), (a * b) / ((a + b) ** 2 * (a + b + 1)), 0.01, 'beta var');
  }
});

test('random: categorical and int_uniform are uniform; probabilities are honoured (chi-square)', () => {
  const cat = draw({ distribution: 'categorical', values: ['a', 'b', 'c', 'd'] }, 11) as unknown as string[];
  assert.ok(chiSquare(['a', 'b', 'c', 'd'].map((v) => cat.filter((x) => x === v).length), [0.25, 0.25, 0.25, 0.25]) < CHI2_CRITICAL_001[3]);
  const probs = [0.1, 0.6, 0.3];
  const w = draw({ distribution: 'categorical_w_probabilities', values: ['x', { y: 1 }, 3], probabilities: probs }, 12) as unknown[];
  const counts = [w.filter((v) => v === 'x').length, w.filter((v) => typeof v === 'object').length, w.filter((v) => v === 3).length];
  assert.ok(chiSquare(counts, probs) < CHI2_CRITICAL_001[2], `counts ${counts}`);
  counts.forEach((c, i) => close(c / N, probs[i], 0.025, 'probability'));
  // A zero-probability value never comes up.
  const z = draw({ distribution: 'categorical_w_probabilities', values: [1, 2, 3], probabilities: [0.5, 0, 0.5] }, 13);
  assert.ok(!z.includes(2));
  const ints = draw({ distribution: 'int_uniform', min: -3, max: 4 }, 14);
  assert.ok(ints.every(Number.isInteger));
  const ks8 = [-3, -2, -1, 0, 1, 2, 3, 4];
  assert.ok(chiSquare(ks8.map((k) => ints.filter((x) => x === k).length), ks8.map(() => 1 / 8)) < CHI2_CRITICAL_001[7]);
  assert.deepEqual(draw({ distribution: 'constant', value: { a: [1] } }, 15, 3), [{ a: [1] }, { a: [1] }, { a: [1] }]);
});

test('random: q forms round to multiples of q; integer q keeps integers; rounded mass matches (chi-square)', () => {
  // q_uniform on [0, 10], q 0.5: the end points get half a bin.
  const qu = draw({ distribution: 'q_uniform', min: 0, max: 10, q: 0.5 }, 21);
  assert.ok(qu.every((x) => isMultiple(x, 0.5) && x >= 0 && x <= 10));
  const bins = Array.from({ length: 21 }, (_, k) => k * 0.5);
  const probs = bins.map((b) => (Math.min(10, b + 0.25) - Math.max(0, b - 0.25)) / 10);
  assert.ok(chiSquare(bins.map((b) => qu.filter((x) => x === b).length), probs) < CHI2_CRITICAL_001[20]);
  // q 0.1: values print cleanly (0.3, not 0.30000000000000004).
  const q1 = draw({ distribution: 'q_uniform', min: 0, max: 1, q: 0.1 }, 22);
  assert.ok(q1.every((x) => String(x).length <= 3), `noisy float: ${q1.find((x) => String(x).length > 3)}`);
  const qi = draw({ distribution: 'q_uniform', min: 0, max: 9, q: 2 }, 23);
  assert.ok(qi.every((x) => Number.isInteger(x) && x % 2 === 0));
  const qlv = draw({ distribution: 'q_log_uniform_values', min: 1, max: 1000, q: 1 }, 24);
  assert.ok(qlv.every((x) => Number.isInteger(x) && x >= 1 && x <= 1000));
  // P(X ≤ k) = P(Y < k + 0.5) for Y log-uniform on [1, 1000].
  for (const k of [1, 5, 30, 200]) close(qlv.filter((x) => x <= k).length / N, Math.log(k + 0.5) / Math.log(1000), 0.025, `q_log_uniform_values P(X≤${k})`);
  const ql1 = draw({ distribution: 'q_log_uniform', min: 0, max: Math.log(100), q: 0.1 }, 25);
  assert.ok(ql1.every((x) => isMultiple(x, 0.1) && x >= 1 && x <= 100));
  const qn = draw({ distribution: 'q_normal', mu: 0, sigma: 5, q: 1 }, 26);
  assert.ok(qn.every(Number.isInteger));
  close(qn.filter((x) => x === 0).length / N, normalCdf(0.1) - normalCdf(-0.1), 0.02, 'q_normal P(0)');
  const qln = draw({ distribution: 'q_log_normal', mu: 2, sigma: 0.5, q: 1 }, 27);
  assert.ok(qln.every((x) => Number.isInteger(x) && x >= 0));
  close(qln.filter((x) => x <= 7).length / N, normalCdf((Math.log(7.5) - 2) / 0.5), 0.025, 'q_log_normal P(X≤7)');
  const qb = draw({ distribution: 'q_beta', a: 2, b: 2, q: 0.1 }, 28);
  const grid = Array.from({ length: 11 }, (_, k) => k / 10);
  assert.ok(qb.every((x) => grid.includes(x)), 'q_beta values are exact tenths');
  const pb = grid.map((g) => betaCdf(Math.min(1, g + 0.05), 2, 2) - betaCdf(Math.max(0, g - 0.05), 2, 2));
  assert.ok(chiSquare(grid.map((g) => qb.filter((x) => x === g).length), pb) < CHI2_CRITICAL_001[10]);
});

test('q rounding is round-half-even like numpy, and exact for integer q', () => {
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(-2.5), -2);
  assert.equal(roundHalfEven(2.6), 3);
  assert.equal(qRound(7.4, 5), 5);
  assert.equal(qRound(7.6, 5), 10);
  assert.equal(qRound(0.34, 0.1), 0.3);
  assert.equal(qRound(12.5, 5), 10); // 2.5 → 2
});

test('ppf and encode are inverse for the GP mapping (discrete kinds through the middle of their CDF step)', () => {
  const specs: FilledParameter[] = [
    { distribution: 'uniform', min: -2, max: 2 }, { distribution: 'log_uniform_values', min: 1e-5, max: 1 },
    { distribution: 'log_uniform', min: -5, max: 1 }, { distribution: 'inv_log_uniform', min: 0, max: 4 },
    { distribution: 'inv_log_uniform_values', min: 0.1, max: 10 }, { distribution: 'normal', mu: 1, sigma: 2 },
    { distribution: 'log_normal', mu: 0, sigma: 1 }, { distribution: 'beta', a: 2, b: 3 },
  ];
  for (const s of specs) for (const p of [0.01, 0.3, 0.5, 0.9]) close(encode(s, ppf(s, p) as number)!, p, 1e-9, s.distribution);
  const cat: FilledParameter = { distribution: 'categorical', values: ['a', 'b', 'c'] };
  assert.deepEqual([0.01, 0.34, 0.99].map((p) => ppf(cat, p)), ['a', 'b', 'c']);
  assert.deepEqual(['a', 'b', 'c'].map((v) => encode(cat, v)), [1 / 6, 0.5, 5 / 6]);
  assert.equal(encode(cat, 'zzz'), undefined);
  const int: FilledParameter = { distribution: 'int_uniform', min: 1, max: 4 };
  for (const v of [1, 2, 3, 4]) assert.equal(ppf(int, encode(int, v)!), v);
  const cw: FilledParameter = { distribution: 'categorical_w_probabilities', values: [1, 2, 3], probabilities: [0.2, 0.5, 0.3] };
  for (const v of [1, 2, 3]) assert.equal(ppf(cw, encode(cw, v)!), v);
});

test('randomNext: independent parameters, nested output in config order, reproducible, never done', () => {
  const cfg = config('random', {
    lr: { distribution: 'log_uniform_values', min: 1e-4, max: 0.1 },
    opt: { parameters: { name: { distribution: 'categorical', values: ['sgd', 'adam'] }, momentum: { distribution: 'constant', value: 0.9 } } },
    layers: { distribution: 'int_uniform', min: 1, max: 4 },
  });
  const a = randomNext(cfg, [], makeRng(5));
  const b = nextRun(cfg, [], makeRng(5));
  assert.deepEqual(a, b);
  assert.ok('params' in a);
  assert.deepEqual(Object.keys(a.params), ['lr', 'opt', 'layers']);
  assert.equal((a.params.opt as Record<string, unknown>).momentum, 0.9);
  // Independence: the correlation of two uniform parameters over many draws is ~0.
  const two = config('random', { x: { distribution: 'uniform', min: 0, max: 1 }, y: { distribution: 'uniform', min: 0, max: 1 } });
  const rng = makeRng(99);
  const pts = Array.from({ length: N }, () => (randomNext(two, [], rng) as { params: { x: number; y: number } }).params);
  const mx = mean(pts.map((p) => p.x)), my = mean(pts.map((p) => p.y));
  const cov = mean(pts.map((p) => (p.x - mx) * (p.y - my)));
  close(cov / (1 / 12), 0, 4 / Math.sqrt(N), 'correlation');
  const many = Array.from({ length: 50 }, () => [] as never[]).map((runs) => randomNext(cfg, runs, rng));
  assert.ok(many.every((s) => 'params' in s));
});
