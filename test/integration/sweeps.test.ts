// Local sweeps end to end: the real CLI creates sweeps and runs agents that spawn real Python trials,
// and everything is checked through what the runtime stored.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, cliAsync, cliJson, tmpDir, waitFor } from '../helpers/cli';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'shared', 'examples');
const roots: string[] = [];

after(() => {
  for (const r of roots) cli(r, ['serve', '--stop']);
});

function workspace(files: Record<string, string>): { root: string; dir: string } {
  const dir = tmpDir('tw-sweep-');
  const root = path.join(dir, '.trackwell');
  roots.push(root);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { root, dir };
}

function createSweep(root: string, dir: string, file = 'sweep.yaml'): string {
  const r = cli(root, ['sweep', file, '--project', 'sweeps', '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).id;
}

const show = (root: string, id: string) => cliJson(root, ['sweep', 'show', id, '--json']);

// A trial program: logs `loss` for STEPS steps, SLEEP seconds apart, after reading its parameters.
const program = (body: string) => `import sys, time, wandb
run = wandb.init(config={"x": -1, "q": -1})
${body}
run.finish()
`;

test('the example sweep runs 8 trials with 2 parallel agents, every run with its locked parameters', { timeout: 240000 }, async (t) => {
  if (!fs.existsSync(path.join(EXAMPLES, 'sweep.yaml'))) return t.skip('shared/examples not found');
  const { root, dir } = workspace({
    'sweep.yaml': fs.readFileSync(path.join(EXAMPLES, 'sweep.yaml'), 'utf8'),
    'sweep_train.py': fs.readFileSync(path.join(EXAMPLES, 'sweep_train.py'), 'utf8'),
  });
  const id = createSweep(root, dir);
  const agents = await Promise.all([1, 2].map(() => cliAsync(root, ['agent', id, '--count', '4'], { cwd: dir })));
  for (const a of agents) assert.equal(a.code, 0, a.stderr);
  const s = show(root, id);
  assert.equal(s.trials.length, 8);
  assert.equal(new Set(s.trials.map((x: any) => x.run_id)).size, 8);
  for (const trial of s.trials) {
    assert.equal(trial.state, 'finished', JSON.stringify(trial));
    const run = cliJson(root, ['show', `sweeps/${trial.run_id}`, '--json']);
    assert.equal(run.sweep_id, id);
    // The script passes its argparse defaults to init(); the sweep's values win.
    assert.deepEqual(run.config, trial.params);
    assert.ok(run.config.lr >= 0.0001 && run.config.lr <= 0.1);
    assert.ok([1, 2, 3, 4].includes(run.config.layers));
    assert.equal(typeof run.summary.val_loss, 'number');
    assert.equal(run.history_rows, 12);
  }
  assert.equal(s.counts.done, 8);
  assert.ok(s.best && s.trials.every((x: any) => x.metric >= s.best.value));
});

test('a failing trial does not stop the sweep; three failures within a minute stop the agent', { timeout: 120000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: grid\nparameters:\n  x:\n    values: [1, 2, 3]\n',
    'always.yaml': 'program: broken.py\nmethod: random\nparameters:\n  x:\n    min: 0.0\n    max: 1.0\n',
    'train.py': program('if run.config.x == 2:\n    raise ValueError("x=2 is bad")\nrun.log({"loss": run.config.x})'),
    'broken.py': 'import sys\nsys.exit(3)\n',
  });
  const id = createSweep(root, dir);
  const a = await cliAsync(root, ['agent', id], { cwd: dir });
  assert.equal(a.code, 0, a.stderr);
  const states = Object.fromEntries(show(root, id).trials.map((x: any) => [x.params.x, x.state]));
  assert.deepEqual(states, { 1: 'finished', 2: 'failed', 3: 'finished' });
  const failed = cliJson(root, ['show', `sweeps/${show(root, id).trials.find((x: any) => x.params.x === 2).run_id}`, '--json']);
  assert.match(JSON.stringify(failed.error), /x=2 is bad/);
  assert.equal(show(root, id).state, 'finished');

  const id2 = createSweep(root, dir, 'always.yaml');
  const b = await cliAsync(root, ['agent', id2], { cwd: dir });
  assert.notEqual(b.code, 0);
  assert.match(b.stderr, /3 (trials )?fail/i);
  assert.equal(show(root, id2).trials.length, 3);
});

test('a runtime killed mid-sweep is restarted and loses nothing', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: grid\nparameters:\n  x:\n    values: [1, 2, 3]\n',
    'train.py': program('for step in range(8):\n    run.log({"loss": run.config.x + step})\n    time.sleep(0.25)'),
  });
  const id = createSweep(root, dir);
  const agent = cliAsync(root, ['agent', id], { cwd: dir });
  await waitFor(() => show(root, id).trials.some((x: any) => x.state === 'running'), 60000, 'a running trial');
  const info = JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8'));
  process.kill(info.pid, 'SIGKILL');
  const a = await agent;
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /runtime is not reachable/);
  assert.match(a.stderr, /runtime is back/);
  const s = show(root, id);
  assert.deepEqual(s.trials.map((x: any) => x.state), ['finished', 'finished', 'finished']);
  for (const trial of s.trials) {
    const rows = cli(root, ['export', `sweeps/${trial.run_id}`, '--format', 'jsonl']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r._step), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(rows.map((r) => r.loss), [0, 1, 2, 3, 4, 5, 6, 7].map((i) => trial.params.x + i));
  }
});

test('pause, resume and cancel from the CLI; a cancelled trial is stopped and says why', { timeout: 120000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: random\nrun_cap: 5\nparameters:\n  x:\n    min: 0\n    max: 9\n',
    'train.py': program('for step in range(200):\n    run.log({"loss": step})\n    time.sleep(0.1)'),
  });
  const id = createSweep(root, dir);
  assert.match(cli(root, ['sweep', 'pause', id]).stdout, /paused/);
  assert.equal(show(root, id).state, 'paused');
  const agent = cliAsync(root, ['agent', id, '--grace', '5'], { cwd: dir });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(show(root, id).trials.length, 0, 'a paused sweep hands out no trials');
  assert.match(cli(root, ['sweep', 'resume', id]).stdout, /running/);
  const running = await waitFor(() => show(root, id).trials.find((x: any) => x.state === 'running'), 60000, 'a running trial');
  assert.match(cli(root, ['sweep', 'cancel', id]).stdout, /cancelled/);
  const a = await agent;
  assert.equal(a.code, 0, a.stderr);
  const run = await waitFor(() => {
    const r = cliJson(root, ['show', `sweeps/${running.run_id}`, '--json']);
    return r.state !== 'running' && r;
  }, 30000, 'the cancelled run to end');
  assert.equal(run.state, 'killed');
  assert.match(JSON.stringify(run.error), /cancelled/);
  assert.equal(show(root, id).state, 'cancelled');
});

test('hyperband stops trials that fall behind at a bracket, and says so on the run', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': [
      'program: train.py', 'method: grid', 'metric:', '  name: loss', '  goal: minimize',
      'parameters:', '  q:', '    values: [0, 1, 2, 3]',
      'early_terminate:', '  type: hyperband', '  min_iter: 2', '  eta: 2', '',
    ].join('\n'),
    'train.py': program('for step in range(40):\n    run.log({"loss": run.config.q + 1 / (step + 1)})\n    time.sleep(0.05 if run.config.q < 2 else 0.25)'),
  });
  const id = createSweep(root, dir);
  const a = await cliAsync(root, ['agent', id, '--grace', '5'], { cwd: dir });
  assert.equal(a.code, 0, a.stderr);
  const s = show(root, id);
  const byQ = Object.fromEntries(s.trials.map((x: any) => [x.params.q, x]));
  assert.equal(byQ[0].state, 'finished');
  assert.equal(byQ[1].state, 'finished');
  for (const q of [2, 3]) {
    assert.equal(byQ[q].state, 'killed', JSON.stringify(byQ[q]));
    assert.match(byQ[q].stop_reason, /hyperband/);
    const run = cliJson(root, ['show', `sweeps/${byQ[q].run_id}`, '--json']);
    assert.match(JSON.stringify(run.error), /early termination/);
    assert.ok(run.history_rows < 40, 'stopped before the end');
  }
});
