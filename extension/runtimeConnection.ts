// The extension's link to the runtime sidecar: starts it on demand (one per data root, shared by every
// window), sends API requests, keeps one WebSocket for live events, and restarts the runtime if it dies
// (when and how often: logic/restartPolicy.ts). "Restart Runtime" stops the runtime this extension
// started and starts a fresh one; a runtime started elsewhere (`trackwell serve`) is only reconnected to.
import * as vscode from 'vscode';
import WebSocket from 'ws';
import type { LiveEvent } from '../runtime/protocol/live';
import type { LiveServerMessage } from '../runtime/protocol/api';
import { ensureRuntime, stopRuntime } from '../runtime/server/daemon';
import { findRuntime, pidAlive, readRuntimeInfo, requestJson, requestRaw, type LiveRuntime } from '../runtime/server/runtimeInfo';
import { RestartPolicy, restartPlan, type OwnedRuntime, type RestartDecision, type RestartPolicyOptions } from './logic/restartPolicy';

export interface LiveFilter {
  history: Set<number> | '*';
  console: Set<number> | '*';
  system: Set<number> | '*';
}

export class RuntimeUnavailableError extends Error {}

/** Where the runtimes this extension started are remembered (globalState: it outlives a window reload). */
export interface RuntimeOwnership {
  get(root: string): OwnedRuntime | undefined;
  set(root: string, owned: OwnedRuntime | undefined): void;
}

export function memoryOwnership(): RuntimeOwnership {
  const m = new Map<string, OwnedRuntime>();
  return { get: (r) => m.get(r), set: (r, o) => (o ? m.set(r, o) : m.delete(r)) };
}

export interface ConnectionOptions {
  ownership?: RuntimeOwnership;
  policy?: Partial<RestartPolicyOptions>;
  /** shown when automatic restarts stop; resolves to the button picked */
  onGiveUp?: (message: string) => void;
  /** seconds between system-metric samples for a runtime this extension starts; undefined: the runtime's default */
  statsIntervalSeconds?: () => number | undefined;
}

export class RuntimeConnection implements vscode.Disposable {
  private rt?: LiveRuntime;
  private ws?: WebSocket;
  private connecting?: Promise<LiveRuntime>;
  private disposed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private everConnected = false;
  private restartNoticeShown = false;
  /** a user-asked restart is starting the runtime: no "it was restarted" notice */
  private restarting = false;
  private readonly policy: RestartPolicy;
  private readonly ownership: RuntimeOwnership;
  private filters = new Map<object, LiveFilter>();
  private readonly events = new vscode.EventEmitter<LiveEvent[]>();
  private readonly resyncs = new vscode.EventEmitter<void>();
  private readonly states = new vscode.EventEmitter<boolean>();
  /** live events, in batches */
  readonly onEvents = this.events.event;
  /** the link was re-established or events were dropped: views should refetch */
  readonly onResync = this.resyncs.event;
  readonly onConnectionChange = this.states.event;

  constructor(
    private readonly root: () => string,
    private readonly cliPath: string,
    private readonly nodePath: () => string | undefined,
    private readonly log: vscode.OutputChannel,
    private readonly opts: ConnectionOptions = {},
  ) {
    this.policy = new RestartPolicy(opts.policy);
    this.ownership = opts.ownership ?? memoryOwnership();
  }

  get connected(): boolean {
    return !!this.rt && this.ws?.readyState === WebSocket.OPEN;
  }

  get dataRoot(): string {
    return this.root();
  }

  get runtime(): LiveRuntime | undefined {
    return this.rt;
  }

  /** Why automatic restarts stopped, while they are stopped. */
  get givenUp(): string | undefined {
    return this.policy.givenUp;
  }

  /** The runtime serving the data root now was started by this extension (any window). */
  get ownsRuntime(): boolean {
    const info = readRuntimeInfo(this.root());
    return restartPlan(this.ownership.get(this.root()), info && { ...info, alive: pidAlive(info.pid) }) === 'stop-then-start';
  }

  /**
   * Connects only if a runtime already serves the data root (started by `trackwell run` in a terminal,
   * another window, or `trackwell serve`); never starts one. Resolves whether it is connected.
   */
  async attach(): Promise<boolean> {
    if (this.connected) return true;
    if (this.connecting) return this.connecting.then(() => true, () => false);
    if (!(await findRuntime(this.root()))) return false;
    return this.connect().then(() => true, () => false);
  }

  /** Connects (starting the runtime if none serves the data root). */
  connect(): Promise<LiveRuntime> {
    if (this.rt && this.ws && this.ws.readyState <= WebSocket.OPEN) return Promise.resolve(this.rt);
    this.connecting ??= this.doConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async doConnect(): Promise<LiveRuntime> {
    const root = this.root();
    let rt = await findRuntime(root);
    if (!rt) {
      this.log.appendLine(`Starting the Trackwell runtime for ${root}`);
      try {
        rt = await ensureRuntime(root, { cli: this.cliPath, node: this.nodePath(), statsIntervalSeconds: this.opts.statsIntervalSeconds?.() });
      } catch (e) {
        throw new RuntimeUnavailableError(`${(e as Error).message}. Check the "trackwell.nodePath" setting, or run \`trackwell serve\` in a terminal to see why.`);
      }
      this.ownership.set(root, { pid: rt.info.pid, started_at: rt.info.started_at });
      if (this.everConnected && !this.restartNoticeShown && !this.restarting) {
        this.restartNoticeShown = true;
        void vscode.window.showWarningMessage('The Trackwell runtime stopped; it was restarted and the views reconnected.');
      }
    }
    this.rt = rt;
    await this.openSocket(rt);
    this.everConnected = true;
    this.policy.onConnected();
    this.log.appendLine(`Connected to the Trackwell runtime at ${rt.url} (pid ${rt.info.pid})`);
    this.states.fire(true);
    this.resyncs.fire();
    return rt;
  }

  private openSocket(rt: LiveRuntime): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${rt.url.replace(/^http/, 'ws')}/api/live?token=${rt.token}`);
      this.ws = ws;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.sendSubscription();
        resolve();
      });
      ws.on('message', (data) => {
        let m: LiveServerMessage;
        try {
          m = JSON.parse(String(data));
        } catch {
          return;
        }
        if (m.type === 'events') this.events.fire(m.events);
        else if (m.type === 'resync') this.resyncs.fire();
      });
      ws.on('error', (e) => {
        if (!opened) reject(e);
      });
      ws.on('close', () => {
        if (this.ws !== ws) return;
        this.ws = undefined;
        this.rt = undefined;
        this.states.fire(false);
        if (opened && !this.disposed) {
          this.log.appendLine('The link to the Trackwell runtime dropped.');
          this.follow(this.policy.onDrop(Date.now()));
        }
      });
    });
  }

  private follow(d: RestartDecision): void {
    if (d.action === 'give-up') {
      this.log.appendLine(d.message);
      this.opts.onGiveUp?.(d.message);
      return;
    }
    this.scheduleReconnect(d.delayMs, d.attempt);
  }

  private scheduleReconnect(ms: number, attempt: number): void {
    if (this.disposed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.disposed) return;
      this.connect().catch((e) => {
        this.log.appendLine(`Reconnecting to the runtime (attempt ${attempt}) failed: ${(e as Error).message}`);
        this.follow(this.policy.onFailure(Date.now(), (e as Error).message));
      });
    }, ms);
  }

  /** Drops the link without restarting anything (e.g. the data root changed); `connect` or `attach` links again. */
  disconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.policy.reset();
    const ws = this.ws;
    this.ws = undefined;
    this.rt = undefined;
    ws?.terminate();
    if (ws) this.states.fire(false);
  }

  /**
   * "Restart Runtime": stops the runtime this extension started for the data root, starts a fresh one
   * and reconnects. A runtime started elsewhere (`trackwell serve` in a terminal) is left running and
   * only reconnected to; `plan` says which happened.
   */
  async restart(): Promise<{ runtime: LiveRuntime; plan: 'start' | 'stop-then-start' | 'reconnect'; stoppedPid?: number }> {
    await this.connecting?.catch(() => undefined);
    this.disconnect();
    const root = this.root();
    const info = readRuntimeInfo(root);
    const plan = restartPlan(this.ownership.get(root), info && { ...info, alive: pidAlive(info.pid) });
    if (plan === 'stop-then-start' && info) {
      this.log.appendLine(`Stopping the Trackwell runtime for ${root} (pid ${info.pid})`);
      await stopRuntime(root);
      this.ownership.set(root, undefined);
    } else if (plan === 'reconnect' && info) {
      this.log.appendLine(`The runtime serving ${root} (pid ${info.pid}) was not started by Trackwell in VS Code; reconnecting to it without stopping it. Stop it with \`trackwell serve --stop\`.`);
    }
    this.restarting = true;
    try {
      return { runtime: await this.connect(), plan, stoppedPid: plan === 'stop-then-start' ? info?.pid : undefined };
    } finally {
      this.restarting = false;
    }
  }

  /** Registers what a view wants pushed; returns a function that withdraws it. */
  subscribe(owner: object, filter: LiveFilter): () => void {
    this.filters.set(owner, filter);
    this.sendSubscription();
    return () => {
      this.filters.delete(owner);
      this.sendSubscription();
    };
  }

  private sendSubscription(): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const union = (pick: (f: LiveFilter) => Set<number> | '*'): number[] | '*' => {
      const keys = new Set<number>();
      for (const f of this.filters.values()) {
        const v = pick(f);
        if (v === '*') return '*';
        v.forEach((k) => keys.add(k));
      }
      return [...keys];
    };
    this.ws.send(JSON.stringify({ type: 'subscribe', history: union((f) => f.history), console: union((f) => f.console), system: union((f) => f.system) }));
  }

  /** An API request; connects first, and retries once after reconnecting if the runtime went away. */
  request<T = any>(method: string, path: string, query?: Record<string, string | string[]>, body?: unknown): Promise<T> {
    return this.withRetry((rt, qs) => requestJson<T>(rt.url, rt.token, method, path + qs, body, 30000), query);
  }

  /** A GET whose answer is bytes, not JSON (a stored file's content). */
  requestBytes(path: string, query?: Record<string, string | string[]>): Promise<Buffer> {
    return this.withRetry((rt, qs) => requestRaw(rt.url, rt.token, 'GET', path + qs, undefined, 30000), query);
  }

  private async withRetry<T>(send: (rt: LiveRuntime, qs: string) => Promise<T>, query?: Record<string, string | string[]>): Promise<T> {
    const qs = query ? '?' + new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString() : '';
    for (let attempt = 0; ; attempt++) {
      const rt = await this.connect();
      try {
        return await send(rt, qs);
      } catch (e) {
        const status = (e as { status?: number }).status;
        if (status !== undefined || attempt > 0) throw e;
        this.rt = undefined; // network error: the runtime may have died; reconnect once
        this.ws?.terminate();
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reconnectTimer);
    this.ws?.close();
    this.events.dispose();
    this.resyncs.dispose();
    this.states.dispose();
  }
}
