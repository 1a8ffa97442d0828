// `trackwell sweep validate FILE [--json]` on fixtures: human lines, the JSON shape, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sweepValidate } from '../../runtime/cli/commands/sweepValidate';

const fixture = (name: string) => path.resolve(__dirname, '../fixtures/sweeps', name);

async function capture(fn: (io: { out: { write(s: string): void }; err: { write(s: string): void } }) => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await fn({ out: { write: (s) => void (out += s) }, err: { write: (s) => void (err += s) } });
  return { code, out, err };
}

test('human output: file:line:col: severity: message, then a summary; exit 1 on errors', async () => {
  const file = fixture('typos.yaml');
  const r = await capture((io) => sweepValidate(file, { json: false }, io));
  assert.equal(r.code, 1);
  const out = r.out.trimEnd().split('\n');
  assert.equal(out[0], `${file}:2:9: error: \`bayesian\` is not a valid \`method\`; use grid, random, bayes. Did you mean \`bayes\`?`);
  assert.equal(out.length, 6);
  assert.equal(out.at(-1), `${file}: 5 errors; fix the errors before creating the sweep.`);
});

test('human output for a valid file with warnings: exit 0', async () => {
  const file = fixture('pyyaml-float-pitfall.yaml');
  const r = await capture((io) => sweepValidate(file, { json: false }, io));
  assert.equal(r.code, 0);
  assert.deepEqual(r.out.trimEnd().split('\n'), [
    `${file}:9:10: warning: PyYAML (used by wandb) reads \`1e-5\` as the text "1e-5", not a number; write \`1.0e-5\` so both read 0.00001.`,
    `${file}:10:10: warning: PyYAML (used by wandb) reads \`5e-3\` as the text "5e-3", not a number; write \`5.0e-3\` so both read 0.005.`,
    `${file}: valid bayes sweep with 2 parameters (2 warnings).`,
  ]);
});

test('--json: exactly [{line, column, endLine, endColumn, severity, message}] with 1-based positions', async () => {
  const r = await capture((io) => sweepValidate(fixture('min-not-less-than-max.yaml'), { json: true }, io));
  assert.equal(r.code, 1);
  const items = JSON.parse(r.out);
  assert.deepEqual(items[0], { line: 5, column: 10, endLine: 5, endColumn: 13, severity: 'error', message: 'Parameter `dropout`: min 0.5 must be less than max 0.1; swap them or change one.' });
  for (const it of items) assert.deepEqual(Object.keys(it), ['line', 'column', 'endLine', 'endColumn', 'severity', 'message']);
  const valid = await capture((io) => sweepValidate(fixture('bayes-hyperband.yaml'), { json: true }, io));
  assert.deepEqual([valid.code, valid.out], [0, '[]\n']);
});

test('a missing file: exit 2 with a message', async () => {
  const r = await capture((io) => sweepValidate(fixture('nope.yaml'), { json: false }, io));
  assert.equal(r.code, 2);
  assert.match(r.err, /nope\.yaml: cannot read it: no such file/);
});
