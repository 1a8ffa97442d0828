// The Sweeps view's model (no VS Code needed): live updates, labels, actions per state, the agent and
// "Run Sweep" command lines, and matching a created sweep to the file launched from the editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  PendingSweepLaunches, SweepsModel, agentArgs, flattenParams, formatMetric, isEarlyTerminated, paramsText, sweepActions, sweepContextValue,
  sweepCounts, sweepDescription, sweepRunArgs, sweepStateIcon, trialDescription, trialIcon,
} from '../../extension/logic/sweepsModel';
import type { RunInfo, SweepSummary } from '../../runtime/protocol/live';
import type { SweepTrial } from '../../runtime/protocol/api';

const sweep = (id: string, over: Partial<SweepSummary> = {}): SweepSummary => ({
  id, project: 'p', name: null, state: 'running', reason: null, method: 'random', metric: { name: 'val_loss', goal: 'minimize' },
  created_at: 1000, counts: { done: 0, running: 0, pending: 0, planned: 8 }, best: null, agents: 0, ...over,
});
const trial = (runId: string, over: Partial<SweepTrial> = {}): SweepTrial => ({
  run_id: runId, run_key: null, state: 'pending', params: { lr: 0.01 }, metric: null, stop_reason: null, created_at: 1000, ...over,
});
const run = (key: number, id: string, sweepId: string | null, state: RunInfo['state'] = 'running'): RunInfo => ({
  key, project: 'p', id, name: null, state, group: null, job_type: null, tags: [], notes: null, sweep_id: sweepId, launch_id: null,
  created_at: 1, updated_at: 1, finished_at: null, heartbeat_at: null, exit_code: null, last_step: null, history_rows: 0,
});

test('sweeps list newest first; a sweep event adds or replaces a sweep', () => {
  const m = new SweepsModel();
  m.reset([sweep('a', { created_at: 1 }), sweep('b', { created_at: 3 })]);
  assert.deepEqual(m.list().map((s) => s.id), ['b', 'a']);
  const r = m.apply([{ type: 'sweep', sweep: sweep('c', { created_at: 2 }) }, { type: 'sweep', sweep: sweep('a', { created_at: 1, state: 'paused' }) }]);
  assert.equal(r.changed, true);
  assert.equal(r.stale.size, 0, 'no trials fetched, nothing to refetch');
  assert.deepEqual(m.list().map((s) => s.id), ['b', 'c', 'a']);
  assert.equal(m.get('a')!.state, 'paused');
});

test('fetched trials: run events update their state in place, new trials or sweep changes ask for a refetch', () => {
  const m = new SweepsModel();
  m.reset([sweep('s')]);
  assert.equal(m.trialsOf('s'), undefined);
  m.setTrials('s', [trial('r1', { created_at: 1 }), trial('r2', { created_at: 2 })]);
  assert.deepEqual(m.trialsOf('s')!.map((t) => t.run_id), ['r2', 'r1'], 'newest first');

  let r = m.apply([{ type: 'run', run: run(7, 'r1', 's') }]);
  assert.equal(r.changed, true);
  assert.equal(r.stale.size, 0);
  assert.deepEqual([m.trialsOf('s')!.find((t) => t.run_id === 'r1')!.state, m.trialsOf('s')!.find((t) => t.run_id === 'r1')!.run_key], ['running', 7]);
  assert.equal(m.sweepOfRun(7), 's');

  // The same state again: nothing to redraw.
  assert.equal(m.apply([{ type: 'run', run: run(7, 'r1', 's') }]).changed, false);
  // A run that is not a sweep trial, or of a sweep whose trials were never fetched: ignored.
  r = m.apply([{ type: 'run', run: run(8, 'x', null) }, { type: 'run', run: run(9, 'y', 'other') }]);
  assert.deepEqual([r.changed, r.stale.size], [false, 0]);
  // A trial the model does not know yet.
  assert.deepEqual([...m.apply([{ type: 'run', run: run(10, 'r3', 's') }]).stale], ['s']);
  // The sweep's counts changed (a trial ended): its trials' metrics may have changed too.
  assert.deepEqual([...m.apply([{ type: 'sweep', sweep: sweep('s', { counts: { done: 1, running: 0, pending: 0, planned: 8 } }) }]).stale], ['s']);
  // A deleted trial run.
  assert.deepEqual([...m.apply([{ type: 'run-deleted', run: { key: 7, project: 'p', id: 'r1' } }]).stale], ['s']);
  // reset drops trials of sweeps that are gone.
  m.reset([]);
  assert.equal(m.trialsOf('s'), undefined);
});

test('labels: counts done/running/planned, best value and run, descriptions', () => {
  const s = sweep('s', { counts: { done: 3, running: 1, pending: 1, planned: 8 }, best: { run_id: 'abc', run_key: 2, value: 0.0625286043546017 } });
  assert.equal(sweepCounts(s), '3/2/8');
  assert.equal(sweepCounts(sweep('t', { counts: { done: 1, running: 0, pending: 0, planned: null } })), '1/0/?');
  assert.equal(sweepDescription(s), 'running · 3/2/8 · best val_loss 0.06253 (abc)');
  assert.equal(sweepDescription(sweep('u', { state: 'finished' })), 'finished · 0/0/8');
  assert.equal(formatMetric(null), '–');
  assert.equal(formatMetric(NaN), '–');
  assert.equal(formatMetric(1234.5678), '1235');
  assert.equal(formatMetric(0.0000125), '1.25e-5');
  assert.equal(formatMetric(2), '2');
  const t = trial('r', { state: 'killed', metric: 1.5, params: { lr: 0.001, opt: { name: 'adam', beta: 0.9 } }, stop_reason: 'hyperband: val_loss 1.5 at band 3 is worse than 1.2' });
  assert.equal(isEarlyTerminated(t), true);
  assert.equal(trialDescription(t, 'val_loss'), 'stopped early · val_loss 1.5 · lr=0.001, opt.name="adam", opt.beta=0.9');
  assert.equal(trialDescription(trial('q', { state: 'failed' }), 'val_loss'), 'failed · lr=0.01');
  assert.deepEqual(flattenParams({ a: 1, b: { c: [1, 2], d: { e: true } } }), { a: 1, 'b.c': [1, 2], 'b.d.e': true });
  assert.equal(paramsText({ name: 'a-very-long-value-indeed' }, 12), 'name="a-ver…');
});

test('icons and actions follow the state', () => {
  assert.equal(sweepStateIcon('running').icon, 'sync~spin');
  assert.equal(sweepStateIcon('paused').icon, 'debug-pause');
  assert.equal(sweepStateIcon('cancelled').icon, 'circle-slash');
  assert.equal(trialIcon(trial('a', { state: 'finished' }), true).icon, 'star-full');
  assert.equal(trialIcon(trial('a', { state: 'killed', stop_reason: 'hyperband: …' }), false).icon, 'fold-down');
  assert.equal(trialIcon(trial('a', { state: 'killed', stop_reason: 'the sweep was cancelled' }), false).icon, 'circle-slash');
  assert.deepEqual(sweepActions('running'), ['pause', 'stop', 'cancel']);
  assert.deepEqual(sweepActions('paused'), ['resume', 'stop', 'cancel']);
  assert.deepEqual(sweepActions('finished'), []);
  assert.equal(sweepContextValue('running'), 'trackwell.sweep.running');
  assert.equal(sweepContextValue('paused'), 'trackwell.sweep.paused');
  assert.equal(sweepContextValue('stopped'), 'trackwell.sweep.done');
});

test('agent command line: the CLI with the data root, as an argument array', () => {
  assert.deepEqual(agentArgs('/x/dist/cli.js', '/w/.trackwell', 'abc123'), ['/x/dist/cli.js', '--dir', '/w/.trackwell', 'agent', 'abc123']);
});

test('"Run Sweep" script: creates the sweep, prints its id, then runs the agent with the same CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-sweeprun-'));
  try {
    // A stand-in CLI that records its arguments and answers like the real one.
    const fake = path.join(dir, 'cli.js');
    fs.writeFileSync(fake, `
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(path.join(dir, 'calls.txt'))}, JSON.stringify(args) + '\\n');
if (args.includes('create')) {
  if (args.some((a) => a.endsWith('bad.yaml'))) { console.error('bad.yaml:1:1: error: method is required'); process.exit(1); }
  process.stdout.write(JSON.stringify({ id: 'sw42', project: 'demo', warnings: [] }) + '\\n');
} else console.log('agent running ' + args[args.length - 1]);
`);
    const good = spawnSync(process.execPath, sweepRunArgs(fake, '/data root', path.join(dir, 'my sweep.yaml')), { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /Created sweep sw42 in project demo\./);
    assert.match(good.stdout, /agent running sw42/);
    const calls = fs.readFileSync(path.join(dir, 'calls.txt'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(calls, [
      ['--dir', '/data root', 'sweep', 'create', path.join(dir, 'my sweep.yaml'), '--json'],
      ['--dir', '/data root', 'agent', 'sw42'],
    ]);

    const bad = spawnSync(process.execPath, sweepRunArgs(fake, '/r', path.join(dir, 'bad.yaml'), 'proj'), { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /method is required/);
    assert.match(bad.stderr, /The sweep was not created/);
    const last = fs.readFileSync(path.join(dir, 'calls.txt'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).pop();
    assert.deepEqual(last, ['--dir', '/r', 'sweep', 'create', path.join(dir, 'bad.yaml'), '--json', '--project', 'proj'], 'no agent after a failed create');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a created sweep is matched to the file launched from the editor', () => {
  const p = new PendingSweepLaunches();
  p.add('/w/sweep.yaml', 1000);
  assert.equal(p.take('/w/other.yaml', 1001), false);
  assert.equal(p.take('/w/sweep.yaml', 900), false, 'created long before the launch');
  assert.equal(p.take(null, 1001), false);
  assert.equal(p.take('/w/sweep.yaml', 1002), true);
  assert.equal(p.take('/w/sweep.yaml', 1003), false, 'taken once');
  p.add('C:\\W\\Sweep.yaml', 1000);
  assert.equal(p.take('c:/w/sweep.yaml', 1001), true, 'Windows paths compare without case');
  p.add('/w/a.yaml', 1000);
  p.prune(2000);
  assert.equal(p.size, 0);
});
