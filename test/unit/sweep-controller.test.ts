// The sweep controller on its own: a real store (SQLite in a temp folder) fed real journals, no runtime
// process. metric.target and run_cap end the sweep; prior runs count as trials and reach the search; the
// metric history the search sees is every logged value in step order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Store } from '../../runtime/store/store';
import { Ingestor } from '../../runtime/ingest/ingestor';
import { SweepController, SweepError, type Assignment } from '../../runtime/sweeps/controller';
import { bayesNext, makeRng } from '../../runtime/sweeps/search';
import { fillDefaults, type SweepConfig } from '../../runtime/sweeps/config';
import { tmpDir } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';

function setup() {
  const dir = tmpDir('tw-ctl-');
  const store = Store.open(path.join(dir, 'store.sqlite'));
  const ingestor = new Ingestor(store, undefined, () => undefined);
  const ctl = new SweepController(store);
  /** A run as the Python client records it: config, one history row per loss value, then (optionally) its end. */
  const run = (id: string, project: string, config: Record<string, unknown>, losses: number[], state: 'finished' | 'failed' | null = 'finished') => {
    const j = new JournalWriter(path.join(dir, 'runs', id), id, project);
    j.add('config', { update: config });
    losses.forEach((loss, step) => j.history(step, { loss }));
    if (state) j.add('exit', { state, exit_code: state === 'finished' ? 0 : 1 });
    ingestor.ingestFile(j.file, { final: state !== null });
  };
  const done = () => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { store, ctl, run, done };
}

const trialOf = (a: Assignment) => {
  assert.ok('run_id' in a, `expected a trial, got ${JSON.stringify(a)}`);
  return a;
};

/** A config as the runtime stores it: with W&B's defaults filled in. */
const filled = (raw: Record<string, unknown>): SweepConfig => fillDefaults(raw);
const grid = (values: unknown[], extra: Record<string, unknown> = {}): SweepConfig =>
  filled({ method: 'grid', metric: { name: 'loss', goal: 'minimize' }, parameters: { x: { values } }, ...extra });

test('metric.target: once a run reaches it the sweep is finished and hands out no more trials', () => {
  const { ctl, run, done } = setup();
  try {
    const sweep = ctl.create({ config: grid([3, 0.25, 5, 6], { metric: { name: 'loss', goal: 'minimize', target: 0.5 } }), project: 'p', seed: 1 });
    const agent = ctl.registerAgent(sweep.id, 'host', 1);
    const first = trialOf(ctl.next(sweep.id, agent));
    assert.deepEqual(first.params, { x: 3 });
    run(first.run_id, 'p', first.params, [4, 3]);
    const second = trialOf(ctl.next(sweep.id, agent));
    assert.deepEqual(second.params, { x: 0.25 });
    // Still running, but its history already holds a value at the target: that is enough.
    run(second.run_id, 'p', second.params, [1, 0.25], null);
    const end = ctl.next(sweep.id, agent);
    assert.deepEqual(end, { done: true, reason: `run ${second.run_id} reached the target 0.5` });
    assert.equal(ctl.get(sweep.id).state, 'finished');
    assert.match(JSON.stringify(ctl.next(sweep.id, agent)), /the sweep is finished: run \w+ reached the target 0\.5/);
    assert.equal(ctl.sweeps.trials(sweep.id).length, 2, 'no trial after the target was reached');
    // Maximising: the target is reached at or above it.
    const up = ctl.create({ config: grid([1, 2], { metric: { name: 'loss', goal: 'maximize', target: 10 } }), project: 'p', seed: 1 });
    const t = trialOf(ctl.next(up.id, null));
    run(t.run_id, 'p', t.params, [9.5]);
    assert.ok('run_id' in ctl.next(up.id, null), '9.5 is below a maximize target of 10');
  } finally {
    done();
  }
});

test('run_cap: no trial past the cap; the sweep finishes once the capped trials have ended', () => {
  const { ctl, run, done } = setup();
  try {
    const config = filled({ method: 'random', run_cap: 2, metric: { name: 'loss', goal: 'minimize' }, parameters: { x: { distribution: 'uniform', min: 0, max: 1 } } });
    const sweep = ctl.create({ config, project: 'p', seed: 3 });
    const a = trialOf(ctl.next(sweep.id, null));
    const b = trialOf(ctl.next(sweep.id, null));
    assert.deepEqual(ctl.next(sweep.id, null), { done: true, reason: 'run_cap 2 reached' });
    assert.equal(ctl.get(sweep.id).state, 'running', 'two trials are still pending');
    assert.equal(ctl.summary(ctl.get(sweep.id)).counts.planned, 2);
    run(a.run_id, 'p', a.params, [0.5]);
    run(b.run_id, 'p', b.params, [0.4], 'failed');
    assert.deepEqual(ctl.next(sweep.id, null), { done: true, reason: 'run_cap 2 reached' });
    const s = ctl.get(sweep.id);
    assert.equal(s.state, 'finished');
    assert.equal(s.reason, 'run_cap 2 reached');
    assert.equal(ctl.sweeps.trials(sweep.id).length, 2);
  } finally {
    done();
  }
});

test('prior runs count as trials: grid skips their points, run_cap counts them, bayes fits on them', () => {
  const { ctl, run, done } = setup();
  try {
    const xs = [0.1, 0.5, 0.9, 0.3];
    xs.forEach((x, i) => run(`prior${i}00`, 'p', { x, other: 'kept out' }, [5, (x - 0.3) ** 2]));
    run('elsewher', 'q', { x: 1 }, [0]);

    const g = ctl.create({ config: grid([0.1, 0.5, 0.7]), project: 'p', priorRuns: ['prior000', 'prior100', 'prior000'], seed: 1 });
    const infos = ctl.trialInfos(ctl.get(g.id));
    assert.deepEqual(infos.map((t) => [t.run_id, t.state, t.params, t.metric]),
      [['prior000', 'finished', { x: 0.1 }, (0.1 - 0.3) ** 2], ['prior100', 'finished', { x: 0.5 }, (0.5 - 0.3) ** 2]]);
    assert.deepEqual(trialOf(ctl.next(g.id, null)).params, { x: 0.7 }, 'only the point no prior run covers');
    assert.equal('done' in ctl.next(g.id, null), true);

    const capped = ctl.create({ config: grid([0.1, 0.5, 0.7, 0.8], { run_cap: 3 }), project: 'p', priorRuns: ['prior000', 'prior100'], seed: 1 });
    trialOf(ctl.next(capped.id, null));
    assert.deepEqual(ctl.next(capped.id, null), { done: true, reason: 'run_cap 3 reached' });

    const bayesConfig = filled({ method: 'bayes', metric: { name: 'loss', goal: 'minimize' }, parameters: { x: { distribution: 'uniform', min: 0, max: 1 } } });
    const b = ctl.create({ config: bayesConfig, project: 'p', priorRuns: xs.map((_, i) => `prior${i}00`), seed: 1 });
    const views = ctl.views(ctl.get(b.id)).map((v) => v.view);
    assert.deepEqual(views.map((v) => v.metricHistory), xs.map((x) => [5, (x - 0.3) ** 2]), 'every logged value, in step order');
    const fresh = bayesNext(bayesConfig, [], makeRng(1));
    assert.ok('params' in fresh && fresh.info?.source === 'random');
    const seen = bayesNext(bayesConfig, views, makeRng(1));
    assert.ok('params' in seen && seen.info?.source === 'gp', JSON.stringify(seen));
    assert.equal(ctl.summary(ctl.get(b.id)).best?.run_id, 'prior300');
    assert.ok('run_id' in ctl.next(b.id, null));

    assert.throws(() => ctl.create({ config: grid([1]), project: 'p', priorRuns: ['elsewher'] }),
      (e: unknown) => e instanceof SweepError && /prior run p\/elsewher does not exist/.test((e as Error).message));
  } finally {
    done();
  }
});
