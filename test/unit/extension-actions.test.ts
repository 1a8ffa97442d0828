// The extension's decisions that need no VS Code: restarting a runtime that went away, which panel a view
// gets and what a restored panel shows, which runs a Runs view action applies to, and launches waiting
// for their run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy, ownsRuntime, restartPlan } from '../../extension/logic/restartPolicy';
import { findView, viewKey, viewTitle } from '../../extension/logic/dashboardViews';
import { PendingLaunches, deletePrompt, runKeyOf, selectedRuns } from '../../extension/logic/runActions';
import type { RunInfo } from '../../runtime/protocol/live';

const run = (key: number, over: Partial<RunInfo> = {}): RunInfo => ({
  key, project: 'p', id: `id${key}`, name: `run-${key}`, state: 'running', group: null, job_type: null, tags: [], notes: null,
  sweep_id: null, launch_id: null, created_at: 1000 + key, updated_at: 1000 + key, finished_at: null, heartbeat_at: null,
  exit_code: null, last_step: null, history_rows: 0, ...over,
});
const node = (r: RunInfo) => ({ kind: 'run' as const, run: r });

test('after a drop the runtime is restarted with a doubling, capped backoff, and given up on after max tries', () => {
  const p = new RestartPolicy({ baseDelayMs: 500, maxDelayMs: 4000, maxTries: 5, maxDrops: 10, windowMs: 60_000 });
  assert.deepEqual(p.onDrop(0), { action: 'retry', delayMs: 500, attempt: 1 });
  assert.deepEqual(p.onFailure(1, 'ECONNREFUSED'), { action: 'retry', delayMs: 1000, attempt: 2 });
  assert.deepEqual(p.onFailure(2, 'ECONNREFUSED'), { action: 'retry', delayMs: 2000, attempt: 3 });
  assert.deepEqual(p.onFailure(3, 'ECONNREFUSED'), { action: 'retry', delayMs: 4000, attempt: 4 });
  assert.deepEqual(p.onFailure(4, 'ECONNREFUSED'), { action: 'retry', delayMs: 4000, attempt: 5 });
  const d = p.onFailure(5, 'The runtime did not start within 15 s');
  assert.equal(d.action, 'give-up');
  assert.match((d as { message: string }).message, /could not be restarted after 5 tries: The runtime did not start within 15 s/);
  assert.equal(p.givenUp, (d as { message: string }).message);
  // Given up: further drops and failures do not restart it, until a connection or the user's restart.
  assert.equal(p.onDrop(6).action, 'give-up');
  assert.equal(p.onFailure(7, 'x').action, 'give-up');
  p.reset();
  assert.equal(p.givenUp, undefined);
  assert.deepEqual(p.onDrop(8), { action: 'retry', delayMs: 500, attempt: 1 });
});

test('a connection resets the tries; a crash loop (too many drops in the window) gives up and says so', () => {
  const p = new RestartPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxTries: 3, maxDrops: 3, windowMs: 60_000 });
  p.onDrop(0);
  p.onFailure(1, 'x');
  p.onFailure(2, 'x');
  p.onConnected();
  // Two more failures would have exceeded three tries without the reset.
  p.onDrop(10_000);
  assert.equal(p.onFailure(10_001, 'x').action, 'retry');
  p.onConnected();
  assert.equal(p.onDrop(20_000).action, 'retry'); // third drop within a minute: still restarted
  p.onConnected();
  const d = p.onDrop(30_000);
  assert.equal(d.action, 'give-up');
  assert.match((d as { message: string }).message, /stopped 4 times within 1 minute; it is not restarted automatically again/);
  // Drops outside the window are forgotten.
  const q = new RestartPolicy({ maxDrops: 1, windowMs: 1000 });
  assert.equal(q.onDrop(0).action, 'retry');
  assert.equal(q.onDrop(5000).action, 'retry');
  assert.equal(q.onDrop(5500).action, 'give-up');
});

test('Restart Runtime stops only a runtime this extension started (same pid and start time)', () => {
  const owned = { pid: 42, started_at: 1000 };
  assert.equal(ownsRuntime(owned, { pid: 42, started_at: 1000 }), true);
  assert.equal(ownsRuntime(owned, { pid: 42, started_at: 2000 }), false, 'a reused pid is not ours');
  assert.equal(ownsRuntime(undefined, { pid: 42, started_at: 1000 }), false);
  assert.equal(restartPlan(owned, { pid: 42, started_at: 1000, alive: true }), 'stop-then-start');
  assert.equal(restartPlan(owned, { pid: 43, started_at: 1000, alive: true }), 'reconnect');
  assert.equal(restartPlan(undefined, { pid: 43, started_at: 1000, alive: true }), 'reconnect');
  assert.equal(restartPlan(owned, { pid: 42, started_at: 1000, alive: false }), 'start');
  assert.equal(restartPlan(owned, undefined), 'start');
});

test('one panel per view: compare ignores the order of its runs; titles name the run', () => {
  assert.equal(viewKey({ kind: 'run', key: 3 }), 'run:3');
  assert.equal(viewKey({ kind: 'compare', keys: [3, 1, 2] }), viewKey({ kind: 'compare', keys: [1, 2, 3] }));
  assert.notEqual(viewKey({ kind: 'runs' }), viewKey({ kind: 'runs', project: 'p' }));
  assert.notEqual(viewKey({ kind: 'sweep', id: 'a' }), viewKey({ kind: 'sweeps' }));
  const names = (k: number) => (k === 3 ? 'lucky-3' : undefined);
  assert.equal(viewTitle({ kind: 'run', key: 3 }, names), 'Run lucky-3');
  assert.equal(viewTitle({ kind: 'run', key: 4 }, names), 'Run 4');
  assert.equal(viewTitle({ kind: 'compare', keys: [1, 2] }, names), 'Compare 2 runs');
  assert.equal(viewTitle({ kind: 'runs', project: 'p' }, names), 'Runs · p');
  assert.equal(viewTitle({ kind: 'sweeps' }, names), 'Trackwell Sweeps');
});

test('a restored panel shows the view its saved state carries; malformed states do not', () => {
  assert.deepEqual(findView({ view: { kind: 'run', key: 7 }, prefs: {} }), { kind: 'run', key: 7 });
  assert.deepEqual(findView({ state: { view: { kind: 'compare', keys: [1, 2] } } }), { kind: 'compare', keys: [1, 2] });
  assert.deepEqual(findView({ view: { kind: 'sweep', id: 'abc' } }), { kind: 'sweep', id: 'abc' });
  assert.deepEqual(findView({ view: { kind: 'runs' } }), { kind: 'runs' });
  for (const bad of [undefined, null, 'run', 7, {}, { view: null }, { view: { kind: 'nope' } }, { view: { kind: 'run' } },
    { view: { kind: 'run', key: '7' } }, { view: { kind: 'compare', keys: [] } }, { view: { kind: 'compare', keys: ['a'] } },
    { view: { kind: 'sweep' } }, { view: { kind: 'runs', project: 3 } }]) {
    assert.equal(findView(bad), undefined, JSON.stringify(bad));
  }
});

test('Runs view actions apply to the clicked run, the multi-selection, or the view\'s selection', () => {
  const [a, b, c] = [run(1), run(2), run(3)];
  const project = { kind: 'project', name: 'p' };
  assert.deepEqual(selectedRuns(node(a), undefined, [node(c)]).map((r) => r.key), [1]);
  assert.deepEqual(selectedRuns(node(a), [node(a), node(b)], [node(c)]).map((r) => r.key), [1, 2]);
  assert.deepEqual(selectedRuns(undefined, undefined, [node(c), project, node(b)]).map((r) => r.key), [3, 2]);
  assert.deepEqual(selectedRuns(undefined, [], []).map((r) => r.key), []);
  assert.deepEqual(selectedRuns(project, undefined, [node(a)]).map((r) => r.key), [], 'a project node is no run');
  assert.deepEqual(selectedRuns(node(a), [node(a), node(a)], []).map((r) => r.key), [1], 'no duplicates');
  assert.equal(runKeyOf(5), 5);
  assert.equal(runKeyOf(node(b)), 2);
  assert.equal(runKeyOf(project), undefined);
  assert.equal(runKeyOf(1.5), undefined);
  assert.equal(runKeyOf(undefined), undefined);
  assert.equal(deletePrompt([a]), 'Delete run "run-1"? Its history, console and files are removed from the store.');
  assert.equal(deletePrompt([run(9, { name: null })]), 'Delete run "id9"? Its history, console and files are removed from the store.');
  assert.match(deletePrompt([a, b, c]), /^Delete 3 runs\?/);
});

test('a launch from the editor waits for its run (by launch id or run id), once, and is forgotten after a while', () => {
  const p = new PendingLaunches<string>(1000);
  p.add('launch1', 'a.py', 0);
  p.add('id7', 'b.py', 0);
  assert.equal(p.take(run(1, { launch_id: 'other' }), 10), undefined);
  assert.equal(p.take(run(2, { launch_id: 'launch1' }), 10), 'a.py');
  assert.equal(p.take(run(3, { launch_id: 'launch1' }), 20), undefined, 'taken once');
  assert.equal(p.take(run(7), 30), 'b.py', 'a launcher-chosen run id matches too');
  p.add('late', 'c.py', 0);
  assert.equal(p.size, 1);
  assert.equal(p.take(run(4, { launch_id: 'late' }), 2000), undefined, 'expired');
  assert.equal(p.size, 0);
});
