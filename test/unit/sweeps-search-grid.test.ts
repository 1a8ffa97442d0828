// Grid search: enumeration order, value-aware de-duplication, restarts, bounds and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridNext, gridSize, qUniformGridValues, canonicalKey, nextRun, makeRng, SearchConfigError, type SweepRunView } from '../../runtime/sweeps/search';
import type { ParameterSpec, SweepConfig } from '../../runtime/sweeps/config/types';
import { config, constant, run, values } from '../fixtures/sweeps-search/helpers';

/** Runs the grid to exhaustion (each suggestion becomes a finished run) and returns the suggested params. */
function exhaust(cfg: SweepConfig, runs: SweepRunView[] = []): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 10_000; i++) {
    const s = gridNext(cfg, runs);
    if ('done' in s) return out;
    out.push(s.params);
    runs.push(run('finished', s.params));
  }
  throw new Error('grid did not end');
}

const grid = (parameters: Record<string, ParameterSpec>) => config('grid', parameters);

test('grid: product in config order, last parameter fastest, then done', () => {
  const cfg = grid({ v1: values([1, 2, 3]), v2: values([4, 5]) });
  assert.deepEqual(exhaust(cfg).map((p) => [p.v1, p.v2]), [[1, 4], [1, 5], [2, 4], [2, 5], [3, 4], [3, 5]]);
  const done = gridNext(cfg, [1, 2, 3].flatMap((a) => [4, 5].map((b) => run('finished', { v1: a, v2: b }))));
  assert.ok('done' in done && /exhausted.*6/.test(done.reason));
});

test('grid: config order, not alphabetical', () => {
  const cfg = grid({ zeta: values(['a', 'b']), alpha: values([1, 2]) });
  assert.deepEqual(exhaust(cfg).map((p) => [p.zeta, p.alpha]), [['a', 1], ['a', 2], ['b', 1], ['b', 2]]);
  assert.deepEqual(Object.keys(exhaust(cfg)[0]), ['zeta', 'alpha']);
});

test('grid: nested parameters are flattened in order and suggested as nested objects', () => {
  const cfg = grid({
    p1: values(['a', 'b', 'c']),
    p2: { parameters: { n1: values([0.01, 0.001]), n2: constant(0.9), n3: values([1, 2, 3]) } },
  });
  const all = exhaust(cfg);
  assert.equal(all.length, 18);
  assert.deepEqual(all[0], { p1: 'a', p2: { n1: 0.01, n2: 0.9, n3: 1 } });
  assert.deepEqual(all[1], { p1: 'a', p2: { n1: 0.01, n2: 0.9, n3: 2 } });
  assert.deepEqual(all[3], { p1: 'a', p2: { n1: 0.001, n2: 0.9, n3: 1 } });
  assert.deepEqual(all[6], { p1: 'b', p2: { n1: 0.01, n2: 0.9, n3: 1 } });
  // A run that already has the first nested point (as W&B's nested test) moves the grid on.
  const next = gridNext(cfg, [run('finished', { p1: 'a', p2: { n1: 0.01, n2: 0.9, n3: 1 } })]);
  assert.ok('params' in next);
  assert.deepEqual(next.params, { p1: 'a', p2: { n1: 0.01, n2: 0.9, n3: 2 } });
});

test('grid: repeated values in a list are one grid value (W&B duplicated-values vector: 15 points)', () => {
  const cfg = grid({ v1: values([null, 2, 3, 'a', [2, 3], 3]), v2: values(['a', 'b', "c'"]) });
  const all = exhaust(cfg);
  assert.equal(all.length, 15);
  assert.equal(new Set(all.map((p) => canonicalKey(p))).size, 15);
  const order = grid({ v1: values(['a', 'b', 'c', 'a']), v2: values([1, 2, 3]) });
  assert.deepEqual(exhaust(order).map((p) => `${p.v1}${p.v2}`), ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
  assert.equal(gridSize(order), 9);
});

test('grid: integral floats equal ints (values come through JSON: 1.0 parses as 1); -0 is 0', () => {
  const cfg = grid({ v1: values([3000000, 'next']), v2: constant('test') });
  const prior = run('finished', JSON.parse('{"v1": 3000000.0, "v2": "test"}'));
  const s = gridNext(cfg, [prior]);
  assert.ok('params' in s && s.params.v1 === 'next');
  const z = gridNext(grid({ v: values([0, 1]) }), [run('finished', { v: -0 })]);
  assert.ok('params' in z && z.params.v === 1);
});

test('grid: booleans are not ints (true vs 1 differ, as in W&B yaml hashing); strings are not numbers', () => {
  const a = gridNext(grid({ v1: values([true, 1]) }), [run('finished', { v1: true })]);
  assert.ok('params' in a && a.params.v1 === 1);
  const b = gridNext(grid({ v1: values([1, true]) }), [run('finished', { v1: 1 })]);
  assert.ok('params' in b && b.params.v1 === true);
  const c = gridNext(grid({ v1: values([0, false]) }), [run('finished', { v1: false })]);
  assert.ok('params' in c && c.params.v1 === 0);
  const d = gridNext(grid({ v1: values(['1', 1]) }), [run('finished', { v1: 1 })]);
  assert.ok('params' in d && d.params.v1 === '1');
  const e = gridNext(grid({ v1: values([null, 0]) }), [run('finished', { v1: 0 })]);
  assert.ok('params' in e && e.params.v1 === null);
});

test('grid: NaN equals NaN', () => {
  const s = gridNext(grid({ v1: values([NaN, 1]), v2: constant('test') }), [run('finished', { v1: NaN, v2: 'test' })]);
  assert.ok('params' in s && s.params.v1 === 1);
});

test('grid: dicts match whatever their key order (nested too); lists match element-wise', () => {
  const cfg = grid({ v1: values([{ a: 1, b: 2 }, { a: 3, b: 4 }]), v2: constant('test') });
  const s = gridNext(cfg, [run('finished', { v1: { b: 2, a: 1 }, v2: 'test' })]);
  assert.ok('params' in s);
  assert.deepEqual(s.params.v1, { a: 3, b: 4 });
  const nested = grid({ v: values([{ o: { x: 1, y: [1, { p: 1, q: 2 }] } }, 'other']) });
  const n = gridNext(nested, [run('finished', { v: { o: { y: [1, { q: 2, p: 1 }], x: 1.0 } } })]);
  assert.ok('params' in n && n.params.v === 'other');
  const lists = gridNext(grid({ v: values([[2, 3], [3, 2]]) }), [run('finished', { v: [2, 3] })]);
  assert.ok('params' in lists);
  assert.deepEqual(lists.params.v, [3, 2]);
  // A dict value suggested with every key order is one grid value.
  assert.equal(gridSize(grid({ v: values([{ a: 'b' }, { c: 'd', b: 'g' }, { e: { f: 'g' } }, { a: 'b' }, { b: 'g', c: 'd' }]) })), 3);
});

test('grid: keys a run added to a dict value at runtime do not make it a new combination', () => {
  const cfg = grid({ env: values([{ env_id: 'v0', max_steps: 1000 }, { env_id: 'v1', max_steps: 2000 }, { env_id: 'v2', max_steps: 3000 }]) });
  const runs = [
    run('finished', { env: { env_id: 'v0', max_steps: 1000, env_name: 'SAC_abc' } }),
    run('finished', { env: { env_id: 'v2', max_steps: 3000, env_name: 'SAC_def', internal_id: 42 } }),
  ];
  const s = gridNext(cfg, runs);
  assert.ok('params' in s);
  assert.deepEqual(s.params.env, { env_id: 'v1', max_steps: 2000 });
  runs.push(run('finished', { env: { env_id: 'v1', max_steps: 2000, created: 'today' } }));
  assert.ok('done' in gridNext(cfg, runs));
});

test('grid: restart mid-sweep with runs in any state is idempotent and never repeats a combination', () => {
  const cfg = grid({ v1: values([1, 2, 3]), v2: values([4, 5]) });
  const runs = [
    run('running', { v1: 2, v2: 4 }),
    run('pending', { v1: 1, v2: 5 }),
    run('failed', { v1: 1, v2: 4 }),
    run('killed', { v1: 3, v2: 5 }),
  ];
  const first = gridNext(cfg, runs);
  assert.deepEqual(gridNext(cfg, runs), first, 'the same runs give the same suggestion');
  assert.ok('params' in first);
  assert.deepEqual(first.params, { v1: 2, v2: 5 });
  const rest = exhaust(cfg, runs);
  assert.deepEqual(rest.map((p) => [p.v1, p.v2]), [[2, 5], [3, 4]]);
  const all = runs.map((r) => canonicalKey(r.params));
  assert.equal(new Set(all).size, 6);
});

test('grid: constants are not part of the de-duplication key; runs missing a searched parameter cover nothing', () => {
  const only = grid({ v1: constant('a'), v2: constant('b') });
  assert.deepEqual(exhaust(only), [{ v1: 'a', v2: 'b' }]);
  const cfg = grid({ v1: values(['a', 'b']), v2: constant(1) });
  const s = gridNext(cfg, [run('finished', { v1: 'a' })]);
  assert.ok('params' in s);
  assert.deepEqual(s.params, { v1: 'b', v2: 1 });
  const missing = gridNext(grid({ v1: values(['a', 'b']), v2: values([1]) }), [run('finished', { v1: 'a' })]);
  assert.ok('params' in missing);
  assert.deepEqual(missing.params, { v1: 'a', v2: 1 });
});

test('grid: int_uniform is min..max inclusive', () => {
  const cfg = grid({ v1: { distribution: 'int_uniform', min: -52, max: 10 }, v2: constant('test') });
  const all = exhaust(cfg).map((p) => p.v1 as number);
  assert.equal(all.length, 63);
  assert.equal(all[0], -52);
  assert.equal(all[62], 10);
  assert.ok(all.every(Number.isInteger));
});

test('grid: q_uniform is np.arange(min, max, q): max excluded, float steps without float noise', () => {
  assert.deepEqual(qUniformGridValues(0, 1, 0.1), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  // numpy's arange(1, 1.3, 0.1) has 1.3000000000000003 as a 4th value; max stays excluded here.
  assert.deepEqual(qUniformGridValues(1, 1.3, 0.1), [1, 1.1, 1.2]);
  assert.deepEqual(qUniformGridValues(0, 0.3, 0.1), [0, 0.1, 0.2]);
  assert.deepEqual(qUniformGridValues(0, 10, 3), [0, 3, 6, 9]);
  assert.deepEqual(qUniformGridValues(0, 9, 3), [0, 3, 6]);
  assert.deepEqual(qUniformGridValues(0.5, 0.5, 0.1), []);
  assert.deepEqual(qUniformGridValues(1e-7, 5e-7, 1e-7), [1e-7, 2e-7, 3e-7, 4e-7]);
  // W&B's vector: np.arange(-9.211, 23.23, 2.341) has 14 values.
  const v = qUniformGridValues(-9.211, 23.23, 2.341);
  assert.equal(v.length, 14);
  v.forEach((x, i) => assert.ok(Math.abs(x - (-9.211 + i * 2.341)) < 1e-12));
  assert.ok(v[13] < 23.23);
  const cfg = grid({ v1: { distribution: 'q_uniform', min: 0, max: 1, q: 0.1 } });
  assert.deepEqual(exhaust(cfg).map((p) => p.v1), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
});

test('grid: any other distribution is an error naming the parameter and the allowed kinds', () => {
  const bad = grid({ ok: values([1]), opt: { parameters: { lr: { distribution: 'log_uniform_values', min: 1e-4, max: 0.1 } } } });
  assert.throws(() => gridNext(bad, []), (e: unknown) => {
    assert.ok(e instanceof SearchConfigError);
    assert.equal(e.parameter, 'opt.lr');
    assert.match(e.message, /"opt\.lr".*log_uniform_values/);
    assert.match(e.message, /constant, categorical, int_uniform, q_uniform/);
    return true;
  });
  assert.throws(() => gridNext(grid({ p: { distribution: 'categorical_w_probabilities', values: [1, 2], probabilities: [0.5, 0.5] } }), []), SearchConfigError);
  assert.throws(() => gridNext(grid({ p: { distribution: 'uniform', min: 0, max: 1 } }), []), /grid search cannot use parameter "p"/);
});

test('grid: an empty value list ends the sweep with a reason; nextRun dispatches to grid', () => {
  const s = gridNext(grid({ a: values([1]), b: { distribution: 'int_uniform', min: 3, max: 2 } }), []);
  assert.ok('done' in s && /"b" has no values/.test(s.reason));
  const n = nextRun(grid({ a: values([7]) }), [], makeRng(1));
  assert.ok('params' in n && n.params.a === 7);
});
