// The chart controls a user drives in the browser against a real runtime: x axis, smoothing, log scale,
// the tooltip (read back from its text mirror), reading and zooming a chart from the keyboard, collapsing
// sections (kept across a reload), tabs, Compare from the list, one colour per run from view to view,
// and a console longer than one page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startRuntime, type TestRuntime } from '../helpers/runtime';
import { waitFor } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { launchBrowser, openDashboard, runKeyOf, seedRun, skipReason, tmpRoot, watchErrors, type Browsing } from './harness';

const skip = skipReason();
let rt: TestRuntime;
let b: Browsing;
const keys: Record<string, number> = {};
const LONG_LINE = 'z'.repeat(50000);

before(async () => {
  if (skip) return;
  const root = tmpRoot();
  seedRun(root, { id: 'ctrl0001', name: 'baseline', lr: 0.1, seed: 1 }, 0);
  seedRun(root, { id: 'ctrl0002', name: 'lower-lr', lr: 0.02, seed: 2 }, 600);
  seedRun(root, { id: 'ctrl0003', name: 'other', lr: 0.05, seed: 3 }, 1200);
  // 1.5 MB of console (more than one API page, less than the tail the view keeps) and 3 MB (more).
  for (const [id, lines] of [['cons0015', 30], ['cons0030', 60]] as const) {
    const j = new JournalWriter(path.join(root, 'runs', `d-${id}`), id, 'vision', { name: id, start_time: 1700005000 });
    for (let i = 0; i < lines; i++) j.add('console', { stream: 'stdout', text: `line ${String(i).padStart(3, '0')} ${LONG_LINE}\n` });
    j.add('exit', { state: 'finished', exit_code: 0 });
  }
  rt = await startRuntime(root);
  for (const id of ['ctrl0001', 'ctrl0002', 'ctrl0003', 'cons0015', 'cons0030']) keys[id] = await runKeyOf(rt, id);
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  await rt?.stop();
});

async function page(): Promise<{ p: Page; errors: string[] }> {
  const p = await (await b.context()).newPage();
  return { p, errors: watchErrors(p) };
}

const chart = (metric: string) => `.tw-chart[data-metric="${metric}"]`;
const attr = (p: Page, metric: string, name: string) => p.getAttribute(chart(metric), `data-${name}`);

/** Picks an x axis the way the select's change does. */
const chooseX = (p: Page, value: string) => p.$eval('vscode-single-select.tw-x-select', (el, v) => {
  (el as HTMLElement & { value: string }).value = v;
  el.dispatchEvent(new Event('change', { bubbles: true }));
}, value);

/** Hovers the middle of a chart and returns the tooltip's text. */
async function hover(p: Page, metric: string, at = 0.5): Promise<string> {
  const canvas = p.locator(`${chart(metric)} canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  await p.mouse.move(box.x + box.width * at - 3, box.y + box.height / 2);
  await p.mouse.move(box.x + box.width * at, box.y + box.height / 2, { steps: 3 });
  return waitFor(async () => (await p.textContent(`${chart(metric)} .tw-chart-readout`))?.trim() || undefined, 5000, `tooltip of ${metric}`);
}

test('x axis, smoothing, log scale and the tooltip change what a chart draws', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${keys.ctrl0001}`);
  await p.waitForSelector(`${chart('train/loss')}[data-points="300"]`);
  assert.equal(await attr(p, 'train/loss', 'x'), 'step');
  assert.equal(await attr(p, 'train/loss', 'scale'), 'linear');
  const stepTip = await hover(p, 'train/loss');
  assert.match(stepTip, /^Step \d+\n\d+\.\d+/, stepTip);

  // Wall time: the same points, the tooltip names the clock time.
  await chooseX(p, 'wall');
  await p.waitForSelector(`${chart('train/loss')}[data-x="wall"][data-points="300"]`);
  assert.match(await hover(p, 'train/loss', 0.4), /Wall time \d{1,2}:\d\d/);
  await chooseX(p, 'relative');
  await p.waitForSelector(`${chart('train/loss')}[data-x="relative"][data-points="300"]`);
  assert.match(await hover(p, 'train/loss', 0.6), /Relative time/);
  // Another metric as the x axis.
  await chooseX(p, 'metric:lr');
  await p.waitForSelector(`${chart('train/loss')}[data-x="metric:lr"][data-points="300"]`);
  await chooseX(p, 'step');
  await p.waitForSelector(`${chart('train/loss')}[data-x="step"][data-points="300"]`);

  // Smoothing: the tooltip shows the raw value and the smoothed one.
  await p.$eval('input.tw-range', (el) => {
    (el as HTMLInputElement).value = '0.9';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await p.waitForSelector(`${chart('train/loss')}[data-smoothing="0.9"]`);
  assert.equal(await p.textContent('.tw-range-value'), '0.90');
  await p.mouse.move(0, 0);
  assert.match(await hover(p, 'train/loss', 0.45), /smoothed \d/);

  await p.click('vscode-checkbox.tw-log');
  await p.waitForSelector(`${chart('train/loss')}[data-scale="log"]`);
  assert.equal(await attr(p, 'train/acc', 'scale'), 'log', 'every chart of the view');

  // The settings are kept for the next view opened.
  await p.reload();
  await p.waitForSelector(`${chart('train/loss')}[data-points="300"][data-scale="log"][data-smoothing="0.9"]`);
  await p.click('vscode-checkbox.tw-log');
  await p.waitForSelector(`${chart('train/loss')}[data-scale="linear"]`);
  assert.deepEqual(errors, []);
});

test('keyboard: arrows read exact values point by point, + and - zoom around the point, Escape resets', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${keys.ctrl0001}`);
  await p.waitForSelector(`${chart('train/loss')}[data-points="300"]`);
  const exact = (await rt.get(`/api/runs/${keys.ctrl0001}/history?keys=train/loss`)).series['train/loss'].y as number[];
  const readout = () => p.textContent(`${chart('train/loss')} .tw-chart-readout`).then((t) => t ?? '');
  const expectRead = async (step: number) => {
    const want = `Step ${step}\n${exact[step]}`;
    await waitFor(async () => (await readout()) === want, 5000, `${JSON.stringify(want)} read out`).catch(async (e) => {
      throw new Error(`${(e as Error).message}; it says ${JSON.stringify(await readout())}`);
    });
  };
  assert.match(await p.getAttribute(chart('train/loss'), 'aria-label') ?? '', /arrows/);
  assert.equal(await p.getAttribute(`${chart('train/loss')} .tw-chart-readout`, 'aria-live'), 'polite');

  await p.focus(chart('train/loss'));
  await p.keyboard.press('End');
  await expectRead(299);
  await p.keyboard.press('Home');
  await expectRead(0);
  await p.keyboard.press('ArrowRight');
  await p.keyboard.press('ArrowRight');
  await expectRead(2);
  await p.keyboard.press('ArrowLeft');
  await expectRead(1);

  // Zoom in around step 1: half the steps, at full detail, and the point is still read out.
  await p.keyboard.press('+');
  await p.waitForSelector(`${chart('train/loss')}.tw-zoomed[data-points="150"]`);
  assert.equal(await p.$eval('vscode-button:has-text("Reset zoom")', (el) => (el as HTMLElement & { disabled: boolean }).disabled), false);
  await p.keyboard.press('ArrowRight');
  await expectRead(2);
  await p.keyboard.press('+');
  await p.waitForSelector(`${chart('train/loss')}[data-points="75"]`);
  // Out again until everything shows: that is the reset.
  await p.keyboard.press('-');
  await p.waitForSelector(`${chart('train/loss')}[data-points="150"]`);
  await p.keyboard.press('-');
  await p.waitForSelector(`${chart('train/loss')}:not(.tw-zoomed)[data-points="300"]`);
  await p.keyboard.press('+');
  await p.waitForSelector(`${chart('train/loss')}.tw-zoomed`);
  await p.keyboard.press('Escape');
  await p.waitForSelector(`${chart('train/loss')}:not(.tw-zoomed)[data-points="300"]`);
  assert.deepEqual(errors, []);
});

test('a collapsed section stays collapsed after a reload, and the tabs switch views', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${keys.ctrl0002}`);
  await p.waitForSelector(`${chart('train/loss')}[data-points="300"]`);
  const isOpen = () => p.$eval('vscode-collapsible[data-section="val"]', (el) => (el as HTMLElement & { open: boolean }).open);
  assert.equal(await isOpen(), true);
  await p.click('vscode-collapsible[data-section="val"] .collapsible-header');
  await waitFor(async () => !(await isOpen()), 3000, 'val collapsed');
  await p.reload();
  await p.waitForSelector(`${chart('train/loss')}[data-points="300"]`);
  assert.equal(await isOpen(), false, 'kept closed');
  await p.click('vscode-collapsible[data-section="val"] .collapsible-header');
  await waitFor(() => isOpen(), 3000, 'val opened again');

  for (const [tab, selector] of [['Config', '.tw-kv'], ['Console', '.tw-console-out'], ['Overview', '.tw-overview'], ['Charts', chart('train/loss')]] as const) {
    await p.click(`vscode-tab-header:has-text("${tab}")`);
    await p.waitForSelector(`${selector} >> visible=true`);
  }
  await p.click('vscode-tab-header:has-text("Config")');
  await waitFor(async () => (await p.textContent('.tw-kv >> visible=true'))?.includes('batch_size'), 3000, 'config values');
  assert.deepEqual(errors, []);
});

test('Compare from the list opens the runs overlaid, each in the colour it has in its own view', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${keys.ctrl0001}`);
  await p.waitForSelector(`${chart('train/loss')}[data-points="300"]`);
  const own1 = await attr(p, 'train/loss', 'colors');
  await openDashboard(p, rt, `#/run/${keys.ctrl0003}`);
  await p.waitForSelector(`${chart('train/loss')}[data-points="300"]`);
  const own3 = await attr(p, 'train/loss', 'colors');
  assert.ok(own1 && own3 && own1 !== own3, `${own1} / ${own3}`);

  await openDashboard(p, rt);
  await p.waitForSelector('.tw-grid-body .tw-row[data-key]');
  for (const name of ['baseline', 'other']) await p.click(`.tw-row:has-text("${name}") .tw-check`);
  await p.click('vscode-button:has-text("Compare 2 runs")');
  await waitFor(() => new URL(p.url()).hash === `#/compare/${[keys.ctrl0001, keys.ctrl0003].sort((x, y) => x - y).join(',')}` || undefined, 5000, `compare route, got ${p.url()}`);
  await p.waitForSelector(`${chart('train/loss')}[data-datasets="2"][data-points="600"]`);
  assert.equal(await attr(p, 'train/loss', 'colors'), `${own1} ${own3}`, 'the same colours as in each run view');
  const swatches = await p.$$eval('.tw-legend .tw-swatch', (s) => s.map((x) => getComputedStyle(x).backgroundColor));
  assert.equal(new Set(swatches).size, 2);
  // The tooltip names each run.
  const tip = await hover(p, 'train/loss');
  assert.ok(tip.includes('baseline:') && tip.includes('other:'), tip);
  assert.deepEqual(errors, []);
});

test('a console longer than one page loads whole; one longer than the kept tail says where the rest is', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${keys.cons0015}`);
  await p.click('vscode-tab-header:has-text("Console")');
  await p.waitForSelector('.tw-console-out .tw-line:has-text("line 029")');
  const lines = await p.$$eval('.tw-console-out .tw-line', (l) => l.map((x) => (x.textContent ?? '').slice(0, 8)));
  assert.deepEqual(lines.filter((l) => l.startsWith('line')), Array.from({ length: 30 }, (_, i) => `line ${String(i).padStart(3, '0')}`));
  assert.equal(await p.isVisible('.tw-console .tw-note'), false);

  await openDashboard(p, rt, `#/run/${keys.cons0030}`);
  await p.click('vscode-tab-header:has-text("Console")');
  await p.waitForSelector('.tw-console-out .tw-line:has-text("line 059")');
  assert.match(await p.textContent('.tw-console .tw-note') ?? '', /last 2 MB.*trackwell logs cons0030/);
  const shown = await p.$$eval('.tw-console-out .tw-line', (l) => l.map((x) => (x.textContent ?? '').slice(0, 8)).filter((t) => t.startsWith('line')));
  assert.equal(shown.at(-1), 'line 059');
  assert.ok(!shown.includes('line 000'), 'the head is left out');
  // The tail is contiguous: no line missing between the first shown and the last.
  const first = Number(shown[0].slice(5));
  assert.deepEqual(shown, Array.from({ length: 60 - first }, (_, i) => `line ${String(first + i).padStart(3, '0')}`));
  assert.deepEqual(errors, []);
});
