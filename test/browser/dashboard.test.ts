// The dashboard in a browser tab against a real runtime: the runs list, a run's charts growing live,
// the console's progress bars, the compare view, keyboard use, and screenshots in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startRuntime, type TestRuntime } from '../helpers/runtime';
import { waitFor } from '../helpers/cli';
import { launchBrowser, openDashboard, runKeyOf, seedRun, shot, skipReason, startLiveRun, tmpRoot, watchErrors, type Browsing } from './harness';

const skip = skipReason();
let rt: TestRuntime;
let b: Browsing;
const keys: Record<string, number> = {};

before(async () => {
  if (skip) return;
  const root = tmpRoot();
  seedRun(root, { id: 'base0001', name: 'resnet-baseline', group: 'resnet', tags: ['baseline'], lr: 0.1, seed: 1 }, 0);
  seedRun(root, { id: 'lr000002', name: 'resnet-lr-0.02', group: 'resnet', tags: ['sweep', 'lr'], lr: 0.02, seed: 2 }, 600);
  seedRun(root, { id: 'fail0003', name: 'vit-small', project: 'vit', tags: ['oom'], lr: 0.05, seed: 3, state: 'failed', steps: 120 }, 1200);
  rt = await startRuntime(root);
  for (const id of ['base0001', 'lr000002', 'fail0003']) keys[id] = await runKeyOf(rt, id);
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  await rt?.stop();
});

async function page(colorScheme: 'light' | 'dark' = 'light'): Promise<{ p: Page; errors: string[] }> {
  const p = await (await b.context({ colorScheme })).newPage();
  return { p, errors: watchErrors(p) };
}

/** Names of the rendered rows in list order. */
const rowNames = (p: Page) => p.$$eval('.tw-grid-body .tw-row[data-key]', (rows) => rows
  .map((r) => [Number((r as HTMLElement).dataset.index), r.querySelector('.tw-name-text')?.textContent ?? ''] as [number, string])
  .sort((x, y) => x[0] - y[0]).map((x) => x[1]));

const chartPoints = (p: Page, metric: string) => p.$eval(`.tw-chart[data-metric="${metric}"]`, (el) => Number((el as HTMLElement).dataset.points));

test('the runs list shows the runs, sorts on the server (config columns too) and filters', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt);
  await waitFor(async () => (await rowNames(p)).length === 3, 10000, 'three rows');
  assert.deepEqual(await rowNames(p), ['vit-small', 'resnet-lr-0.02', 'resnet-baseline']);
  assert.match(await p.textContent('.tw-list-status') ?? '', /3 runs/);
  // The token left the address bar; the route took its place.
  assert.equal(new URL(p.url()).hash, '#/runs');

  await p.click('.tw-header button.tw-sort:has-text("Name")');
  await waitFor(async () => (await rowNames(p))[0] === 'resnet-baseline', 5000, 'sorted by name');
  assert.equal(await p.getAttribute('.tw-header [role=columnheader][aria-sort]', 'aria-sort'), 'ascending');

  // A config value as a column, then sorted by it (the API sorts by config.lr).
  await p.click('vscode-button:has-text("Columns")');
  await p.click('.tw-popover vscode-checkbox[label="lr"]');
  await p.keyboard.press('Escape');
  await p.waitForSelector('.tw-header :text("lr")');
  await p.click('.tw-header button.tw-sort:has-text("lr")');
  await waitFor(async () => (await rowNames(p)).join() === 'resnet-lr-0.02,vit-small,resnet-baseline', 5000, 'sorted by config.lr');
  assert.deepEqual(await p.$$eval('.tw-grid-body .tw-row .tw-col-config_lr', (c) => c.map((x) => x.textContent)), ['0.02', '0.05', '0.1']);

  await p.fill('vscode-textfield.tw-search input', 'vit').catch(async () => {
    await p.click('vscode-textfield.tw-search');
    await p.keyboard.type('vit');
  });
  await waitFor(async () => (await rowNames(p)).join() === 'vit-small', 5000, 'text filter');
  assert.deepEqual(errors, []);
});

test('keyboard: arrows move, Space selects for comparison, Enter opens the run', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt);
  await p.waitForSelector('.tw-grid-body .tw-row[data-key]');
  await p.focus('.tw-grid');
  await p.keyboard.press('Space');
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('Space');
  assert.equal(await p.$$eval('.tw-grid-body .tw-row[aria-selected="true"]', (r) => r.length), 2);
  assert.match(await p.textContent('vscode-button:has-text("Compare")') ?? '', /Compare 2 runs/);
  assert.equal(await p.getAttribute('.tw-grid', 'aria-activedescendant'), 'tw-run-row-1');
  await p.keyboard.press('Enter');
  await p.waitForSelector('.tw-run-title h1');
  assert.equal(await p.textContent('.tw-run-title h1'), 'resnet-lr-0.02');
  assert.equal(new URL(p.url()).hash, `#/run/${keys.lr000002}`);
  assert.deepEqual(errors, []);
});

test('the run view charts metrics by section, leaves hidden ones out, zooms by drag', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${keys.base0001}`);
  await p.waitForSelector('.tw-chart[data-metric="train/loss"][data-points="300"]');
  const sections = await p.$$eval('.tw-section', (s) => s.map((x) => (x as HTMLElement).dataset.section));
  assert.deepEqual(sections, ['Charts', 'train', 'val']);
  assert.equal(await p.$('.tw-chart[data-metric="debug/grad_norm"]'), null, 'hidden metric is not charted');
  // val/* is defined with step_metric=epoch: charted against epoch by default.
  await p.locator('.tw-chart[data-metric="val/acc"]').scrollIntoViewIfNeeded();
  await p.waitForSelector('.tw-chart[data-metric="val/acc"][data-points="10"]');
  assert.equal(await p.textContent('.tw-chart[data-metric="val/acc"] .tw-chart-title'), 'val/acc');

  // Drag to zoom: the chart refetches the range; double-click resets.
  const canvas = p.locator('.tw-chart[data-metric="train/loss"] canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  await p.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await p.mouse.down();
  await p.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await p.mouse.up();
  await p.waitForSelector('.tw-chart.tw-zoomed[data-metric="train/loss"]');
  await waitFor(async () => (await chartPoints(p, 'train/loss')) < 150, 5000, 'zoomed refetch');
  await canvas.dblclick();
  await waitFor(async () => (await chartPoints(p, 'train/loss')) === 300, 5000, 'zoom reset');
  assert.deepEqual(errors, []);
});

test('a live run appears in the list and its chart grows while it runs', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt);
  await p.waitForSelector('.tw-grid-body .tw-row[data-key]');
  const live = startLiveRun(rt, 'live0004', 'live-run', 400, 12);
  try {
    await p.waitForSelector('.tw-row:has-text("live-run") .tw-status.tw-live', { timeout: 20000 });
    await p.click('.tw-row:has-text("live-run") .tw-name-text');
    await p.waitForSelector('.tw-chart[data-metric="train/loss"]:not([data-points="0"])');
    const first = await chartPoints(p, 'train/loss');
    await waitFor(async () => (await chartPoints(p, 'train/loss')) >= first + 40, 10000, 'chart growth');
    const later = await chartPoints(p, 'train/loss');
    assert.ok(later > first, `points grew from ${first} to ${later}`);
    assert.equal(await p.getAttribute('.tw-chart[data-metric="train/loss"]', 'data-datasets'), '1');
    // The runtime samples the script's process: system charts appear, x = time, with units.
    await p.waitForSelector('.tw-section[data-section="System"] .tw-chart[data-metric="system/cpu"]', { timeout: 15000 });
    assert.equal(await p.getAttribute('.tw-chart[data-metric="system/cpu"]', 'data-unit'), '%');
    await shot(p, 'run-live-light');
    // The console follows the progress bar: one line, redrawn in place.
    await p.click('vscode-tab-header:has-text("Console")');
    await p.waitForSelector('.tw-console-out .tw-line:has-text("training:")');
    const n0 = Number(await p.getAttribute('.tw-console-out', 'data-lines'));
    await p.waitForTimeout(600);
    assert.equal(Number(await p.getAttribute('.tw-console-out', 'data-lines')), n0, 'the bar stays one line');
    await live.done;
    await p.waitForSelector('.tw-console-out .tw-line:has-text("finished training")');
    const bars = await p.$$eval('.tw-console-out .tw-line', (l) => l.map((x) => x.textContent ?? '').filter((t) => t.includes('training:')));
    assert.deepEqual(bars, ['training: 100%|####################| 400/400']);
    await shot(p, 'console-live-light');
  } finally {
    await live.done.catch(() => undefined);
  }
  await p.click('vscode-tab-header:has-text("Charts")');
  await p.waitForSelector('.tw-run-title .tw-status:has-text("finished")', { timeout: 10000 });
  assert.equal(await chartPoints(p, 'train/loss'), 400);
  assert.deepEqual(errors, []);
});

test('the console renders a carriage-return progress bar as one line, with colours, and search', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${keys.base0001}`);
  await p.click('vscode-tab-header:has-text("Console")');
  await p.waitForSelector('.tw-console-out .tw-line:has-text("done")');
  const lines = await p.$$eval('.tw-console-out .tw-line', (l) => l.map((x) => x.textContent ?? ''));
  const bars = lines.filter((l) => l.startsWith('epoch 1:'));
  assert.deepEqual(bars, ['epoch 1: 100%|████████████████████| 100/100']);
  assert.equal(lines.length, 4);
  assert.ok(await p.$('.tw-console-out .tw-fg3'), 'ANSI yellow');
  assert.ok(await p.$('.tw-console-out .tw-b'), 'bold');
  const truecolor = await p.$eval('.tw-console-out .tw-line:last-child span:last-child', (s) => (s as HTMLElement).style.color);
  assert.equal(truecolor, 'rgb(120, 180, 255)');
  await p.click('vscode-textfield.tw-console-search');
  await p.keyboard.type('ing');
  await p.waitForSelector('.tw-mark-current');
  // "Training", "WARNING" (case-insensitive), "learning"
  assert.match(await p.textContent('.tw-match-count') ?? '', /1 of 3/);
  await p.keyboard.press('Enter');
  assert.match(await p.textContent('.tw-match-count') ?? '', /2 of 3/);
  await p.keyboard.press('Shift+Enter');
  await p.keyboard.press('Shift+Enter');
  assert.match(await p.textContent('.tw-match-count') ?? '', /3 of 3/);
  assert.equal(await p.$$eval('.tw-mark', (m) => m.length), 3);
  await shot(p, 'console-light');
  assert.deepEqual(errors, []);
});

test('the compare view overlays runs in stable colours, with a legend and a config diff', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/compare/${keys.base0001},${keys.lr000002}`);
  await p.waitForSelector('.tw-chart[data-metric="train/loss"][data-datasets="2"][data-points="600"]');
  assert.equal(await p.$$eval('.tw-legend-item', (l) => l.length), 2);
  const colors = await p.$$eval('.tw-legend .tw-swatch', (s) => s.map((x) => (x as HTMLElement).style.background));
  assert.notEqual(colors[0], colors[1]);
  // Hiding a run from the legend hides it in the charts.
  await p.click('.tw-legend-item >> nth=1');
  assert.equal(await p.getAttribute('.tw-legend-item >> nth=1', 'aria-pressed'), 'false');
  await p.click('.tw-legend-item >> nth=1');
  await shot(p, 'compare-light');
  await p.click('vscode-tab-header:has-text("Config diff")');
  await p.waitForSelector('.tw-diff tr.tw-differs');
  const differing = await p.$$eval('.tw-diff tr.tw-differs .tw-key', (k) => k.map((x) => x.textContent?.replace('≠ ', '')));
  assert.deepEqual(differing, ['lr', 'optimizer.name', 'seed']);
  await p.click('.tw-kv vscode-checkbox');
  await waitFor(async () => (await p.$$eval('.tw-diff tbody tr', (r) => r.length)) === 3, 3000, 'only differing rows');
  await shot(p, 'compare-config-light');
  assert.deepEqual(errors, []);
});

test('screenshots in light and dark', { skip }, async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const { p, errors } = await page(scheme);
    await openDashboard(p, rt);
    await p.waitForSelector('.tw-grid-body .tw-row[data-key]');
    await shot(p, `runs-${scheme}`);
    await p.evaluate((k) => (location.hash = `#/run/${k}`), keys.fail0003);
    await p.waitForSelector('.tw-chart[data-metric="train/loss"]:not([data-points="0"])');
    await p.waitForTimeout(300);
    await shot(p, `run-${scheme}`);
    await p.click('vscode-tab-header:has-text("Console")');
    await p.waitForSelector('.tw-console-out .tw-line:has-text("done")');
    await shot(p, `console-${scheme}`);
    await p.click('vscode-tab-header:has-text("Charts")');
    await p.evaluate(([x, y]) => (location.hash = `#/compare/${x},${y}`), [keys.base0001, keys.lr000002]);
    await p.waitForSelector('.tw-chart[data-metric="train/loss"][data-datasets="2"]');
    await p.waitForTimeout(300);
    await shot(p, `compare-${scheme}`);
    assert.deepEqual(errors, []);
  }
});

test('empty and unreachable states say what to do', { skip }, async () => {
  const root = tmpRoot();
  const empty = await startRuntime(root);
  const { p } = await page();
  try {
    await openDashboard(p, empty);
    await p.waitForSelector('.tw-state-empty');
    assert.match(await p.textContent('.tw-state-empty') ?? '', /trackwell run train\.py/);
    await shot(p, 'empty-light');
  } finally {
    await empty.stop();
  }
  await p.evaluate(() => (location.hash = '#/run/1'));
  await p.waitForSelector('.tw-state-error');
  assert.match(await p.textContent('.tw-state-error') ?? '', /not reachable[\s\S]*trackwell ui/);
  await p.waitForSelector('.tw-link[data-status="closed"]');
  await shot(p, 'unreachable-light');
});
