// The metric names the language server completes (metric.name in sweep files) come from a real runtime's
// GET /api/metric-keys: a runtime process on a temporary data root (its SQLite store fed real journals),
// found the way the language server finds it, asked through the same client code.
// Needs the built CLI (dist/cli.js): `npm run build` first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { startRuntime } from '../helpers/runtime';
import { fetchMetricKeys, findRuntimeAddress } from '../../runtime/lsp/runtimeMetrics';

test('GET /api/metric-keys on a real runtime: numeric history keys, per project, sorted, behind the token', { timeout: 60000 }, async () => {
  const ws = tmpDir('tw-lsp-keys-');
  const root = path.join(ws, '.trackwell');
  fs.mkdirSync(root);
  const a = new JournalWriter(path.join(root, 'runs', 'd-keysrun1'), 'keysrun1', 'vision');
  a.history(0, { 'train/loss': 2.5, 'val/acc': 0.1, note: 'warming up', nested: { depth: 3 } });
  a.history(1, { 'train/loss': 1.5, 'val/acc': 0.4, note: 'ok', nested: { depth: 4 } });
  a.add('exit', { state: 'finished', exit_code: 0 });
  const b = new JournalWriter(path.join(root, 'runs', 'd-keysrun2'), 'keysrun2', 'nlp');
  b.history(0, { 'eval/rouge-L f1': 0.3, 'train/loss': 4 });
  b.add('exit', { state: 'finished', exit_code: 0 });

  const rt = await startRuntime(root);
  try {
    const vision = await rt.get<{ keys: string[] }>('/api/metric-keys?project=vision');
    // Numeric keys only (the string `note` is not a metric), sorted by name, nested values as dotted names.
    assert.deepEqual(vision.keys, ['nested.depth', 'train/loss', 'val/acc']);
    assert.deepEqual((await rt.get('/api/metric-keys?project=nlp')).keys, ['eval/rouge-L f1', 'train/loss']);
    // Without a project: every project's keys, each name once.
    assert.deepEqual((await rt.get('/api/metric-keys')).keys, ['eval/rouge-L f1', 'nested.depth', 'train/loss', 'val/acc']);
    assert.deepEqual((await rt.get('/api/metric-keys?project=nobody')).keys, []);
    // The token is required.
    const anonymous = await rt.request('GET', '/api/metric-keys', undefined, { Authorization: 'Bearer wrong' });
    assert.equal(anonymous.status, 401);

    // What the language server does: find the runtime from the workspace's data root, then ask it.
    const addr = findRuntimeAddress(ws, undefined, {});
    assert.deepEqual(addr, { url: rt.url, token: rt.token });
    assert.deepEqual(await fetchMetricKeys(addr, 'vision', 5000), ['nested.depth', 'train/loss', 'val/acc']);
    assert.deepEqual(await fetchMetricKeys(addr, 'nlp', 5000), ['eval/rouge-L f1', 'train/loss']);
    // (Answers are cached per address and project for a few seconds, so ask about a project not asked before.)
    assert.deepEqual(await fetchMetricKeys({ url: rt.url, token: 'wrong' }, 'refused', 5000), [], 'a refused request completes nothing');
  } finally {
    await rt.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
