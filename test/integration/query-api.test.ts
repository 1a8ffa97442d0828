// The query API and the live WebSocket of a real runtime, fed by journal bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tmpDir, waitFor } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { startRuntime } from '../helpers/runtime';

test('runs can be listed, filtered and sorted by config and summary values', async () => {
  const root = tmpDir();
  const specs = [
    { id: 'aaaaaaa1', project: 'p1', lr: 0.1, loss: 3, tags: ['x'], state: 'finished' },
    { id: 'aaaaaaa2', project: 'p1', lr: 0.01, loss: 1, tags: ['y'], state: 'failed' },
    { id: 'aaaaaaa3', project: 'p2', lr: 0.001, loss: 2, tags: ['x', 'y'], state: 'finished' },
  ];
  for (const s of specs) {
    const j = new JournalWriter(path.join(root, 'runs', `d-${s.id}`), s.id, s.project, { tags: s.tags, group: 'g' });
    j.add('config', { update: { lr: s.lr, nested: { depth: s.loss } } });
    j.history(0, { loss: s.loss });
    j.add('summary', { update: { loss: s.loss } });
    j.add('exit', { state: s.state, exit_code: s.state === 'finished' ? 0 : 1 });
  }
  const rt = await startRuntime(root);
  try {
    const all = await rt.get('/api/runs?sort=config.lr&order=asc&columns=config.lr,summary.loss');
    assert.equal(all.total, 3);
    assert.deepEqual(all.runs.map((r: any) => r.id), ['aaaaaaa3', 'aaaaaaa2', 'aaaaaaa1']);
    assert.deepEqual(all.runs[0].columns, { 'config.lr': 0.001, 'summary.loss': 2 });
    const bySummary = await rt.get('/api/runs?sort=summary.loss&order=desc');
    assert.deepEqual(bySummary.runs.map((r: any) => r.id), ['aaaaaaa1', 'aaaaaaa3', 'aaaaaaa2']);
    const nested = await rt.get('/api/runs?sort=config.nested.depth');
    assert.deepEqual(nested.runs.map((r: any) => r.id), ['aaaaaaa2', 'aaaaaaa3', 'aaaaaaa1']);
    assert.equal((await rt.get('/api/runs?project=p1')).total, 2);
    assert.equal((await rt.get('/api/runs?state=failed')).runs[0].id, 'aaaaaaa2');
    assert.equal((await rt.get('/api/runs?tag=x&tag=y')).runs[0].id, 'aaaaaaa3');
    assert.equal((await rt.get('/api/runs?q=AAA3')).total, 1);
    assert.equal((await rt.get('/api/runs?group=g')).total, 3);
    assert.equal((await rt.get('/api/runs?limit=1&offset=1&sort=id')).runs[0].id, 'aaaaaaa2');
    const bad = await rt.request('GET', '/api/runs?sort=bogus');
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /unknown column "bogus"/);
    const projects = await rt.get('/api/projects');
    assert.deepEqual(projects.projects.map((p: any) => [p.name, p.runs]), [['p1', 2], ['p2', 1]]);
  } finally {
    await rt.stop();
  }
});

test('run detail, history, console offsets, and live events', async () => {
  const root = tmpDir();
  const rt = await startRuntime(root);
  try {
    const live = await rt.live();
    live.send({ type: 'subscribe', history: '*', console: '*' });
    const j = new JournalWriter(path.join(tmpDir(), 'r'), 'liverun1', 'proj');
    j.add('metric', { name: 'acc', step_metric: 'epoch', hidden: false });
    for (let i = 0; i < 10; i++) j.history(i, { loss: 10 - i, epoch: Math.floor(i / 2), acc: i / 10 });
    j.add('console', { stream: 'stdout', text: 'epoch 1\r' });
    j.add('console', { stream: 'stdout', text: 'epoch 2\n' });
    const post = await rt.request('POST', `/api/ingest?journal=${j.uuid}&offset=0&path=${encodeURIComponent(j.file)}`, j.bytes());
    assert.equal(post.status, 200);
    await waitFor(() => live.events().some((e) => e.type === 'history'), 5000, 'history event');
    const ev = live.events();
    const runEv = ev.find((e) => e.type === 'run');
    assert.equal(runEv.run.id, 'liverun1');
    const hist = ev.filter((e) => e.type === 'history').flatMap((e) => e.points);
    assert.equal(hist.length, 10);
    assert.deepEqual(hist[3].values, { loss: 7, epoch: 1, acc: 0.3 });
    const consoleEv = ev.filter((e) => e.type === 'console');
    assert.deepEqual(consoleEv.map((e) => [e.offset, e.text]), [[0, 'epoch 1\r'], [8, 'epoch 2\n']]);

    const key = runEv.run.key;
    const detail = await rt.get(`/api/runs/${key}`);
    assert.equal(detail.id, 'liverun1');
    assert.deepEqual(detail.history_keys.map((k: any) => k.name), ['acc', 'epoch', 'loss']);
    assert.equal(detail.metrics.acc.step_metric, 'epoch');
    const h = await rt.get(`/api/runs/${key}/history?keys=loss,acc&width=100`);
    assert.deepEqual(h.series.loss.x, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(h.series.loss.y, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const byEpoch = await rt.get(`/api/runs/${key}/history?keys=acc&x=metric:epoch`);
    assert.deepEqual(byEpoch.series.acc.x.slice(0, 4), [0, 0, 1, 1]);
    const c1 = await rt.get(`/api/runs/${key}/console?offset=0`);
    assert.equal(c1.total, 16);
    assert.equal(c1.next_offset, 16);
    const c2 = await rt.get(`/api/runs/${key}/console?offset=8`);
    assert.deepEqual(c2.pieces.map((p: any) => p.text), ['epoch 2\n']);
    assert.equal((await rt.request('GET', `/api/runs/${key}/history?keys=loss&x=sideways`)).status, 400);
    assert.equal((await rt.request('GET', '/api/runs/99999')).status, 404);
    // A live run cannot be deleted; a finished one can.
    assert.equal((await rt.request('DELETE', `/api/runs/${key}`)).status, 409);
    live.close();
  } finally {
    await rt.stop();
  }
});

test('the dashboard page is served with a nonce CSP and assets cannot escape the bundle', async () => {
  const root = tmpDir();
  const rt = await startRuntime(root);
  try {
    const page = await rt.request('GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.json, /Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/);
    assert.equal((await rt.request('GET', '/assets/..%2Fcli.js')).status, 404);
    assert.equal((await rt.request('GET', '/assets/main.js')).status, 200);
    const unauth = await rt.request('GET', '/api/runs', undefined, { Authorization: 'Bearer nope' });
    assert.equal(unauth.status, 401);
  } finally {
    await rt.stop();
  }
});
