// End-to-end tests of the packaged extension in a real VS Code workbench (code-server), driven by headless
// Chromium. Started by scripts/run-e2e.mjs with the workbench URL, the workspace folder and a screenshot folder.
// Each test asserts what a user sees (CodeLens, Runs view, the live run panel, squiggles, completion, quick fix)
// and, where the UI could lie, what the store holds (through the real CLI).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, ws, shots, cli] = process.argv.slice(2);
const t0 = Date.now();
const log = (...a) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs as the store sees them, through the CLI a user would use. */
function storedRuns() {
  const out = execFileSync(process.execPath, [cli, 'ls', '--dir', path.join(ws, '.trackwell'), '--json'], { encoding: 'utf8' });
  return JSON.parse(out);
}

async function waitFor(what, fn, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** Runs a command from the palette; retried because the palette can open before the extension registered it. */
async function runCommand(page, title, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill('>' + title);
    try {
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: 4000 });
      await page.keyboard.press('Enter');
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
  }
}

async function openFile(page, name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 20000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor();
}

async function goTo(page, line, column) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await sleep(200);
  await page.keyboard.press('Enter');
  await sleep(200);
}

/** The active editor's text as Monaco renders it (only the visible lines, enough for these small files). */
async function editorText(page) {
  const t = await page.locator('.editor-group-container.active .monaco-editor .view-lines').innerText();
  return t.replace(/\u00a0/g, ' ');
}

/** The frame inside the visible webview (a webview is an iframe holding another iframe). */
function webview(page) {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
}

/**
 * The page box of `word` where the active editor renders the line that starts with `linePrefix` (Monaco
 * draws each line as spans in a `.view-line`; a DOM Range over the word's characters gives its pixels).
 */
async function wordBox(page, linePrefix, word) {
  return page.evaluate(([linePrefix, word]) => {
    const lines = [...document.querySelectorAll('.editor-group-container.active .monaco-editor .view-line')];
    const line = lines.find((l) => l.textContent.replace(/\u00a0/g, ' ').startsWith(linePrefix));
    if (!line) return undefined;
    const nodes = [];
    let text = '';
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      nodes.push({ node: walker.currentNode, start: text.length });
      text += walker.currentNode.data;
    }
    const at = text.replace(/\u00a0/g, ' ').indexOf(word);
    if (at < 0) return undefined;
    const locate = (off, end) => {
      const n = nodes.find((x) => (end ? off <= x.start + x.node.data.length : off < x.start + x.node.data.length));
      return [n.node, off - n.start];
    };
    const range = document.createRange();
    range.setStart(...locate(at, false));
    range.setEnd(...locate(at + word.length, true));
    const r = range.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  }, [linePrefix, word]);
}

/** Whether an error squiggle sits on the same screen line as `box` and spans it. */
async function squiggleUnder(page, box) {
  const squiggles = await page.locator('.editor-group-container.active .monaco-editor .squiggly-error')
    .evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; }));
  return squiggles.some((q) => q.top < box.bottom && q.bottom > box.top && q.left <= box.left + 1 && q.right >= box.right - 1);
}

async function showView(page, label) {
  const selected = await page.locator(`.activitybar .action-item.checked a[aria-label^="${label}"]`).count();
  if (!selected) await page.locator(`.activitybar .action-item a[aria-label^="${label}"]`).click();
}

async function showRunsView(page) {
  const item = page.locator('.activitybar .action-item a[aria-label^="Trackwell"]');
  const selected = await page.locator('.activitybar .action-item.checked a[aria-label^="Trackwell"]').count();
  if (!selected) await item.click();
  await page.locator('.pane-header', { hasText: 'Runs' }).first().waitFor();
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('CodeLens "Run with Tracking" runs train_live.py; its panel charts live and the run ends finished', async (page) => {
  await openFile(page, 'train_live.py');
  const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Run with Tracking' }).first();
  await lens.waitFor({ timeout: 60000 });
  log('CodeLens visible');
  await page.screenshot({ path: path.join(shots, '1-codelens.png') });
  await lens.click();
  // The panel opens beside the editor as soon as the run registers; its loss chart grows while the script runs.
  const chart = webview(page).locator('.tw-chart[data-metric="loss"]');
  await chart.waitFor({ timeout: 90000 });
  const points = async () => Number(await chart.getAttribute('data-points'));
  log('run panel shows the loss chart');
  const first = await waitFor('loss points', async () => (await points()) > 0 && (await points()), 60000);
  const stateThen = await webview(page).locator('.tw-run-title .tw-status').getAttribute('class');
  log(`loss chart has ${first} points; status ${stateThen}`);
  assert.match(stateThen, /tw-state-running/);
  const later = await waitFor('the chart to grow', async () => (await points()) > first && (await points()), 30000);
  log(`loss chart grew live: ${first} -> ${later} points`);
  await page.screenshot({ path: path.join(shots, '2-run-panel-live.png') });
  await webview(page).locator('.tw-status.tw-state-finished').waitFor({ timeout: 90000 });
  assert.equal(await points(), 60);
  await page.screenshot({ path: path.join(shots, '3-run-panel-finished.png') });
  await showRunsView(page);
  await page.locator('.monaco-list-row', { hasText: 'e2e-live' }).filter({ hasText: 'finished' }).waitFor({ timeout: 20000 });
  const run = storedRuns().find((r) => r.name === 'e2e-live');
  assert.equal(run?.state, 'finished');
  await page.screenshot({ path: path.join(shots, '4-runs-view.png') });
});

test('after a window reload the run panel is restored (webview serializer) and shows the same run', async (page) => {
  const tab = () => page.locator('.tabs-container .tab', { hasText: 'Run e2e-live' }).first();
  await tab().waitFor({ timeout: 10000 });
  // Let the webview's debounced state save land before reloading.
  await sleep(1000);
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  log('workbench reloaded');
  // The restored panel is titled with the run's name once the runs are known (at first it may be the key).
  await tab().waitFor({ timeout: 60000 });
  await tab().click();
  const chart = webview(page).locator('.tw-chart[data-metric="loss"]');
  await chart.waitFor({ timeout: 60000 });
  await webview(page).locator('.tw-run-title .tw-status.tw-state-finished').waitFor({ timeout: 30000 });
  await waitFor('the restored chart to hold all 60 points', async () => Number(await chart.getAttribute('data-points')) === 60, 30000);
  log('restored run panel shows e2e-live with 60 loss points');
  await page.screenshot({ path: path.join(shots, '4b-run-panel-restored.png') });
});

test('a script that raises ends failed: run from the editor title button, the palette and the explorer context menu', async (page) => {
  const failedRows = page.locator('.monaco-list-row', { hasText: 'e2e-failing' }).filter({ hasText: 'failed' });
  /** The n-th run of failing.py ended failed, in the store and in the Runs view. */
  const nthFailed = async (n, how) => {
    await waitFor(`failed run #${n} in the store (${how})`,
      async () => storedRuns().filter((r) => r.name === 'e2e-failing' && r.state === 'failed').length === n, 90000);
    await showRunsView(page);
    await waitFor(`${n} failed e2e-failing rows in the Runs view`, async () => (await failedRows.count()) === n, 30000);
    log(`${how}: run #${n} of failing.py ended failed`);
  };

  // The editor title bar's button, as a user clicks it.
  await openFile(page, 'failing.py');
  const button = page.locator('.editor-group-container.active .editor-actions a[aria-label*="Run with Tracking"]');
  await button.waitFor({ timeout: 30000 });
  await page.screenshot({ path: path.join(shots, '5a-title-button.png') });
  await button.click();
  await nthFailed(1, 'editor title button');
  await page.screenshot({ path: path.join(shots, '5-failed-run.png') });

  // The command palette on the active editor.
  await openFile(page, 'failing.py');
  await runCommand(page, 'Trackwell: Run with Tracking');
  await nthFailed(2, 'command palette');

  // The explorer's context menu with another file active: it runs the file clicked, not the active editor.
  await openFile(page, 'sweep.yaml');
  await showView(page, 'Explorer');
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'failing.py' }).click({ button: 'right' });
  const item = page.locator('.context-view .action-item', { hasText: 'Run with Tracking' });
  await item.waitFor({ timeout: 10000 });
  await page.screenshot({ path: path.join(shots, '5b-explorer-context-menu.png') });
  await item.click();
  await nthFailed(3, 'explorer context menu');
});

test('sweep.yaml: squiggles on bad values, completion offers `bayes`, a quick fix turns minimise into minimize', async (page) => {
  await openFile(page, 'sweep.yaml');
  const errors = page.locator('.editor-group-container.active .monaco-editor .squiggly-error');
  await waitFor('three error squiggles', async () => (await errors.count()) >= 3, 60000);
  log('squiggles:', await errors.count());
  // The squiggles are where the errors are: under `bayesian` on the `method:` line and `minimise` on `goal:`.
  const bad = await wordBox(page, 'method:', 'bayesian');
  assert.ok(bad, 'the method: line is rendered');
  await waitFor('a squiggle under `bayesian`', () => squiggleUnder(page, bad), 20000);
  assert.ok(await squiggleUnder(page, await wordBox(page, '  goal:', 'minimise')), 'a squiggle under `minimise`');
  // Hovering the squiggle shows the server's message for that value.
  await page.mouse.move((bad.left + bad.right) / 2, (bad.top + bad.bottom) / 2);
  await page.locator('.monaco-hover:visible', { hasText: 'is not a valid' }).filter({ hasText: 'bayesian' }).first().waitFor({ timeout: 20000 });
  await page.screenshot({ path: path.join(shots, '6-sweep-squiggles.png') });
  await page.mouse.move(700, 880);
  await page.keyboard.press('Escape');

  // Replace `bayesian` (line 2, from column 9) by completing `ba`.
  await goTo(page, 2, 9);
  await page.keyboard.press('Shift+End');
  await page.keyboard.type('ba');
  await page.keyboard.press('Control+Space');
  const suggestion = page.locator('.suggest-widget .monaco-list-row', { hasText: 'bayes' }).first();
  await suggestion.waitFor({ timeout: 20000 });
  await page.screenshot({ path: path.join(shots, '7-sweep-completion.png') });
  await page.locator('.suggest-widget .monaco-list-row.focused', { hasText: 'bayes' }).waitFor({ timeout: 5000 });
  await page.keyboard.press('Enter');
  await waitFor('method: bayes', async () => /^method: bayes\s*$/m.test(await editorText(page)), 10000);

  // Quick fix on `minimise` (line 5).
  await goTo(page, 5, 10);
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget .monaco-list-row');
  await menu.filter({ hasText: 'minimize' }).first().waitFor({ timeout: 20000 });
  await page.screenshot({ path: path.join(shots, '8-sweep-quickfix.png') });
  // The menu animates in, so pick by keyboard: move the focus to the fix, then apply it.
  for (let i = 0; i < 5 && !(await menu.filter({ hasText: 'minimize' }).first().getAttribute('class')).includes('focused'); i++) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await waitFor('goal: minimize', async () => /goal: minimize\s*$/m.test(await editorText(page)), 10000);
  // The two fixed errors are gone; the log_uniform pitfall remains.
  await waitFor('one squiggle left', async () => (await errors.count()) === 1, 20000);
  await page.screenshot({ path: path.join(shots, '9-sweep-fixed.png') });
});

const chromeHome = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-e2e-chromium-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  env: { ...process.env, HOME: chromeHome },
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let passed = 0;
let failed = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => log('[pageerror]', String(e).slice(0, 300)));
  if (process.env.E2E_DEBUG) page.on('console', (m) => log('[console]', m.type(), m.text().slice(0, 300)));
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'train_live.py' }).waitFor({ timeout: 60000 });
  log('workbench ready');
  for (const [i, t] of tests.entries()) {
    const start = Date.now();
    try {
      await t.fn(page);
      passed++;
      console.log(`✔ ${t.name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      console.log(`✖ ${t.name} (${Date.now() - start} ms)\n  ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n  ')}`);
      await page.screenshot({ path: path.join(shots, `failure-${i + 1}.png`) }).catch(() => {});
    }
  }
} finally {
  await browser.close();
  fs.rmSync(chromeHome, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
