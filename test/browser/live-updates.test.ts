// What the views do with live events, driven by journals posted to a real runtime the way a client's
// sender does: the runs list's live dot kept lit by heartbeats, a flat dotted summary column, a run
// leaving a list filtered to running; the compare legend's states; a run view's x-axis choice surviving
// a new metric, live points on x = another metric, and ±Infinity named in the tooltip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startRuntime, type TestRuntime } from '../helpers/runtime';
import { waitFor } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { launchBrowser, openDashboard, runKeyOf, skipReason, tmpRoot, watchErrors, type Browsing } from './harness';

const skip = skipReason();
let rt: TestRuntime;
let b: Browsing;
let root: string;
const now = () => Date.now() / 1000;

/** A run recorded by posting its journal to /api/ingest, a batch at a time. */
class PostedRun {
  readonly j: JournalWriter;
  private posted = 0;
  constructor(readonly id: string, extra: Record<string, unknown> = {}) {
    // The run record's clock is long past: the run is not live until a heartbeat says so.
    this.j = new JournalWriter(path.join(root, 'posted', id), id, 'live', { name: id, start_time: now() - 120, ...extra });
  }
  add(t: string, fields: Record<string, unknown>, ts = now()): this {
    this.j.add(t, fields, ts);
    return this;
  }
  async post(): Promise<void> {
    const bytes = this.j.bytes();
    const r = await rt.request('POST', `/api/ingest?journal=${this.j.uuid}&offset=${this.posted}&path=${encodeURIComponent(this.j.file)}`, bytes.subarray(this.posted));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    this.posted = bytes.length;
  }
}

before(async () => {
  if (skip) return;
  root = tmpRoot();
  rt = await startRuntime(root);
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  await rt?.stop();
});

/** A page whose saved dashboard settings start as `prefs` (what the user chose in an earlier visit). */
async function page(prefs: Record<string, unknown> = {}): Promise<{ p: Page; errors: string[] }> {
  const ctx = await b.context();
  await ctx.addInitScript((state) => {
    if (!sessionStorage.getItem('trackwell.state')) sessionStorage.setItem('trackwell.state', state);
  }, JSON.stringify({ view: { kind: 'runs' }, prefs }));
  const p = await ctx.newPage();
  return { p, errors: watchErrors(p) };
}

const row = (id: string) => `.tw-grid-body .tw-row:has(.tw-id:text-is("${id}"))`;
const chart = (metric: string) => `.tw-chart[data-metric="${metric}"]`;
const readout = (p: Page, metric: string) => p.textContent(`${chart(metric)} .tw-chart-readout`).then((t) => t ?? '');

test('runs list: heartbeats keep the live dot lit, a flat dotted summary key updates its column, a finished run leaves a running filter', { skip }, async () => {
  const beat = new PostedRun('beat0001');
  beat.add('summary', { update: { 'eval.loss': 0.5 } }, now() - 100);
  await beat.post();
  const fin = new PostedRun('fin00001');
  await fin.post();
  await runKeyOf(rt, 'fin00001');

  const { p, errors } = await page({ runs: { state: 'running', columns: ['summary.eval.loss'], sort: 'name', order: 'asc' } });
  await openDashboard(p, rt);
  await p.waitForSelector(`${row('beat0001')} .tw-status:not(.tw-live)`);
  await p.waitForSelector(row('fin00001'));
  assert.equal((await p.textContent(`${row('beat0001')} .tw-col-summary_eval_loss`))?.trim(), '0.5');

  // The client beats: only the heartbeat changes, and the list shows the run live.
  await beat.add('heartbeat', {}).post();
  await p.waitForSelector(`${row('beat0001')} .tw-status.tw-live`, { timeout: 10000 });

  // W&B-style flat key "eval.loss" in the summary: the column follows it live.
  await beat.add('summary', { update: { 'eval.loss': 0.25 } }).post();
  await waitFor(async () => (await p.textContent(`${row('beat0001')} .tw-col-summary_eval_loss`))?.trim() === '0.25', 10000, 'the new summary value');

  // Filtered to running: the run that finishes goes, without a reload.
  await fin.add('exit', { state: 'finished', exit_code: 0 }).post();
  await p.waitForSelector(row('fin00001'), { state: 'detached', timeout: 10000 });
  assert.match(await p.textContent('.tw-list-status') ?? '', /^1 run matches/);
  assert.deepEqual(errors, []);
});

test('compare view: each run\'s status in the legend follows its state', { skip }, async () => {
  const a = new PostedRun('cmpa0001');
  const c = new PostedRun('cmpb0001');
  for (const r of [a, c]) await r.add('history', { step: 0, runtime: 0, data: { loss: 1 } }).post();
  const keys = [await runKeyOf(rt, 'cmpa0001'), await runKeyOf(rt, 'cmpb0001')];
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/compare/${keys.join(',')}`);
  const badge = (key: number) => `.tw-legend li:has(.tw-legend-item[data-key="${key}"]) .tw-status`;
  await p.waitForSelector(`${badge(keys[1])}:has-text("running")`);
  await c.add('exit', { state: 'failed', exit_code: 2 }).post();
  await p.waitForSelector(`${badge(keys[1])}:has-text("failed")`, { timeout: 10000 });
  assert.equal((await p.textContent(badge(keys[0])))?.trim(), 'running');
  assert.deepEqual(errors, []);
});

test('run view: a chosen x axis stays chosen when a metric appears; live points on x = a metric join the fetched ones; ±Infinity in the tooltip', { skip }, async () => {
  const r = new PostedRun('xrun0001');
  const odd = [{ $num: 'Infinity' }, 1, { $num: '-Infinity' }, 2];
  for (let step = 0; step < 10; step++) {
    const data: Record<string, unknown> = { loss: 1 / (step + 1) };
    if (step % 5 === 0) data.epoch = step / 5; // epoch logged in its own rows, as users do
    if (step < odd.length) data.odd = odd[step];
    r.add('history', { step, runtime: step, data });
  }
  await r.post();
  const key = await runKeyOf(rt, 'xrun0001');
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${key}`);
  await p.waitForSelector(`${chart('loss')}[data-points="10"]`);

  // Keyboard on a chart with non-finite values: each gap says what it is.
  await p.waitForSelector(`${chart('odd')}[data-points="4"]`);
  await p.focus(chart('odd'));
  await p.keyboard.press('Home');
  await waitFor(async () => /^Step 0\nInfinity$/.test(await readout(p, 'odd')), 5000, 'Infinity at step 0');
  await p.keyboard.press('ArrowRight');
  await p.keyboard.press('ArrowRight');
  await waitFor(async () => /^Step 2\n-Infinity$/.test(await readout(p, 'odd')), 5000, '-Infinity at step 2');

  // x = epoch: every loss point pairs with the latest epoch before it, fetched or live.
  await p.$eval('vscode-single-select.tw-x-select', (el) => {
    (el as HTMLElement & { value: string }).value = 'metric:epoch';
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await p.waitForSelector(`${chart('loss')}[data-x="metric:epoch"][data-points="10"]`);
  await r.add('history', { step: 10, runtime: 10, data: { loss: 0.05 } }).add('history', { step: 11, runtime: 11, data: { loss: 0.04 } }).post();
  await p.waitForSelector(`${chart('loss')}[data-points="12"]`, { timeout: 10000 });

  // A metric logged for the first time: its chart appears, and the x axis is still the one chosen.
  await r.add('history', { step: 12, runtime: 12, data: { loss: 0.03, brand_new: 1 } }).post();
  await p.waitForSelector(chart('brand_new'), { timeout: 10000 });
  await waitFor(async () => (await p.$$eval('vscode-single-select.tw-x-select vscode-option', (o) => o.length)) > 7, 5000, 'brand_new offered as an x axis');
  assert.equal(await p.$eval('vscode-single-select.tw-x-select', (el) => (el as HTMLElement & { value: string }).value), 'metric:epoch');
  await p.waitForSelector(`${chart('loss')}[data-x="metric:epoch"][data-points="13"]`);
  assert.deepEqual(errors, []);
});
