// The runtime: one process per data root that ingests journals into the store, watches runs'
// liveness, and serves the HTTP API (loopback only unless told otherwise, always with the token).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ensureDataRoot, type DataRootPaths } from '../store/dataRoot';
import { Store } from '../store/store';
import { downsample } from '../store/downsample';
import { Ingestor } from '../ingest/ingestor';
import { JournalScanner } from '../ingest/scanner';
import { LiveBus } from '../live/bus';
import { HttpError, Router, type Reply, type Request } from './router';
import { pidAlive, readOrCreateToken, removeRuntimeInfo, writeRuntimeInfo, VERSION, type RuntimeInfo } from './runtimeInfo';
import { registerCoreRoutes } from './coreRoutes';
import { registerQueryRoutes } from './queryRoutes';
import { registerDashboardRoutes } from './dashboardRoutes';
import { registerSweepRoutes } from './sweepRoutes';
import { attachLiveSocket } from './liveSocket';
import { LivenessMonitor } from '../ingest/liveness';
import { SystemMonitor } from '../metrics/monitor'; // system metrics

export interface RuntimeOptions {
  root: string;
  host?: string;
  port?: number;
  /** exit after this many seconds with no live runs and no API traffic (0: never) */
  idleExitSeconds?: number;
  log?: (msg: string) => void;
  /** how often to look for journals to ingest and runs that stopped, ms */
  scanIntervalMs?: number;
  /** system metrics: default sampling interval, seconds (else $TRACKWELL_STATS_INTERVAL, else 2; 0: off) */
  statsIntervalSeconds?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BODY = 64 * 1024 * 1024;

export class Runtime {
  readonly paths: DataRootPaths;
  readonly store: Store;
  readonly bus = new LiveBus();
  readonly ingestor: Ingestor;
  readonly scanner: JournalScanner;
  readonly liveness: LivenessMonitor;
  /** system metrics: samples live runs' process trees (runtime/metrics) */
  readonly systemMonitor: SystemMonitor;
  readonly router = new Router();
  readonly token: string;
  readonly log: (msg: string) => void;
  private server?: http.Server;
  private timers: NodeJS.Timeout[] = [];
  private lastActivity = Date.now();
  /** open WebSocket subscribers */
  liveClients = 0;
  private stopping?: Promise<void>;
  info?: RuntimeInfo;
  /** resolves when the runtime has stopped */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private extraShutdown: (() => void | Promise<void>)[] = [];

  constructor(readonly opts: RuntimeOptions) {
    this.paths = ensureDataRoot(opts.root);
    this.log = opts.log ?? ((m) => console.error(m));
    this.token = readOrCreateToken(opts.root);
    this.store = Store.open(this.paths.db);
    this.ingestor = new Ingestor(this.store, this.bus, this.log);
    this.scanner = new JournalScanner(this.store, this.ingestor, this.paths, this.log);
    this.liveness = new LivenessMonitor(this.store, this.scanner, this.bus, this.log);
    // system metrics: constructed here, started in start(), stopped on shutdown
    this.systemMonitor = new SystemMonitor({ store: this.store, bus: this.bus, log: this.log, intervalSeconds: opts.statsIntervalSeconds });
    this.onShutdown(() => this.systemMonitor.stop());
    this.closed = new Promise((r) => (this.resolveClosed = r));
    registerCoreRoutes(this);
    registerQueryRoutes(this);
    registerSweepRoutes(this);
    registerDashboardRoutes(this);
  }

  /** Registers work to do when the runtime stops (samplers, sockets, child processes). */
  onShutdown(fn: () => void | Promise<void>): void {
    this.extraShutdown.push(fn);
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  async start(): Promise<RuntimeInfo> {
    const host = this.opts.host ?? '127.0.0.1';
    this.safely('warm-up', () => warmHistoryQuery(this.store));
    if (!LOOPBACK.has(host)) this.log(`trackwell: listening on ${host}, beyond loopback; every request needs the token in ${this.paths.token}`);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30000;
    attachLiveSocket(this, this.server, (req) => {
      try {
        this.authorize(req, new URL(req.url ?? '/', 'http://localhost'));
        return true;
      } catch {
        return false;
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const addr = this.server.address() as { port: number };
    this.info = { pid: process.pid, host, port: addr.port, version: VERSION, started_at: Date.now() / 1000, data_root: this.paths.root };
    writeRuntimeInfo(this.paths.root, this.info);
    // Catch up on everything recorded while no runtime was listening.
    this.scanner.scan({ all: true });
    this.liveness.check();
    this.systemMonitor.start(); // system metrics
    const every = this.opts.scanIntervalMs ?? 2000;
    this.timers.push(setInterval(() => this.safely('scan', () => { this.scanner.scan(); this.liveness.check(); }), every));
    this.timers.push(setInterval(() => this.safely('flush', () => this.store.series.flush()), 10000));
    if (this.opts.idleExitSeconds) {
      this.timers.push(setInterval(() => {
        const idle = (Date.now() - this.lastActivity) / 1000;
        if (idle > this.opts.idleExitSeconds! && !this.liveness.hasLiveRuns() && this.liveClients === 0) {
          this.log(`trackwell: runtime idle for ${Math.round(idle)} s with no live runs; stopping`);
          void this.stop();
        }
      }, 5000));
    }
    for (const t of this.timers) t.unref();
    return this.info;
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log(`trackwell: ${what} failed: ${(e as Error).stack ?? e}`);
    }
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      for (const t of this.timers) clearInterval(t);
      for (const fn of this.extraShutdown) {
        try { await fn(); } catch (e) { this.log(`trackwell: shutdown step failed: ${(e as Error).message}`); }
      }
      if (this.server) {
        const closed = new Promise<void>((r) => this.server!.close(() => r()));
        // Keep-alive sockets of clients would hold close() open until they time out.
        this.server.closeAllConnections();
        await closed;
      }
      try {
        this.store.close();
      } catch (e) {
        this.log(`trackwell: closing the store failed: ${(e as Error).message}`);
      }
      removeRuntimeInfo(this.paths.root, process.pid);
      this.resolveClosed();
    })();
    return this.stopping;
  }

  /** Is the request allowed: loopback Host header (DNS rebinding) and the data root's token. */
  authorize(req: http.IncomingMessage, url: URL): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const bound = this.info?.host ?? '127.0.0.1';
    if (LOOPBACK.has(bound) && !LOOPBACK.has(host)) throw new HttpError(403, 'requests must address the runtime by a loopback name');
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token') ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
      throw new HttpError(401, `missing or wrong token; it is in ${this.paths.token}`);
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.touch();
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const match = this.router.match(req.method ?? 'GET', url.pathname);
      if (!match) throw new HttpError(404, `no such endpoint: ${req.method} ${url.pathname}`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (url.pathname.startsWith('/api/')) this.authorize(req, url);
      const body = await readBody(req);
      const request: Request = {
        method: req.method ?? 'GET', path: url.pathname, params: match.params, query: url.searchParams, headers: req.headers, body,
        json: () => {
          try { return body.length ? JSON.parse(body.toString('utf8')) : {}; } catch (e) { throw new HttpError(400, `invalid JSON body: ${(e as Error).message}`); }
        },
      };
      const t0 = performance.now();
      const reply = await match.handler(request);
      // How long the answer took inside the runtime (browser devtools show it; the benchmarks print it).
      res.setHeader('Server-Timing', `app;dur=${(performance.now() - t0).toFixed(1)}`);
      send(res, reply);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) this.log(`trackwell: ${req.method} ${url.pathname} failed: ${(e as Error).stack ?? e}`);
      send(res, { status, json: { error: (e as Error).message } });
    }
  }

  /** Journal paths recorded for a run. */
  journalPaths(runKey: number): string[] {
    return (this.store.db.prepare('SELECT path FROM journals WHERE run_key = ? AND path IS NOT NULL').all(runKey) as any[]).map((r) => r.path);
  }

  /** Ingests whatever a run's journals hold beyond the store (e.g. before answering a resume). */
  catchUpRun(runKey: number, final = false): void {
    for (const p of this.journalPaths(runKey)) {
      if (fs.existsSync(p)) this.scanner.ingestPath(p, final);
    }
  }

  get hostname(): string {
    return os.hostname();
  }

  isLocalProcessAlive(host: string | null, pid: number | null): boolean | undefined {
    if (!pid || host !== os.hostname()) return undefined;
    return pidAlive(pid);
  }

  relativeToRoot(p: string): string {
    return path.relative(this.paths.root, p);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `request body over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const status = reply.status ?? 200;
  if ('json' in reply) {
    const body = JSON.stringify(reply.json);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  } else {
    res.writeHead(status, { 'Content-Type': reply.type, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
    res.end(reply.body);
  }
}

/**
 * The first history query after a start pays for compiling the query path and for a cold page cache;
 * one query of the latest run's first numeric key, before anyone can connect, moves that cost to
 * startup. Bounded: a downsample reads chunk summaries, not points.
 */
function warmHistoryQuery(store: Store): void {
  const r = store.db.prepare(`SELECT rk.run_key AS run, rk.key_id AS key FROM runs r JOIN run_keys rk ON rk.run_key = r.key AND rk.numeric = 1
    WHERE r.history_rows > 0 ORDER BY r.updated_at DESC LIMIT 1`).get() as { run: number; key: number } | undefined;
  if (!r) return;
  store.ensureSeriesLoaded(r.run);
  downsample(store.series, r.run, r.key, 'step', 1000, -Infinity, Infinity, 0);
}

