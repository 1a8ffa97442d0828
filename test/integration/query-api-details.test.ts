// The query API's finer points against a real runtime: filter totals, free-text search, every sortable
// field, column keys across all runs, x axes over HTTP, console paging past one page and from inside a
// piece, read-only queries, live summary/state events, and a subscriber too slow to keep up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { cli, tmpDir, waitFor } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { startRuntime, type TestRuntime } from '../helpers/runtime';

/** Sends the journal bytes not yet sent; returns the new offset. */
async function post(rt: TestRuntime, j: JournalWriter, from: number): Promise<number> {
  const bytes = j.bytes();
  const res = await rt.request('POST', `/api/ingest?journal=${j.uuid}&offset=${from}&path=${encodeURIComponent(j.file)}`, bytes.subarray(from));
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return bytes.length;
}

const T0 = 1700000000;

test('filters give exact totals, free text searches name, tags, group and notes, and every listed field sorts', async () => {
  const root = tmpDir();
  const specs = [
    { id: 'run00001', project: 'vision', name: 'resnet-baseline', tags: ['baseline'], group: 'sweep-a', notes: 'first try', state: 'finished', code: 0, dur: 30 },
    { id: 'run00002', project: 'vision', name: 'resnet-wide', tags: ['wide', 'gpu'], group: 'sweep-a', notes: 'Zebra notes', state: 'failed', code: 3, dur: 10 },
    { id: 'run00003', project: 'nlp', name: 'bert-small', tags: ['gpu'], group: 'sweep-b', notes: 'apple notes', state: 'finished', code: 0, dur: 20 },
    { id: 'run00004', project: 'nlp', name: 'bert-large', tags: [], group: 'sweep-b', notes: null, state: 'crashed', code: null, dur: 5 },
  ];
  specs.forEach((s, i) => {
    const j = new JournalWriter(path.join(root, 'runs', `d-${s.id}`), s.id, s.project,
      { name: s.name, tags: s.tags, group: s.group, notes: s.notes, start_time: T0 + i * 100 });
    // A flat key with a dot in its name, as W&B configs often have, beside a nested one.
    j.add('config', { update: { 'optimizer.lr': 0.1 / (i + 1), model: { depth: 10 + i } } }, T0 + i * 100);
    j.add('summary', { update: { loss: 4 - i, [`only_${i}`]: i } }, T0 + i * 100);
    j.add('exit', { state: s.state, exit_code: s.code }, T0 + i * 100 + s.dur);
  });
  const rt = await startRuntime(root);
  try {
    const ids = async (qs: string) => (await rt.get(`/api/runs?${qs}`)).runs.map((r: any) => r.id);
    const total = async (qs: string) => (await rt.get(`/api/runs?${qs}`)).total;
    assert.equal(await total(''), 4);
    assert.equal(await total('project=vision&state=finished'), 1);
    assert.equal(await total('project=vision&state=finished,failed'), 2);
    assert.equal(await total('tag=gpu'), 2);
    assert.equal(await total('tag=gpu&project=nlp'), 1);
    assert.equal(await total('group=sweep-b&state=crashed'), 1);
    assert.equal(await total('project=nowhere'), 0);
    // A page shorter than the result still reports the whole total.
    const page = await rt.get('/api/runs?limit=1&offset=2&sort=id');
    assert.equal(page.total, 4);
    assert.deepEqual(page.runs.map((r: any) => r.id), ['run00003']);

    assert.deepEqual(await ids('q=WIDE'), ['run00002'], 'q matches the name, case-insensitively');
    assert.deepEqual(await ids('q=baseline&sort=id'), ['run00001'], 'q matches a tag');
    assert.deepEqual(await ids('q=sweep-b&sort=id'), ['run00003', 'run00004'], 'q matches the group');
    assert.deepEqual(await ids('q=apple'), ['run00003'], 'q matches the notes');
    assert.deepEqual(await ids('q=100%25'), [], 'LIKE wildcards in q are literal');

    assert.deepEqual(await ids('sort=duration&order=desc'), ['run00001', 'run00003', 'run00002', 'run00004']);
    assert.deepEqual(await ids('sort=created_at'), ['run00004', 'run00003', 'run00002', 'run00001'], 'newest first by default');
    assert.deepEqual(await ids('sort=created_at&order=asc'), ['run00001', 'run00002', 'run00003', 'run00004']);
    assert.deepEqual(await ids('sort=state&order=asc'), ['run00004', 'run00002', 'run00001', 'run00003']);
    assert.deepEqual(await ids('sort=exit_code&order=desc'), ['run00002', 'run00003', 'run00001', 'run00004'], 'missing exit codes last; ties by key in the same order');
    assert.deepEqual(await ids('sort=notes'), ['run00003', 'run00001', 'run00002', 'run00004'], 'notes ignore case; no notes last');
    assert.deepEqual(await ids('sort=tags'), ['run00001', 'run00003', 'run00002', 'run00004'], 'by tags as shown; no tags last');
    assert.deepEqual(await ids('sort=config.optimizer.lr'), ['run00004', 'run00003', 'run00002', 'run00001'], 'a flat dotted key');
    assert.deepEqual(await ids('sort=config.model.depth&order=desc'), ['run00004', 'run00003', 'run00002', 'run00001'], 'a nested key');
    const withCols = await rt.get('/api/runs?sort=id&columns=config.optimizer.lr,config.model.depth');
    assert.deepEqual(withCols.runs[1].columns, { 'config.optimizer.lr': 0.05, 'config.model.depth': 11 });
    assert.equal((await rt.request('GET', '/api/runs?order=sideways')).status, 400);

    // Column keys come from every matching run, not only the first ones shown.
    const cols = (await rt.get('/api/columns')).columns;
    for (const k of ['config.optimizer.lr', 'config.model.depth', 'summary.loss', 'summary.only_0', 'summary.only_3']) assert.ok(cols.includes(k), `${k} in ${cols}`);
    assert.ok(!cols.some((c: string) => c.includes('_runtime') || c.includes('$')), `no internal keys: ${cols}`);
    const nlpCols = (await rt.get('/api/columns?project=nlp')).columns;
    assert.ok(nlpCols.includes('summary.only_3') && !nlpCols.includes('summary.only_0'), 'the same filters apply');

    const detail = await rt.get(`/api/runs/${withCols.runs[1].key}`);
    assert.equal(detail.name, 'resnet-wide');
    assert.equal(detail.state, 'failed');
    assert.equal(detail.exit_code, 3);
    assert.equal(detail.notes, 'Zebra notes');
    assert.deepEqual(detail.tags, ['wide', 'gpu']);
    assert.equal(detail.group, 'sweep-a');
    assert.equal(detail.duration, 10);
    assert.deepEqual(detail.config, { 'optimizer.lr': 0.05, model: { depth: 11 } });
    assert.equal(detail.summary.loss, 3);
  } finally {
    await rt.stop();
  }
});

test('sorting by a summary or config value orders -Infinity < finite < +Infinity, with NaN, then missing, last both ways', async () => {
  const root = tmpDir();
  const loss: Record<string, unknown> = {
    nan00001: { $num: 'NaN' }, ninf0001: { $num: '-Infinity' }, five0001: 5, neg00001: -2, pinf0001: { $num: 'Infinity' }, none0001: undefined, flat0001: 1.5,
  };
  Object.entries(loss).forEach(([id, v], i) => {
    const j = new JournalWriter(path.join(root, 'runs', `d-${id}`), id, 'proj', { start_time: T0 + i });
    // flat0001 logs a flat dotted key, which the sort reads like a nested one.
    if (id === 'flat0001') j.add('summary', { update: { 'eval.loss': v } });
    else if (v !== undefined) j.add('summary', { update: { eval: { loss: v } } });
    if (v !== undefined) j.add('config', { update: { lr: v } });
    j.add('exit', { state: 'finished', exit_code: 0 });
  });
  const rt = await startRuntime(root);
  try {
    await waitFor(async () => (await rt.get('/api/runs')).total === 7, 10000, 'runs');
    const ids = async (qs: string) => (await rt.get(`/api/runs?${qs}`)).runs.map((r: any) => r.id);
    assert.deepEqual(await ids('sort=summary.eval.loss&order=asc'), ['ninf0001', 'neg00001', 'flat0001', 'five0001', 'pinf0001', 'nan00001', 'none0001']);
    assert.deepEqual(await ids('sort=summary.eval.loss&order=desc'), ['pinf0001', 'five0001', 'flat0001', 'neg00001', 'ninf0001', 'nan00001', 'none0001']);
    assert.deepEqual(await ids('sort=config.lr&order=desc'), ['pinf0001', 'five0001', 'flat0001', 'neg00001', 'ninf0001', 'nan00001', 'none0001']);
    // Paging goes through the same order.
    assert.deepEqual(await ids('sort=summary.eval.loss&order=desc&offset=4&limit=2'), ['ninf0001', 'nan00001']);
    const shown = await rt.get('/api/runs?sort=summary.eval.loss&order=desc&limit=1&columns=summary.eval.loss');
    assert.deepEqual(shown.runs[0].columns, { 'summary.eval.loss': { $num: 'Infinity' } });
  } finally {
    await rt.stop();
  }
});

test('history by wall time and relative time over HTTP, and unknown keys answer empty without writing', async () => {
  const root = tmpDir();
  const rt = await startRuntime(root);
  try {
    const j = new JournalWriter(path.join(tmpDir(), 'r'), 'wallrun1', 'proj');
    for (let i = 0; i < 5; i++) j.add('history', { step: i * 10, runtime: i * 2, data: { loss: 5 - i } }, T0 + 100 + i * 2);
    await post(rt, j, 0);
    const key = (await rt.get('/api/runs')).runs[0].key;
    await waitFor(async () => (await rt.get(`/api/runs/${key}`)).history_rows === 5, 5000, 'rows');
    const byStep = await rt.get(`/api/runs/${key}/history?keys=loss`);
    assert.deepEqual(byStep.series.loss.x, [0, 10, 20, 30, 40]);
    const wall = await rt.get(`/api/runs/${key}/history?keys=loss&x=wall`);
    assert.deepEqual(wall.series.loss.x, [T0 + 100, T0 + 102, T0 + 104, T0 + 106, T0 + 108]);
    assert.deepEqual(wall.series.loss.y, [5, 4, 3, 2, 1]);
    const rel = await rt.get(`/api/runs/${key}/history?keys=loss&x=relative`);
    assert.deepEqual(rel.series.loss.x, [100, 102, 104, 106, 108], 'seconds since the run was created');
    const ranged = await rt.get(`/api/runs/${key}/history?keys=loss&from=10&to=30`);
    assert.deepEqual(ranged.series.loss.x, [10, 20, 30]);

    const missing = await rt.get(`/api/runs/${key}/history?keys=never_logged&x=metric:also_never`);
    assert.deepEqual(missing.series.never_logged.x, []);
    await rt.stop();
    const db = new Database(path.join(root, 'trackwell.db'), { readonly: true });
    try {
      const names = (db.prepare('SELECT name FROM metric_keys').all() as { name: string }[]).map((r) => r.name);
      assert.ok(names.includes('loss'));
      assert.ok(!names.includes('never_logged') && !names.includes('also_never'), `a query wrote keys: ${names}`);
    } finally {
      db.close();
    }
  } finally {
    await rt.stop();
  }
});

test('console: pages past the first megabyte, and an offset inside a piece loses no bytes', async () => {
  const root = tmpDir();
  const rt = await startRuntime(root);
  try {
    const j = new JournalWriter(path.join(tmpDir(), 'r'), 'bigcons1', 'proj');
    let expected = '';
    for (let i = 0; i < 50; i++) {
      const text = `line ${String(i).padStart(3, '0')} ${'x'.repeat(60000)}\n`;
      expected += text;
      j.add('console', { stream: i % 7 === 0 ? 'stderr' : 'stdout', text });
    }
    await post(rt, j, 0);
    const key = (await rt.get('/api/runs')).runs[0].key;
    const first = await waitFor(async () => {
      const r = await rt.get(`/api/runs/${key}/console?offset=0`);
      return r.total === expected.length && r;
    }, 5000, 'console stored');
    assert.ok(first.next_offset < first.total, 'one page is not the whole console');
    // The way the console view reads: page by page until the end.
    let got = '';
    let offset = 0;
    let pages = 0;
    while (offset < first.total) {
      const r = await rt.get(`/api/runs/${key}/console?offset=${offset}`);
      for (const p of r.pieces) got += p.text.slice(offset - p.offset > 0 ? offset - p.offset : 0);
      assert.ok(r.next_offset > offset, 'each page moves forward');
      offset = r.next_offset;
      pages++;
    }
    assert.ok(pages >= 3, `${pages} pages`);
    assert.equal(got, expected);
    // From the middle of piece 10: that piece is returned whole, with its own offset.
    const p10 = 10 * 60010 + 5;
    const mid = await rt.get(`/api/runs/${key}/console?offset=${p10 + 30}&limit=1`);
    assert.equal(mid.pieces[0].offset, p10 - 5);
    assert.ok(mid.pieces[0].text.startsWith('line 010'));
    assert.equal(mid.offset, p10 + 30);
    // At the end: nothing again (a follower polling there must not get the last piece twice).
    const atEnd = await rt.get(`/api/runs/${key}/console?offset=${first.total}`);
    assert.deepEqual(atEnd.pieces, []);
    assert.equal(atEnd.next_offset, first.total);
    const lastPieceEnd = await rt.get(`/api/runs/${key}/console?offset=${49 * 60010}`);
    assert.equal(lastPieceEnd.pieces.length, 1, 'a piece starting exactly at the offset is returned');
  } finally {
    await rt.stop();
  }
});

test('live events carry summary and state changes; a subscriber that stops reading gets a resync and never holds up others', async () => {
  const root = tmpDir();
  const rt = await startRuntime(root);
  try {
    const fast = await rt.live();
    fast.send({ type: 'subscribe', console: '*' });
    const slow = await rt.live();
    slow.send({ type: 'subscribe', console: '*' });
    await new Promise((r) => setTimeout(r, 100));
    const j = new JournalWriter(path.join(tmpDir(), 'r'), 'liverun2', 'proj');
    j.add('summary', { update: { best: 0.9 } });
    let offset = await post(rt, j, 0);
    await waitFor(() => fast.events().some((e) => e.type === 'summary'), 5000, 'summary event');
    const summaryEv = fast.events().find((e) => e.type === 'summary');
    assert.equal(summaryEv.run.id, 'liverun2');
    assert.equal(summaryEv.summary.best, 0.9);

    // The slow client stops reading from its socket; 48 MB of console goes out meanwhile.
    (slow.ws as any)._socket.pause();
    const chunk = 'y'.repeat(1 << 20) + '\n';
    const started = Date.now();
    for (let batch = 0; batch < 12; batch++) {
      for (let i = 0; i < 4; i++) j.add('console', { stream: 'stdout', text: chunk });
      offset = await post(rt, j, offset);
    }
    const ingestMs = Date.now() - started;
    await waitFor(() => fast.events().filter((e) => e.type === 'console').length === 48, 20000, 'the fast client gets every console piece');
    j.add('exit', { state: 'finished', exit_code: 0 });
    offset = await post(rt, j, offset);
    await waitFor(() => fast.events().some((e) => e.type === 'run' && e.run.state === 'finished'), 5000, 'the finished state');
    (slow.ws as any)._socket.resume();
    await waitFor(() => slow.messages.some((m) => m.type === 'resync'), 20000, 'a resync for the slow client');
    const resync = slow.messages.find((m) => m.type === 'resync');
    assert.match(resync.reason, /slow|queued/);
    // After the resync it gets live events again.
    j.add('summary', { update: { best: 0.95 } });
    await post(rt, j, offset);
    await waitFor(() => slow.messages.slice(slow.messages.indexOf(resync)).some((m) => m.type === 'events' && m.events.some((e: any) => e.type === 'summary' && e.summary.best === 0.95)), 10000, 'events after the resync');
    assert.ok(ingestMs < 20000, `ingest took ${ingestMs} ms while a subscriber was stuck`);
    assert.ok(!fast.messages.some((m) => m.type === 'resync'), 'the fast client never fell behind');
    assert.equal(slow.messages.filter((m) => m.type === 'resync').length, 1, 'one resync for one gap');
    fast.close();
    slow.close();
  } finally {
    await rt.stop();
  }
});

test('a running run\'s heartbeat is pushed as a run event about every 10 s of its clock, not on every record', async () => {
  const root = tmpDir();
  const rt = await startRuntime(root);
  try {
    const live = await rt.live();
    const j = new JournalWriter(path.join(tmpDir(), 'r'), 'beatrun1', 'proj', { start_time: T0 });
    let offset = 0;
    let mark = 0;
    /** Posts records with the given timestamps, then a summary marker in the same batch; the run events that came with them. */
    const step = async (records: [string, Record<string, unknown>, number][]) => {
      for (const [t, f, ts] of records) j.add(t, f, ts);
      j.add('summary', { update: { mark: ++mark } }, records.at(-1)![2]);
      offset = await post(rt, j, offset);
      const want = mark;
      await waitFor(() => live.events().some((e) => e.type === 'summary' && e.summary.mark === want), 5000, `marker ${want}`);
      const events = live.events();
      const from = events.findIndex((e) => e.type === 'summary' && e.summary.mark === want - 1);
      const to = events.findIndex((e) => e.type === 'summary' && e.summary.mark === want);
      return events.slice(from + 1, to).filter((e) => e.type === 'run');
    };
    const first = await step([['heartbeat', {}, T0]]);
    assert.equal(first.length, 1, 'the new run');
    assert.equal(first[0].heartbeat, undefined, 'a run record is not a heartbeat-only event');
    assert.deepEqual(await step([['heartbeat', {}, T0 + 5]]), [], '5 s later: nothing');
    const beat = await step([['heartbeat', {}, T0 + 10]]);
    assert.equal(beat.length, 1);
    assert.equal(beat[0].heartbeat, true);
    assert.equal(beat[0].run.heartbeat_at, T0 + 10);
    assert.equal(beat[0].run.state, 'running');
    assert.deepEqual(await step([['history', { step: 0, data: { loss: 1 } }, T0 + 15]]), []);
    // Any record carries the client's clock forward, history included; one event per batch at most.
    const viaHistory = await step([['history', { step: 1, data: { loss: 1 } }, T0 + 21], ['heartbeat', {}, T0 + 33]]);
    assert.deepEqual(viaHistory.map((e) => e.run.heartbeat_at), [T0 + 33]);
    assert.equal((await rt.get('/api/runs')).runs[0].heartbeat_at, T0 + 33, 'the same as the list answers');
    // The exit is a state change (not a heartbeat), and a finished run beats no more.
    const exit = await step([['exit', { state: 'finished', exit_code: 0 }, T0 + 50]]);
    assert.deepEqual(exit.map((e) => [e.run.state, e.heartbeat]), [['finished', undefined]]);
    assert.deepEqual(await step([['heartbeat', {}, T0 + 70]]), []);
    live.close();
  } finally {
    await rt.stop();
  }
});

test('trackwell ui starts the runtime when none serves the data root, prints a URL with the token in the fragment, and reuses it', async () => {
  const root = tmpDir();
  try {
    const first = cli(root, ['ui']);
    assert.equal(first.code, 0, first.stderr);
    const m = /Trackwell dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(first.stdout);
    assert.ok(m, first.stdout);
    const [, origin, token] = m;
    assert.equal(token, fs.readFileSync(path.join(root, 'token'), 'utf8').trim());
    const page = await fetch(`${origin}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script nonce=/);
    assert.equal((await fetch(`${origin}/api/runs`)).status, 401, 'the API needs the token');
    const runs = await fetch(`${origin}/api/runs`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(runs.status, 200);
    assert.match(runs.headers.get('server-timing') ?? '', /^app;dur=\d+\.\d$/, 'the runtime says how long it took');
    const pid = JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8')).pid;
    const second = cli(root, ['ui']);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(second.stdout.includes(`${origin}/#token=${token}`), 'the same runtime answers');
    assert.equal(JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8')).pid, pid);
  } finally {
    cli(root, ['serve', '--stop']);
  }
});
