// The extension's link to the runtime sidecar: starts it on demand (one per data root, shared by every
// window), sends API requests, keeps one WebSocket for live events, and restarts the runtime if it dies.
import * as vscode from 'vscode';
import WebSocket from 'ws';
import type { LiveEvent } from '../runtime/protocol/live';
import type { LiveServerMessage } from '../runtime/protocol/api';
import { ensureRuntime } from '../runtime/server/daemon';
import { findRuntime, requestJson, requestRaw, type LiveRuntime } from '../runtime/server/runtimeInfo';

export interface LiveFilter {
  history: Set<number> | '*';
  console: Set<number> | '*';
  system: Set<number> | '*';
}

export class RuntimeUnavailableError extends Error {}

export class RuntimeConnection implements vscode.Disposable {
  private rt?: LiveRuntime;
  private ws?: WebSocket;
  private connecting?: Promise<LiveRuntime>;
  private disposed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private everConnected = false;
  private restartNoticeShown = false;
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
  ) {}

  get connected(): boolean {
    return !!this.rt && this.ws?.readyState === WebSocket.OPEN;
  }

  get dataRoot(): string {
    return this.root();
  }

  get runtime(): LiveRuntime | undefined {
    return this.rt;
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
        rt = await ensureRuntime(root, { cli: this.cliPath, node: this.nodePath() });
      } catch (e) {
        throw new RuntimeUnavailableError(`${(e as Error).message}. Check the "trackwell.nodePath" setting, or run \`trackwell serve\` in a terminal to see why.`);
      }
      if (this.everConnected && !this.restartNoticeShown) {
        this.restartNoticeShown = true;
        void vscode.window.showWarningMessage('The Trackwell runtime stopped; it was restarted and the views reconnected.');
      }
    }
    this.rt = rt;
    await this.openSocket(rt);
    this.everConnected = true;
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
        if (opened) this.scheduleReconnect(500);
      });
    });
  }

  private scheduleReconnect(ms: number): void {
    if (this.disposed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((e) => {
        this.log.appendLine(`Reconnecting to the runtime failed: ${(e as Error).message}`);
        this.scheduleReconnect(Math.min(ms * 2, 10000));
      });
    }, ms);
  }

  /** Drops the current link (e.g. the data root changed) and connects again. */
  restart(): Promise<LiveRuntime> {
    const ws = this.ws;
    this.ws = undefined;
    this.rt = undefined;
    ws?.terminate();
    return this.connect();
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
