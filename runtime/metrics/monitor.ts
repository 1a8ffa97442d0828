// The system-metrics sampler: runs inside the runtime (never in the training process) and samples
// every live run whose process runs on this host, for the run's whole process tree, under the W&B
// tag names (seed-inventory §4.3; docs/benchmarks.md has the measured cost).
//
// Cost model: ONE tick per interval shared by all live runs. A tick reads the process table once
// (on Linux procTree.ts's ProcTable: the runs' trees and new pids from /proc; elsewhere systeminformation's
// list, plus procThreads.ts for thread counts), the host counters once, disk usage once per distinct path,
// and the GPUs: NVIDIA from one long-lived `nvidia-smi --loop-ms` (gpuNvidiaLoop.ts; per-tick queries
// where loop mode fails) plus a compute-apps query every ~10 s; AMD from rocm-smi per tick (it has no
// loop mode) plus --showpidgpus every ~10 s. Every run due at that tick is computed from those readings. Runs with their own interval sit on their own grid (multiples of
// the interval from one anchor), so runs that share an interval always share ticks. With no live
// run there is no timer at all.
import os from 'node:os';
import type { Statement } from 'better-sqlite3';
import type { Store } from '../store/store';
import type { LiveBus } from '../live/bus';
import type { LiveEvent } from '../protocol/live';
import { SystemSampleWriter } from '../store/systemSamples';
import { childrenIndex, ProcTable, processTree, readUptime, treeTotals, TreeCpu, type ProcSnapshot } from './procTree';
import { DeltaCounters, diskUsage, GB, LinuxHostReader, MB, SiHostReader, type HostCounters, type HostReader } from './systemStats';
import { findExecutable as defaultFind, runTool as defaultRunTool, type RunTool } from './exec';
import { gpuProcessTags, gpuTags, NvidiaSmi, nvidiaMetadata, type ComputeApp, type GpuMetadata, type NvidiaGpu } from './gpuNvidia';
import { NvidiaSmiLoop, type SpawnFn } from './gpuNvidiaLoop';
import { RocmSmi, rocmGpuTags, rocmMetadata, rocmProcessTags } from './gpuRocm';
import { ThreadCounter } from './procThreads';

export const DEFAULT_INTERVAL_SECONDS = 2;
export const MIN_INTERVAL_SECONDS = 0.1;
/** how often the pid -> GPU mapping (nvidia-smi --query-compute-apps) is refreshed */
const APPS_REFRESH_MS = 10000;
/** runs due within this much of a tick are sampled by it */
const SLACK_MS = 50;
/** consecutive GPU tool failures after which GPU sampling is switched off for this runtime */
const GPU_MAX_FAILURES = 5;

/** What the client puts under `stats` in its run record (runs.stats). */
export interface RunStatsSettings {
  sampling_interval?: number | null;
  disk_paths?: string[] | null;
  disabled?: boolean | null;
}

export interface SystemMonitorOptions {
  store: Store;
  bus: LiveBus;
  log?: (msg: string) => void;
  /** global default interval, seconds; else $TRACKWELL_STATS_INTERVAL, else 2. 0 switches the sampler off */
  intervalSeconds?: number;
  /** the host runs must be on (default os.hostname()) */
  hostname?: string;
  /** tests: another /proc, tools, platform */
  procRoot?: string;
  sysBlock?: string;
  platform?: NodeJS.Platform;
  findExecutable?: (name: string) => string | undefined;
  runTool?: RunTool;
  /** false: no timer; samples are taken by tickNow() only (tests) */
  autoTick?: boolean;
  /** false: nvidia-smi once per tick, never its loop mode (tests of the per-tick path) */
  nvidiaLoop?: boolean;
  /** tests: how the nvidia-smi loop is spawned, and its first restart delay */
  spawn?: SpawnFn;
  loopBackoffMs?: number;
}

interface LiveRun {
  key: number;
  project: string;
  id: string;
  pid: number;
  intervalMs: number;
  diskPaths: string[];
  nextDue: number;
  cpu: TreeCpu;
  deltas?: DeltaCounters;
  gpuMetaDone: boolean;
  statsJson: string | null;
}

interface GpuReading {
  tags: Record<string, number>;
  metadata: GpuMetadata;
  /** gpu.process.* for a process tree, when this vendor can tell */
  processTags?: (pids: number[]) => Record<string, number>;
}

/** Parses runs.stats; bad values are ignored (defaults apply). */
export function parseRunStats(json: string | null): { intervalSeconds?: number; diskPaths?: string[]; disabled: boolean } {
  if (!json) return { disabled: false };
  let s: RunStatsSettings;
  try {
    s = JSON.parse(json);
  } catch {
    return { disabled: false };
  }
  if (!s || typeof s !== 'object') return { disabled: false };
  const out: { intervalSeconds?: number; diskPaths?: string[]; disabled: boolean } = { disabled: s.disabled === true };
  if (typeof s.sampling_interval === 'number' && Number.isFinite(s.sampling_interval) && s.sampling_interval > 0) {
    out.intervalSeconds = Math.max(MIN_INTERVAL_SECONDS, s.sampling_interval);
  }
  if (Array.isArray(s.disk_paths)) out.diskPaths = s.disk_paths.filter((p): p is string => typeof p === 'string' && p.length > 0);
  return out;
}

/** The global default interval: option, else $TRACKWELL_STATS_INTERVAL, else 2 s. */
export function globalInterval(option: number | undefined, env: string | undefined, warn: (m: string) => void): number {
  if (option !== undefined && Number.isFinite(option) && option >= 0) return option === 0 ? 0 : Math.max(MIN_INTERVAL_SECONDS, option);
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (Number.isFinite(n) && n >= 0) return n === 0 ? 0 : Math.max(MIN_INTERVAL_SECONDS, n);
    warn(`trackwell: TRACKWELL_STATS_INTERVAL must be a number of seconds (0 switches system metrics off), not "${env}"; using ${DEFAULT_INTERVAL_SECONDS} s`);
  }
  return DEFAULT_INTERVAL_SECONDS;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export class SystemMonitor {
  readonly intervalSeconds: number;
  private runs = new Map<number, LiveRun>();
  private timer?: NodeJS.Timeout;
  private inflight?: Promise<void>;
  private unsubscribe?: () => void;
  private stopped = false;
  private started = false;
  private readonly anchor = Date.now();
  private readonly log: (m: string) => void;
  private readonly warned = new Set<string>();
  private readonly hostname: string;
  private readonly linux: boolean;
  private readonly writer: SystemSampleWriter;
  private hostReader: HostReader;
  private procTable: ProcTable;
  private sysconf?: Promise<{ clkTck: number; pageSize: number }>;
  /** off Linux: thread counts (ps -M on macOS, Get-Process on Windows) */
  private threadCounter?: ThreadCounter;
  private readonly ncpus = Math.max(1, os.cpus().length);
  // GPU state
  private gpuChecked = false;
  private nvidia?: NvidiaSmi;
  private nvLoop?: NvidiaSmiLoop;
  private rocm?: RocmSmi;
  private gpuFailures = 0;
  private apps: ComputeApp[] = [];
  private rocmPids = new Map<number, number[]>();
  private appsAt = 0;
  private appsStale = true;
  /** bench and tests: work done so far (toolRuns: nvidia-smi / rocm-smi processes run to completion) */
  readonly counters = { ticks: 0, samples: 0, cpuMicros: 0, toolRuns: 0 };

  constructor(private opts: SystemMonitorOptions) {
    this.log = opts.log ?? ((m) => console.error(m));
    this.hostname = opts.hostname ?? os.hostname();
    this.linux = (opts.platform ?? process.platform) === 'linux';
    this.writer = new SystemSampleWriter(opts.store);
    this.hostReader = this.linux ? new LinuxHostReader(opts.procRoot, opts.sysBlock) : new SiHostReader();
    this.procTable = new ProcTable(opts.procRoot);
    if (!this.linux) this.threadCounter = new ThreadCounter(opts.platform ?? process.platform, opts.runTool ?? defaultRunTool, (m) => this.warnOnce('threads', m));
    this.intervalSeconds = globalInterval(opts.intervalSeconds, process.env.TRACKWELL_STATS_INTERVAL, (m) => this.warnOnce('interval', m));
  }

  get enabled(): boolean {
    return this.intervalSeconds > 0;
  }

  /** Keys of the runs being sampled now. */
  liveRunKeys(): number[] {
    return [...this.runs.keys()];
  }

  start(): void {
    if (this.started || !this.enabled) return;
    this.started = true;
    if (this.linux) this.sysconf = readSysconf(this.opts.runTool ?? defaultRunTool);
    this.unsubscribe = this.opts.bus.subscribe((events) => this.onEvents(events));
    this.guard('refresh', () => this.refreshAll());
    this.schedule();
  }

  /** Stops sampling; waits for a tick in progress so nothing is written after the store closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.nvLoop?.stop();
    await this.inflight;
  }

  /** pid of the nvidia-smi loop while one runs (tests, bench) */
  get gpuLoopPid(): number | undefined {
    return this.nvLoop?.pid;
  }

  /** nvidia-smi loops started so far (tests, bench) */
  get gpuLoopStarts(): number {
    return this.nvLoop?.starts ?? 0;
  }

  /** Samples now whatever is due, or every live run with `force` (tests, bench). */
  async tickNow(force = false): Promise<void> {
    if (this.inflight) await this.inflight;
    if (force) for (const r of this.runs.values()) r.nextDue = 0;
    this.runTick();
    await this.inflight;
  }

  private onEvents(events: LiveEvent[]): void {
    // Never throws into the bus (and so into ingestion).
    this.guard('live event', () => {
      let changed = false;
      for (const e of events) {
        if (e.type === 'run') {
          changed = true;
          if (e.run.state === 'running') this.refreshRun(e.run.key);
          else this.remove(e.run.key);
        } else if (e.type === 'run-deleted') {
          changed = true;
          this.remove(e.run.key);
        }
      }
      if (changed) this.schedule();
    });
  }

  private remove(key: number): void {
    if (this.runs.delete(key)) this.writer.forget(key);
    if (!this.runs.size) this.nvLoop?.stop(); // nothing to sample: no nvidia-smi either
  }

  private static SELECT = `SELECT r.key, p.name AS project, r.id, r.host, r.pid, r.stats, r.state
    FROM runs r JOIN projects p ON p.id = r.project_id`;
  private stmts?: { running: Statement; one: Statement; gpuMeta: Statement };

  private get statements(): { running: Statement; one: Statement; gpuMeta: Statement } {
    const db = this.opts.store.db;
    return (this.stmts ??= {
      running: db.prepare(`${SystemMonitor.SELECT} WHERE r.state = 'running'`),
      one: db.prepare(`${SystemMonitor.SELECT} WHERE r.key = ?`),
      gpuMeta: db.prepare(`UPDATE runs SET metadata = json_set(coalesce(metadata, '{}'), '$.gpu', json(?)) WHERE key = ?`),
    });
  }

  /** Re-reads the running runs (once per tick: a cheap indexed query) and syncs the sampled set. */
  private refreshAll(): void {
    const rows = this.statements.running.all() as any[];
    const seen = new Set<number>();
    for (const r of rows) if (this.upsert(r)) seen.add(r.key);
    for (const key of [...this.runs.keys()]) if (!seen.has(key)) this.remove(key);
  }

  private refreshRun(key: number): void {
    const r = this.statements.one.get(key) as any;
    if (!r || r.state !== 'running' || !this.upsert(r)) this.remove(key);
  }

  /** Adds or updates a run; false when it is not to be sampled here. */
  private upsert(r: { key: number; project: string; id: string; host: string | null; pid: number | null; stats: string | null }): boolean {
    if (!r.pid || r.host !== this.hostname) return false;
    const existing = this.runs.get(r.key);
    if (existing) {
      existing.project = r.project; // a run record may move the run to another project
      existing.id = r.id;
    }
    if (existing && existing.pid === r.pid && existing.statsJson === r.stats) return true;
    const settings = parseRunStats(r.stats);
    if (settings.disabled) return false;
    const intervalMs = Math.round((settings.intervalSeconds ?? this.intervalSeconds) * 1000);
    if (existing && existing.pid === r.pid) {
      // New settings for a run already sampled: keep its counters and CPU baseline.
      existing.statsJson = r.stats;
      existing.diskPaths = settings.diskPaths ?? ['/'];
      if (existing.intervalMs !== intervalMs) {
        existing.intervalMs = intervalMs;
        existing.nextDue = Math.min(existing.nextDue, this.nextGridPoint(Date.now(), intervalMs));
      }
      return true;
    }
    this.runs.set(r.key, {
      key: r.key, project: r.project, id: r.id, pid: r.pid, intervalMs,
      diskPaths: settings.diskPaths ?? ['/'],
      nextDue: Date.now(), // the first sample right away, then on the shared grid
      cpu: new TreeCpu(), gpuMetaDone: false, statsJson: r.stats,
    });
    this.appsStale = true;
    return true;
  }

  /** The next multiple of `ivMs` from the anchor after `t`, at least half an interval away. */
  private nextGridPoint(t: number, ivMs: number): number {
    let due = this.anchor + (Math.floor((t - this.anchor) / ivMs) + 1) * ivMs;
    if (due - t < ivMs / 2) due += ivMs;
    return due;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || !this.runs.size || this.inflight || this.opts.autoTick === false) return; // a tick in flight reschedules when done
    let due = Infinity;
    for (const r of this.runs.values()) due = Math.min(due, r.nextDue);
    this.timer = setTimeout(() => this.runTick(), Math.max(0, due - Date.now()));
    this.timer.unref();
  }

  private runTick(): void {
    this.timer = undefined;
    if (this.stopped || this.inflight) return;
    const c0 = process.cpuUsage();
    this.inflight = this.tick()
      .catch((e) => this.warnOnce(`tick:${(e as Error).message}`, `trackwell: system metrics sampling failed: ${(e as Error).stack ?? e}`))
      .finally(() => {
        const c = process.cpuUsage(c0);
        this.counters.cpuMicros += c.user + c.system;
        this.inflight = undefined;
        this.schedule();
      });
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    this.refreshAll();
    const due = [...this.runs.values()].filter((r) => r.nextDue <= now + SLACK_MS);
    if (!due.length) return;
    for (const r of due) r.nextDue = this.nextGridPoint(now, r.intervalMs);
    this.counters.ticks++;
    const ts = now / 1000;
    // The GPU tool runs in its own process while this one reads /proc.
    const minInterval = Math.min(...due.map((r) => r.intervalMs));
    const gpuP = this.readGpu(Math.max(1000, Math.min(5000, Math.round(minInterval * 0.8))));
    const host = await this.hostReader.read();
    const procs = await this.readProcesses(due.map((r) => r.pid));
    const diskCache = new Map<string, Record<string, number> | null>();
    const pending: { run: LiveRun; values: Record<string, number>; pids: number[] }[] = [];
    for (const run of due) {
      const tree = processTree(procs.snap, procs.kids, run.pid);
      if (!tree.length) continue; // the process is gone; liveness will mark the run crashed
      pending.push({ run, values: this.cpuSideValues(run, tree, procs, host, diskCache), pids: tree.map((e) => e.pid) });
    }
    const gpu = await gpuP;
    if (this.stopped || !pending.length) return;
    const events: LiveEvent[] = [];
    const db = this.opts.store.db;
    db.transaction(() => {
      for (const p of pending) {
        if (!this.runs.has(p.run.key)) continue; // ended while the GPU tool ran
        if (gpu) Object.assign(p.values, gpu.tags, gpu.processTags?.(p.pids));
        this.writer.insert(p.run.key, ts, p.values);
        this.counters.samples++;
        if (gpu && !p.run.gpuMetaDone) {
          // GPU inventory for the run view, once per run: merged into runs.metadata under "gpu".
          this.statements.gpuMeta.run(JSON.stringify(gpu.metadata), p.run.key);
          p.run.gpuMetaDone = true;
        }
        events.push({ type: 'system', run: { key: p.run.key, project: p.run.project, id: p.run.id }, ts, values: p.values });
      }
    })();
    this.opts.bus.publish(events);
  }

  private cpuSideValues(
    run: LiveRun, tree: ReturnType<typeof processTree>, procs: Processes, host: HostCounters,
    diskCache: Map<string, Record<string, number> | null>,
  ): Record<string, number> {
    const v: Record<string, number> = {};
    const totals = treeTotals(tree, procs.pageSize);
    if (procs.cpuPercent) {
      let pct = 0;
      for (const e of tree) pct += procs.cpuPercent.get(e.pid) ?? 0;
      v.cpu = r3(pct / this.ncpus);
      // Off Linux the thread counts come from another tool; the tag is left out when it gave none for the tree.
      let threads = 0;
      let known = false;
      for (const e of tree) {
        const n = procs.threadCounts?.get(e.pid);
        if (n !== undefined) {
          threads += n;
          known = true;
        }
      }
      if (known) v['proc.cpu.threads'] = threads;
    } else {
      v.cpu = r3((run.cpu.sample(tree, procs.uptime, procs.clkTck) * 100) / this.ncpus);
      v['proc.cpu.threads'] = totals.threads;
    }
    const { totalBytes, availableBytes } = host.mem;
    v['proc.memory.rssMB'] = r3(totals.rssBytes / MB);
    if (totalBytes > 0) v['proc.memory.percent'] = r3((totals.rssBytes / totalBytes) * 100);
    v['proc.memory.availableMB'] = r3(availableBytes / MB);
    if (totalBytes > 0) v.memory_percent = r3(((totalBytes - availableBytes) / totalBytes) * 100);
    for (const p of run.diskPaths) {
      let d = diskCache.get(p);
      if (d === undefined) {
        try {
          const u = diskUsage(p);
          d = { usagePercent: r3(u.percent), usageGB: r3(u.usedBytes / GB) };
        } catch (e) {
          this.warnOnce(`disk:${p}`, `trackwell: system metrics: disk path ${p} is not reachable (${(e as Error).message}); it is not sampled`);
          d = null;
        }
        diskCache.set(p, d);
      }
      if (d) {
        v[`disk.${p}.usagePercent`] = d.usagePercent;
        v[`disk.${p}.usageGB`] = d.usageGB;
      }
    }
    if (!run.deltas) {
      // Deltas start at 0 at a run's first sample; a restarted runtime continues from the last stored values.
      const last = this.writer.lastSample(run.key)?.data;
      run.deltas = new DeltaCounters(host, last);
    }
    for (const [k, x] of Object.entries(run.deltas.values(host))) v[k] = k.startsWith('disk.') ? r3(x) : Math.round(x);
    return v;
  }

  private async readProcesses(roots: number[]): Promise<Processes> {
    if (this.linux) {
      const { clkTck, pageSize } = await (this.sysconf ?? Promise.resolve({ clkTck: 100, pageSize: 4096 }));
      const { snap, kids } = this.procTable.read(roots);
      return { snap, kids, uptime: readUptime(this.opts.procRoot), clkTck, pageSize };
    }
    // Portable fallback: systeminformation lists processes with their CPU % (of one core) and RSS.
    const si = (await import('systeminformation')).default;
    const list = await si.processes();
    const snap: ProcSnapshot = new Map();
    const cpuPercent = new Map<number, number>();
    for (const p of list.list) {
      snap.set(p.pid, { pid: p.pid, ppid: p.parentPid, start: 0, ticks: 0, threads: 0, rssPages: (p.memRss ?? 0) * 1024 });
      cpuPercent.set(p.pid, p.cpu ?? 0);
    }
    const kids = childrenIndex(snap);
    let threadCounts: Map<number, number> | undefined;
    if (this.threadCounter?.supported) {
      const pids = roots.flatMap((r) => processTree(snap, kids, r).map((e) => e.pid));
      threadCounts = await this.threadCounter.read(pids, 5000).catch(() => undefined);
    }
    return { snap, kids, uptime: 0, clkTck: 100, pageSize: 1, cpuPercent, threadCounts };
  }

  /** One GPU reading for this tick (nvidia-smi, else rocm-smi), or undefined. Never rejects. */
  private async readGpu(timeoutMs: number): Promise<GpuReading | undefined> {
    if (!this.gpuChecked) {
      this.gpuChecked = true;
      const find = this.opts.findExecutable ?? defaultFind;
      const base = this.opts.runTool ?? defaultRunTool;
      const run: RunTool = (file, args, timeoutMs) => {
        this.counters.toolRuns++;
        return base(file, args, timeoutMs);
      };
      const nv = find('nvidia-smi');
      if (nv) {
        this.nvidia = new NvidiaSmi(nv, run);
        if (this.opts.nvidiaLoop !== false) {
          this.nvLoop = new NvidiaSmiLoop(nv, {
            log: (m) => this.warnOnce(m.replace(/ in \d+ ms$/, ''), m), spawn: this.opts.spawn, backoffMs: this.opts.loopBackoffMs,
          });
        }
      } else {
        const rocm = find('rocm-smi');
        if (rocm) this.rocm = new RocmSmi(rocm, run);
      }
    }
    if (!this.nvidia && !this.rocm) return undefined;
    try {
      let reading: GpuReading;
      if (this.nvidia) {
        const nv = this.nvidia;
        // The loop's newest reading; a query of its own on the first tick (which also settles the fields
        // this driver accepts), while the loop (re)starts, or where loop mode does not work.
        const loopMs = this.loopMs();
        const fromLoop = this.nvLoop?.latest(2 * loopMs + 500);
        const [gpus, apps] = await Promise.all([
          fromLoop ?? nv.queryGpus(timeoutMs),
          this.refreshedProcessMap(this.apps, () => nv.queryApps(timeoutMs)),
        ]);
        this.apps = apps;
        reading = nvidiaReading(gpus, this.apps);
        if (this.runs.size) this.nvLoop?.ensure(loopMs, nv.fields, gpus.length);
      } else {
        const rocm = this.rocm!;
        const [r, pidGpus] = await Promise.all([
          rocm.query(timeoutMs),
          this.refreshedProcessMap(this.rocmPids, () => rocm.queryPidGpus(timeoutMs)),
        ]);
        this.rocmPids = pidGpus;
        reading = { tags: rocmGpuTags(r), metadata: rocmMetadata(r), processTags: (pids) => rocmProcessTags(r, this.rocmPids, pids) };
      }
      this.gpuFailures = 0;
      return reading.metadata.count ? reading : undefined;
    } catch (e) {
      this.gpuFailures++;
      this.warnOnce(`gpu:${(e as Error).message}`, `trackwell: system metrics: ${(e as Error).message}`);
      if (this.gpuFailures >= GPU_MAX_FAILURES) {
        this.log(`trackwell: system metrics: the GPU tool failed ${GPU_MAX_FAILURES} times in a row; GPU metrics are off until the runtime restarts`);
        this.nvLoop?.stop();
        this.nvidia = this.rocm = this.nvLoop = undefined;
      }
      return undefined;
    }
  }

  /** The nvidia-smi loop period: the shortest interval of the live runs. */
  private loopMs(): number {
    let ms = Infinity;
    for (const r of this.runs.values()) ms = Math.min(ms, r.intervalMs);
    return Math.max(MIN_INTERVAL_SECONDS * 1000, Number.isFinite(ms) ? ms : this.intervalSeconds * 1000);
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.warnOnce(`${what}:${(e as Error).message}`, `trackwell: system metrics (${what}) failed: ${(e as Error).message}`);
    }
  }

  /**
   * Which processes use which GPU: asked of the tool every APPS_REFRESH_MS (or when marked stale), as it
   * costs a process of its own; a failed refresh keeps the last answer and says so once.
   */
  private async refreshedProcessMap<T>(last: T, query: () => Promise<T>): Promise<T> {
    if (!this.appsStale && Date.now() - this.appsAt < APPS_REFRESH_MS) return last;
    let next = last;
    try {
      next = await query();
    } catch (e) {
      this.warnOnce('apps', `trackwell: system metrics: ${(e as Error).message}; gpu.process.* tags are not sampled`);
    }
    this.appsAt = Date.now();
    this.appsStale = false;
    return next;
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log(msg);
  }
}

interface Processes {
  snap: ProcSnapshot;
  kids: Map<number, number[]>;
  uptime: number;
  clkTck: number;
  pageSize: number;
  /** non-Linux: CPU % of one core per pid, from systeminformation */
  cpuPercent?: Map<number, number>;
  /** non-Linux: threads per pid, where the platform's tool told (see procThreads.ts) */
  threadCounts?: Map<number, number>;
}

export function nvidiaReading(gpus: NvidiaGpu[], apps: ComputeApp[]): GpuReading {
  return {
    tags: gpuTags(gpus),
    metadata: nvidiaMetadata(gpus),
    processTags: (pids) => gpuProcessTags(gpus, apps, pids),
  };
}

/** Clock ticks per second and the page size (getconf, once per runtime; 100 and 4096 if that fails). */
async function readSysconf(run: RunTool): Promise<{ clkTck: number; pageSize: number }> {
  const get = async (name: string, dflt: number) => {
    const r = await run('getconf', [name], 5000);
    const n = Number(r.stdout.trim());
    return r.code === 0 && Number.isInteger(n) && n > 0 ? n : dflt;
  };
  const [clkTck, pageSize] = await Promise.all([get('CLK_TCK', 100), get('PAGESIZE', 4096)]);
  return { clkTck, pageSize };
}
