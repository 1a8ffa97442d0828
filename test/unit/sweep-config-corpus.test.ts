// The fixture corpus: sweep configs in the forms public projects use, each with the diagnostics it must
// produce (test/fixtures/sweeps/NAME.yaml + NAME.expected.json). Valid ones must produce no errors, pass
// the published JSON Schema, and come out filled. TRACKWELL_UPDATE_FIXTURES=1 rewrites the expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseSweepYaml, publishedSchemaValidator } from '../../runtime/sweeps/config';
import { toJsonItem } from '../../runtime/cli/commands/sweepValidate';

const dir = path.resolve(__dirname, '../fixtures/sweeps');
const fixtures = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const update = process.env.TRACKWELL_UPDATE_FIXTURES === '1';
/** Problems a JSON Schema can express: a file with one of them must fail the published schema as well. */
const SCHEMA_CODES = new Set(['unknown-key', 'unsupported-key', 'invalid-value', 'missing-key', 'empty-values', 'wrong-type', 'eta-too-small', 'run-cap',
  'parameter-name', 'log-min-not-positive', 'value-and-values', 'parameter-not-mapping', 'hyperband-needs-iter', 'bayes-needs-metric', 'early-terminate-needs-metric']);

test('the corpus has at least 25 sweep configs, each with expected diagnostics', () => {
  assert.ok(fixtures.length >= 25, `only ${fixtures.length} fixtures`);
  for (const f of fixtures) assert.ok(update || fs.existsSync(path.join(dir, f.replace(/\.ya?ml$/, '.expected.json'))), `${f} has no .expected.json`);
});

for (const f of fixtures) {
  test(`fixture ${f}`, () => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const parsed = parseSweepYaml(text);
    const actual = parsed.diagnostics.map((d) => ({ ...toJsonItem(d), code: d.code }));
    const expectedFile = path.join(dir, f.replace(/\.ya?ml$/, '.expected.json'));
    if (update) fs.writeFileSync(expectedFile, JSON.stringify(actual, null, 2) + '\n');
    const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
    assert.deepEqual(actual, expected);
    const errors = actual.filter((d) => d.severity === 'error');
    assert.equal(parsed.config !== undefined, errors.length === 0, 'a config is filled exactly when there are no errors');
    // What our checks accept, the published schema (for other editors) accepts too, and the reverse for
    // what a schema can express.
    const validate = publishedSchemaValidator();
    if (parsed.config) assert.ok(validate(parsed.raw), `the published schema rejects ${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    if (actual.some((d) => SCHEMA_CODES.has(d.code))) assert.equal(validate(parsed.raw), false, `the published schema accepts ${f}`);
  });
}
