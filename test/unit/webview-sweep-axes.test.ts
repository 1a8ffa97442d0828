// Axes of the sweep panel's charts (no DOM): categorical, log and linear axes from the sweep config and
// the values seen, positions, ticks, and the colour rank by metric.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisPosition, axisTicks, buildAxes, categoryOf, flatParameters, flatValues, goodness } from '../../webview/charts/sweepAxes';
import type { SweepParameterView } from '../../runtime/protocol/api';

const params: Record<string, SweepParameterView> = {
  lr: { distribution: 'log_uniform_values', min: 0.0001, max: 0.1 },
  layers: { distribution: 'categorical', values: [1, 2, 4] },
  act: { distribution: 'categorical', values: ['relu', 'gelu'] },
  dropout: { distribution: 'uniform', min: 0, max: 0.5 },
  seed: { distribution: 'constant', value: 7 },
  opt: { parameters: { name: { distribution: 'categorical', values: ['adam', 'sgd'] }, beta: { distribution: 'q_log_uniform', min: -3, max: 0, q: 0.01 } } },
};
const trials = [
  { params: { lr: 0.001, layers: 2, act: 'relu', dropout: 0.1, seed: 7, opt: { name: 'sgd', beta: 0.2 } }, metric: 0.5 },
  { params: { lr: 0.05, layers: 4.0, act: 'gelu', dropout: 0.4, seed: 7, opt: { name: 'adam', beta: 0.9 } }, metric: 0.2 },
  { params: { lr: 0.0002, layers: 1, act: 'relu', dropout: 0.2, seed: 7, opt: { name: 'adam', beta: 0.05 } }, metric: null },
];

test('one axis per varied parameter (nested as dotted names, constants left out) plus the metric', () => {
  assert.deepEqual(Object.keys(flatParameters(params)), ['lr', 'layers', 'act', 'dropout', 'seed', 'opt.name', 'opt.beta']);
  assert.deepEqual(flatValues({ a: 1, b: { c: 'x', d: [1, 2] } }), { a: 1, 'b.c': 'x', 'b.d': [1, 2] });
  const axes = buildAxes(params, trials, 'val_loss');
  assert.deepEqual(axes.map((a) => [a.name, a.kind]), [
    ['lr', 'log'], ['layers', 'categorical'], ['act', 'categorical'], ['dropout', 'linear'], ['opt.name', 'categorical'], ['opt.beta', 'log'], ['val_loss', 'linear'],
  ]);
  const lr = axes[0];
  assert.deepEqual([lr.min, lr.max], [0.0001, 0.1], 'log_uniform_values: the search range');
  const beta = axes[5];
  assert.deepEqual([beta.min, beta.max], [0.05, 0.9], 'q_log_uniform: min/max are exponents, so the values seen');
  assert.deepEqual(axes[1].categories, ['1', '2', '4'], 'config order; 4.0 is the value 4');
  assert.deepEqual(axes[4].categories, ['adam', 'sgd']);
  const dropout = axes[3];
  assert.ok(dropout.min < 0 && dropout.max > 0.5, 'linear: the range, padded');
  const metric = axes[6];
  assert.ok(metric.metric && metric.min < 0.2 && metric.max > 0.5);
});

test('positions: categories evenly spaced, log axes by decade, unknown values not placed', () => {
  const [lr, layers] = buildAxes(params, trials, 'm');
  assert.equal(axisPosition(layers, 1), 1 / 6);
  assert.equal(axisPosition(layers, 2.0), 0.5);
  assert.equal(axisPosition(layers, 3), null);
  assert.equal(axisPosition(layers, undefined), null);
  assert.ok(Math.abs(axisPosition(lr, 0.001)! - 1 / 3) < 1e-12);
  assert.equal(axisPosition(lr, 0.1), 1);
  assert.equal(axisPosition(lr, -1), null);
  assert.equal(axisPosition(lr, 'x'), null);
  assert.equal(categoryOf('a'), 'a');
  assert.equal(categoryOf(true), 'true');
  assert.equal(categoryOf({ a: 1 }), '{"a":1}');
});

test('ticks: every category, powers of ten, round numbers', () => {
  const [lr, layers, , dropout] = buildAxes(params, trials, 'm');
  assert.deepEqual(axisTicks(layers).map((t) => t.label), ['1', '2', '4']);
  assert.deepEqual(axisTicks(lr).map((t) => t.label), ['1e-4', '0.001', '0.01', '0.1']);
  const d = axisTicks(dropout).map((t) => t.label);
  assert.deepEqual(d, ['0', '0.2', '0.4']);
  // A single value still gets a usable domain.
  const one = buildAxes({ x: { distribution: 'normal' } }, [{ params: { x: 3 }, metric: 1 }], 'm');
  assert.ok(one[0].min < 3 && one[0].max > 3 && one[1].min < 1 && one[1].max > 1);
});

test('goodness ranks metrics best = 1 for the goal; nulls stay null', () => {
  assert.deepEqual(goodness([3, 1, null, 2], 'minimize'), [0, 1, null, 0.5]);
  assert.deepEqual(goodness([3, 1, 2], 'maximize'), [1, 0, 0.5]);
  assert.deepEqual(goodness([5], 'minimize'), [1]);
  assert.deepEqual(goodness([1, 1, 2], 'minimize'), [0.75, 0.75, 0]);
});

test('routes: #/sweeps (optionally of a project) and #/sweep/<id> round-trip', async () => {
  const { parseRoute, formatRoute } = await import('../../webview/route');
  assert.deepEqual(parseRoute('/sweeps'), { kind: 'sweeps' });
  assert.deepEqual(parseRoute('/sweeps/my%20proj'), { kind: 'sweeps', project: 'my proj' });
  assert.equal(formatRoute({ kind: 'sweeps', project: 'my proj' }), '#/sweeps/my%20proj');
  assert.equal(formatRoute({ kind: 'sweeps' }), '#/sweeps');
  assert.deepEqual(parseRoute(formatRoute({ kind: 'sweep', id: 'ab12' }).slice(1)), { kind: 'sweep', id: 'ab12' });
});
