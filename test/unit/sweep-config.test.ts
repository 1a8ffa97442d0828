// The sweep config module: defaults filling, each semantic check with its exact range and message,
// quick-fix edits that produce a valid file, dicts from Python, wandb config files, PyYAML pitfalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  fillDefaults, parseConfigDefaultsYaml, parseInitConfigYaml, parsePlainConfigYaml, parseSweepYaml, pyyamlResolve, pyyamlSafeFloat,
  suggest, validateSweepConfig, describeRange, gridSize, keyDoc, DISTRIBUTION_DOCS, SWEEP_SCHEMA, type Diagnostic, type TextEdit,
} from '../../runtime/sweeps/config';
import { makeRng } from '../../runtime/sweeps/search';
import { sample } from '../../runtime/sweeps/search/distributions';

const yaml = (lines: string[]) => lines.join('\n') + '\n';
const rangeOf = (d: Diagnostic) => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
const apply = (text: string, edits: TextEdit[]) => TextDocument.applyEdits(TextDocument.create('file:///x.yaml', 'yaml', 1, text), edits);
const only = (text: string) => {
  const { diagnostics } = parseSweepYaml(text);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics.map((d) => d.message)));
  return diagnostics[0];
};

test('defaults: distributions inferred as W&B does, and every default filled', () => {
  const { config, diagnostics } = parseSweepYaml(yaml([
    'program: train.py', 'method: bayes', 'metric:', '  name: loss', 'early_terminate:', '  type: hyperband', '  min_iter: 3',
    'parameters:',
    '  ints: {min: 1, max: 8}', '  floats: {min: 0.0, max: 1}', '  float_max: {min: 0, max: 1.5}', '  exp: {min: 1, max: 1e3}',
    '  cat: {values: [a, b]}', '  const: {value: 3}', '  probs: {values: [a, b], probabilities: [0.25, 0.75]}',
    '  q: {distribution: q_uniform, min: 0, max: 10}', '  n: {distribution: normal}', '  ln: {distribution: q_log_normal}', '  b: {distribution: beta}',
    '  group:', '    parameters:', '      inner: {min: 2, max: 3}',
  ]));
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(config, {
    method: 'bayes', program: 'train.py',
    metric: { name: 'loss', goal: 'minimize', impute: 'worst', impute_while_running: false },
    early_terminate: { type: 'hyperband', min_iter: 3, eta: 3, strict: true },
    parameters: {
      ints: { distribution: 'int_uniform', min: 1, max: 8 },
      floats: { distribution: 'uniform', min: 0, max: 1 },
      float_max: { distribution: 'uniform', min: 0, max: 1.5 },
      exp: { distribution: 'uniform', min: 1, max: 1000 },
      cat: { distribution: 'categorical', values: ['a', 'b'] },
      const: { distribution: 'constant', value: 3 },
      probs: { distribution: 'categorical_w_probabilities', values: ['a', 'b'], probabilities: [0.25, 0.75] },
      q: { distribution: 'q_uniform', min: 0, max: 10, q: 1 },
      n: { distribution: 'normal', mu: 0, sigma: 1 },
      ln: { distribution: 'q_log_normal', mu: 0, sigma: 1, q: 1 },
      b: { distribution: 'beta', a: 1, b: 1 },
      group: { parameters: { inner: { distribution: 'int_uniform', min: 2, max: 3 } } },
    },
  });
});

test('min not less than max: on min, with a swap fix that keeps the spelling', () => {
  const text = yaml(['program: t.py', 'method: random', 'parameters:', '  lr:', '    min: 1e-1', '    max: 0.001']);
  const d = parseSweepYaml(text).diagnostics.find((x) => x.code === 'min-not-less-than-max')!;
  assert.deepEqual(rangeOf(d), [4, 9, 4, 13]);
  assert.equal(d.message, 'Parameter `lr`: min 0.1 must be less than max 0.001; swap them or change one.');
  const fixed = apply(text, d.data!.fixes[0].edits);
  assert.match(fixed, /min: 0\.001\n {4}max: 1e-1\n/);
});

test('value and values together: on the second key, fixes remove either line', () => {
  const text = yaml(['program: t.py', 'method: random', 'parameters:', '  epochs:', '    value: 10', '    values: [10, 20]  # both', '  lr: {value: 1}']);
  const d = only(text);
  assert.equal(d.code, 'value-and-values');
  assert.deepEqual(rangeOf(d), [5, 4, 5, 10]);
  assert.deepEqual(d.data!.fixes.map((f) => f.title), ['Remove `values`', 'Remove `value`']);
  assert.equal(apply(text, d.data!.fixes[0].edits), yaml(['program: t.py', 'method: random', 'parameters:', '  epochs:', '    value: 10', '  lr: {value: 1}']));
  assert.equal(apply(text, d.data!.fixes[1].edits), yaml(['program: t.py', 'method: random', 'parameters:', '  epochs:', '    values: [10, 20]  # both', '  lr: {value: 1}']));
  const flow = yaml(['program: t.py', 'method: random', 'parameters:', '  seed: {values: [1, 2], value: 1}']);
  const f = only(flow);
  assert.equal(apply(flow, f.data!.fixes[0].edits), yaml(['program: t.py', 'method: random', 'parameters:', '  seed: {values: [1, 2]}']));
  assert.equal(apply(flow, f.data!.fixes[1].edits), yaml(['program: t.py', 'method: random', 'parameters:', '  seed: {value: 1}']));
});

test('empty values and probabilities that do not match', () => {
  const empty = only(yaml(['program: t.py', 'method: grid', 'parameters:', '  opt:', '    values: []']));
  assert.equal(empty.code, 'empty-values');
  assert.deepEqual(rangeOf(empty), [4, 4, 4, 10]);
  const text = yaml(['program: t.py', 'method: random', 'parameters:', '  a: {values: [x, y, z], probabilities: [0.5, 0.5]}', '  b: {values: [x, y], probabilities: [1, 3]}']);
  const [len, sum] = parseSweepYaml(text).diagnostics;
  assert.equal(len.code, 'probabilities-length');
  assert.equal(len.message, 'Parameter `a` has 3 values but 2 probabilities; give exactly one probability per value.');
  assert.deepEqual(rangeOf(len), [3, 40, 3, 50]);
  assert.equal(sum.code, 'probabilities-sum');
  assert.equal(apply(text, sum.data!.fixes[0].edits).split('\n')[4], '  b: {values: [x, y], probabilities: [0.25, 0.75]}');
});

test('log_uniform_values with min ≤ 0', () => {
  const d = only(yaml(['program: t.py', 'method: random', 'parameters:', '  lr:', '    distribution: log_uniform_values', '    min: 0', '    max: 0.1']));
  assert.equal(d.code, 'log-min-not-positive');
  assert.deepEqual(rangeOf(d), [5, 9, 5, 10]);
  assert.match(d.message, /^Parameter `lr` \(log_uniform_values\): min must be above 0/);
});

test('the base-e log_uniform family is flagged with the _values form and its computed limits', () => {
  const text = yaml(['program: t.py', 'method: random', 'parameters:', '  lr:', '    distribution: log_uniform', '    min: -9', '    max: -2']);
  const d = only(text);
  assert.equal(d.code, 'deprecated-log-uniform');
  assert.equal(d.severity, 'error');
  assert.deepEqual(rangeOf(d), [4, 18, 4, 29]);
  assert.equal(d.message, 'Parameter `lr` uses log_uniform, whose min and max are natural-log exponents (values e^-9..e^-2 ≈ 0.0001234..0.1353). Use log_uniform_values with min: 0.0001234 and max: 0.1353, the limits themselves.');
  const fixed = apply(text, d.data!.fixes[0].edits);
  assert.equal(fixed, yaml(['program: t.py', 'method: random', 'parameters:', '  lr:', '    distribution: log_uniform_values', '    min: 0.0001234', '    max: 0.1353']));
  assert.deepEqual(parseSweepYaml(fixed).diagnostics, []);
  const inv = only(yaml(['program: t.py', 'method: random', 'parameters:', '  g: {distribution: inv_log_uniform, min: 0, max: 2}']));
  assert.match(inv.message, /inv_log_uniform_values with min: 0\.1353 and max: 1\.0/);
});

test('grid with a continuous distribution, bayes without metric, hyperband without iterations', () => {
  const grid = only(yaml(['program: t.py', 'method: grid', 'parameters:', '  lr: {min: 0.0, max: 1.0}']));
  assert.equal(grid.code, 'grid-unsupported-distribution');
  assert.deepEqual(rangeOf(grid), [3, 2, 3, 4]);
  const explicit = only(yaml(['program: t.py', 'method: grid', 'parameters:', '  lr: {distribution: normal}']));
  assert.deepEqual(rangeOf(explicit), [3, 21, 3, 27]);
  const bayes = only(yaml(['program: t.py', 'method: bayes', 'parameters:', '  lr: {values: [1, 2]}']));
  assert.equal(bayes.code, 'bayes-needs-metric');
  assert.deepEqual(rangeOf(bayes), [1, 8, 1, 13]);
  const hb = only(yaml(['program: t.py', 'method: random', 'metric: {name: loss}', 'early_terminate:', '  type: hyperband', '  eta: 3', 'parameters:', '  lr: {values: [1]}']));
  assert.equal(hb.code, 'hyperband-needs-iter');
  assert.deepEqual(rangeOf(hb), [3, 0, 3, 15]);
});

test('eta must exceed 1, run_cap must be above 0', () => {
  const ds = parseSweepYaml(yaml(['program: t.py', 'method: random', 'metric: {name: l}', 'early_terminate: {type: hyperband, min_iter: 1, eta: 1}', 'run_cap: -2', 'parameters:', '  a: {value: 1}'])).diagnostics;
  assert.deepEqual(ds.map((d) => [d.code, ...rangeOf(d)]), [['eta-too-small', 3, 53, 3, 54], ['run-cap', 4, 9, 4, 11]]);
});

test('unknown keys and enum typos get "did you mean" and a rename fix', () => {
  const text = yaml(['program: t.py', 'method: bayesian', 'metric:', '  name: loss', '  goal: minimise', 'paramters:', '  lr: {values: [1]}']);
  const ds = parseSweepYaml(text).diagnostics;
  const method = ds.find((d) => d.path.join('.') === 'method')!;
  assert.equal(method.message, '`bayesian` is not a valid `method`; use grid, random, bayes. Did you mean `bayes`?');
  assert.deepEqual(method.data!.fixes[0].edits, [{ range: method.range, newText: 'bayes' }]);
  const goal = ds.find((d) => d.path.join('.') === 'metric.goal')!;
  assert.deepEqual(goal.data!.fixes[0].edits[0].newText, 'minimize');
  const key = ds.find((d) => d.code === 'unknown-key')!;
  assert.deepEqual(rangeOf(key), [5, 0, 5, 9]);
  assert.equal(key.message, 'Unknown key `paramters` in the sweep config. Did you mean `parameters`?');
  let fixed = text;
  for (const d of [method, goal, key]) fixed = apply(fixed, d.data!.fixes[0].edits);
  assert.deepEqual(parseSweepYaml(fixed).diagnostics, []);
  const quoted = parseSweepYaml(yaml(['program: t.py', 'method: "bayesian"', 'metric: {name: l}', 'parameters: {a: {value: 1}}'])).diagnostics[0];
  assert.equal(quoted.data!.fixes[0].edits[0].newText, '"bayes"');
});

test('a key of another distribution names the forms that take it', () => {
  const d = only(yaml(['program: t.py', 'method: random', 'parameters:', '  lr:', '    min: 0.1', '    max: 1.0', '    q: 0.1']));
  assert.equal(d.message, 'Unknown key `q` in parameter `lr` (uniform). uniform takes min, max; `q` belongs to q_uniform, q_log_uniform, q_log_uniform_values, q_normal, ....');
});

test('parameter name pattern, bare values, a parameter with no way to sample it', () => {
  const ds = parseSweepYaml(yaml(['program: t.py', 'method: random', 'parameters:', '  2x: {value: 1}', '  lr: 0.01', '  mu_only: {mu: 1}'])).diagnostics;
  assert.deepEqual(ds.map((d) => [d.code, ...rangeOf(d)]), [['parameter-name', 3, 2, 3, 4], ['parameter-not-mapping', 4, 6, 4, 10], ['parameter-kind-unknown', 5, 2, 5, 9]]);
  assert.equal(ds[1].data!.fixes[0].edits[0].newText, '{value: 0.01}');
  assert.match(ds[2].message, /add `distribution: normal`/);
});

test('PyYAML pitfalls: 1e-5 is a string to wandb, yes is a boolean, 010 is octal', () => {
  const text = yaml(['program: t.py', 'method: grid', 'parameters:', '  lr: {values: [1e-5, 2E4, 0.5]}', '  flag: {values: [yes, off]}', '  n: {value: 010}', '  ok: {value: !!float 1e-5}']);
  const ds = parseSweepYaml(text).diagnostics;
  assert.deepEqual(ds.map((d) => [d.code, d.severity, ...rangeOf(d)]), [
    ['pyyaml-float', 'warning', 3, 16, 3, 20], ['pyyaml-float', 'warning', 3, 22, 3, 25], ['pyyaml-bool', 'warning', 4, 18, 4, 21],
    ['pyyaml-bool', 'warning', 4, 23, 4, 26], ['pyyaml-number', 'warning', 5, 13, 5, 16],
  ]);
  assert.equal(ds[0].message, 'PyYAML (used by wandb) reads `1e-5` as the text "1e-5", not a number; write `1.0e-5` so both read 0.00001.');
  assert.deepEqual(ds.map((d) => d.data!.fixes[0].edits[0].newText), ['1.0e-5', '2.0E+4', 'true', 'false', '10']);
  assert.ok(parseSweepYaml(text).config, 'warnings do not block the sweep');
});

test('PyYAML resolution table', () => {
  assert.deepEqual(pyyamlResolve('1e-5'), { type: 'str' });
  assert.deepEqual(pyyamlResolve('1.0e-5'), { type: 'float', value: 1e-5 });
  assert.deepEqual(pyyamlResolve('1.0e5'), { type: 'str' });
  assert.deepEqual(pyyamlResolve('0x1F'), { type: 'int', value: 31 });
  assert.deepEqual(pyyamlResolve('017'), { type: 'int', value: 15 });
  assert.deepEqual(pyyamlResolve('1_000'), { type: 'int', value: 1000 });
  assert.deepEqual(pyyamlResolve('1:30'), { type: 'int', value: 90 });
  assert.deepEqual(pyyamlResolve('On'), { type: 'bool', value: true });
  assert.deepEqual(pyyamlResolve('~'), { type: 'null' });
  assert.equal(pyyamlSafeFloat(1e-7), '1.0e-7');
  assert.equal(pyyamlSafeFloat(2.5e21), '2.5e+21');
  assert.equal(pyyamlSafeFloat(3), '3.0');
});

test('YAML syntax errors and duplicate keys are located', () => {
  const dup = only(yaml(['program: t.py', 'method: random', 'parameters:', '  lr: {value: 1}', '  lr: {value: 2}']));
  assert.equal(dup.code, 'duplicate-key');
  assert.deepEqual(rangeOf(dup), [4, 2, 4, 4]);
  const bad = parseSweepYaml('method: random\nparameters:\n  lr: {value: 1\n');
  assert.ok(bad.diagnostics.some((d) => d.code === 'yaml-syntax' && d.severity === 'error'));
  assert.equal(bad.config, undefined);
  assert.equal(only('').code, 'not-a-mapping');
});

test('command macros: unknown ones warn with a fix; envvar and hydra forms are known', () => {
  const text = yaml(['program: t.py', 'method: random', 'parameters: {a: {value: 1}}', 'command:', '  - ${env}', '  - ${args_no_hypens}', '  - --x=${envvar:HOME}', '  - ${args_override_hydra}']);
  const d = only(text);
  assert.equal(d.code, 'unknown-macro');
  assert.deepEqual(rangeOf(d), [5, 4, 5, 21]);
  assert.equal(apply(text, d.data!.fixes[0].edits).split('\n')[5], '  - ${args_no_hyphens}');
});

test('validateSweepConfig: dicts from Python, with dotted paths in messages', () => {
  const bad = validateSweepConfig({ method: 'grid', parameters: { lr: { min: 0.5, max: 0.1 }, opt: { values: [] } } });
  assert.equal(bad.config, undefined);
  assert.deepEqual(bad.errors, [
    'parameters.lr.min: Parameter `lr`: min 0.5 must be less than max 0.1; swap them or change one.',
    'parameters.opt.values: values is empty: list at least one value to choose from.',
    'parameters.lr: Parameter `lr` is uniform, but grid cannot enumerate a continuous uniform range: give it `values` (or int_uniform / q_uniform limits), or use method random or bayes.',
  ]);
  const ok = validateSweepConfig({ method: 'random', program: 'p.py', parameters: { a: { min: 0, max: 1 } } }, { isFloat: (p) => p.at(-1) === 'max' });
  assert.deepEqual(ok.config?.parameters.a, { distribution: 'uniform', min: 0, max: 1 });
  assert.deepEqual(fillDefaults({ method: 'random', parameters: { a: { min: 0, max: 1 } } }).parameters.a, { distribution: 'int_uniform', min: 0, max: 1 });
  assert.deepEqual(validateSweepConfig([1]).errors, ['A sweep config is a mapping of keys (method, parameters, metric, ...), not a list or a single value.']);
});

test('config-defaults.yaml: the {desc, value} form', () => {
  const text = yaml(['wandb_version: 1', 'epochs:', '  desc: Number of epochs', '  value: 10', 'batch_size: 32', 'lr:', '  vaule: 0.1', '  value: 0.01', 'dropout: {desc: p}']);
  const r = parseConfigDefaultsYaml(text);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, ...rangeOf(d)]), [
    ['config-entry-form', 'error', 4, 0, 4, 10], ['unknown-key', 'warning', 6, 2, 6, 7], ['config-entry-form', 'error', 8, 0, 8, 7],
  ]);
  assert.equal(r.diagnostics[0].data!.fixes[0].edits[0].newText, '{value: 32}');
  assert.match(r.diagnostics[1].message, /Did you mean `value`\?/);
  const good = parseConfigDefaultsYaml(yaml(['epochs:', '  desc: n', '  value: 10', 'lr: {value: 1.0e-3}']));
  assert.deepEqual(good.diagnostics, []);
  assert.deepEqual(good.values, { epochs: 10, lr: 0.001 });
  assert.equal(parseConfigDefaultsYaml('wandb_version: 2\n').diagnostics[0].code, 'config-version');
});

test('plain and config= files', () => {
  const plain = parsePlainConfigYaml('lr: 1e-3\nlayers: [1, 2]\n');
  assert.deepEqual(plain.diagnostics.map((d) => d.code), ['pyyaml-float']);
  assert.deepEqual(plain.values, { lr: 0.001, layers: [1, 2] });
  assert.equal(parsePlainConfigYaml('- a\n').diagnostics[0].code, 'not-a-mapping');
  const init = parseInitConfigYaml('lr: 0.1\nlayers: 2\n');
  assert.deepEqual(init.diagnostics.map((d) => [d.code, d.severity, ...rangeOf(d)]), [['config-entry-form', 'warning', 0, 0, 0, 2]]);
  assert.deepEqual(parseInitConfigYaml('lr: {value: 0.1}\nlayers: {value: 2}\n').diagnostics, []);
});

test('describeRange, gridSize, keyDoc', () => {
  assert.equal(describeRange({ distribution: 'log_uniform_values', min: 1e-5, max: 0.1 }), 'log_uniform_values 1e-5..0.1, log scale');
  assert.equal(describeRange({ distribution: 'log_uniform_values', min: 1e-5, max: 0.1 }, (k) => ({ min: '1e-5', max: '1e-1' } as Record<string, string>)[k]), 'log_uniform_values 1e-5..1e-1, log scale');
  assert.equal(describeRange({ distribution: 'int_uniform', min: 1, max: 8 }), 'int_uniform 1..8 (8 values)');
  assert.equal(describeRange({ distribution: 'log_uniform', min: -9, max: -2 }), 'log_uniform 1.234e-4..0.1353 (e^-9..e^-2, exponents)');
  assert.equal(describeRange({ distribution: 'q_uniform', min: 0, max: 10, q: 2 }), 'q_uniform 0..10, steps of 2');
  assert.equal(gridSize({ parameters: { a: { distribution: 'categorical', values: [1, 2, 3] }, b: { distribution: 'int_uniform', min: 1, max: 4 }, c: { distribution: 'q_uniform', min: 0, max: 1, q: 0.25 } } }), 48);
  assert.equal(gridSize({ parameters: { a: { distribution: 'uniform', min: 0, max: 1 } } }), undefined);
  assert.match(keyDoc(['metric', 'goal'])!, /minimize/);
  assert.match(keyDoc(['parameters', 'lr', 'q'])!, /multiple of q/);
  assert.match(keyDoc(['parameters', 'lr', 'min'], 'log_uniform')!, /exponent/);
});

test('inv_log_uniform ranges and docs match what the sampler draws', () => {
  // Base e: e^-U(min, max), so values run from e^-max to e^-min.
  assert.equal(describeRange({ distribution: 'inv_log_uniform', min: 0, max: 2 }), 'inv_log_uniform 0.1353..1 (e^-2..e^0, exponents)');
  assert.equal(describeRange({ distribution: 'inv_log_uniform', min: -1, max: 3 }), 'inv_log_uniform 0.04979..2.718 (e^-3..e^1, exponents)');
  assert.equal(describeRange({ distribution: 'inv_log_uniform', min: 1, max: 2 }, (k) => ({ min: '1.0', max: '2.0' } as Record<string, string>)[k]),
    'inv_log_uniform 0.1353..0.3679 (e^-2.0..e^-1.0, exponents)');
  assert.equal(describeRange({ distribution: 'inv_log_uniform_values', min: 0.01, max: 1 }), 'inv_log_uniform_values 0.01..1, log scale');
  // The sampler: every draw lies in the described range, and the _values form is log-uniform on [min, max],
  // so the median is the geometric mean and 3/4 of the draws fall below the arithmetic middle of 0.01..1.
  const rng = makeRng(11);
  const base = Array.from({ length: 2000 }, () => sample({ distribution: 'inv_log_uniform', min: 0, max: 2 }, rng) as number);
  assert.ok(base.every((x) => x >= Math.exp(-2) - 1e-12 && x <= 1 + 1e-12));
  const vals = Array.from({ length: 4000 }, () => sample({ distribution: 'inv_log_uniform_values', min: 0.01, max: 1 }, rng) as number).sort((a, b) => a - b);
  assert.ok(vals[0] >= 0.01 && vals.at(-1)! <= 1);
  assert.ok(Math.abs(vals[2000] - 0.1) < 0.02, `median ${vals[2000]} near the geometric mean 0.1`);
  assert.ok(vals.filter((x) => x < 0.505).length / vals.length > 0.8, 'values crowd toward min on a linear scale');
  assert.doesNotMatch(DISTRIBUTION_DOCS.inv_log_uniform_values, /crowd toward max/);
  assert.match(DISTRIBUTION_DOCS.inv_log_uniform_values, /log\(1\/x\) uniform between log\(1\/max\) and log\(1\/min\)/);
  assert.match(DISTRIBUTION_DOCS.inv_log_uniform_values, /crowd toward min/);
  assert.match(DISTRIBUTION_DOCS.inv_log_uniform, /e\^-max to e\^-min/);
  assert.match(SWEEP_SCHEMA.definitions.param_inv_loguniform_v2.description, /log\(1\/x\) uniform between log\(1\/max\) and log\(1\/min\)[\s\S]*crowd toward min/);
  assert.match(SWEEP_SCHEMA.definitions.param_inv_loguniform.description, /e\^-max to e\^-min/);
  assert.doesNotMatch(JSON.stringify(SWEEP_SCHEMA), /crowd toward max/);
});

test('suggestions', () => {
  assert.deepEqual(suggest('bayesian', ['grid', 'random', 'bayes']), ['bayes']);
  assert.deepEqual(suggest('minimise', ['minimize', 'maximize']), ['minimize']);
  assert.deepEqual(suggest('zzz', ['grid', 'random', 'bayes']), []);
});

test('chunked (incremental) parsing agrees with a full parse, also on half-typed files', () => {
  const dir = path.resolve(__dirname, '../fixtures/sweeps');
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const same = (a: ReturnType<typeof parseSweepYaml>, b: ReturnType<typeof parseSweepYaml>) => JSON.stringify([a.diagnostics, a.config, a.raw]) === JSON.stringify([b.diagnostics, b.config, b.raw]);
  const broken = (r: ReturnType<typeof parseSweepYaml>) => r.diagnostics.some((d) => d.code === 'yaml-syntax' || d.code === 'duplicate-key');
  let chunked = 0;
  for (const f of fs.readdirSync(dir).filter((x) => /\.ya?ml$/.test(x))) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const full = parseSweepYaml(text, { parse: 'full' });
    const inc = parseSweepYaml(text, { parse: 'chunked' });
    if (inc.source.chunked) chunked++;
    assert.ok(same(full, inc), f);
    for (let k = 0; k < 25; k++) {
      const at = rnd(text.length);
      const edited = k % 2 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ' :-[]"x#\n'[rnd(9)] + text.slice(at);
      const a = parseSweepYaml(edited, { parse: 'full' });
      const b = parseSweepYaml(edited, { parse: 'chunked' });
      // Where a syntax error makes recovery a guess, both must still see a syntax error and no config.
      if (!same(a, b)) assert.ok(broken(a) && broken(b) && !a.config && !b.config, `${f} edited at ${at}:\n${edited}`);
    }
  }
  assert.ok(chunked >= 30, `only ${chunked} fixtures were parsed in chunks`);
});
