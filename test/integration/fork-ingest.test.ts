// fork_from runs whose journal is ingested before their source's: the fork gets the source's history up
// to the fork step and its config once the source arrives, through the real CLI and a real runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cli, cliJson, tmpDir } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { startRuntime } from '../helpers/runtime';

/** A finished run logging x = i at steps 0..n-1, as the client writes it. */
function source(dir: string, id: string, n: number, config: Record<string, unknown>): JournalWriter {
  const j = new JournalWriter(dir, id, 'proj');
  j.add('config', { update: config });
  for (let i = 0; i < n; i++) j.history(i, { x: i });
  return j.add('exit', { state: 'finished', exit_code: 0, error: null });
}

/** A fork of `from` at `step`: the client writes no config record for what it took from the source. */
function fork(dir: string, id: string, from: string, step: number, rows: [number, number][], config?: Record<string, unknown>): JournalWriter {
  const j = new JournalWriter(dir, id, 'proj', { fork_from: { run: from, step } });
  if (config) j.add('config', { update: config });
  for (const [s, x] of rows) j.history(s, { x });
  return j.add('exit', { state: 'finished', exit_code: 0, error: null });
}

const steps = (root: string, id: string) =>
  cli(root, ['export', id, '--format', 'jsonl']).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .map((r) => [r._step, r.x]);

test('a fork synced before its source gets the source history and config when the source is synced later', async () => {
  const root = tmpDir();
  const elsewhere = tmpDir();
  source(path.join(elsewhere, 'a'), 'zzsrc001', 5, { lr: 0.1, batch: 32 });
  fork(path.join(elsewhere, 'b'), 'aafork01', 'zzsrc001', 2, [[3, 30], [4, 40]], { batch: 64 });
  // C forks the fork B, so it must wait for B to be complete, not just stored.
  fork(path.join(elsewhere, 'c'), 'ccfork01', 'aafork01', 3, [[4, 400]]);

  const first = cli(root, ['sync', path.join(elsewhere, 'c')]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /fork source proj\/aafork01 is not stored yet/);
  assert.deepEqual(steps(root, 'ccfork01'), [[4, 400]]);
  assert.equal(cli(root, ['sync', path.join(elsewhere, 'b')]).code, 0);
  assert.deepEqual(steps(root, 'aafork01'), [[3, 30], [4, 40]]);
  assert.deepEqual(cliJson(root, ['show', 'aafork01', '--json']).config, { batch: 64 });

  assert.equal(cli(root, ['sync', path.join(elsewhere, 'a')]).code, 0);
  assert.deepEqual(steps(root, 'aafork01'), [[0, 0], [1, 1], [2, 2], [3, 30], [4, 40]]);
  assert.deepEqual(steps(root, 'ccfork01'), [[0, 0], [1, 1], [2, 2], [3, 30], [4, 400]]);
  assert.deepEqual(steps(root, 'zzsrc001'), [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]]);
  // The fork's own config wins over the source's.
  const b = cliJson(root, ['show', 'aafork01', '--json']);
  assert.deepEqual(b.config, { lr: 0.1, batch: 64 });
  assert.equal(b.history_rows, 5);
  assert.equal(b.last_step, 4);
  assert.deepEqual(cliJson(root, ['show', 'ccfork01', '--json']).config, { lr: 0.1, batch: 64 });
  // Syncing everything again changes nothing.
  assert.equal(cli(root, ['sync', elsewhere]).code, 0);
  assert.deepEqual(steps(root, 'ccfork01'), [[0, 0], [1, 1], [2, 2], [3, 30], [4, 400]]);

  // The chart series were rebuilt in step order (the fork's own points had been stored first).
  const rt = await startRuntime(root);
  try {
    const runs = (await rt.get('/api/runs')).runs as { id: string; key: number }[];
    for (const [id, ys] of [['aafork01', [0, 1, 2, 30, 40]], ['ccfork01', [0, 1, 2, 30, 400]]] as const) {
      const key = runs.find((r) => r.id === id)!.key;
      const h = await rt.get(`/api/runs/${key}/history?keys=x&width=100`);
      assert.deepEqual(h.series.x.x, [0, 1, 2, 3, 4], id);
      assert.deepEqual(h.series.x.y, ys, id);
    }
  } finally {
    await rt.stop();
  }
});

test('in one data root a fork whose directory sorts before its source still gets the source history', () => {
  // The scan ingests run directories in name order: the fork's comes first here.
  const root = tmpDir();
  source(path.join(root, 'runs', '20240101-000000-zzsrc001'), 'zzsrc001', 5, { lr: 0.1 });
  fork(path.join(root, 'runs', '20240101-000000-aafork01'), 'aafork01', 'zzsrc001', 2, [[3, 30]]);
  const r = cli(root, ['sync']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(steps(root, 'aafork01'), [[0, 0], [1, 1], [2, 2], [3, 30]]);
  const show = cliJson(root, ['show', 'aafork01', '--json']);
  assert.deepEqual(show.config, { lr: 0.1 });
  assert.equal(show.history_rows, 4);
});

test('a fork whose source is already stored is complete at once', () => {
  const root = tmpDir();
  source(path.join(root, 'runs', '20240101-000000-aasrc001'), 'aasrc001', 5, { lr: 0.1 });
  fork(path.join(root, 'runs', '20240101-000001-zzfork01'), 'zzfork01', 'aasrc001', 2, [[3, 30]], { extra: 1 });
  const r = cli(root, ['sync']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /not stored yet/);
  assert.deepEqual(steps(root, 'zzfork01'), [[0, 0], [1, 1], [2, 2], [3, 30]]);
  assert.deepEqual(cliJson(root, ['show', 'zzfork01', '--json']).config, { lr: 0.1, extra: 1 });
});
