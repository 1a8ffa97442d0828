// The run view's Overview (program, git, host) and Files (sources with md5, the patch, requirements,
// code snapshots, and their content on click) tabs against a real runtime, in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
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

before(async () => {
  if (skip) return;
  const root = tmpRoot();
  seedFilesRun(root, 'info0001');
  seedRun(root, { id: 'bare0002', name: 'no-files', lr: 0.1 });
  // An AMD machine: the client found no nvidia-smi; the runtime's sampler listed the GPU from rocm-smi.
  new JournalWriter(path.join(root, 'runs', 'd-amd00003'), 'amd00003', 'vision', { name: 'on-amd' })
    .add('meta', { host: { hostname: 'mi-box', gpus: [] }, gpu: { vendor: 'amd', driver_version: '6.3.6', devices: [{ name: 'AMD Instinct MI250X', memory_total_bytes: 68719476736 }] } })
    .add('exit', { state: 'finished', exit_code: 0 });
  rt = await startRuntime(root);
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
  assert.deepEqual(groups, ['Sources (2)', 'Uncommitted changes (1)', 'Requirements (1)', 'Code snapshots (1)']);
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
