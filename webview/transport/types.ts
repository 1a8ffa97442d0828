// The one seam between the UI and its host: a browser tab talks to the runtime itself (fetch +
// WebSocket), a VS Code webview talks to the extension through postMessage. Views see only this.
import type { LiveClientMessage, LiveServerMessage } from '../../runtime/protocol/api';
import type { DashboardSettings, DashboardView } from '../../runtime/protocol/webview';

export type Query = Record<string, string | number | boolean | (string | number)[] | undefined | null>;

export interface RequestInit {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** 'text': resolve with the body's text instead of parsed JSON (stored files) */
  as?: 'text';
}

export type LinkStatus = 'connecting' | 'open' | 'closed';

export interface Boot {
  view: DashboardView;
  state?: unknown;
  settings: DashboardSettings;
}

export interface Transport {
  readonly host: 'browser' | 'vscode';
  /** Resolves once the host has said which view to show. */
  start(): Promise<Boot>;
  request<T>(path: string, query?: Query, init?: RequestInit): Promise<T>;
  /** Sends a live-stream message (subscriptions); resent by the transport after a reconnect. */
  live(message: LiveClientMessage): void;
  onLive(fn: (m: LiveServerMessage) => void): () => void;
  onStatus(fn: (s: LinkStatus) => void): () => void;
  /** Asks for another view: a browser changes its route, VS Code opens or reveals a panel. */
  open(view: DashboardView): void;
  /** The host switched the view shown in place (browser: back/forward; VS Code: `show`). */
  onShow(fn: (view: DashboardView) => void): () => void;
  saveState(state: unknown): void;
  /** Editor actions (VS Code only). */
  command(command: string, args: unknown[]): void;
}

/** An API failure with what the user should do about it. */
export class ApiError extends Error {
  constructor(message: string, readonly status?: number, readonly unreachable = false) {
    super(message);
  }
}

/** Query object -> URLSearchParams (arrays repeat the name, empty values are left out). */
export function toSearch(q: Query | undefined): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)));
    else p.set(k, String(v));
  }
  return p;
}

/** The same as a plain record for postMessage (protocol: Record<string, string | string[]>). */
export function toRecord(q: Query | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of toSearch(q)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export class Emitter<T> {
  private fns = new Set<(v: T) => void>();
  on(fn: (v: T) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(v: T): void {
    for (const fn of [...this.fns]) {
      try {
        fn(v);
      } catch (e) {
        console.error('trackwell: listener failed', e);
      }
    }
  }
}
