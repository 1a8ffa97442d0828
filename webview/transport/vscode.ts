// VS Code webview: the extension relays API requests and live events (runtime/protocol/webview.ts),
// so the webview needs neither the runtime's address nor network access (CSP connect-src 'none').
import type { LiveClientMessage, LiveServerMessage } from '../../runtime/protocol/api';
import type { DashboardView, HostToWebview, WebviewToHost } from '../../runtime/protocol/webview';
import { ApiError, Emitter, toRecord, type Boot, type LinkStatus, type Query, type RequestInit, type Transport } from './types';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

const REQUEST_TIMEOUT_MS = 60000;

export class VsCodeTransport implements Transport {
  readonly host = 'vscode' as const;
  private api: VsCodeApi = acquireVsCodeApi();
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: number }>();
  private liveE = new Emitter<LiveServerMessage>();
  private showE = new Emitter<DashboardView>();
  private init?: (m: Extract<HostToWebview, { type: 'init' }>) => void;

  start(): Promise<Boot> {
    window.addEventListener('message', (e: MessageEvent) => this.receive(e.data as HostToWebview));
    return new Promise((resolve) => {
      this.init = (m) => {
        // The host's copy of the state survives panel restores; the webview's own is the fallback.
        const state = m.state ?? this.api.getState() ?? undefined;
        resolve({ view: m.view, state, settings: m.settings ?? {} });
      };
      this.post({ type: 'ready' });
    });
  }

  request<T>(path: string, query?: Query, init: RequestInit = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError('The extension did not answer; the Trackwell runtime may have stopped.', undefined, true));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.post({ type: 'request', id, method: init.method, path, query: toRecord(query), body: init.body, as: init.as });
    });
  }

  live(message: LiveClientMessage): void {
    this.post({ type: 'live', message });
  }

  onLive(fn: (m: LiveServerMessage) => void): () => void {
    return this.liveE.on(fn);
  }

  onStatus(fn: (s: LinkStatus) => void): () => void {
    // The extension owns the connection and sends `resync` after reconnecting.
    fn('open');
    return () => undefined;
  }

  open(view: DashboardView): void {
    this.post({ type: 'open', view });
  }

  onShow(fn: (view: DashboardView) => void): () => void {
    return this.showE.on(fn);
  }

  saveState(state: unknown): void {
    this.api.setState(state);
    this.post({ type: 'state', state });
  }

  command(command: string, args: unknown[]): void {
    this.post({ type: 'command', command, args });
  }

  private post(m: WebviewToHost): void {
    this.api.postMessage(m);
  }

  private receive(m: HostToWebview): void {
    if (!m || typeof m !== 'object') return;
    switch (m.type) {
      case 'init':
        this.init?.(m);
        this.init = undefined;
        return;
      case 'response': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        window.clearTimeout(p.timer);
        if (m.ok) p.resolve(m.json);
        else p.reject(new ApiError(m.error, m.status, m.status === undefined || m.status === 0 || m.status === 502 || m.status === 503));
        return;
      }
      case 'live':
        this.liveE.emit(m.message);
        return;
      case 'show':
        this.showE.emit(m.view);
        return;
    }
  }
}
