// Local sweeps end to end: the real CLI creates sweeps and runs agents that spawn real Python trials,
// and everything is checked through what the runtime stored.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, cli, cliAsync, cliJson, tmpDir, waitFor, type CliResult } from '../helpers/cli';

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

function createSweep(root: string, dir: string, file = 'sweep.yaml', extra: string[] = []): string {
  const r = cli(root, ['sweep', file, '--project', 'sweeps', '--json', ...extra], { cwd: dir });
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
    const run = cliJson(root, ['show', `sweeps/${trial.run_id}`, '--json']);
    assert.equal(run.state, trial.state);
    if (trial.state === 'killed') {
      // The config has hyperband (min_iter 3, eta 2): a run behind at a band while still running may be
      // stopped. That is the only acceptable way not to finish, and the run must say so.
      assert.match(trial.stop_reason, /^hyperband: /, JSON.stringify(trial));
      assert.equal(run.error?.type, 'EarlyTermination', JSON.stringify(run.error));
      assert.match(run.error.message, /^killed by early termination: hyperband: /);
      assert.ok(run.history_rows >= 3 && run.history_rows <= 12, `stopped at a band: ${run.history_rows} rows`);
    } else {
      assert.equal(trial.state, 'finished', JSON.stringify(trial));
      assert.equal(trial.stop_reason, null);
      assert.equal(run.history_rows, 12);
    }
    assert.equal(run.sweep_id, id);
    // The script passes its argparse defaults to init(); the sweep's values win.
    assert.deepEqual(run.config, trial.params);
    assert.ok(run.config.lr >= 0.0001 && run.config.lr <= 0.1);
    assert.ok([1, 2, 3, 4].includes(run.config.layers));
    assert.ok(['relu', 'gelu', 'tanh'].includes(run.config.activation));
    assert.equal(typeof run.summary.val_loss, 'number');
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

/** Runs an agent; one still alive after `ms` is killed and fails the test, so a hung agent cannot stall the suite. */
function agentOrHang(root: string, args: string[], cwd: string, ms = 90000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, TRACKWELL_DIR: root } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trackwell ${args.join(' ')} hung; its output:\n${stderr}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('a command whose program does not exist: each trial fails saying why, and the agent stops after three', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: random\ncommand:\n  - nosuch-trainer-7f3\n  - ${program}\n  - ${args}\nparameters:\n  x:\n    min: 0.0\n    max: 1.0\n',
    'plain.yaml': 'program: train.py\nmethod: random\nparameters:\n  x:\n    min: 0.0\n    max: 1.0\n',
    'train.py': program('run.log({"loss": run.config.x})'),
  });
  for (const parallel of ['1', '2']) {
    const id = createSweep(root, dir);
    const a = await agentOrHang(root, ['agent', id, '--parallel', parallel], dir);
    assert.equal(a.code, 1, a.stderr);
    assert.match(a.stderr, /trial \w+ failed \(could not start "nosuch-trainer-7f3": no such program/);
    assert.match(a.stderr, /3 trials failed within a minute; stopping this agent\. could not start "nosuch-trainer-7f3": no such program on PATH or at that path; fix `command` in the sweep config/);
    const s = show(root, id);
    // No slot stays taken by a trial that never started: each is recorded failed. With two slots, one more
    // trial may have been handed out while the third failure was being noticed.
    const most = parallel === '1' ? 3 : 4;
    assert.ok(s.trials.length >= 3 && s.trials.length <= most, JSON.stringify(s.trials));
    assert.ok(s.trials.every((t: any) => t.state === 'failed'), JSON.stringify(s.trials));
    assert.equal(s.counts.running + s.counts.pending, 0);
  }
  // The default command with an interpreter that does not exist: /usr/bin/env starts, and exits 127.
  const id = createSweep(root, dir, 'plain.yaml');
  const b = await agentOrHang(root, ['agent', id, '--python', 'nosuch-python-7f3'], dir);
  assert.equal(b.code, 1, b.stderr);
  assert.match(b.stderr, /exit code 127: a program in `command` was not found \(\/usr\/bin\/env nosuch-python-7f3 train\.py --x=/);
  assert.deepEqual(show(root, id).trials.map((t: any) => t.state), ['failed', 'failed', 'failed']);
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
    assert.equal(run.error?.type, 'EarlyTermination', JSON.stringify(run.error));
    assert.match(run.error.message, /^killed by early termination: hyperband: /);
    assert.ok(run.history_rows < 40, 'stopped before the end');
  }
});

// A trial that records its own lifetime and environment in trials/<run id>.json (in the agent's cwd).
const RECORDING_TRIAL = (seconds: number) => `import json, os, time, wandb
t0 = time.time()
run = wandb.init(config={"x": -1})
time.sleep(${seconds})
run.log({"loss": run.config.x})
run.finish()
os.makedirs("trials", exist_ok=True)
with open(os.path.join("trials", run.id + ".json"), "w") as f:
    json.dump({"run_id": run.id, "x": run.config.x, "start": t0, "end": time.time(), "pid": os.getpid(),
               "cuda": os.environ.get("CUDA_VISIBLE_DEVICES")}, f)
`;

interface TrialRecord { run_id: string; x: number; start: number; end: number; pid: number; cuda: string | null }

function trialRecords(dir: string): TrialRecord[] {
  const d = path.join(dir, 'trials');
  return fs.readdirSync(d).map((f) => JSON.parse(fs.readFileSync(path.join(d, f), 'utf8')) as TrialRecord).sort((a, b) => a.start - b.start);
}

const overlaps = (a: TrialRecord, b: TrialRecord) => a.start < b.end && b.start < a.end;

/** The most trials alive at one moment. */
function maxConcurrent(records: TrialRecord[]): number {
  return Math.max(...records.map((r) => records.filter((o) => o.start <= r.start && r.start < o.end).length));
}

test('--parallel 2 --gpus 0,1: one agent runs two trials at once, each pinned to its own GPU', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: grid\nmetric:\n  name: loss\nparameters:\n  x:\n    values: [1, 2, 3, 4]\n',
    'train.py': RECORDING_TRIAL(2),
  });
  const id = createSweep(root, dir);
  const a = await cliAsync(root, ['agent', id, '--parallel', '2', '--gpus', '0,1'], { cwd: dir });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /up to 2 trials at a time on GPUs 0,1/);
  assert.doesNotMatch(a.stderr, /warning: --parallel/);
  const s = show(root, id);
  assert.deepEqual(s.trials.map((t: any) => t.state), ['finished', 'finished', 'finished', 'finished']);
  const recs = trialRecords(dir);
  assert.deepEqual(recs.map((r) => r.run_id).sort(), s.trials.map((t: any) => t.run_id).sort());
  assert.equal(new Set(recs.map((r) => r.pid)).size, 4, 'each trial is its own process');
  // The first two start together and live side by side for most of their 2 s; never more than two at once.
  assert.ok(overlaps(recs[0], recs[1]), JSON.stringify(recs));
  assert.ok(Math.min(recs[0].end, recs[1].end) - Math.max(recs[0].start, recs[1].start) > 1, JSON.stringify(recs));
  assert.equal(maxConcurrent(recs), 2, JSON.stringify(recs));
  // CUDA_VISIBLE_DEVICES: one of the given GPUs each, never the same for two trials alive together.
  for (const r of recs) assert.ok(r.cuda === '0' || r.cuda === '1', JSON.stringify(r));
  for (const [i, r] of recs.entries()) for (const o of recs.slice(i + 1)) if (overlaps(r, o)) assert.notEqual(r.cuda, o.cuda, JSON.stringify([r, o]));
  assert.deepEqual(new Set(recs.map((r) => r.cuda)), new Set(['0', '1']));
  // With several trials at once, their output lines carry the trial id.
  assert.match(a.stderr + a.stdout, new RegExp(`\\[${recs[0].run_id}\\] `));
});

test('fewer GPUs than --parallel: the agent warns and runs one trial per GPU', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: grid\nparameters:\n  x:\n    values: [1, 2, 3]\n',
    'train.py': RECORDING_TRIAL(0.5),
  });
  const id = createSweep(root, dir);
  const a = await cliAsync(root, ['agent', id, '--parallel', '3', '--gpus', '5'], { cwd: dir });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /warning: --parallel 3 but only 1 GPU \(5\); running 1 trial at a time so each has its own GPU/);
  assert.match(a.stderr, /up to 1 trial at a time on GPUs 5/);
  const recs = trialRecords(dir);
  assert.equal(recs.length, 3);
  assert.equal(maxConcurrent(recs), 1, JSON.stringify(recs));
  assert.deepEqual(recs.map((r) => r.cuda), ['5', '5', '5']);
  assert.deepEqual(show(root, id).trials.map((t: any) => t.state), ['finished', 'finished', 'finished']);
});

test('with fewer detected GPUs than --parallel, trials share them instead of being capped', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: grid\nparameters:\n  x:\n    values: [1, 2]\n',
    'train.py': RECORDING_TRIAL(1.5),
  });
  // One detected GPU: a stand-in nvidia-smi that lists index 0.
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\necho 0\n', { mode: 0o755 });
  const id = createSweep(root, dir);
  const a = await cliAsync(root, ['agent', id, '--parallel', '2'], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}`, CUDA_VISIBLE_DEVICES: '' } });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /1 GPU for 2 parallel trials: they share it \(give --gpus to run one trial per GPU\)/);
  const recs = trialRecords(dir);
  assert.equal(recs.length, 2);
  assert.equal(maxConcurrent(recs), 2, `both trials ran at once: ${JSON.stringify(recs)}`);
  assert.ok(recs.every((r) => !r.cuda), `no pinning: ${JSON.stringify(recs)}`);
});

test('a trial that ignores SIGTERM is killed with SIGKILL after --grace seconds', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: stubborn.py\nmethod: random\nrun_cap: 1\nparameters:\n  x:\n    min: 0\n    max: 9\n',
    'stubborn.py': `import os, signal, time, wandb
run = wandb.init(config={"x": -1})
log = open("stubborn.log", "a", buffering=1)
log.write("pid %d\\n" % os.getpid())
signal.signal(signal.SIGTERM, lambda *a: log.write("TERM %f\\n" % time.time()))  # trapped: it keeps going
for i in range(1200):
    log.write("tick %f\\n" % time.time())
    run.log({"loss": i})
    time.sleep(0.05)
`,
  });
  const id = createSweep(root, dir);
  const agent = cliAsync(root, ['agent', id, '--grace', '2'], { cwd: dir });
  const trial = await waitFor(() => show(root, id).trials.find((x: any) => x.state === 'running'), 60000, 'a running trial');
  await waitFor(() => fs.existsSync(path.join(dir, 'stubborn.log')) && /tick/.test(fs.readFileSync(path.join(dir, 'stubborn.log'), 'utf8')), 30000, 'the trial to start ticking');
  assert.match(cli(root, ['sweep', 'cancel', id]).stdout, /cancelled/);
  const a = await agent;
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, new RegExp(`stopping ${trial.run_id}: the sweep was cancelled`));
  assert.match(a.stderr, new RegExp(`trial ${trial.run_id} stopped`));
  const lines = fs.readFileSync(path.join(dir, 'stubborn.log'), 'utf8').trim().split('\n');
  const pid = Number(lines[0].split(' ')[1]);
  const term = lines.filter((l) => l.startsWith('TERM '));
  assert.equal(term.length, 1, 'one SIGTERM, which the trial trapped');
  const termAt = Number(term[0].split(' ')[1]);
  const lastTick = Number(lines.filter((l) => l.startsWith('tick ')).at(-1)!.split(' ')[1]);
  // It went on after SIGTERM, until SIGKILL came about 2 s later.
  assert.ok(lastTick - termAt > 1.5 && lastTick - termAt < 4, `ticked ${lastTick - termAt} s after SIGTERM`);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the trial process is gone');
  // The agent tells the runtime how the process ended, so the run does not stay "running".
  const run = await waitFor(() => {
    const r = cliJson(root, ['show', `sweeps/${trial.run_id}`, '--json']);
    return r.state !== 'running' && r;
  }, 30000, 'the killed run to end');
  assert.equal(run.state, 'killed', 'stopped on purpose: killed, not crashed');
  assert.match(JSON.stringify(run.error), /the sweep was cancelled/, 'the controller says why it was stopped');
  assert.match(show(root, id).trials[0].stop_reason, /cancelled/);
});

test('metric.target: the run that reaches it ends the sweep, and no trial starts after it', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: grid\nmetric:\n  name: loss\n  goal: minimize\n  target: 0.5\nparameters:\n  x:\n    values: [3, 0.25, 5, 6, 7]\n',
    'train.py': program('run.log({"loss": run.config.x + 1})\nrun.log({"loss": run.config.x})'),
  });
  const id = createSweep(root, dir);
  const a = await cliAsync(root, ['agent', id], { cwd: dir });
  assert.equal(a.code, 0, a.stderr);
  const s = show(root, id);
  assert.deepEqual(s.trials.map((t: any) => t.params.x), [3, 0.25], 'the grid had three more points, never started');
  assert.deepEqual(s.trials.map((t: any) => t.state), ['finished', 'finished']);
  assert.equal(s.state, 'finished');
  assert.equal(s.reason, `run ${s.trials[1].run_id} reached the target 0.5`);
  assert.match(a.stderr, /done: run \w+ reached the target 0\.5/);
  assert.equal(s.best.run_id, s.trials[1].run_id);
});

test('run_cap: the agent stops after N trials and the sweep finishes', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'sweep.yaml': 'program: train.py\nmethod: random\nrun_cap: 3\nmetric:\n  name: loss\nparameters:\n  x:\n    min: 0.0\n    max: 9.0\n',
    'train.py': program('run.log({"loss": run.config.x})'),
  });
  const id = createSweep(root, dir);
  const a = await cliAsync(root, ['agent', id], { cwd: dir });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /done: run_cap 3 reached/);
  const s = show(root, id);
  assert.equal(s.trials.length, 3);
  assert.deepEqual(s.trials.map((t: any) => t.state), ['finished', 'finished', 'finished']);
  assert.equal(s.state, 'finished');
  assert.equal(s.reason, 'run_cap 3 reached');
  assert.equal(s.counts.planned, 3);
  // A second agent gets nothing.
  const b = await cliAsync(root, ['agent', id], { cwd: dir });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(show(root, id).trials.length, 3);
});

test('--prior-run: existing runs count as trials, so grid skips the points they cover', { timeout: 180000 }, async () => {
  const { root, dir } = workspace({
    'prior.py': 'import sys, wandb\nx = int(sys.argv[1])\nrun = wandb.init(project="sweeps", config={"x": x, "note": "by hand"})\nrun.log({"loss": x * 10})\nprint("RUN", run.id)\nrun.finish()\n',
    'sweep.yaml': 'program: train.py\nmethod: grid\nmetric:\n  name: loss\nparameters:\n  x:\n    values: [1, 2, 3]\n',
    'train.py': program('run.log({"loss": run.config.x * 10})'),
  });
  const prior = [1, 2].map((x) => {
    const r = cli(root, ['run', 'prior.py', String(x)], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    return /RUN (\w+)/.exec(r.stdout + r.stderr)![1];
  });
  const id = createSweep(root, dir, 'sweep.yaml', ['--prior-run', ...prior]);
  const before = show(root, id);
  assert.deepEqual(before.trials.map((t: any) => [t.run_id, t.params, t.state, t.metric]), [[prior[0], { x: 1 }, 'finished', 10], [prior[1], { x: 2 }, 'finished', 20]]);
  const a = await cliAsync(root, ['agent', id], { cwd: dir });
  assert.equal(a.code, 0, a.stderr);
  const s = show(root, id);
  assert.deepEqual(s.trials.map((t: any) => t.params.x), [1, 2, 3], 'only x=3 was run');
  assert.equal(s.trials.filter((t: any) => !prior.includes(t.run_id)).length, 1);
  assert.equal(s.state, 'finished');
  assert.equal(s.best.run_id, prior[0]);
  for (const p of prior) assert.equal(cliJson(root, ['show', `sweeps/${p}`, '--json']).sweep_id, id);
  const bad = cli(root, ['sweep', 'sweep.yaml', '--project', 'sweeps', '--prior-run', 'nosuchrn'], { cwd: dir });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /prior run sweeps\/nosuchrn does not exist/);
});
