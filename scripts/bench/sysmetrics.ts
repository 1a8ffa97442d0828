// npm run bench:sysmetrics — the system-metrics sampler's own CPU cost per live run at the default
// interval. Starts 4 fake runs (each a busy node process with a child of its own, on this host), then
//  1. runs the runtime's SystemMonitor in this process against a real store for ~60 s and reports the
//     CPU time of the sampling work (process.cpuUsage() around every tick) plus that of the GPU tools
//     it runs (on Linux: its child processes from /proc, the fake runs excluded);
//  2. end to end (Linux, after `npm run build`): two real runtimes (dist/cli.js serve) fed the same 4
//     runs over the same window, one with the sampler and one with TRACKWELL_STATS_INTERVAL=0; the
//     difference of the CPU time of their process trees (/proc: each runtime, its waited-for children
//     and its live descendants such as an nvidia-smi loop) is the sampler's cost inside a runtime.
//   BENCH_SECONDS=60     how long to sample (each part)
//   BENCH_E2E=0          skip part 2
//   BENCH_RUNS=4         how many live runs
//   BENCH_FAKE_NVIDIA=1  put test/fixtures/gpu/fake-nvidia-smi on PATH as nvidia-smi (no GPU here): shows
//                        that child CPU is counted, and compares the loop with a query per tick; the
//                        figures are the stand-in's (a shell script), not a real nvidia-smi's
//   BENCH_COMPONENTS=1   also time each reading alone (/proc scan, host counters, statfs) against the
//                        systeminformation calls that could replace them (adds ~30 s)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../runtime/store/store';
import { LiveBus } from '../../runtime/live/bus';
import { Ingestor } from '../../runtime/ingest/ingestor';
import { encodeJournalLine } from '../../runtime/ingest/journalFormat';
import { globalInterval, SystemMonitor } from '../../runtime/metrics/monitor';
import { findExecutable } from '../../runtime/metrics/exec';
import { readProcSnapshot } from '../../runtime/metrics/procTree';
import { diskUsage, LinuxHostReader } from '../../runtime/metrics/systemStats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 4);
const FAKE_NVIDIA = process.env.BENCH_FAKE_NVIDIA === '1';

// A training-like process: busy ~25% of a core (5 ms of work every 20 ms), with an idle child (a
// DataLoader-like worker) so every run has a process tree. Busy enough to be real, gentle enough
// not to starve the sampler being measured on a small machine.
const RUN_SCRIPT = `
  require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  setInterval(() => { const t = Date.now(); while (Date.now() - t < 5) {} }, 20);
`;

const ms = (micros: number) => micros / 1000;

async function main(): Promise<void> {
  if (process.platform !== 'linux') console.log('note: not Linux: the sampler uses its systeminformation fallback here');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-sys-'));
  const store = Store.open(path.join(root, 'trackwell.db'));
  const bus = new LiveBus();
  const ingestor = new Ingestor(store, bus, () => {});
  const children: ChildProcess[] = [];
  if (FAKE_NVIDIA) process.env.PATH = `${fakeNvidiaDir(root)}${path.delimiter}${process.env.PATH}`; // this process and the runtimes
  try {
    console.log(`sysmetrics bench: ${RUNS} live runs, interval ${globalInterval(undefined, process.env.TRACKWELL_STATS_INTERVAL, () => {})} s (default${process.env.TRACKWELL_STATS_INTERVAL ? `; TRACKWELL_STATS_INTERVAL=${process.env.TRACKWELL_STATS_INTERVAL}` : ''}), ${SECONDS} s, ${os.cpus().length} CPUs, ${countProcesses()} processes on the host, Node ${process.version}` +
      `, nvidia-smi: ${FAKE_NVIDIA ? 'the stand-in test/fixtures/gpu/fake-nvidia-smi' : findExecutable('nvidia-smi') ?? 'none'}`);
    for (let i = 0; i < RUNS; i++) {
      const child = spawn(process.execPath, ['-e', RUN_SCRIPT], { stdio: 'ignore', detached: true });
      children.push(child);
      const journal = crypto.randomUUID();
      const line = encodeJournalLine({ s: 0, t: 'run', ts: Date.now() / 1000, journal, id: `bench${i}`, project: 'bench', start_time: Date.now() / 1000, pid: child.pid, host: os.hostname() });
      ingestor.ingestBytes(journal, 0, null, Buffer.from(line));
    }
    await new Promise((r) => setTimeout(r, 1500)); // let the children start
    await inProcess(store, bus, children, '1. in process (SystemMonitor, process.cpuUsage() around each tick, plus its tool processes):');
    if (FAKE_NVIDIA) await inProcess(store, bus, children, '1b. the same with nvidia-smi run once per tick (loop mode off), for comparison:', false);
    if (process.env.BENCH_E2E !== '0') await endToEnd(children);
    if (process.env.BENCH_COMPONENTS) await components();
  } finally {
    for (const c of children) {
      try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    store.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Part 1: a SystemMonitor in this process; its tick work plus the CPU of the tools it runs. */
async function inProcess(store: Store, bus: LiveBus, runs: ChildProcess[], title: string, nvidiaLoop = true): Promise<void> {
  let events = 0;
  const off = bus.subscribe((es) => (events += es.filter((e) => e.type === 'system').length));
  const monitor = new SystemMonitor({ store, bus, log: (m) => console.log(m), nvidiaLoop });
  const linux = process.platform === 'linux';
  const clkTck = linux ? Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 : 100;
  // This process's tool children: waited-for ones in its cutime/cstime, live ones (an nvidia-smi loop)
  // read from /proc. Children it had before the monitor started (the fake runs, tsx's esbuild
  // service) are left out with their trees.
  const before = new Set<number>(runs.map((c) => c.pid!));
  if (linux) for (const [pid, e] of procCpuTable()) if (e.ppid === process.pid) before.add(pid);
  const toolCpu = () => (linux ? treeCpuSeconds(process.pid, clkTck, before, false) : 0);
  monitor.start();
  try {
    // Skip the first ticks (JIT warm-up, first samples, the GPU loop starting) before measuring.
    await new Promise((r) => setTimeout(r, Math.max(2, monitor.intervalSeconds * 2) * 1000));
    const c0 = { ...monitor.counters, loops: monitor.gpuLoopStarts, tools: toolCpu() };
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const ticks = monitor.counters.ticks - c0.ticks;
    const samples = monitor.counters.samples - c0.samples;
    const work = monitor.counters.cpuMicros - c0.cpuMicros;
    const tools = (toolCpu() - c0.tools) * 1e6;
    const total = work + tools;
    console.log(title);
    console.log(`ticks ${ticks}, samples ${samples} (${(samples / Math.max(1, ticks)).toFixed(2)} runs per tick), system events ${events}; ` +
      `GPU tool processes run to completion ${monitor.counters.toolRuns - c0.toolRuns}, nvidia-smi loops started ${monitor.gpuLoopStarts} (${monitor.gpuLoopStarts - c0.loops} while measuring)`);
    console.log(`sampling work:  ${ms(work / Math.max(1, ticks)).toFixed(2)} ms CPU per tick, ${ms(work / Math.max(1, samples)).toFixed(3)} ms CPU per sample per run`);
    console.log(`tool processes: ${linux ? `${ms(tools / Math.max(1, ticks)).toFixed(2)} ms CPU per tick` : 'not measured off Linux'}`);
    console.log(`total: ${((total / 1e6 / wall) * 100).toFixed(3)}% of one core for ${RUNS} runs (${((total / 1e6 / wall / RUNS) * 100).toFixed(3)}% per run)`);
    console.log(`target: < 1% of one core with 4 live runs at the default interval -> ${(total / 1e6 / wall) * 100 < 1 ? 'met' : 'NOT met'}`);
  } finally {
    await monitor.stop();
    off();
  }
}

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

/** utime, stime, cutime, cstime of every process, with its parent (one pass over /proc). */
function procCpuTable(): Map<number, { ppid: number; self: number; waited: number }> {
  const out = new Map<number, { ppid: number; self: number; waited: number }>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const t = fs.readFileSync(`/proc/${d}/stat`, 'latin1');
      const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), { ppid: Number(f[1]), self: Number(f[11]) + Number(f[12]), waited: Number(f[13]) + Number(f[14]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds of a process tree so far: the root's own time (unless `withRoot` is false), the time of
 * its children it has waited for (cutime + cstime), and that of its live descendants with theirs,
 * leaving out the subtrees of `exclude`. A descendant that exits between two readings moves its
 * whole lifetime into its parent's cutime, so a restarted long-lived child is counted a little high.
 */
function treeCpuSeconds(root: number, clkTck: number, exclude = new Set<number>(), withRoot = true): number {
  const table = procCpuTable();
  const kids = new Map<number, number[]>();
  for (const [pid, e] of table) kids.set(e.ppid, [...(kids.get(e.ppid) ?? []), pid]);
  let ticks = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    const e = table.get(pid);
    if (!e) continue;
    ticks += (pid !== root || withRoot ? e.self : 0) + e.waited;
    for (const k of kids.get(pid) ?? []) if (!exclude.has(k)) stack.push(k);
  }
  return ticks / clkTck;
}

/** A directory with `nvidia-smi`: the checked-in stand-in (BENCH_FAKE_NVIDIA=1). */
function fakeNvidiaDir(root: string): string {
  const dir = path.join(root, 'fake-bin');
  fs.mkdirSync(dir, { recursive: true });
  const fake = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'gpu', 'fake-nvidia-smi');
  fs.writeFileSync(path.join(dir, 'nvidia-smi'), `#!/bin/sh\nexec '${fake}' "$@"\n`, { mode: 0o755 });
  return dir;
}

async function serve(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; root: string; post: (p: string, body: Buffer) => Promise<number> }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-sys-rt-'));
  const proc = spawn(process.execPath, [CLI, 'serve', '--dir', root], { stdio: 'ignore', env: { ...process.env, ...env } });
  for (let i = 0; i < 300 && !fs.existsSync(path.join(root, 'runtime.json')); i++) await new Promise((r) => setTimeout(r, 50));
  const info = JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8'));
  const token = fs.readFileSync(path.join(root, 'token'), 'utf8').trim();
  const post = (p: string, body: Buffer) => new Promise<number>((resolve, reject) => {
    const req = http.request(`http://127.0.0.1:${info.port}${p}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
  return { proc, root, post };
}

/** Part 2: the sampler's cost inside a real runtime, as the difference between two runtimes. */
async function endToEnd(children: ChildProcess[]): Promise<void> {
  if (process.platform !== 'linux' || !fs.existsSync(CLI)) {
    console.log('2. end to end: skipped (needs Linux and dist/cli.js: npm run build)');
    return;
  }
  const clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const on = await serve({ TRACKWELL_STATS_INTERVAL: '' });
  const off = await serve({ TRACKWELL_STATS_INTERVAL: '0' });
  try {
    for (const rt of [on, off]) {
      for (const [i, c] of children.entries()) {
        const journal = crypto.randomUUID();
        const line = encodeJournalLine({ s: 0, t: 'run', ts: Date.now() / 1000, journal, id: `e2e${i}`, project: 'bench', start_time: Date.now() / 1000, pid: c.pid, host: os.hostname() });
        const status = await rt.post(`/api/ingest?journal=${journal}&offset=0`, Buffer.from(line));
        if (status !== 200) throw new Error(`ingest answered ${status}`);
      }
    }
    await new Promise((r) => setTimeout(r, 5000)); // both warm
    const a = { on: treeCpuSeconds(on.proc.pid!, clkTck), off: treeCpuSeconds(off.proc.pid!, clkTck), t: Date.now() };
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const b = { on: treeCpuSeconds(on.proc.pid!, clkTck), off: treeCpuSeconds(off.proc.pid!, clkTck), t: Date.now() };
    const wall = (b.t - a.t) / 1000;
    const pctOn = ((b.on - a.on) / wall) * 100;
    const pctOff = ((b.off - a.off) / wall) * 100;
    console.log(`2. end to end (two runtimes with their child processes, ${children.length} live runs each, ${wall.toFixed(1)} s, /proc ticks of ${(1000 / clkTck).toFixed(0)} ms):`);
    console.log(`runtime with sampler ${pctOn.toFixed(3)}% of one core, with TRACKWELL_STATS_INTERVAL=0 ${pctOff.toFixed(3)}%: ` +
      `sampler ${(pctOn - pctOff).toFixed(3)}% of one core (${((pctOn - pctOff) / children.length).toFixed(3)}% per run)`);
  } finally {
    for (const rt of [on, off]) {
      rt.proc.kill('SIGTERM');
      await new Promise((r) => rt.proc.once('exit', r));
      fs.rmSync(rt.root, { recursive: true, force: true });
    }
  }
}

function countProcesses(): number | string {
  try {
    return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;
  } catch {
    return '?';
  }
}

/** Each reading alone, and the systeminformation call that could replace it. */
async function components(): Promise<void> {
  const time = async (name: string, fn: () => unknown, n: number, gapMs = 0) => {
    await fn();
    let cpu = 0;
    for (let i = 0; i < n; i++) {
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs)); // systeminformation caches results for ~1 s
      const c0 = process.cpuUsage();
      await fn();
      const c = process.cpuUsage(c0);
      cpu += c.user + c.system;
    }
    console.log(`  ${name.padEnd(44)} ${ms(cpu / n).toFixed(3)} ms CPU per call`);
  };
  console.log('components (CPU of this process only; systeminformation also spawns shells whose CPU is not counted):');
  if (process.platform === 'linux') {
    const host = new LinuxHostReader();
    await time(`/proc/[pid]/stat scan (${countProcesses()} processes)`, () => readProcSnapshot(), 50);
    await time('/proc/meminfo + diskstats + net/dev', () => host.readSync(), 50);
  }
  await time('fs.statfsSync("/")', () => diskUsage('/'), 50);
  const si = (await import('systeminformation')).default;
  await time('si.processes()', () => si.processes(), 5, 1100);
  await time('si.mem()', () => si.mem(), 5, 1100);
  await time('si.fsStats()', () => si.fsStats(), 5, 1100);
  await time('si.disksIO()', () => si.disksIO(), 5, 1100);
  await time("si.networkStats('*')", () => si.networkStats('*'), 5, 1100);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
