// The runtime's store and ingestion, through the real CLI and a real runtime process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CLI, cli, cliJson, tmpDir, waitFor } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';

function sampleRun(root: string, id = 'abc12345'): JournalWriter {
  const j = new JournalWriter(path.join(root, 'runs', `20240101-000000-${id}`), id, 'proj');
  j.add('config', { update: { lr: 0.1, layers: [1, 2], opt: { name: 'adam' } } });
  j.history(0, { loss: 1, nested: { a: 1, b: { c: 2 } } });
  j.history(1, { loss: 0.5, acc: { $num: 'NaN' }, word: 'hi, "there"' });
  j.history(5, { loss: { $num: 'Infinity' }, acc: 0.7 });
  j.add('summary', { update: { loss: 0.25, acc: 0.7 } });
  j.add('console', { stream: 'stdout', text: 'hello\n' });
  j.add('console', { stream: 'stderr', text: 'warn\n' });
  j.add('exit', { state: 'finished', exit_code: 0, error: null });
  return j;
}

test('sync ingests a journal; show and export give what was logged', () => {
  const root = tmpDir();
  sampleRun(root);
  const r = cli(root, ['sync']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Synced 1 journal/);
  const show = cliJson(root, ['show', 'abc12345', '--json']);
  assert.equal(show.state, 'finished');
  assert.equal(show.exit_code, 0);
  assert.equal(show.project, 'proj');
  assert.deepEqual(show.config, { lr: 0.1, layers: [1, 2], opt: { name: 'adam' } });
  assert.deepEqual(show.summary, { loss: 0.25, acc: 0.7 });
  assert.deepEqual(show.history_keys, ['acc', 'loss', 'nested.a', 'nested.b.c', 'word']);
  const rows = cli(root, ['export', 'proj/abc12345', '--format', 'jsonl']).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => x._step), [0, 1, 5]);
  assert.equal(rows[0]['nested.b.c'], 2);
  assert.equal(rows[1].acc, 'NaN');
  assert.equal(rows[2].loss, 'Infinity');
  assert.equal(rows[2]._runtime, 2.5);
  assert.equal(rows[2]._timestamp, 1700000004);
  const csv = cli(root, ['export', 'abc12345', '--format', 'csv']).stdout.trim().split('\n');
  assert.equal(csv[0], '_step,_runtime,_timestamp,acc,loss,nested.a,nested.b.c,word');
  assert.equal(csv[2], '1,0.5,1700000003,NaN,0.5,,,"hi, ""there"""');
  assert.equal(csv[3], '5,2.5,1700000004,0.7,Infinity,,,');
  assert.equal(cli(root, ['logs', 'abc12345']).stdout, 'hello\nwarn\n');
  const ls = cliJson(root, ['ls', '--json']);
  assert.equal(ls.length, 1);
  assert.deepEqual(Object.keys(ls[0]), ['id', 'name', 'project', 'state', 'created', 'duration']);
});

test('a replayed journal stores nothing twice', () => {
  const root = tmpDir();
  const j = sampleRun(root);
  cli(root, ['sync']);
  // A second copy of the same journal elsewhere, synced explicitly: same uuid, same records.
  const copy = path.join(tmpDir(), 'run.journal');
  fs.copyFileSync(j.file, copy);
  assert.equal(cli(root, ['sync', copy]).code, 0);
  assert.equal(cli(root, ['sync']).code, 0);
  const db = new Database(path.join(root, 'trackwell.db'), { readonly: true });
  assert.equal((db.prepare('SELECT count(*) AS n FROM history').get() as any).n, 3);
  assert.equal((db.prepare('SELECT count(*) AS n FROM console').get() as any).n, 2);
  db.close();
});

test('a truncated last record is reported and everything before it is kept', () => {
  const root = tmpDir();
  const j = sampleRun(root);
  const bytes = j.bytes();
  fs.writeFileSync(j.file, bytes.subarray(0, bytes.length - 10)); // cut into the `exit` record
  const r = cli(root, ['sync']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /truncated/);
  const show = cliJson(root, ['show', 'abc12345', '--json']);
  assert.equal(show.history_rows, 3);
  assert.deepEqual(show.summary, { loss: 0.25, acc: 0.7 });
});

test('a run whose process is gone is marked crashed, keeping its data', () => {
  const root = tmpDir();
  const dead = spawn(process.execPath, ['-e', '0']);
  const j = new JournalWriter(path.join(root, 'runs', 'x-deadbeef'), 'deadbeef', 'p', { pid: dead.pid, host: os.hostname() });
  j.history(0, { loss: 1 });
  return new Promise<void>((resolve) => dead.on('exit', () => {
    const show = cliJson(root, ['show', 'deadbeef', '--json']);
    assert.equal(show.state, 'crashed');
    assert.equal(show.history_rows, 1);
    resolve();
  }));
});

test('an unknown run reference says how to list runs', () => {
  const root = tmpDir();
  const r = cli(root, ['show', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No run with id "nope".*trackwell ls/);
});

test('a store from a newer Trackwell is refused with a clear message and left unchanged', () => {
  const root = tmpDir();
  fs.mkdirSync(root, { recursive: true });
  const db = new Database(path.join(root, 'trackwell.db'));
  db.pragma('user_version = 999');
  db.close();
  const r = cli(root, ['ls']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /schema version 999.*Upgrade Trackwell/);
});

function post(url: string, token: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let t = '';
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: t ? JSON.parse(t) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startRuntime(root: string): Promise<{ proc: ChildProcess; exited: Promise<unknown>; url: string; token: string }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--dir', root], { stdio: 'pipe' });
  const exited = new Promise((r) => proc.once('exit', r));
  const info = await waitFor(() => {
    try { return JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8')); } catch { return undefined; }
  }, 15000, 'runtime.json');
  return { proc, exited, url: `http://127.0.0.1:${info.port}`, token: fs.readFileSync(path.join(root, 'token'), 'utf8').trim() };
}

test('the runtime ingests posted bytes in order, idempotently, and asks for what it lacks', async () => {
  const root = tmpDir();
  const j = sampleRun(root, 'live0001');
  // Keep the journal out of the data root's runs folder so only posting can deliver it.
  const elsewhere = path.join(tmpDir(), 'run.journal');
  fs.renameSync(j.file, elsewhere);
  const rt = await startRuntime(root);
  try {
    const mode = fs.statSync(path.join(root, 'token')).mode & 0o777;
    assert.equal(mode, 0o600);
    const bytes = fs.readFileSync(elsewhere);
    const cut = j.lines.slice(0, 3).join('').length;
    const q = (off: number) => `${rt.url}/api/ingest?journal=${j.uuid}&offset=${off}&path=${encodeURIComponent(elsewhere)}`;
    // Ahead of what is stored: 409 with the offset to resend from.
    const ahead = await post(q(cut), rt.token, bytes.subarray(cut));
    assert.equal(ahead.status, 409);
    assert.equal(ahead.json.offset, 0);
    const first = await post(q(0), rt.token, bytes.subarray(0, cut));
    assert.equal(first.status, 200);
    assert.equal(first.json.offset, cut);
    // Overlapping resend from 0: only the new part is applied.
    const all = await post(q(0), rt.token, bytes);
    assert.equal(all.json.offset, bytes.length);
    const again = await post(q(0), rt.token, bytes);
    assert.equal(again.json.offset, bytes.length);
    const show = cliJson(root, ['show', 'live0001', '--json']);
    assert.equal(show.history_rows, 3);
    assert.equal(show.state, 'finished');
    const bad = await post(q(0), 'wrong', bytes);
    assert.equal(bad.status, 401);
    const rebinding = await post(q(0), rt.token, bytes, { Host: 'evil.example:80' });
    assert.equal(rebinding.status, 403);
  } finally {
    assert.equal(cli(root, ['serve', '--stop']).code, 0);
    await rt.exited;
  }
  assert.equal(fs.existsSync(path.join(root, 'runtime.json')), false);
});
