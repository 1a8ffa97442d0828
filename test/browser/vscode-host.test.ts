// The same bundle as a VS Code webview: dashboardHtml with host 'vscode' (CSP connect-src 'none'),
// `acquireVsCodeApi` stubbed by a host that does what extension/dashboardPanels.ts does — answers
// `ready` with `init`, relays `request`s to a real runtime and its live stream back as `live`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { dashboardHtml } from '../../runtime/server/dashboardPage';
import type { HostToWebview, WebviewToHost } from '../../runtime/protocol/webview';
import { startRuntime, type TestRuntime } from '../helpers/runtime';
import { ROOT, waitFor } from '../helpers/cli';
import { launchBrowser, runKeyOf, SEEDED_FILES, seedFilesRun, seedRun, shot, skipReason, startJournalRun, tmpRoot, watchErrors, type Browsing } from './harness';

const skip = skipReason();
let rt: TestRuntime;
let b: Browsing;
let server: http.Server;
let pageUrl = '';
const keys: Record<string, number> = {};

before(async () => {
  if (skip) return;
  const root = tmpRoot();
  seedRun(root, { id: 'base0001', name: 'resnet-baseline', tags: ['baseline'], lr: 0.1, seed: 1 }, 0);
  seedRun(root, { id: 'lr000002', name: 'resnet-lr-0.02', tags: ['lr'], lr: 0.02, seed: 2 }, 600);
  seedFilesRun(root, 'info0003');
  rt = await startRuntime(root);
  for (const id of ['base0001', 'lr000002', 'info0003']) keys[id] = await runKeyOf(rt, id);
  // The webview's resources, as VS Code serves them from the extension's dist/webview.
  const dist = path.join(ROOT, 'dist', 'webview');
  server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(dashboardHtml({ host: 'vscode', scriptUri: `${origin}/main.js`, styleUri: `${origin}/main.css`, cspSource: origin }));
      return;
    }
    const file = path.join(dist, path.basename(req.url ?? ''));
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.endsWith('.js') ? 'text/javascript' : 'text/css' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  b = await launchBrowser();
});

after(async () => {
  await b?.close();
  server?.close();
  await rt?.stop();
});

/** What VS Code puts on a webview in its default high-contrast theme: --vscode-* on <html>. */
const HIGH_CONTRAST: [string, string][] = [
  ['--vscode-editor-background', '#000000'], ['--vscode-foreground', '#ffffff'], ['--vscode-descriptionForeground', '#ffffff'],
  ['--vscode-contrastBorder', '#6fc3df'], ['--vscode-contrastActiveBorder', '#f38518'], ['--vscode-focusBorder', '#f38518'],
  ['--vscode-button-background', '#000000'], ['--vscode-button-foreground', '#ffffff'], ['--vscode-button-border', '#6fc3df'],
  ['--vscode-button-secondaryBackground', '#000000'], ['--vscode-button-secondaryForeground', '#ffffff'],
  ['--vscode-charts-foreground', '#ffffff'], ['--vscode-charts-lines', 'rgba(255,255,255,0.5)'], ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'], ['--vscode-charts-green', '#89d185'], ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'], ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-textLink-foreground', '#21a6ff'], ['--vscode-font-family', 'system-ui, sans-serif'], ['--vscode-font-size', '13px'],
  ['--vscode-editor-font-family', 'monospace'], ['--vscode-panel-border', '#6fc3df'], ['--vscode-badge-background', '#000000'],
  ['--vscode-badge-foreground', '#ffffff'], ['--vscode-settings-textInputBackground', '#000000'], ['--vscode-settings-textInputBorder', '#6fc3df'],
  ['--vscode-settings-textInputForeground', '#ffffff'], ['--vscode-settings-dropdownBackground', '#000000'], ['--vscode-settings-dropdownBorder', '#6fc3df'],
  ['--vscode-settings-checkboxBackground', '#000000'], ['--vscode-settings-checkboxBorder', '#6fc3df'], ['--vscode-panelTitle-activeBorder', '#f38518'],
  ['--vscode-panelTitle-activeForeground', '#ffffff'], ['--vscode-panelTitle-inactiveForeground', '#ffffff'], ['--vscode-sideBar-background', '#000000'],
  ['--vscode-sideBarSectionHeader-background', '#000000'], ['--vscode-list-hoverBackground', 'transparent'], ['--vscode-list-focusOutline', '#f38518'],
  ['--vscode-terminal-foreground', '#ffffff'], ['--vscode-terminal-background', '#000000'],
];

interface Host {
  page: Page;
  errors: string[];
  sent: WebviewToHost[];
  states: unknown[];
  post(m: HostToWebview): Promise<void>;
}

/** A page whose acquireVsCodeApi() talks to this test, which plays the extension host. */
async function openWebview(init: HostToWebview & { type: 'init' }, opts: { highContrast?: boolean } = {}): Promise<Host> {
  const page = await (await b.context({ colorScheme: 'dark' })).newPage();
  const errors = watchErrors(page);
  const sent: WebviewToHost[] = [];
  const states: unknown[] = [];
  let ws: WebSocket | undefined;
  const post = (m: HostToWebview) => page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>);
  await page.exposeFunction('__twToHost', async (m: WebviewToHost) => {
    sent.push(m);
    switch (m.type) {
      case 'ready':
        await post(init);
        return;
      case 'request': {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(m.query ?? {})) (Array.isArray(v) ? v : [v]).forEach((x) => qs.append(k, x));
        if (m.as === 'text') { // a stored file: its bytes as text, as extension/dashboardPanels.ts relays them
          const res = await fetch(`${rt.url}${m.path}?${qs}`, { headers: { Authorization: `Bearer ${rt.token}` } });
          await post(res.ok ? { type: 'response', id: m.id, ok: true, json: await res.text() } : { type: 'response', id: m.id, ok: false, status: res.status, error: String(res.status) });
          return;
        }
        const r = await rt.request(m.method ?? 'GET', `${m.path}${qs.size ? `?${qs}` : ''}`, m.body === undefined ? undefined : JSON.stringify(m.body));
        await post(r.status === 200 ? { type: 'response', id: m.id, ok: true, json: r.json } : { type: 'response', id: m.id, ok: false, status: r.status, error: r.json?.error ?? String(r.status) });
        return;
      }
      case 'live':
        if (!ws) {
          ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/live?token=${rt.token}`);
          ws.on('message', (d) => void post({ type: 'live', message: JSON.parse(String(d)) }).catch(() => undefined));
          await new Promise((r) => ws!.once('open', r));
          page.once('close', () => ws?.close());
        }
        ws.send(JSON.stringify(m.message));
        return;
      case 'state':
        states.push(m.state);
        return;
      default:
    }
  });
  // A string, not a function: the test runner's transpiler would add helpers the page lacks.
  await page.addInitScript(`
    let saved;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__twToHost(m),
      getState: () => saved,
      setState: (s) => { saved = s; },
    });
    ${opts.highContrast ? `document.addEventListener('DOMContentLoaded', () => {
      document.body.classList.add('vscode-high-contrast');
      for (const [k, v] of ${JSON.stringify(HIGH_CONTRAST)}) document.documentElement.style.setProperty(k, v);
    });` : ''}
  `);
  await page.goto(pageUrl);
  return { page, errors, sent, states, post };
}

test('requests, live events, view changes and state go through postMessage', { skip }, async () => {
  const host = await openWebview({ type: 'init', view: { kind: 'run', key: keys.base0001 }, settings: { consoleLinesKept: 200 } });
  const { page: p } = host;
  await p.waitForSelector('.tw-chart[data-metric="train/loss"][data-points="300"]');
  assert.equal(await p.textContent('.tw-run-title h1'), 'resnet-baseline');
  assert.ok(host.sent[0].type === 'ready', 'ready comes first');
  assert.ok(host.sent.some((m) => m.type === 'request' && m.path === `/api/runs/${keys.base0001}/history`));
  // No browser-only chrome: VS Code shows the connection state itself.
  assert.equal(await p.$('.tw-link'), null);

  // The state the webview serializer restores carries the view (extension/dashboardPanels.ts findView).
  await waitFor(() => host.states.length > 0, 5000, 'state');
  assert.deepEqual((host.states[host.states.length - 1] as { view: unknown }).view, { kind: 'run', key: keys.base0001 });

  // Links ask the host to open a view instead of navigating.
  await p.click('.tw-back');
  await waitFor(() => host.sent.some((m) => m.type === 'open' && m.view.kind === 'runs'), 5000, 'open runs');

  // The host switches the view in place.
  await host.post({ type: 'show', view: { kind: 'compare', keys: [keys.base0001, keys.lr000002] } });
  await p.waitForSelector('.tw-chart[data-metric="train/loss"][data-datasets="2"]');
  await shot(p, 'vscode-compare-dark');
  assert.deepEqual(host.errors, []);
});

test('a live run grows through relayed live events', { skip }, async () => {
  const live = startJournalRun(rt, 'vsl00003', 'relayed-live', 200, 5);
  const key = await runKeyOf(rt, 'vsl00003');
  const host = await openWebview({ type: 'init', view: { kind: 'run', key } });
  const { page: p } = host;
  try {
    await p.waitForSelector('.tw-chart[data-metric="train/loss"]:not([data-points="0"])');
    const first = Number(await p.getAttribute('.tw-chart[data-metric="train/loss"]', 'data-points'));
    await live.done;
    await waitFor(async () => Number(await p.getAttribute('.tw-chart[data-metric="train/loss"]', 'data-points')) === 200, 10000, 'all points');
    assert.ok(first < 200, `started with ${first} points`);
    assert.ok(host.sent.some((m) => m.type === 'live' && m.message.type === 'subscribe' && Array.isArray(m.message.history) && m.message.history.includes(key)));
    await p.click('vscode-tab-header:has-text("Console")');
    await p.waitForSelector('.tw-console-out .tw-line:has-text("finished training")');
    assert.deepEqual(await p.$$eval('.tw-console-out .tw-line', (l) => l.map((x) => x.textContent)), ['training: 100%|####################| 200/200', 'finished training']);
  } finally {
    await live.done.catch(() => undefined);
  }
  assert.deepEqual(host.errors, []);
});

test('the Files tab shows stored text and asks the extension to diff a source against the current file', { skip }, async () => {
  const host = await openWebview({ type: 'init', view: { kind: 'run', key: keys.info0003 } });
  const { page: p } = host;
  await p.waitForSelector('.tw-run-title h1');
  await p.click('vscode-tab-header:has-text("Files")');
  await p.click('.tw-file-open[data-path="code/model.py"]');
  await p.waitForSelector('.tw-file-content');
  assert.equal(await p.textContent('.tw-file-content'), SEEDED_FILES['code/model.py'].text);
  assert.ok(host.sent.some((m) => m.type === 'request' && m.as === 'text' && m.path === `/api/runs/${keys.info0003}/files/content`));
  await p.click('.tw-file-diff');
  const cmd = await waitFor(() => host.sent.find((m) => m.type === 'command'), 5000, 'command');
  assert.deepEqual(cmd, { type: 'command', command: 'trackwell.diffSource', args: [{ key: keys.info0003, path: 'code/model.py' }] });
  // The patch is not a source: nothing to compare it with.
  await p.click('.tw-file-open[data-path="diff.patch"]');
  await p.waitForSelector('.tw-file-content .tw-diff-add');
  assert.equal(await p.$('.tw-file-diff'), null);
  assert.deepEqual(host.errors, []);
});

test('high-contrast theme from VS Code variables', { skip }, async () => {
  const host = await openWebview({ type: 'init', view: { kind: 'runs' } }, { highContrast: true });
  const { page: p } = host;
  await p.waitForSelector('.tw-grid-body .tw-row[data-key]');
  assert.equal(await p.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(0, 0, 0)');
  await p.focus('.tw-grid');
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('Space');
  await shot(p, 'vscode-runs-high-contrast');
  // Enter asks the host to open the run (a new panel in VS Code); here the host shows it in place.
  await p.keyboard.press('Enter');
  const open = await waitFor(() => host.sent.find((m) => m.type === 'open' && m.view.kind === 'run'), 5000, 'open run');
  assert.ok(open.type === 'open');
  await host.post({ type: 'show', view: open.view });
  await p.waitForSelector('.tw-chart[data-metric="train/loss"]:not([data-points="0"])');
  await p.waitForTimeout(200);
  await shot(p, 'vscode-run-high-contrast');
  await p.click('vscode-tab-header:has-text("Console")');
  await p.waitForSelector('.tw-console-out .tw-line:has-text("done")');
  await shot(p, 'vscode-console-high-contrast');
  assert.deepEqual(host.errors, []);
});
