// Shared by the browser tests: Debian's Chromium through playwright-core, runs made the way clients
// make them (journals ingested by a real runtime), and screenshots under test/artifacts/.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { JournalWriter } from '../helpers/journal';
import { ROOT, cliAsync, tmpDir, waitFor } from '../helpers/cli';
import type { TestRuntime } from '../helpers/runtime';

export const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const CHROMIUM = process.env.TRACKWELL_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM) && fs.existsSync(path.join(ROOT, 'dist', 'webview', 'main.js')) && fs.existsSync(path.join(ROOT, 'dist', 'cli.js'));
}

/** Why a browser test cannot run here, or undefined when it can. */
export function skipReason(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set TRACKWELL_CHROMIUM)`;
  if (!fs.existsSync(path.join(ROOT, 'dist', 'webview', 'main.js')) || !fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) return 'not built: run npm run build';
  return undefined;
}

export interface Browsing {
  browser: Browser;
  context(opts?: { colorScheme?: 'light' | 'dark'; width?: number; height?: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** A fresh profile and HOME per test file, so nothing leaks between files or from the user. */
export async function launchBrowser(): Promise<Browsing> {
  const home = tmpDir('tw-browser-home-');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async context(o = {}) {
      const c = await browser.newContext({ colorScheme: o.colorScheme ?? 'light', viewport: { width: o.width ?? 1280, height: o.height ?? 860 }, deviceScaleFactor: 1 });
      contexts.push(c);
      return c;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Collects page errors and CSP violations so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[49]/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export async function openDashboard(page: Page, rt: TestRuntime, route = '#/runs'): Promise<void> {
  // The first visit hands over the token in the fragment, as `trackwell ui` prints it.
  await page.goto(`${rt.url}/#token=${rt.token}`);
  await page.waitForSelector('.tw-topbar');
  if (route !== '#/runs') await page.evaluate((r) => (location.hash = r), route);
}

// ---------------------------------------------------------------- runs

export interface RunSpec {
  id: string;
  name: string;
  project?: string;
  group?: string;
  tags?: string[];
  lr: number;
  steps?: number;
  state?: 'finished' | 'failed';
  seed?: number;
}

const T0 = Math.floor(Date.now() / 1000) - 3 * 3600;

/** A finished run like a small image-classification script would log, written as a journal in the data root. */
export function seedRun(root: string, s: RunSpec, startOffset = 0): JournalWriter {
  const start = T0 + startOffset;
  let ts = start;
  const j = new JournalWriter(path.join(root, 'runs', `20240101-000000-${s.id}`), s.id, s.project ?? 'vision', {
    name: s.name, group: s.group ?? null, tags: s.tags ?? [], start_time: start, host: 'test',
  });
  const add = (t: string, f: Record<string, unknown>) => j.add(t, f, (ts += 0.5));
  add('config', { update: { lr: s.lr, batch_size: 64, epochs: 10, optimizer: { name: s.lr > 0.05 ? 'sgd' : 'adam', momentum: 0.9 }, seed: s.seed ?? 1 } });
  add('metric', { name: 'epoch' });
  add('metric', { name: 'val/*', step_metric: 'epoch' });
  add('metric', { name: 'debug/grad_norm', hidden: true });
  add('meta', { program: { path: 'train.py', args: ['--lr', String(s.lr)] }, host: { hostname: 'test', cpu_count: 8, python: '3.11.7' }, git: { commit: 'abc1234', branch: 'main' } });
  const steps = s.steps ?? 300;
  const rnd = mulberry(s.seed ?? 1);
  let loss = 0;
  for (let step = 0; step < steps; step++) {
    loss = 2.3 * Math.exp(-step * s.lr * 0.2) + 0.08 + rnd() * 0.08;
    const row: Record<string, unknown> = {
      'train/loss': loss, 'train/acc': 1 - loss / 2.5, lr: s.lr * 0.97 ** Math.floor(step / 30), 'debug/grad_norm': rnd() * 3,
    };
    if (step % 30 === 29) Object.assign(row, { epoch: Math.floor(step / 30), 'val/loss': loss * 1.1, 'val/acc': 1 - loss / 2.2 });
    j.add('history', { step, runtime: ts - start, data: row }, (ts += 2));
  }
  add('console', { stream: 'stdout', text: `\x1b[1mTraining ${s.name}\x1b[0m with lr=${s.lr}\n` });
  add('console', { stream: 'stdout', text: progressBar(100) });
  add('console', { stream: 'stderr', text: '\x1b[33mWARNING\x1b[0m the learning rate schedule is \x1b[38;5;208mexperimental\x1b[0m\n' });
  add('console', { stream: 'stdout', text: `\x1b[32m✔ done\x1b[0m final loss \x1b[38;2;120;180;255m${loss.toFixed(4)}\x1b[0m\n` });
  add('summary', { update: { 'train/loss': loss, 'val/acc': 1 - loss / 2.2, best_epoch: 9 } });
  if (s.state === 'failed') {
    add('exit', { state: 'failed', exit_code: 1, error: { type: 'RuntimeError', message: 'CUDA out of memory', traceback: 'Traceback (most recent call last):\n  File "train.py", line 42, in <module>\nRuntimeError: CUDA out of memory' } });
  } else add('exit', { state: 'finished', exit_code: 0, error: null });
  return j;
}

/** Bytes of the files seedFilesRun stores, by stored path. */
export const SEEDED_FILES: Record<string, { text: string; kind: string }> = {
  'code/train.py': { text: 'import model\n\nfor epoch in range(10):\n    print("epoch", epoch, model.LAYERS)\n', kind: 'source' },
  'code/model.py': { text: 'LAYERS = 4\n', kind: 'source' },
  'diff.patch': { text: 'diff --git a/model.py b/model.py\n--- a/model.py\n+++ b/model.py\n@@ -1 +1 @@\n-LAYERS = 3\n+LAYERS = 4\n', kind: 'patch' },
  'requirements.txt': { text: 'numpy>=1.26\ntorch==2.3.0\n', kind: 'requirements' },
  'snapshots/source-vision-train.py/train.py': { text: 'import model\n\nfor epoch in range(10):\n    print("epoch", epoch)\n', kind: 'code' },
};

/** A finished run with the collected information a client records: meta records, and files in the blob store. */
export function seedFilesRun(root: string, id: string): JournalWriter {
  const j = new JournalWriter(path.join(root, 'runs', `20240101-000002-${id}`), id, 'vision', { name: 'collected-info', start_time: T0, host: 'gpu-box' });
  const sources: [string, string][] = [];
  for (const [p, { text, kind }] of Object.entries(SEEDED_FILES)) {
    const data = Buffer.from(text);
    const sha = crypto.createHash('sha256').update(data).digest('hex');
    fs.mkdirSync(path.join(root, 'blobs', sha.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(root, 'blobs', sha.slice(0, 2), sha), data);
    j.add('file', { path: p, sha256: sha, size: data.length, kind }, T0 + 1);
    if (kind === 'source') sources.push([p.slice('code/'.length), crypto.createHash('md5').update(data).digest('hex')]);
  }
  j.add('meta', {
    program: { argv: ['train.py', '--lr', '0.1', '--note', 'two words'], path: '/home/ada/vision/train.py', cwd: '/home/ada/vision', python: '3.11.7', executable: '/usr/bin/python3' },
    git: { root: '/home/ada/vision', remote: 'git@example.invalid:ada/vision.git', commit: '4f2c9e1b7d3a5c8e0f1a2b3c4d5e6f708192a3b4', branch: 'main', dirty: true },
    sources: sources.sort(),
    dependencies: ['numpy==1.26.4', 'pip==24.0', 'torch==2.3.0'],
    host: { hostname: 'gpu-box', os: 'Linux', release: '6.1.0', cpu: 'AMD EPYC 7763 64-Core Processor', cpu_count: 16, memory_total: 64 * 2 ** 30,
      gpus: [{ name: 'NVIDIA A100-SXM4-40GB', memory_total: 40 * 2 ** 30, driver: '535.129.03' }] },
  }, T0 + 2);
  j.add('exit', { state: 'finished', exit_code: 0, error: null }, T0 + 60);
  return j;
}

/** What tqdm writes: one `\r`-redrawn line per update, then a newline. */
export function progressBar(updates: number, label = 'epoch 1'): string {
  let out = '';
  for (let i = 0; i <= updates; i++) {
    const pct = Math.round((100 * i) / updates);
    const bar = '█'.repeat(Math.floor(pct / 5)).padEnd(20, ' ');
    out += `\r${label}: ${String(pct).padStart(3)}%|${bar}| ${i}/${updates}`;
  }
  return out + '\n';
}

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A run being recorded now; `done` resolves when it has finished. */
export interface LiveRun {
  id: string;
  done: Promise<void>;
}

/**
 * A real training script under `trackwell run` (the Python client journals and streams to the
 * runtime, the runtime samples its process for system metrics). It logs `steps` steps over about
 * `seconds`, with a tqdm-style progress bar on stderr.
 */
export function startPythonRun(rt: TestRuntime, id: string, name: string, steps = 400, seconds = 10): LiveRun {
  const script = path.join(rt.root, `train_${id}.py`);
  fs.writeFileSync(script, [
    'import math, sys, time',
    'import trackwell as tw',
    `run = tw.init(project="vision", name=${JSON.stringify(name)}, tags=["live"], config={"lr": 0.02, "batch_size": 32})`,
    `steps, pause = ${steps}, ${seconds / steps}`,
    'for s in range(steps):',
    '    tw.log({"train/loss": 2 * math.exp(-s / 150) + 0.05 * math.sin(s), "train/acc": 1 - math.exp(-s / 150)})',
    '    done = (s + 1) * 20 // steps',
    '    sys.stderr.write(f"\\rtraining: {(s + 1) * 100 // steps:3d}%|{\'#\' * done}{\' \' * (20 - done)}| {s + 1}/{steps}")',
    '    sys.stderr.flush()',
    '    time.sleep(pause)',
    'sys.stderr.write("\\n")',
    'sys.stderr.write("finished training\\n")',
    'run.finish()',
    '',
  ].join('\n'));
  const done = cliAsync(rt.root, ['run', '--launch-id', id, script]).then((r) => {
    if (r.code !== 0) throw new Error(`trackwell run exited ${r.code}: ${r.stderr.slice(-2000)}`);
  });
  return { id, done };
}

/**
 * Without a Python client (no python3, or the client not importable): the same records written as a
 * journal and posted to /api/ingest, the way the client's sender thread does.
 */
export function startJournalRun(rt: TestRuntime, id: string, name: string, steps = 400, seconds = 10): LiveRun {
  const t0 = Date.now() / 1000;
  const j = new JournalWriter(path.join(rt.root, 'runs', `20240101-000001-${id}`), id, 'vision', {
    name, tags: ['live'], start_time: t0, host: os.hostname(), pid: process.pid,
  });
  j.add('config', { update: { lr: 0.02, batch_size: 32 } }, t0);
  let posted = 0;
  const flush = async () => {
    const bytes = j.bytes();
    if (bytes.length <= posted) return;
    const r = await rt.request('POST', `/api/ingest?journal=${j.uuid}&offset=${posted}&path=${encodeURIComponent(j.file)}`, bytes.subarray(posted));
    if (r.status !== 200) throw new Error(`ingest: ${r.status} ${JSON.stringify(r.json)}`);
    posted = r.json.offset;
  };
  const done = (async () => {
    const tick = (seconds * 1000) / (steps / 5);
    for (let s = 0; s < steps; s += 5) {
      const now = Date.now() / 1000;
      for (let k = s; k < s + 5; k++) {
        j.add('history', { step: k, runtime: now - t0, data: { 'train/loss': 2 * Math.exp(-k / 150) + 0.05 * Math.sin(k), 'train/acc': 1 - Math.exp(-k / 150) } }, now);
      }
      const d = Math.floor(((s + 5) * 20) / steps);
      j.add('console', { stream: 'stderr', text: `\rtraining: ${String(Math.floor(((s + 5) * 100) / steps)).padStart(3)}%|${'#'.repeat(d)}${' '.repeat(20 - d)}| ${s + 5}/${steps}` }, now);
      await flush();
      await new Promise((r) => setTimeout(r, tick));
    }
    const now = Date.now() / 1000;
    j.add('console', { stream: 'stderr', text: '\n' }, now);
    j.add('console', { stream: 'stdout', text: 'finished training\n' }, now);
    j.add('exit', { state: 'finished', exit_code: 0, error: null }, now);
    await flush();
  })();
  return { id, done };
}

/** The Python client, once `import trackwell` works with the interpreter `trackwell run` uses. */
export function pythonClientReady(): boolean {
  const dir = path.join(ROOT, 'runtime', 'python');
  if (!fs.existsSync(path.join(dir, 'trackwell', '__init__.py'))) return false;
  const r = spawnSync(process.env.TRACKWELL_PYTHON ?? 'python3', ['-c', 'import trackwell; trackwell.init; trackwell.log'], { env: { ...process.env, PYTHONPATH: dir }, encoding: 'utf8', timeout: 20000 });
  return r.status === 0;
}

export function startLiveRun(rt: TestRuntime, id: string, name: string, steps = 400, seconds = 10): LiveRun {
  return pythonClientReady() ? startPythonRun(rt, id, name, steps, seconds) : startJournalRun(rt, id, name, steps, seconds);
}

export async function runKeyOf(rt: TestRuntime, id: string): Promise<number> {
  return waitFor(async () => (await rt.get(`/api/runs?q=${id}`)).runs.find((r: { id: string }) => r.id === id)?.key, 10000, `run ${id}`);
}

export const tmpRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-browser-'));
