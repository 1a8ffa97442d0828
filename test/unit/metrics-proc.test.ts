// The process tree from a fake /proc, tree CPU between samples, and the whole sampler (SystemMonitor)
// run against a fake /proc, a fake nvidia-smi and a real store: tags, deltas, GPU process matching,
// metadata, live events, stop at run end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childrenIndex, parseProcStat, ProcTable, processTree, readProcSnapshot, treeTotals, TreeCpu } from '../../runtime/metrics/procTree';
import { SystemMonitor } from '../../runtime/metrics/monitor';
import { parsePidCounts, parsePsThreads, ThreadCounter, WINDOWS_REFRESH_MS } from '../../runtime/metrics/procThreads';
import { findExecutable, runTool as realRunTool, type RunTool } from '../../runtime/metrics/exec';
import { Store } from '../../runtime/store/store';
import { Ingestor } from '../../runtime/ingest/ingestor';
import { LiveBus } from '../../runtime/live/bus';
import { encodeJournalLine } from '../../runtime/ingest/journalFormat';
import { readSystemSamples } from '../../runtime/store/systemSamples';
import type { LiveEvent } from '../../runtime/protocol/live';
import { tmpDir, waitFor } from '../helpers/cli';

// ---- a fake /proc -------------------------------------------------------------------------------

interface FakeProcess { pid: number; ppid: number; comm?: string; utime: number; stime?: number; threads: number; start: number; rssPages: number }

function statLine(p: FakeProcess): string {
  // fields 3.. of /proc/[pid]/stat: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss rsslim ...
  const f = ['S', p.ppid, p.pid, p.pid, 0, -1, 4194304, 100, 0, 0, 0, p.utime, p.stime ?? 0, 0, 0, 20, 0, p.threads, 0, p.start,
    123456789, p.rssPages, '18446744073709551615', 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0];
  return `${p.pid} (${p.comm ?? 'python'}) ${f.join(' ')}\n`;
}

interface HostState { memTotalKb: number; memAvailableKb: number; readSectors: number; writeSectors: number; recvBytes: number; sentBytes: number; uptime: number }

class FakeProc {
  constructor(readonly root: string) {
    fs.mkdirSync(path.join(root, 'net'), { recursive: true });
    fs.mkdirSync(path.join(root, 'self'), { recursive: true });
    for (const d of ['vda', 'loop0']) fs.mkdirSync(path.join(root, 'sys-block', d), { recursive: true });
  }

  set(...ps: FakeProcess[]): void {
    for (const p of ps) {
      fs.mkdirSync(path.join(this.root, String(p.pid)), { recursive: true });
      fs.writeFileSync(path.join(this.root, String(p.pid), 'stat'), statLine(p));
    }
  }

  remove(pid: number): void {
    fs.rmSync(path.join(this.root, String(pid)), { recursive: true, force: true });
  }

  host(h: HostState): void {
    fs.writeFileSync(path.join(this.root, 'meminfo'),
      `MemTotal:       ${h.memTotalKb} kB\nMemFree:         1000000 kB\nMemAvailable:   ${h.memAvailableKb} kB\nBuffers:          100000 kB\nCached:          2000000 kB\n`);
    // With sys-block listing vda and loop0: vda counts; vda1 (a partition) and loop0 do not.
    fs.writeFileSync(path.join(this.root, 'diskstats'), [
      '   7       0 loop0 50 0 4000 10 0 0 0 0 0 10 10 0 0 0 0 0 0',
      ` 254       0 vda 155906 46245 ${h.readSectors} 93802 37596 59332 ${h.writeSectors} 40943 0 35492 136156 9449 63 2250384 1183 4486 226`,
      ` 254       1 vda1 150000 46000 ${h.readSectors - 1000} 93000 37000 59000 ${h.writeSectors - 1000} 40000 0 35000 136000 9000 60 2250000 1100 4400 220`,
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(this.root, 'net', 'dev'), [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
      `  eth0: ${h.recvBytes - 1000}   17147    0    0    0     0          0         0 ${h.sentBytes - 1000}   13147    0    0    0     0       0          0`,
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(this.root, 'uptime'), `${h.uptime.toFixed(2)} 17674.54\n`);
  }
}

// ---- procTree ----------------------------------------------------------------------------------

test('parseProcStat reads ppid, ticks, threads, start and rss after a command name with spaces and parens', () => {
  const e = parseProcStat(statLine({ pid: 42, ppid: 7, comm: 'pt_main thread) (x', utime: 120, stime: 30, threads: 9, start: 5000, rssPages: 2560 }));
  assert.deepEqual(e, { pid: 42, ppid: 7, ticks: 150, threads: 9, start: 5000, rssPages: 2560 });
  assert.equal(parseProcStat('garbage'), undefined);
});

test('the process tree of a pid from a fake /proc: the pid and every descendant, nothing else', () => {
  const proc = new FakeProc(path.join(tmpDir(), 'proc'));
  proc.set(
    { pid: 1, ppid: 0, comm: 'init', utime: 10, threads: 1, start: 1, rssPages: 100 },
    { pid: 100, ppid: 1, utime: 500, threads: 12, start: 1000, rssPages: 25600 }, // the run: 100 MiB
    { pid: 101, ppid: 100, comm: 'pt_data_worker', utime: 200, threads: 3, start: 1100, rssPages: 2560 },
    { pid: 102, ppid: 100, comm: 'pt_data_worker', utime: 200, threads: 3, start: 1100, rssPages: 2560 },
    { pid: 103, ppid: 101, comm: 'sh', utime: 1, threads: 1, start: 1200, rssPages: 256 },
    { pid: 200, ppid: 1, comm: 'other', utime: 9999, threads: 50, start: 900, rssPages: 99999 },
  );
  const snap = readProcSnapshot(proc.root);
  assert.equal(snap.size, 6);
  const kids = childrenIndex(snap);
  const tree = processTree(snap, kids, 100);
  assert.deepEqual(tree.map((e) => e.pid).sort(), [100, 101, 102, 103]);
  const totals = treeTotals(tree, 4096);
  assert.equal(totals.threads, 19);
  assert.equal(totals.rssBytes, (25600 + 2560 + 2560 + 256) * 4096);
  assert.deepEqual(processTree(snap, kids, 101).map((e) => e.pid), [101, 103]);
  assert.deepEqual(processTree(snap, kids, 4242), []);
});

test('ProcTable: a full read first, then only new pids and the trees asked for; re-parented members drop out', () => {
  const proc = new FakeProc(path.join(tmpDir(), 'proc'));
  const base = { utime: 1, threads: 1, start: 10, rssPages: 1 };
  proc.set({ pid: 1, ppid: 0, ...base }, { pid: 100, ppid: 1, ...base }, { pid: 101, ppid: 100, ...base }, { pid: 200, ppid: 1, ...base });
  const table = new ProcTable(proc.root, 30000);
  let r = table.read([100], 0);
  assert.equal(table.lastReads, 4, 'the first read is a full pass');
  assert.deepEqual(processTree(r.snap, r.kids, 100).map((e) => e.pid), [100, 101]);
  // The tree works; an unrelated process changes (not re-read); a worker is born; 200 exits.
  proc.set({ pid: 100, ppid: 1, ...base, utime: 50 }, { pid: 101, ppid: 100, ...base, utime: 70 }, { pid: 102, ppid: 101, ...base, start: 20 });
  proc.set({ pid: 1, ppid: 0, ...base, utime: 999 });
  proc.remove(200);
  r = table.read([100], 1000);
  assert.equal(table.lastReads, 3, 'the new pid 102, then 100 and 101 (102 was just read)');
  assert.deepEqual(processTree(r.snap, r.kids, 100).map((e) => [e.pid, e.ticks]), [[100, 50], [101, 70], [102, 1]]);
  assert.equal(r.snap.get(1)!.ticks, 1, 'outside the trees, the cached entry is kept');
  assert.ok(!r.snap.has(200));
  // 101 exits; its child 102 is re-parented to init: it leaves the tree.
  proc.remove(101);
  proc.set({ pid: 102, ppid: 1, ...base, start: 20 });
  r = table.read([100], 2000);
  assert.deepEqual(processTree(r.snap, r.kids, 100).map((e) => e.pid), [100]);
  // After fullEveryMs, a full pass again.
  r = table.read([100], 40000);
  assert.equal(table.lastReads, 3);
  assert.equal(r.snap.get(1)!.ticks, 999);
});

test('tree CPU: lifetime average first, then per-process deltas; new and exited children handled', () => {
  const cpu = new TreeCpu();
  const p = (pid: number, ticks: number, start: number) => ({ pid, ppid: 1, ticks, start, threads: 1, rssPages: 1 });
  // First sample at uptime 100 s: a process started at 50 s with 25 s of CPU -> 0.5 cores on average.
  assert.equal(cpu.sample([p(10, 2500, 5000)], 100, 100), 0.5);
  // 2 s later: +200 ticks (one core) for the root; a child born at 101 s with 100 ticks -> +0.5 core.
  assert.equal(cpu.sample([p(10, 2700, 5000), p(11, 100, 10100)], 102, 100), 1.5);
  // The child exits; the root idles.
  assert.equal(cpu.sample([p(10, 2700, 5000)], 104, 100), 0);
  // A reused pid (another start time) is a new process, not a negative delta.
  assert.equal(cpu.sample([p(10, 2900, 5000), p(11, 50, 10450)], 106, 100), 1 + 0.25);
});

// ---- the sampler against a fake /proc and a fake nvidia-smi -------------------------------------

const FIX = path.resolve(__dirname, '..', 'fixtures', 'gpu');

/**
 * A monitor on a fake /proc and a real store. `gpu`: a fake nvidia-smi answered in process, per tick
 * (its loop mode off); `smiDir`: a directory holding a real `nvidia-smi` executable, found on that
 * PATH and run as a process (loop mode on).
 */
function setup(opts: { gpu?: boolean; rocm?: boolean; smiDir?: string; stats?: unknown; platform?: NodeJS.Platform; pid?: number; tool?: RunTool; intervalSeconds?: number; autoTick?: boolean } = {}) {
  const dir = tmpDir();
  const proc = new FakeProc(path.join(dir, 'proc'));
  const host: HostState = { memTotalKb: 16 * 1024 * 1024, memAvailableKb: 12 * 1024 * 1024, readSectors: 100000, writeSectors: 200000, recvBytes: 50000, sentBytes: 70000, uptime: 1000 };
  proc.host(host);
  proc.set(
    { pid: 1, ppid: 0, comm: 'init', utime: 10, threads: 1, start: 1, rssPages: 100 },
    { pid: 31300, ppid: 1, utime: 40000, threads: 20, start: 50000, rssPages: 256000 }, // 1000 MiB
    { pid: 31340, ppid: 31300, comm: 'pt_data_worker', utime: 10000, threads: 4, start: 60000, rssPages: 25600 },
    { pid: 7, ppid: 1, comm: 'other', utime: 1, threads: 1, start: 2, rssPages: 1 },
  );
  const store = Store.open(path.join(dir, 'db.sqlite'));
  const bus = new LiveBus();
  const events: LiveEvent[] = [];
  bus.subscribe((e) => events.push(...e));
  const ingestor = new Ingestor(store, bus, () => {});
  const logs: string[] = [];
  const calls: string[] = [];
  const runTool: RunTool = async (file, args, timeoutMs) => {
    calls.push(`${path.basename(file)} ${args.join(' ')}`);
    if (opts.smiDir && file.startsWith(opts.smiDir)) return realRunTool(file, args, timeoutMs);
    if (file === 'getconf') return { code: 0, stdout: args[0] === 'CLK_TCK' ? '100\n' : '4096\n', stderr: '' };
    if (args[0].startsWith('--query-gpu')) return { code: 0, stdout: fs.readFileSync(path.join(FIX, 'nvidia-smi-query-gpu-2.txt'), 'utf8'), stderr: '' };
    if (args[0].startsWith('--query-compute-apps')) return { code: 0, stdout: fs.readFileSync(path.join(FIX, 'nvidia-smi-compute-apps-2.txt'), 'utf8'), stderr: '' };
    if (args[0] === '-a') return { code: 0, stdout: fs.readFileSync(path.join(FIX, 'rocm-smi-5.x.json'), 'utf8'), stderr: '' };
    if (args[0] === '--showpidgpus') return { code: 0, stdout: fs.readFileSync(path.join(FIX, 'rocm-smi-showpidgpus.txt'), 'utf8'), stderr: '' };
    if (opts.tool) return opts.tool(file, args, 5000);
    return { code: 1, stdout: '', stderr: 'unexpected' };
  };
  const monitor = new SystemMonitor({
    store, bus, log: (m) => logs.push(m), procRoot: proc.root, sysBlock: path.join(proc.root, 'sys-block'), platform: opts.platform ?? 'linux', autoTick: opts.autoTick ?? false, intervalSeconds: opts.intervalSeconds ?? 2,
    findExecutable: (name) => (opts.smiDir ? findExecutable(name, { PATH: opts.smiDir })
      : opts.gpu && name === 'nvidia-smi' ? '/opt/fake/nvidia-smi' : opts.rocm && name === 'rocm-smi' ? '/opt/fake/rocm-smi' : undefined),
    runTool, nvidiaLoop: !!opts.smiDir, loopBackoffMs: 50,
  });
  monitor.start();
  const now = Date.now() / 1000;
  const journal = crypto.randomUUID();
  let seq = 0;
  const add = (t: string, fields: object) => ingestor.ingestBytes(journal, ingestor.storedOffset(journal), null,
    Buffer.from(encodeJournalLine({ s: seq++, t, ts: Date.now() / 1000, ...fields })));
  add('run', { journal, id: 'sysrun01', project: 'p', start_time: now, pid: opts.pid ?? 31300, host: os.hostname(), ...(opts.stats !== undefined ? { stats: opts.stats } : {}) });
  const key = (store.db.prepare("SELECT key FROM runs WHERE id = 'sysrun01'").get() as any).key as number;
  // Another run (own journal) on this host, e.g. with its own stats settings.
  const addRun = (id: string, pid: number, stats?: unknown) => {
    const j = crypto.randomUUID();
    ingestor.ingestBytes(j, 0, null, Buffer.from(encodeJournalLine({ s: 0, t: 'run', ts: Date.now() / 1000, journal: j, id, project: 'p', start_time: now, pid, host: os.hostname(), ...(stats !== undefined ? { stats } : {}) })));
    const k = (store.db.prepare('SELECT key FROM runs WHERE id = ?').get(id) as any).key as number;
    // A later record for the same run (new stats settings).
    let seq2 = 1;
    const update = (next: unknown) => ingestor.ingestBytes(j, ingestor.storedOffset(j), null,
      Buffer.from(encodeJournalLine({ s: seq2++, t: 'run', ts: Date.now() / 1000, journal: j, id, project: 'p', start_time: now, pid, host: os.hostname(), stats: next })));
    return { key: k, update };
  };
  return { dir, proc, host, store, bus, events, monitor, logs, calls, key, add, addRun };
}

test('the sampler stores and publishes every CPU-side tag; deltas start at 0 and grow', async () => {
  const s = setup({ stats: { sampling_interval: null, disk_paths: ['/', '/no/such/path'], disabled: false } });
  try {
    assert.deepEqual(s.monitor.liveRunKeys(), [s.key]);
    await s.monitor.tickNow(true);
    let samples = readSystemSamples(s.store.db, s.key);
    assert.equal(samples.length, 1);
    const first = samples[0].data;
    assert.deepEqual(Object.keys(first).sort(), [
      'cpu', 'disk./.usageGB', 'disk./.usagePercent', 'disk.in', 'disk.out', 'memory_percent', 'network.recv', 'network.sent',
      'proc.cpu.threads', 'proc.memory.availableMB', 'proc.memory.percent', 'proc.memory.rssMB',
    ]);
    assert.equal(first['proc.cpu.threads'], 24);
    assert.equal(first['proc.memory.rssMB'], 1100);
    assert.equal(first['proc.memory.percent'], Math.round((1100 / (16 * 1024)) * 100 * 1000) / 1000);
    assert.equal(first['proc.memory.availableMB'], 12 * 1024);
    assert.equal(first.memory_percent, 25);
    for (const k of ['disk.in', 'disk.out', 'network.recv', 'network.sent']) assert.equal(first[k], 0, k);
    // First sample: lifetime averages. Root: 400 s CPU over 500 s; worker: 100 s over 400 s.
    const ncpus = os.cpus().length;
    assert.equal(first.cpu, Math.round(((0.8 + 0.25) * 100 / ncpus) * 1000) / 1000);
    assert.ok(first['disk./.usagePercent'] > 0 && first['disk./.usagePercent'] <= 100);
    assert.equal(s.logs.filter((l) => l.includes('/no/such/path')).length, 1, 'an unreachable disk path is reported once');

    // 2 s later: root +1 core, worker +0.5 core; 1 MiB read, 3 MiB written, 4000 B in, 9000 B out.
    s.proc.set(
      { pid: 31300, ppid: 1, utime: 40200, threads: 21, start: 50000, rssPages: 256000 },
      { pid: 31340, ppid: 31300, comm: 'pt_data_worker', utime: 10100, threads: 4, start: 60000, rssPages: 25600 },
    );
    s.proc.host({ ...s.host, readSectors: s.host.readSectors + 2048, writeSectors: s.host.writeSectors + 6144, recvBytes: s.host.recvBytes + 4000, sentBytes: s.host.sentBytes + 9000, uptime: 1002 });
    await s.monitor.tickNow(true);
    samples = readSystemSamples(s.store.db, s.key);
    assert.equal(samples.length, 2);
    const second = samples[1].data;
    assert.equal(second.cpu, Math.round((150 / ncpus) * 1000) / 1000);
    assert.equal(second['proc.cpu.threads'], 25);
    assert.equal(second['disk.in'], 1);
    assert.equal(second['disk.out'], 3);
    assert.equal(second['network.recv'], 4000);
    assert.equal(second['network.sent'], 9000);

    const sys = s.events.filter((e) => e.type === 'system');
    assert.equal(sys.length, 2);
    assert.deepEqual(sys[1], { type: 'system', run: { key: s.key, project: 'p', id: 'sysrun01' }, ts: samples[1].ts, values: second });
    const keys = s.store.runKeys(s.key).map((k) => k.name);
    assert.ok(keys.includes('system/cpu') && keys.includes('system/disk./.usageGB'));
    assert.equal((s.store.runByKey(s.key)!.metadata as any).gpu, undefined, 'no GPU, no gpu metadata');
    assert.ok(!s.calls.some((c) => c.includes('nvidia-smi')), 'nvidia-smi is never run when absent');

    // The process exits: no sample. The run ends: it is no longer sampled at all.
    s.proc.remove(31340);
    s.proc.remove(31300);
    await s.monitor.tickNow(true);
    assert.equal(readSystemSamples(s.store.db, s.key).length, 2);
    s.add('exit', { state: 'finished', exit_code: 0 });
    assert.deepEqual(s.monitor.liveRunKeys(), []);
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});

test('the sampler adds gpu.{i}.* for every GPU, gpu.process.{i}.* for the GPUs the tree uses, and GPU metadata once', async () => {
  const s = setup({ gpu: true });
  try {
    await s.monitor.tickNow(true);
    await s.monitor.tickNow(true);
    const [a, b] = readSystemSamples(s.store.db, s.key).map((x) => x.data);
    assert.equal(a['gpu.0.gpu'], 99);
    assert.equal(a['gpu.1.temp'], 34);
    // The worker 31340 is on GPU 1 (31337 on GPU 0 is not the run's).
    assert.equal(a['gpu.process.1.temp'], 34);
    assert.equal(a['gpu.process.1.memoryAllocatedBytes'], 3 * 1024 * 1024);
    assert.ok(!Object.keys(a).some((k) => k.startsWith('gpu.process.0.')));
    assert.equal(b['gpu.process.1.gpu'], 0);
    const meta = (s.store.runByKey(s.key)!.metadata as any).gpu;
    assert.equal(meta.vendor, 'nvidia');
    assert.equal(meta.count, 2);
    assert.equal(meta.devices[1].name, 'NVIDIA GeForce RTX 3090');
    // One --query-gpu per tick; the compute-apps list once (refreshed every ~10 s or when runs change).
    assert.equal(s.calls.filter((c) => c.includes('--query-gpu')).length, 2);
    assert.equal(s.calls.filter((c) => c.includes('--query-compute-apps')).length, 1);
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});

test('AMD: gpu.{i}.* from rocm-smi -a --json, gpu.process.{i}.* for the cards rocm-smi --showpidgpus gives the tree', async () => {
  const s = setup({ rocm: true });
  try {
    await s.monitor.tickNow(true);
    await s.monitor.tickNow(true);
    const [a, b] = readSystemSamples(s.store.db, s.key).map((x) => x.data);
    assert.equal(a['gpu.0.gpu'], 96);
    assert.equal(a['gpu.1.memoryAllocatedBytes'], 11624448);
    // 31300 and its worker 31340 use card 1; 4242 (not the run's) uses both.
    assert.equal(a['gpu.process.1.memoryAllocatedBytes'], 11624448);
    assert.equal(a['gpu.process.1.temp'], 46);
    assert.ok(!Object.keys(a).some((k) => k.startsWith('gpu.process.0.')));
    assert.equal(b['gpu.process.1.powerWatts'], 41);
    assert.equal((s.store.runByKey(s.key)!.metadata as any).gpu.vendor, 'amd');
    // rocm-smi -a per tick (it has no loop mode); --showpidgpus once (refreshed every ~10 s or when runs change).
    assert.equal(s.calls.filter((c) => c === 'rocm-smi -a --json').length, 2);
    assert.equal(s.calls.filter((c) => c === 'rocm-smi --showpidgpus').length, 1);
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});

// ---- nvidia-smi's loop mode, with a stand-in nvidia-smi run as a real process -----------------------

/** A directory with an executable `nvidia-smi` that runs test/fixtures/gpu/fake-nvidia-smi in `mode`; its invocations go to `log`. */
function fakeSmiDir(mode: 'stream' | 'dies' | 'noloop'): { dir: string; log: string; lines: () => string[] } {
  const dir = tmpDir('tw-smi-');
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(path.join(dir, 'nvidia-smi'),
    `#!/bin/sh\nFAKE_SMI_MODE=${mode} FAKE_SMI_LOG='${log}' exec '${path.join(FIX, 'fake-nvidia-smi')}' "$@"\n`, { mode: 0o755 });
  return { dir, log, lines: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const noSh = process.platform === 'win32' ? 'the stand-in nvidia-smi is a shell script' : false;

test('NVIDIA: one nvidia-smi --loop-ms process feeds every tick; it stops when no run is live', { skip: noSh }, async () => {
  const smi = fakeSmiDir('stream');
  const s = setup({ smiDir: smi.dir, intervalSeconds: 0.2 });
  try {
    // The first tick asks nvidia-smi itself (settling the fields the driver accepts), then starts the loop.
    await s.monitor.tickNow(true);
    const pid = await waitFor(() => s.monitor.gpuLoopPid, 10000, 'the loop process');
    assert.ok(alive(pid));
    await waitFor(() => smi.lines().filter((l) => l === 'iteration').length >= 2, 10000, 'two loop iterations');
    const calls = () => smi.lines().filter((l) => l !== 'iteration').sort();
    assert.deepEqual(calls(), ['apps', 'loop 200', 'query'], 'at the interval of the run (0.2 s)');
    const runsBefore = s.monitor.counters.toolRuns;
    const iterations = () => smi.lines().filter((l) => l === 'iteration').length;
    for (let i = 0; i < 4; i++) {
      const n = iterations();
      await waitFor(() => iterations() > n, 10000, 'the next loop iteration'); // a fresh reading (and a distinct sample time)
      await s.monitor.tickNow(true);
    }
    const samples = readSystemSamples(s.store.db, s.key).map((x) => x.data);
    assert.equal(samples.length, 5);
    for (const v of samples) {
      assert.equal(v['gpu.0.gpu'], 99);
      assert.equal(v['gpu.0.powerWatts'], 341.2);
      assert.equal(v['gpu.1.temp'], 34);
      assert.equal(v['gpu.process.1.memoryAllocatedBytes'], 3 * 1024 * 1024, 'the run\'s worker is on GPU 1');
    }
    assert.equal(s.monitor.counters.toolRuns, runsBefore, 'four more samples without running nvidia-smi again');
    assert.deepEqual(calls(), ['apps', 'loop 200', 'query'], 'still one loop, no per-tick queries');
    assert.equal(s.monitor.gpuLoopStarts, 1);
    // The run ends: nothing is live, so the loop is stopped.
    s.add('exit', { state: 'finished', exit_code: 0 });
    assert.deepEqual(s.monitor.liveRunKeys(), []);
    assert.equal(s.monitor.gpuLoopPid, undefined);
    await waitFor(() => !alive(pid), 10000, 'the loop process to exit');
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});

test('NVIDIA: a loop that exits is restarted; one that refuses --loop-ms falls back to a query per tick', { skip: noSh }, async () => {
  const dies = fakeSmiDir('dies');
  const s = setup({ smiDir: dies.dir, intervalSeconds: 0.2 });
  try {
    await s.monitor.tickNow(true);
    await waitFor(() => s.monitor.gpuLoopStarts >= 3, 20000, 'the loop restarted twice');
    assert.ok(dies.lines().filter((l) => l.startsWith('loop ')).length >= 3);
    assert.equal(s.logs.filter((l) => l.includes('--loop-ms ended (exit code 1); restarting')).length, 1, 'said once');
    assert.ok(!s.logs.some((l) => l.includes('does not work here')), 'a loop that printed readings is not given up');
    await s.monitor.tickNow(true);
    assert.equal(readSystemSamples(s.store.db, s.key).at(-1)!.data['gpu.1.temp'], 34);
  } finally {
    await s.monitor.stop();
    s.store.close();
  }

  const refuses = fakeSmiDir('noloop');
  const t = setup({ smiDir: refuses.dir, intervalSeconds: 0.2 });
  try {
    await t.monitor.tickNow(true);
    await waitFor(() => t.logs.some((l) => l.includes('nvidia-smi --loop-ms does not work here (Invalid combination of input arguments.')), 20000, 'loop mode given up');
    assert.equal(refuses.lines().filter((l) => l.startsWith('loop ')).length, 3, 'tried three times');
    const queries = () => refuses.lines().filter((l) => l === 'query').length;
    const before = queries();
    await t.monitor.tickNow(true);
    await t.monitor.tickNow(true);
    assert.equal(queries(), before + 2, 'one nvidia-smi query per tick again');
    const samples = readSystemSamples(t.store.db, t.key);
    assert.equal(samples.at(-1)!.data['gpu.0.gpu'], 99);
    assert.equal(t.monitor.gpuLoopPid, undefined);
  } finally {
    await t.monitor.stop();
    t.store.close();
  }
});

// ---- disk paths -------------------------------------------------------------------------------------

/** `df -P -k PATH`: the filesystem PATH is on, its mount point, used GB and capacity %. */
function df(p: string): { fs: string; mount: string; usedGB: number; percent: number } {
  const line = execFileSync('df', ['-P', '-k', p], { encoding: 'utf8' }).trim().split('\n').at(-1)!.split(/\s+/);
  return { fs: line[0], usedGB: (Number(line[2]) * 1024) / 2 ** 30, percent: Number(line[4].replace('%', '')), mount: line.slice(5).join(' ') };
}

test('x_stats_disk_paths: each path gets disk.{path}.usagePercent and .usageGB of the filesystem it is on, mount point or not', { skip: process.platform === 'win32' ? 'df' : false }, async () => {
  const dir = tmpDir('tw-disk-'); // a plain directory, not a mount point
  const rootDev = fs.statSync('/').dev;
  const other = ['/dev/shm', '/run', '/boot', '/tmp', '/dev'].find((p) => fs.existsSync(p) && fs.statSync(p).dev !== rootDev);
  const paths = ['/', dir, ...(other ? [other] : [])];
  const s = setup({ stats: { disk_paths: paths } });
  try {
    await s.monitor.tickNow(true);
    const [sample] = readSystemSamples(s.store.db, s.key).map((x) => x.data);
    assert.deepEqual(Object.keys(sample).filter((k) => /^disk\..+\.usage/.test(k)).sort(),
      paths.flatMap((p) => [`disk.${p}.usageGB`, `disk.${p}.usagePercent`]).sort(), 'the tag names carry each path as given');
    for (const p of paths) {
      const d = df(p);
      // Other processes write to the disk meanwhile: close to df, not equal.
      assert.ok(Math.abs(sample[`disk.${p}.usageGB`] - d.usedGB) < 0.5, `${p}: ${sample[`disk.${p}.usageGB`]} GB, df ${d.usedGB} GB`);
      assert.ok(Math.abs(sample[`disk.${p}.usagePercent`] - d.percent) <= 1, `${p}: ${sample[`disk.${p}.usagePercent`]} %, df ${d.percent} %`);
    }
    // The directory reports its filesystem: the numbers of that filesystem's mount point.
    const { mount } = df(dir);
    assert.notEqual(mount, dir, 'a directory that is not a mount point');
    if (mount === '/') assert.ok(Math.abs(sample[`disk.${dir}.usageGB`] - sample['disk./.usageGB']) < 0.01);
    if (other) {
      assert.notEqual(df(other).fs + df(other).mount, df('/').fs + df('/').mount, `${other} is a filesystem of its own`);
      console.log(`# second mounted path: ${other} (${df(other).fs}), ${sample[`disk.${other}.usageGB`]} GB used`);
    } else console.log('# no second mounted filesystem on this machine: only / and a directory were checked');
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});

test('stats.disabled turns a run off; a run on another host or without a pid is never sampled', async () => {
  const s = setup({ stats: { disabled: true } });
  try {
    assert.deepEqual(s.monitor.liveRunKeys(), []);
    await s.monitor.tickNow(true);
    assert.equal(readSystemSamples(s.store.db, s.key).length, 0);
    s.add('run', { journal: 'ignored', id: 'sysrun01', project: 'p', start_time: 1, pid: 31300, host: os.hostname(), stats: { disabled: false } });
    assert.deepEqual(s.monitor.liveRunKeys(), [s.key]);
    s.add('run', { journal: 'ignored', id: 'sysrun01', project: 'p', start_time: 1, pid: 31300, host: 'elsewhere' });
    assert.deepEqual(s.monitor.liveRunKeys(), []);
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});

// ---- proc.cpu.threads off Linux -------------------------------------------------------------------

const PS_M = `USER     PID   TT  %CPU STAT PRI     STIME     UTIME COMMAND
ada    31300 s000   0.0 S    31T   0:00.02   0:00.05 python train.py
       31300         0.0 S    31T   0:00.00   0:00.00
       31300         0.0 S    31T   0:00.00   0:00.00
ada    31340 s000   0.0 S    31T   0:00.01   0:00.01 python -c worker
       31340         0.0 S    31T   0:00.00   0:00.00
`;

test('thread counts from ps -M (macOS) and Get-Process (Windows) output', async () => {
  assert.deepEqual([...parsePsThreads(PS_M)], [[31300, 3], [31340, 2]]);
  assert.equal(parsePsThreads('  PID TTY TIME CMD\n 1 ?? 0:00 init\n').size, 0, 'not -M output: nothing');
  assert.deepEqual([...parsePidCounts('31300 17\r\n31340 4\r\n\r\n')], [[31300, 17], [31340, 4]]);

  // Windows: PowerShell is costly, so counts are reused for WINDOWS_REFRESH_MS unless a new pid shows up.
  const calls: string[][] = [];
  const win = new ThreadCounter('win32', async (file, args) => {
    calls.push([file, ...args]);
    return { code: 0, stdout: '31300 17\r\n31340 4\r\n', stderr: '' };
  });
  assert.deepEqual([...(await win.read([31300, 31340], 1000, 0))!], [[31300, 17], [31340, 4]]);
  assert.match(calls[0].at(-1)!, /Get-Process -Id 31300,31340 .*Threads\.Count/);
  await win.read([31300, 31340], 1000, 1000);
  assert.equal(calls.length, 1, 'reused within the refresh period');
  await win.read([31300, 31340], 1000, WINDOWS_REFRESH_MS + 1);
  assert.equal(calls.length, 2);

  // A tool that keeps failing is given up (with one warning); Linux and other platforms never run one.
  const warned: string[] = [];
  const broken = new ThreadCounter('darwin', async () => ({ code: null, stdout: '', stderr: '', error: 'spawn ps ENOENT' }), (m) => warned.push(m));
  for (let i = 0; i < 6; i++) assert.equal(await broken.read([1], 1000), undefined);
  assert.equal(broken.supported, false);
  assert.equal(warned.length, 1);
  assert.match(warned[0], /proc\.cpu\.threads is not sampled/);
  const garbled = new ThreadCounter('darwin', async () => ({ code: 0, stdout: 'something else\n1 2 3\n', stderr: '' }));
  assert.equal(await garbled.read([1], 1000), undefined);
  assert.equal(garbled.supported, false, 'output it cannot read: given up at once');
  assert.equal(new ThreadCounter('linux', async () => { throw new Error('never run'); }).supported, false);
  assert.equal(new ThreadCounter('sunos', async () => { throw new Error('never run'); }).supported, false);
  // ps exits 1 when a pid has gone: no counts, not a failure.
  const gone = new ThreadCounter('darwin', async () => ({ code: 1, stdout: 'USER PID TT %CPU STAT PRI STIME UTIME COMMAND\n', stderr: '' }));
  assert.equal((await gone.read([1], 1000))!.size, 0);
  assert.equal(gone.supported, true);
});

test('off Linux (the systeminformation path) the sampler records proc.cpu.threads from ps -M for the whole tree', async () => {
  // This test process is the run: systeminformation lists the real process table; ps is faked.
  const me = process.pid;
  const psCalls: string[][] = [];
  const s = setup({
    platform: 'darwin', pid: me,
    tool: async (file, args) => {
      if (file !== 'ps') return { code: 1, stdout: '', stderr: 'unexpected' };
      psCalls.push(args);
      const pids = args[2].split(',').map(Number);
      const lines = ['USER     PID   TT  %CPU STAT PRI     STIME     UTIME COMMAND'];
      for (const pid of pids) {
        lines.push(`ada    ${pid} s000   0.0 S    31T   0:00.02   0:00.05 node`);
        for (let i = 0; i < (pid === me ? 6 : 1); i++) lines.push(`       ${pid}         0.0 S    31T   0:00.00   0:00.00`);
      }
      return { code: 0, stdout: lines.join('\n') + '\n', stderr: '' };
    },
  });
  try {
    await s.monitor.tickNow(true);
    const [sample] = readSystemSamples(s.store.db, s.key).map((x) => x.data);
    assert.ok(sample, 'a sample');
    assert.equal(psCalls.length, 1);
    assert.deepEqual(psCalls[0].slice(0, 2), ['-M', '-p']);
    const asked = psCalls[0][2].split(',').map(Number);
    assert.equal(asked[0], me, 'the run pid first, then its descendants');
    // 7 lines for the run's process, 2 for each descendant systeminformation found.
    assert.equal(sample['proc.cpu.threads'], 7 + 2 * (asked.length - 1));
    assert.equal(typeof sample.cpu, 'number');
    assert.ok(sample['proc.memory.rssMB'] > 0);
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});

// ---- per-run intervals ------------------------------------------------------------------------------

test('per-run intervals (stats.sampling_interval, from x_stats_sampling_interval): each run on its own grid, changes applied live', async () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // The global default is 5 s; run A asks for 0.25 s; run B takes the default.
  const s = setup({ autoTick: true, intervalSeconds: 5, stats: { sampling_interval: 0.25 } });
  const b = s.addRun('sysrun02', 31340);
  const tsOf = (key: number) => readSystemSamples(s.store.db, key).map((x) => x.ts);
  try {
    await sleep(1600);
    let a = tsOf(s.key);
    // ~7 samples in 1.6 s at 0.25 s (the first as the run appeared); a busy machine may delay some ticks.
    assert.ok(a.length >= 4 && a.length <= 9, `run A at 0.25 s: ${a.length} samples in 1.6 s`);
    const gaps = a.slice(1).map((t, i) => t - a[i]);
    assert.ok(gaps.every((g) => g >= 0.12), `no two samples closer than half an interval: ${gaps}`);
    assert.equal(tsOf(b.key).length, 1, 'run B at the 5 s default: only its first sample so far');

    // A switches to 5 s and B to 0.25 s while they run: A stops being sampled often, B starts.
    s.add('run', { journal: 'ignored', id: 'sysrun01', project: 'p', start_time: 1, pid: 31300, host: os.hostname(), stats: { sampling_interval: 5 } });
    b.update({ sampling_interval: 0.25 });
    const aBefore = tsOf(s.key).length;
    const bBefore = tsOf(b.key).length;
    await sleep(1300);
    assert.ok(tsOf(s.key).length - aBefore <= 1, `run A at 5 s: ${tsOf(s.key).length - aBefore} more samples in 1.3 s (at most the one already due)`);
    assert.ok(tsOf(b.key).length - bBefore >= 3, `run B at 0.25 s: ${tsOf(b.key).length - bBefore} more samples in 1.3 s`);

    // Both at 0.25 s: runs that share an interval share ticks (one reading of /proc, same timestamps).
    s.add('run', { journal: 'ignored', id: 'sysrun01', project: 'p', start_time: 1, pid: 31300, host: os.hostname(), stats: { sampling_interval: 0.25 } });
    const ticks0 = s.monitor.counters.ticks;
    const a0 = tsOf(s.key).length;
    await sleep(1300);
    a = tsOf(s.key).slice(a0 + 1); // after its first tick back on the 0.25 s grid
    const bSet = new Set(tsOf(b.key));
    assert.ok(a.length >= 2, `run A back at 0.25 s: ${a.length}`);
    assert.ok(a.every((t) => bSet.has(t)), 'each of A\'s ticks sampled B too');
    assert.ok(s.monitor.counters.ticks - ticks0 <= a.length + 2, `${s.monitor.counters.ticks - ticks0} ticks for ${a.length} shared samples`);

    // No setting: back to the global default.
    s.add('run', { journal: 'ignored', id: 'sysrun01', project: 'p', start_time: 1, pid: 31300, host: os.hostname(), stats: { sampling_interval: null } });
    const a1 = tsOf(s.key).length;
    await sleep(800);
    assert.ok(tsOf(s.key).length - a1 <= 1, 'sampling_interval null: the 5 s default again');
  } finally {
    await s.monitor.stop();
    s.store.close();
  }
});
