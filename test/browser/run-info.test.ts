// The run view's Overview (program, git, host; a running run's last heartbeat and activity, live) and
// Files (sources with md5, the patch, dependencies with a filter, code snapshots, and their content on
// click) tabs against a real runtime, in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import os from 'node:os';
import path from 'node:path';
import { startRuntime, type TestRuntime } from '../helpers/runtime';
import { JournalWriter } from '../helpers/journal';
import { launchBrowser, openDashboard, runKeyOf, SEEDED_FILES, seedFilesRun, seedRun, shot, skipReason, tmpRoot, watchErrors, type Browsing } from './harness';

const skip = skipReason();
let rt: TestRuntime;
let b: Browsing;
let key = 0;
let bareKey = 0;
let amdKey = 0;
let depsKey = 0;
/** What a big environment records: hundreds of installed distributions. */
const MANY_DEPS = Array.from({ length: 300 }, (_, i) => `pkg-${String(i).padStart(3, '0')}==1.${i % 7}.0`);

before(async () => {
  if (skip) return;
  const root = tmpRoot();
  seedFilesRun(root, 'info0001');
  seedRun(root, { id: 'bare0002', name: 'no-files', lr: 0.1 });
  // An AMD machine: the client found no nvidia-smi; the runtime's sampler listed the GPU from rocm-smi.
  new JournalWriter(path.join(root, 'runs', 'd-amd00003'), 'amd00003', 'vision', { name: 'on-amd' })
    .add('meta', { host: { hostname: 'mi-box', gpus: [] }, gpu: { vendor: 'amd', driver_version: '6.3.6', devices: [{ name: 'AMD Instinct MI250X', memory_total_bytes: 68719476736 }] } })
    .add('exit', { state: 'finished', exit_code: 0 });
  new JournalWriter(path.join(root, 'runs', 'd-deps00005'), 'deps0005', 'vision', { name: 'big-env' })
    .add('meta', { dependencies: [...MANY_DEPS].reverse() })
    .add('exit', { state: 'finished', exit_code: 0 });
  rt = await startRuntime(root);
  depsKey = await runKeyOf(rt, 'deps0005');
  amdKey = await runKeyOf(rt, 'amd00003');
  key = await runKeyOf(rt, 'info0001');
  bareKey = await runKeyOf(rt, 'bare0002');
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

const field = (p: Page, card: string, name: string) => p.textContent(`.tw-ov-card[aria-label="${card}"] dd[data-field="${name}"]`);

test('the Overview tab shows program, git and host', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${key}`);
  await p.click('vscode-tab-header:has-text("Overview")');
  await p.waitForSelector('.tw-ov-card[aria-label="Program"]');
  assert.equal(await field(p, 'Program', 'command'), "python train.py --lr 0.1 --note 'two words'");
  assert.equal(await field(p, 'Program', 'working directory'), '/home/ada/vision');
  assert.equal(await field(p, 'Program', 'python'), '3.11.7 (/usr/bin/python3)');
  assert.equal(await field(p, 'Git', 'remote'), 'git@example.invalid:ada/vision.git');
  assert.equal(await field(p, 'Git', 'branch'), 'main');
  assert.equal(await field(p, 'Git', 'commit'), '4f2c9e1b7d3a5c8e0f1a2b3c4d5e6f708192a3b4');
  assert.match(await field(p, 'Git', 'state') ?? '', /uncommitted changes/);
  assert.equal(await field(p, 'Host', 'hostname'), 'gpu-box');
  assert.equal(await field(p, 'Host', 'os'), 'Linux 6.1.0');
  assert.equal(await field(p, 'Host', 'cpu'), 'AMD EPYC 7763 64-Core Processor, 16 cores');
  assert.equal(await field(p, 'Host', 'memory'), '64 GiB');
  assert.equal(await field(p, 'Host', 'gpus'), 'NVIDIA A100-SXM4-40GB, 40 GiB, driver 535.129.03');
  await shot(p, 'run-overview-light');
  // The tab is remembered for the next run opened.
  await p.evaluate((k) => (location.hash = `#/run/${k}`), bareKey);
  await p.waitForSelector('.tw-run-title h1:has-text("no-files")');
  await p.waitForSelector('.tw-ov-card[aria-label="Program"]');
  assert.equal(await field(p, 'Program', 'command'), 'python train.py');
  assert.match(await p.textContent('.tw-ov-card[aria-label="Git"]') ?? '', /abc1234/);
  assert.deepEqual(errors, []);
});

test('the Files tab lists sources with md5, the patch, requirements and snapshots, and shows a file on click', { skip }, async () => {
  const { p, errors } = await page('dark');
  await openDashboard(p, rt, `#/run/${key}`);
  await p.click('vscode-tab-header:has-text("Files")');
  await p.waitForSelector('.tw-files-group');
  const groups = await p.$$eval('.tw-files-group h2', (hs) => hs.map((x) => x.textContent));
  // Dependencies: requirements.txt and the installed distributions (metadata.dependencies).
  assert.deepEqual(groups, ['Sources (2)', 'Uncommitted changes (1)', 'Dependencies (2)', 'Code snapshots (1)']);
  const md5 = await p.textContent('.tw-file:has([data-path="code/model.py"]) .tw-file-md5');
  assert.match(md5 ?? '', /md5 [0-9a-f]{32}/);
  await p.click('.tw-file-open[data-path="code/train.py"]');
  await p.waitForSelector('.tw-file-content');
  assert.equal(await p.textContent('.tw-file-content'), SEEDED_FILES['code/train.py'].text);
  assert.equal(await p.getAttribute('.tw-file-open[data-path="code/train.py"]', 'aria-current'), 'true');
  assert.equal(await p.$('.tw-file-diff'), null, 'no editor diff in a browser tab');
  await p.click('.tw-file-open[data-path="diff.patch"]');
  await p.waitForSelector('.tw-file-content .tw-diff-add');
  assert.equal(await p.textContent('.tw-file-content .tw-diff-add'), '+LAYERS = 4');
  assert.equal(await p.textContent('.tw-file-content .tw-diff-del'), '-LAYERS = 3');
  await shot(p, 'run-files-dark');
  await p.click('.tw-file-open[data-path="requirements.txt"]');
  await p.waitForSelector('.tw-file-head h2:has-text("requirements.txt")');
  await p.waitForSelector('.tw-file-content');
  assert.equal(await p.textContent('.tw-file-content'), SEEDED_FILES['requirements.txt'].text);
  await p.click('.tw-file-open[data-path="#dependencies"]');
  await p.waitForSelector('.tw-deps li');
  assert.deepEqual(await p.$$eval('.tw-deps li', (li) => li.map((x) => x.textContent)), ['numpy==1.26.4', 'pip==24.0', 'torch==2.3.0']);
  assert.equal(await p.textContent('.tw-deps-count'), '3 distributions');
  assert.equal(await p.getAttribute('.tw-file-open[data-path="#dependencies"]', 'aria-current'), 'true');
  assert.equal(await p.getAttribute('.tw-file-open[data-path="requirements.txt"]', 'aria-current'), null);
  // A run without files says how they get there.
  await p.evaluate((k) => (location.hash = `#/run/${k}`), bareKey);
  await p.waitForSelector('.tw-run-title h1:has-text("no-files")');
  await p.waitForSelector('.tw-files .tw-empty-inline');
  assert.match(await p.textContent('.tw-files .tw-empty-inline') ?? '', /No files recorded/);
  assert.deepEqual(errors, []);
});

test('the Overview lists AMD GPUs from the runtime sampler when the client recorded none', { skip }, async () => {
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${amdKey}`);
  await p.click('vscode-tab-header:has-text("Overview")');
  await p.waitForSelector('.tw-ov-card[aria-label="Host"]');
  assert.equal(await field(p, 'Host', 'gpus'), 'AMD Instinct MI250X, 64 GiB, driver 6.3.6');
  assert.deepEqual(errors, []);
});

test('the Files tab lists hundreds of installed distributions, sorted, and filters them as one types', { skip }, async () => {
  const { p, errors } = await page('dark');
  await openDashboard(p, rt, `#/run/${depsKey}`);
  await p.click('vscode-tab-header:has-text("Files")');
  await p.waitForSelector('.tw-files-group[aria-label="Dependencies"]');
  assert.equal(await p.textContent('.tw-files-group[aria-label="Dependencies"] h2'), 'Dependencies (1)', 'no requirements.txt: the list alone');
  assert.match(await p.textContent('.tw-file:has([data-path="#dependencies"]) .tw-file-meta') ?? '', /^300 name==version entries/);
  await p.click('.tw-file-open[data-path="#dependencies"]');
  await p.waitForSelector('.tw-deps li');
  const all = await p.$$eval('.tw-deps li', (li) => li.map((x) => x.textContent));
  assert.deepEqual(all, MANY_DEPS, 'every entry, sorted by name');
  assert.equal(await p.textContent('.tw-deps-count'), '300 distributions');
  await p.click('vscode-textfield.tw-deps-filter');
  await p.keyboard.type('PKG-12');
  await p.waitForFunction(() => document.querySelectorAll('.tw-deps li').length === 10);
  assert.deepEqual(await p.$$eval('.tw-deps li', (li) => li.map((x) => x.textContent)), MANY_DEPS.filter((d) => d.startsWith('pkg-12')));
  assert.equal(await p.textContent('.tw-deps-count'), '10 of 300 match "pkg-12"');
  await shot(p, 'run-files-dependencies-dark');
  await p.keyboard.type('x');
  await p.waitForFunction(() => document.querySelectorAll('.tw-deps li').length === 0);
  assert.equal(await p.textContent('.tw-deps-count'), 'No distribution matches "pkg-12x".');
  for (let i = 0; i < 7; i++) await p.keyboard.press('Backspace');
  await p.waitForFunction(() => document.querySelectorAll('.tw-deps li').length === 300);
  assert.deepEqual(errors, []);
});

test('a running run\'s Overview shows its last heartbeat and last activity, updated by heartbeats; gone once it ends', { skip }, async () => {
  // This test process stands in for the script (a live pid on this host), so the runtime keeps the run running.
  const now = Date.now() / 1000;
  const j = new JournalWriter(path.join(tmpRoot(), 'live0004'), 'live0004', 'vision', { name: 'still-going', start_time: now - 60, host: os.hostname(), pid: process.pid });
  j.add('history', { step: 41, runtime: 35, data: { loss: 0.5 } }, now - 25);
  j.add('heartbeat', { activity: { ts: now - 25, kind: 'log', step: 41 } }, now - 20);
  let posted = 0;
  const post = async () => {
    const bytes = j.bytes();
    const r = await rt.request('POST', `/api/ingest?journal=${j.uuid}&offset=${posted}`, bytes.subarray(posted));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    posted = r.json.offset;
  };
  await post();
  const liveKey = await runKeyOf(rt, 'live0004');
  const { p, errors } = await page();
  await openDashboard(p, rt, `#/run/${liveKey}`);
  await p.click('vscode-tab-header:has-text("Overview")');
  await p.waitForSelector('.tw-ov-card[aria-label="Activity"]');
  // "12:00:05 (20s ago)": at least the 20 s since the heartbeat (minutes on a very slow machine).
  const agoSeconds = (t: string | null) => {
    const m = /\((?:(\d+)m )?(\d+)s ago\)$/.exec(t ?? '');
    assert.ok(m, `"${t}" ends with "(… ago)"`);
    return Number(m[1] ?? 0) * 60 + Number(m[2]);
  };
  assert.ok(agoSeconds(await field(p, 'Activity', 'last heartbeat')) >= 20);
  const activity = await field(p, 'Activity', 'last activity');
  assert.match(activity ?? '', /^log\(\) at step 41, /);
  assert.ok(agoSeconds(activity) >= 25);
  // The Activity card comes first, before Program.
  assert.deepEqual((await p.$$eval('.tw-ov-card', (cs) => cs.map((c) => c.getAttribute('aria-label')))).slice(0, 2), ['Activity', 'Program']);

  // A heartbeat later: the script printed; the card follows without a reload.
  const later = Date.now() / 1000;
  j.add('console', { stream: 'stdout', text: 'epoch 42 done\n' }, later - 1);
  j.add('heartbeat', { activity: { ts: later - 1, kind: 'console', step: 42 } }, later);
  await post();
  await p.waitForFunction(() => /^console output \(last log\(\) at step 42\), /.test(
    document.querySelector('.tw-ov-card[aria-label="Activity"] dd[data-field="last activity"]')?.textContent ?? ''));
  assert.ok(agoSeconds(await field(p, 'Activity', 'last heartbeat')) < agoSeconds(activity), 'the newer heartbeat');
  await shot(p, 'run-overview-activity-light');

  // The run ends: no liveness to show.
  j.add('exit', { state: 'finished', exit_code: 0, error: null }, Date.now() / 1000);
  await post();
  await p.waitForSelector('.tw-ov-card[aria-label="Activity"]', { state: 'detached' });
  assert.ok(await p.$('.tw-ov-card[aria-label="Program"]'), 'the rest of the Overview stays');
  // A finished run never had the card.
  await p.evaluate((k) => (location.hash = `#/run/${k}`), key);
  await p.waitForSelector('.tw-run-title h1:has-text("collected-info")');
  await p.waitForSelector('.tw-ov-card[aria-label="Program"]');
  assert.equal(await p.$('.tw-ov-card[aria-label="Activity"]'), null);
  assert.deepEqual(errors, []);
});
