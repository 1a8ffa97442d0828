// Browser tab served by the runtime: fetch for the API, a WebSocket for live events, the route in the
// URL fragment. The token arrives once as #token=... (from `trackwell ui`); it is kept in
// sessionStorage and taken out of the address bar so it is not bookmarked or shared by accident.
import type { LiveClientMessage, LiveServerMessage } from '../../runtime/protocol/api';
import type { DashboardView } from '../../runtime/protocol/webview';
import { formatRoute, parseHash } from '../route';
import { ApiError, Emitter, toSearch, type Boot, type LinkStatus, type Query, type RequestInit, type Transport } from './types';

const TOKEN_KEY = 'trackwell.token';
const STATE_KEY = 'trackwell.state';
const PING_MS = 25000;

export class BrowserTransport implements Transport {
  readonly host = 'browser' as const;
  private token = '';
  private ws?: WebSocket;
  private subscription?: LiveClientMessage;
  private liveE = new Emitter<LiveServerMessage>();
  private statusE = new Emitter<LinkStatus>();
  private showE = new Emitter<DashboardView>();
  private retry = 500;
  private opened = false;
  private pinger?: number;

  async start(): Promise<Boot> {
    const { view, token } = parseHash(location.hash);
    if (token) {
      try {
        sessionStorage.setItem(TOKEN_KEY, token);
      } catch {
        /* storage disabled: the token lives in memory only */
      }
      this.token = token;
      history.replaceState(null, '', location.pathname + location.search + formatRoute(view ?? { kind: 'runs' }));
    } else {
      this.token = safeGet(TOKEN_KEY) ?? '';
    }
    window.addEventListener('hashchange', () => {
      const parsed = parseHash(location.hash);
      if (parsed.token) {
        const changed = parsed.token !== this.token;
        this.token = parsed.token;
        try { sessionStorage.setItem(TOKEN_KEY, parsed.token); } catch { /* memory only */ }
        history.replaceState(null, '', location.pathname + location.search + formatRoute(parsed.view ?? { kind: 'runs' }));
        // The same token pasted again needs no new connection (and no resync of every open view).
        if (changed) this.reconnect();
      }
      this.showE.emit(parsed.view ?? { kind: 'runs' });
    });
    this.connect();
    let state: unknown;
    try {
      state = JSON.parse(safeGet(STATE_KEY) ?? 'null') ?? undefined;
    } catch {
      state = undefined;
    }
    return { view: view ?? { kind: 'runs' }, state, settings: {} };
  }

  async request<T>(path: string, query?: Query, init: RequestInit = {}): Promise<T> {
    const qs = toSearch(query).toString();
    let res: Response;
    try {
      res = await fetch(`${path}${qs ? `?${qs}` : ''}`, {
        method: init.method ?? 'GET',
        headers: { Authorization: `Bearer ${this.token}`, ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        cache: 'no-store',
      });
    } catch {
      throw new ApiError('The Trackwell runtime is not reachable.', undefined, true);
    }
    const text = await res.text();
    if (res.ok && init.as === 'text') return text as T;
    let json: any;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw new ApiError(json?.error ?? `${res.status} ${res.statusText}`, res.status);
    return json as T;
  }

  live(message: LiveClientMessage): void {
    if (message.type === 'subscribe') this.subscription = message;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  onLive(fn: (m: LiveServerMessage) => void): () => void {
    return this.liveE.on(fn);
  }

  onStatus(fn: (s: LinkStatus) => void): () => void {
    return this.statusE.on(fn);
  }

  open(view: DashboardView): void {
    location.hash = formatRoute(view);
  }

  onShow(fn: (view: DashboardView) => void): () => void {
    return this.showE.on(fn);
  }

  saveState(state: unknown): void {
    try {
      sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
    } catch {
      /* quota or disabled storage: state is only a convenience */
    }
  }

  command(): void {
    /* editor commands do not exist in a browser tab */
  }

  private reconnect(): void {
    this.ws?.close();
  }

  private connect(): void {
    this.statusE.emit('connecting');
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/api/live?token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 500;
      this.statusE.emit('open');
      if (this.subscription) ws.send(JSON.stringify(this.subscription));
      // Events were missed while disconnected: views refetch what they show.
      if (this.opened) this.liveE.emit({ type: 'resync', reason: 'reconnected to the runtime' });
      this.opened = true;
      window.clearInterval(this.pinger);
      this.pinger = window.setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), PING_MS);
    };
    ws.onmessage = (e) => {
      try {
        this.liveE.emit(JSON.parse(String(e.data)) as LiveServerMessage);
      } catch {
        /* not ours */
      }
    };
    ws.onclose = () => {
      window.clearInterval(this.pinger);
      if (this.ws !== ws) return;
      this.statusE.emit('closed');
      const wait = this.retry;
      this.retry = Math.min(this.retry * 2, 8000);
      window.setTimeout(() => this.connect(), wait);
    };
  }
}

function safeGet(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}
