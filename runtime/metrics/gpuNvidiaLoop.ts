// One long-lived `nvidia-smi --query-gpu=... --format=csv,noheader,nounits --loop-ms=N` while runs are
// live, instead of one nvidia-smi per tick: starting nvidia-smi (driver init, NVML load) costs tens of
// ms of CPU each time, a loop costs only its queries. Lines are grouped into one reading per loop
// iteration; the sampler takes the newest. The loop is restarted with backoff when it exits, and
// given up (per-tick queries again) when it keeps exiting without printing a reading, e.g. a driver
// whose nvidia-smi refuses --loop-ms.
import { spawn as nodeSpawn } from 'node:child_process';
import { parseGpuQuery, type NvidiaGpu } from './gpuNvidia';

export type SpawnFn = typeof nodeSpawn;

/** Groups streamed `--query-gpu` lines (one per GPU, in index order) into one reading per iteration. */
export class GpuLineBatcher {
  private current: NvidiaGpu[] = [];
  private lastIndex = -Infinity;
  /** the newest complete reading and when it was completed (ms) */
  latest?: { gpus: NvidiaGpu[]; at: number };

  constructor(private fields: readonly string[], private expected: number, private now: () => number = Date.now) {}

  line(text: string): void {
    const [g] = parseGpuQuery(text, this.fields);
    if (!g) return;
    if (g.index <= this.lastIndex) {
      // A new iteration. A partial one before it means a GPU went away: it was complete after all.
      if (this.current.length) this.publish();
    } else if (!this.current.length && this.latest) {
      // After a reading of `expected` GPUs, a higher index: the host has one more GPU than it had.
      this.latest.gpus.push(g);
      this.expected = this.latest.gpus.length;
      this.lastIndex = g.index;
      return;
    }
    this.lastIndex = g.index;
    this.current.push(g);
    if (this.current.length >= this.expected) this.publish();
  }

  private publish(): void {
    this.latest = { gpus: this.current, at: this.now() };
    this.expected = this.current.length;
    this.current = [];
  }
}

export interface NvidiaSmiLoopOptions {
  log: (msg: string) => void;
  spawn?: SpawnFn;
  /** first restart delay; doubled per restart up to maxBackoffMs, reset by a reading */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** exits without a single reading after which loop mode is given up */
  maxFailures?: number;
}

interface Want {
  loopMs: number;
  fields: string[];
  count: number;
}

export class NvidiaSmiLoop {
  private child?: ReturnType<SpawnFn>;
  private batcher?: GpuLineBatcher;
  private want?: Want;
  private restartTimer?: NodeJS.Timeout;
  private backoff: number;
  private failures = 0;
  private startedAt = 0;
  private lastDataAt = 0;
  /** true once loop mode was given up: the sampler queries per tick */
  unusable = false;
  /** loops started so far (tests, bench) */
  starts = 0;

  constructor(readonly exe: string, private opts: NvidiaSmiLoopOptions) {
    this.backoff = opts.backoffMs ?? 1000;
  }

  /** pid of the running loop, if any */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Keeps one loop running at `loopMs` with these fields: starts it, or restarts it when they change or it went silent. */
  ensure(loopMs: number, fields: readonly string[], count: number, now = Date.now()): void {
    if (this.unusable) return;
    const same = !!this.want && this.want.loopMs === loopMs && this.want.fields.join(',') === fields.join(',');
    this.want = { loopMs, fields: [...fields], count };
    if (same && this.restartTimer) return; // waiting out the backoff
    if (same && this.child) {
      // A loop that stopped printing (a hung driver call) is treated as one that exited.
      if (now - Math.max(this.startedAt, this.lastDataAt) <= Math.max(10000, 5 * loopMs)) return;
      const c = this.child;
      this.child = undefined;
      c.kill('SIGKILL');
      this.ended(this.lastDataAt > this.startedAt, 'it printed nothing for a while');
      return;
    }
    this.kill();
    this.start();
  }

  /** The newest reading if it is at most `maxAgeMs` old. */
  latest(maxAgeMs: number, now = Date.now()): NvidiaGpu[] | undefined {
    const l = this.batcher?.latest;
    return l && now - l.at <= maxAgeMs ? l.gpus : undefined;
  }

  /** Stops the loop (no run is live, or the runtime stops). */
  stop(): void {
    this.want = undefined;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.kill();
  }

  private kill(): void {
    const c = this.child;
    this.child = undefined;
    c?.kill();
  }

  private start(): void {
    this.restartTimer = undefined;
    const w = this.want;
    if (!w) return;
    const batcher = new GpuLineBatcher(w.fields, w.count);
    batcher.latest = this.batcher?.latest; // still served while fresh
    this.batcher = batcher;
    const args = [`--query-gpu=${w.fields.join(',')}`, '--format=csv,noheader,nounits', `--loop-ms=${w.loopMs}`];
    let child: ReturnType<SpawnFn>;
    try {
      child = (this.opts.spawn ?? nodeSpawn)(this.exe, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      this.ended(false, (e as Error).message);
      return;
    }
    this.starts++;
    this.child = child;
    this.startedAt = Date.now();
    let pending = '';
    let stderr = '';
    let gotData = false;
    let error = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        batcher.line(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      if (batcher.latest && batcher.latest.at >= this.startedAt) {
        this.lastDataAt = batcher.latest.at;
        if (!gotData) {
          gotData = true;
          this.failures = 0;
          this.backoff = this.opts.backoffMs ?? 1000;
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    child.on('error', (e) => (error = e.message));
    child.once('close', (code, signal) => {
      if (this.child !== child) return; // stopped or replaced on purpose
      this.child = undefined;
      const why = error || stderr.trim().split('\n')[0] || (signal ? `killed by ${signal}` : `exit code ${code}`);
      this.ended(gotData, why);
    });
  }

  /** The loop ended by itself: restart it after the backoff, or give loop mode up. */
  private ended(gotData: boolean, why: string): void {
    if (!this.want) return;
    if (!gotData && ++this.failures >= (this.opts.maxFailures ?? 3)) {
      this.unusable = true;
      this.opts.log(`trackwell: system metrics: nvidia-smi --loop-ms does not work here (${why}); querying nvidia-smi once per sample instead`);
      return;
    }
    const delay = this.backoff;
    this.backoff = Math.min(delay * 2, this.opts.maxBackoffMs ?? 60000);
    this.opts.log(`trackwell: system metrics: nvidia-smi --loop-ms ended (${why}); restarting it in ${delay} ms`);
    this.restartTimer = setTimeout(() => this.start(), delay);
    this.restartTimer.unref();
  }
}
