// The sweep panel in a browser tab against a real runtime and real trials: a sweep created with the
// CLI, four trials run by `trackwell agent --count 4` on a tiny Python program (the third and fourth
// trials are made much worse, so hyperband stops at least one), the panel open while they run (so
// everything arrives live), then the charts, the controls, keyboard use and screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startRuntime, type TestRuntime } from '../helpers/runtime';
import { cliAsync, cliJson, waitFor } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { launchBrowser, openDashboard, pythonClientReady, shot, skipReason, tmpRoot, watchErrors, type Browsing } from './harness';
import type { SweepDetail } from '../../runtime/protocol/api';

const skip = skipReason() ?? (pythonClientReady() ? undefined : 'the Python client is not importable with python3');
let rt: TestRuntime;
let b: Browsing;
let work: string;
let sweepId: string;
let agent: Promise<{ code: number | null; stdout: string; stderr: string }>;

const PROGRAM = `
import math, os, time
import wandb

# Trials 3 and 4 are deliberately poor, so hyperband (eta 2) stops at least one of them early.
marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trials.txt")
with open(marker, "a+") as f:
    f.seek(0)
    index = len(f.read().splitlines())
    f.write("x\\n")
penalty = 3.0 if index >= 2 else 0.0

run = wandb.init()
cfg = run.config
bias = {"relu": 0.0, "gelu": -0.05, "tanh": 0.1}[cfg.activation]
for epoch in range(12):
    loss = abs(math.log10(cfg.lr) + 2.5) / 3 + 0.2 / cfg.layers + bias + math.exp(-epoch / 2) + penalty
    run.log({"epoch": epoch, "val_loss": loss})
    time.sleep(0.3)
run.finish()
`;

const SWEEP = `program: train_sweep.py
method: random
metric:
  name: val_loss
  goal: minimize
parameters:
  lr:
    distribution: log_uniform_values
    min: 0.0001
    max: 0.1
  layers:
    values: [1, 2, 4]
  activation:
    values: [relu, gelu, tanh]
  seed:
    value: 7
early_terminate:
  type: hyperband
  min_iter: 3
  eta: 2
`;

before(async () => {
  if (skip) return;
  const root = tmpRoot();
  work = path.join(root, 'work');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'train_sweep.py'), PROGRAM);
  fs.writeFileSync(path.join(work, 'sweep.yaml'), SWEEP);
  rt = await startRuntime(root);
  b = await launchBrowser();
  sweepId = cliJson<{ id: string }>(root, ['sweep', path.join(work, 'sweep.yaml'), '--project', 'tune', '--json']).id;
});

after(async () => {
  await agent?.catch(() => undefined);
  await b?.close();
  await rt?.stop();
});

async function page(colorScheme: 'light' | 'dark' = 'light'): Promise<{ p: Page; errors: string[] }> {
  const p = await (await b.context({ colorScheme, height: 1400 })).newPage();
  return { p, errors: watchErrors(p) };
}

const count = (p: Page, sel: string) => p.$$eval(sel, (els) => els.length);
const data = (p: Page, sel: string, name: string) => p.$$eval(sel, (els, n) => (els[0] as HTMLElement | undefined)?.dataset[n] ?? '', name);

test('the sweep panel fills live while an agent runs four trials', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/sweep/${sweepId}`);
  await p.waitForSelector('.tw-sweep-head h1');
  assert.match(await p.textContent('.tw-sweep-head h1') ?? '', new RegExp(`Sweep ${sweepId}`));
  assert.equal(await data(p, '.tw-sweep-state', 'state'), 'running');
  assert.match(await p.textContent('.tw-sweep-trials') ?? '', /No trials yet/);

  agent = cliAsync(rt.root, ['agent', sweepId, '--count', '4'], { cwd: work });
  // A trial line appears while its run is still going (history events), before the agent is done.
  await waitFor(async () => Number(await data(p, '.tw-sweep-lines', 'lines')) >= 1, 30000, 'the first trial line');
  const r = await agent;
  assert.equal(r.code, 0, r.stderr);

  const d = await rt.get<SweepDetail>(`/api/sweeps/${sweepId}`);
  assert.equal(d.trials.length, 4);
  const early = d.trials.filter((t) => t.stop_reason?.startsWith('hyperband'));
  assert.ok(early.length >= 1, `hyperband stopped a trial: ${JSON.stringify(d.trials.map((t) => [t.state, t.stop_reason]))}`);
  assert.ok(early.every((t) => t.state === 'killed'));

  // Header: counts and the best run, from 'sweep' events.
  await p.waitForSelector('.tw-sweep-counts[data-done="4"]', { timeout: 15000 });
  assert.match(await p.textContent('.tw-sweep-best') ?? '', new RegExp(d.best!.run_id));

  // The metric over steps: one line per trial, the best one named, the stopped ones counted.
  await waitFor(async () => Number(await data(p, '.tw-sweep-lines', 'lines')) === 4, 15000, 'four trial lines');
  assert.equal(await data(p, '.tw-sweep-lines', 'best'), d.best!.run_id);
  assert.equal(Number(await data(p, '.tw-sweep-lines', 'early')), early.length);
  // Every step of the finished trials is there (12 values each); stopped ones have fewer.
  const points = Number(await data(p, '.tw-sweep-lines', 'points'));
  assert.ok(points > 12 * (4 - early.length) && points <= 48, `points ${points}`);

  // Parallel coordinates: an axis per varied parameter (the constant is left out) plus the metric,
  // one polyline per finished trial, the best one thick, the stopped ones dashed.
  await waitFor(async () => (await count(p, '.tw-pc polyline.tw-pc-line')) === 4, 10000, 'four polylines');
  const axes = await p.$$eval('.tw-pc-axis', (els) => els.map((e) => [(e as SVGElement).dataset.axis, (e as SVGElement).dataset.kind]));
  assert.deepEqual(axes, [['lr', 'log'], ['layers', 'categorical'], ['activation', 'categorical'], ['val_loss', 'linear']]);
  const lines = await p.$$eval('.tw-pc polyline.tw-pc-line', (els) => els.map((e) => ({
    run: (e as SVGElement).dataset.run, state: (e as SVGElement).dataset.state, points: e.getAttribute('points')!.split(' ').length,
    best: e.classList.contains('tw-pc-best'), early: e.classList.contains('tw-pc-early'), dash: e.getAttribute('stroke-dasharray'),
  })));
  assert.deepEqual(lines.map((l) => l.run).sort(), d.trials.map((t) => t.run_id).sort());
  assert.ok(lines.every((l) => l.points === 4), 'each polyline crosses all four axes');
  assert.deepEqual(lines.filter((l) => l.best).map((l) => l.run), [d.best!.run_id]);
  assert.deepEqual(lines.filter((l) => l.early).map((l) => l.run).sort(), early.map((t) => t.run_id).sort());
  assert.ok(lines.filter((l) => l.early).every((l) => l.dash && l.state === 'killed'));
  // Categorical ticks: every value of the config, in config order.
  assert.deepEqual(await p.$$eval('.tw-pc-axis[data-axis="activation"] .tw-pc-tick', (els) => els.map((e) => e.textContent)), ['relu', 'gelu', 'tanh']);

  // A scatter of the metric against each parameter.
  const scatters = await p.$$eval('.tw-scatter', (els) => els.map((e) => [(e as HTMLElement).dataset.param, (e as HTMLElement).dataset.kind, (e as HTMLElement).dataset.points]));
  const withMetric = String(d.trials.filter((t) => t.metric !== null).length);
  assert.deepEqual(scatters, [['lr', 'log', withMetric], ['layers', 'categorical', withMetric], ['activation', 'categorical', withMetric]]);
  assert.equal(await count(p, '.tw-scatter canvas'), 3);

  // Hyperband is explained, and each stopped run says why.
  assert.match(await p.textContent('.tw-sweep-note') ?? '', /stopped early by hyperband/);
  assert.match(await p.textContent('.tw-sweep-legend') ?? '', /stopped early by hyperband/);
  for (const t of early) {
    assert.match(await p.textContent(`.tw-sweep-trials tr[data-run="${t.run_id}"] .tw-sweep-why`) ?? '', /hyperband/);
    assert.ok(await p.$(`.tw-sweep-trials tr.tw-sweep-early-row[data-run="${t.run_id}"] .tw-sweep-early`));
  }
  await p.locator('.tw-sweep-lines').scrollIntoViewIfNeeded();
  await shot(p, 'sweep-light');
  await p.locator('.tw-pc').scrollIntoViewIfNeeded();
  await shot(p, 'sweep-params-light');
  assert.deepEqual(errors, []);
});

test('keyboard: a trial focused in the table is picked out in the charts; Enter opens its run', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/sweep/${sweepId}`);
  await waitFor(async () => (await count(p, '.tw-pc polyline.tw-pc-line')) === 4, 10000, 'polylines');
  const d = await rt.get<SweepDetail>(`/api/sweeps/${sweepId}`);
  const target = d.trials.find((t) => t.run_id !== d.best!.run_id)!;
  const link = p.locator(`.tw-sweep-trials tr[data-run="${target.run_id}"] a`);
  await link.focus();
  await p.waitForSelector(`.tw-pc polyline.tw-pc-hl[data-run="${target.run_id}"]`);
  assert.equal(await count(p, '.tw-pc polyline.tw-pc-dim'), 3);
  assert.ok(await p.$(`.tw-sweep-trials tr.tw-sweep-hl[data-run="${target.run_id}"]`));
  await p.keyboard.press('Enter');
  await p.waitForSelector('.tw-run-title h1');
  assert.equal(new URL(p.url()).hash, `#/run/${target.run_key}`);
  assert.deepEqual(errors, []);
});

test('the sweeps list links to the sweep; pause, resume and a confirmed cancel work from the panel', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, '#/sweeps');
  await p.waitForSelector(`.tw-sweeps-table tr[data-sweep="${sweepId}"]`);
  const row = await p.textContent(`.tw-sweeps-table tr[data-sweep="${sweepId}"]`) ?? '';
  assert.match(row, /running/);
  assert.match(row, /4 \/ 0 \/ \?/);
  assert.match(row, /val_loss/);
  await shot(p, 'sweeps-list-light');
  await p.click(`.tw-sweeps-table tr[data-sweep="${sweepId}"] a >> nth=0`);
  await p.waitForSelector('.tw-sweep-head h1');
  assert.equal(new URL(p.url()).hash, `#/sweep/${sweepId}`);

  await p.click('.tw-sweep-actions vscode-button[data-action="pause"]');
  await p.waitForSelector('.tw-sweep-state[data-state="paused"]');
  assert.equal((await rt.get(`/api/sweeps/${sweepId}`)).state, 'paused');
  await p.click('.tw-sweep-actions vscode-button[data-action="resume"]');
  await p.waitForSelector('.tw-sweep-state[data-state="running"]');

  // Cancel asks first; "Keep it" leaves the sweep alone.
  await p.click('.tw-sweep-actions vscode-button[data-action="cancel"]');
  await p.waitForSelector('.tw-sweep-actions [role=alert]');
  await p.click('.tw-sweep-actions vscode-button[data-action="keep"]');
  await p.waitForSelector('.tw-sweep-actions vscode-button[data-action="pause"]');
  assert.equal((await rt.get(`/api/sweeps/${sweepId}`)).state, 'running');
  await p.click('.tw-sweep-actions vscode-button[data-action="cancel"]');
  await p.click('.tw-sweep-actions vscode-button[data-action="confirm-cancel"]');
  await p.waitForSelector('.tw-sweep-state[data-state="cancelled"]');
  assert.equal((await rt.get(`/api/sweeps/${sweepId}`)).state, 'cancelled');
  assert.equal(await count(p, '.tw-sweep-actions vscode-button'), 0, 'no controls on a cancelled sweep');
  assert.deepEqual(errors, []);
});

test('dark theme', { skip }, async () => {
  const { p, errors } = await page('dark');
  await openDashboard(p, rt, `#/sweep/${sweepId}`);
  await waitFor(async () => Number(await data(p, '.tw-sweep-lines', 'lines')) === 4, 10000, 'lines');
  await waitFor(async () => (await count(p, '.tw-pc polyline.tw-pc-line')) === 4, 10000, 'polylines');
  await p.waitForTimeout(200);
  await shot(p, 'sweep-dark');
  assert.deepEqual(errors, []);
});

test('a running trial\'s heartbeats do not refetch the sweep; a change of its state does', { skip }, async () => {
  const { p, errors } = await page();
  // Heartbeat run events the page is sent.
  let beats = 0;
  p.on('websocket', (ws) => ws.on('framereceived', (f) => {
    beats += String(f.payload).match(/"heartbeat":true/g)?.length ?? 0; // several events share a frame
  }));
  await openDashboard(p, rt, `#/sweep/${sweepId}`);
  await waitFor(async () => Number(await data(p, '.tw-sweep-lines', 'lines')) === 4, 10000, 'lines');
  let fetches = 0;
  p.on('request', (r) => {
    if (new URL(r.url()).pathname === `/api/sweeps/${sweepId}`) fetches++;
  });
  // A trial of this sweep, posted as its client's sender would: its run record, then heartbeats over 10 s
  // apart on its clock (each pushed as a heartbeat run event; the page is sent them). Its clock runs a
  // little ahead so that no beat is old enough for the run to be taken for crashed meanwhile.
  const t0 = Date.now() / 1000 - 10;
  // Its first beat with the run record: the run is alive from the start (not taken for crashed).
  const j = new JournalWriter(path.join(rt.root, 'posted', 'beatswp1'), 'beatswp1', 'tune', { name: 'beating-trial', sweep_id: sweepId, start_time: t0 });
  let posted = 0;
  const post = async () => {
    const bytes = j.bytes();
    const r = await rt.request('POST', `/api/ingest?journal=${j.uuid}&offset=${posted}&path=${encodeURIComponent(j.file)}`, bytes.subarray(posted));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    posted = bytes.length;
  };
  j.add('heartbeat', {}, t0);
  await post();
  await waitFor(() => fetches > 0 || undefined, 5000, 'the new trial refetches the sweep');
  // The controller's sweep event for the new trial refetches too: wait for quiet.
  for (let seen = -1; seen !== fetches;) {
    seen = fetches;
    await new Promise((r) => setTimeout(r, 1000));
  }
  fetches = 0;
  for (let k = 1; k <= 3; k++) {
    j.add('heartbeat', {}, t0 + 10.5 * k);
    await post();
  }
  await waitFor(() => beats >= 3 || undefined, 5000, 'three heartbeat events reach the page');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(fetches, 0, 'heartbeats change nothing the sweep view shows');
  j.add('exit', { state: 'finished', exit_code: 0 }, t0 + 32);
  assert.equal((await rt.get<{ runs: { state: string }[] }>('/api/runs?q=beatswp1')).runs[0].state, 'running');
  await post();
  await waitFor(() => fetches > 0 || undefined, 5000, 'the trial finishing refetches the sweep');
  assert.deepEqual(errors, []);
});
