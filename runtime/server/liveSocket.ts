// WebSocket /api/live: pushes live deltas to subscribers. Each client has a queue, bounded in events
// and bytes, flushed every FLUSH_MS; a client that cannot keep up has its queue dropped and, once its
// socket has drained, gets a `resync` message followed by every later event. So a slow subscriber never
// holds up ingestion or other subscribers, and what it refetches on `resync` misses nothing.
import type http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Runtime } from './runtime';
import type { LiveEvent } from '../protocol/live';
import type { LiveClientMessage, LiveServerMessage } from '../protocol/api';
import { VERSION } from './runtimeInfo';

const FLUSH_MS = 50;
export const MAX_QUEUED_EVENTS = 20000;
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
export const MAX_SOCKET_BUFFER = 8 * 1024 * 1024;

/** Each event is serialized once, whatever the number of subscribers it goes to. */
const encoded = new WeakMap<LiveEvent, string>();
function encode(e: LiveEvent): string {
  let s = encoded.get(e);
  if (s === undefined) encoded.set(e, (s = JSON.stringify(e)));
  return s;
}

/** The part of a ws WebSocket a subscriber uses (tests drive it with a stand-in). */
export type LiveSocketLike = Pick<WebSocket, 'readyState' | 'OPEN' | 'bufferedAmount' | 'send'>;

type Filter = Set<number> | '*' | undefined;

export class Subscriber {
  history: Filter;
  console: Filter;
  system: Filter;
  /** serialized events waiting for the next flush, and their size in bytes (UTF-16 units, near enough) */
  queue: string[] = [];
  queuedBytes = 0;
  /** events were dropped: nothing is queued until the resync has been sent */
  behind: string | null = null;

  constructor(readonly ws: LiveSocketLike) {}

  wants(e: LiveEvent): boolean {
    const pick = (f: Filter, key: number) => f === '*' || (f instanceof Set && f.has(key));
    switch (e.type) {
      case 'history': return pick(this.history, e.run.key);
      case 'console': return pick(this.console, e.run.key);
      case 'system': return pick(this.system, e.run.key);
      default: return true;
    }
  }

  push(events: LiveEvent[]): void {
    if (this.behind) return;
    for (const e of events) {
      if (!this.wants(e)) continue;
      const s = encode(e);
      this.queue.push(s);
      this.queuedBytes += s.length;
    }
    if (this.queue.length > MAX_QUEUED_EVENTS) this.fellBehind('too many queued events');
    else if (this.queuedBytes > MAX_QUEUED_BYTES) this.fellBehind('too many queued bytes');
  }

  /** Drops the queue; the resync goes out when the socket has drained (flush), not now: events until then are dropped too. */
  fellBehind(reason: string): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.behind = reason;
  }

  flush(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.behind !== null) {
      // Resume once the socket has drained: the resync is the first thing after the gap, and every
      // event from here on is delivered, so what the client refetches on it misses nothing.
      if (this.ws.bufferedAmount >= MAX_SOCKET_BUFFER / 4) return;
      const reason = this.behind;
      this.behind = null;
      this.send({ type: 'resync', reason });
      return;
    }
    if (!this.queue.length) return;
    if (this.ws.bufferedAmount > MAX_SOCKET_BUFFER) {
      this.fellBehind('the connection is too slow');
      return;
    }
    const events = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.sendRaw(`{"type":"events","events":[${events.join(',')}]}`);
  }

  send(m: LiveServerMessage): void {
    this.sendRaw(JSON.stringify(m));
  }

  private sendRaw(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
}

const toFilter = (v: number[] | '*' | undefined): Filter => (v === '*' ? '*' : Array.isArray(v) ? new Set(v.map(Number)) : undefined);

export function attachLiveSocket(rt: Runtime, server: http.Server, authorize: (req: http.IncomingMessage) => boolean): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const subs = new Set<Subscriber>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/live' || !authorize(req)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sub = new Subscriber(ws);
      subs.add(sub);
      rt.liveClients++;
      sub.send({ type: 'hello', version: VERSION });
      ws.on('message', (data) => {
        let m: LiveClientMessage;
        try {
          m = JSON.parse(String(data));
        } catch {
          return;
        }
        if (m.type === 'ping') sub.send({ type: 'pong' });
        else if (m.type === 'subscribe') {
          sub.history = toFilter(m.history);
          sub.console = toFilter(m.console);
          sub.system = toFilter(m.system);
        }
      });
      ws.on('close', () => {
        subs.delete(sub);
        rt.liveClients--;
      });
      ws.on('error', () => ws.terminate());
    });
  });
  const unsubscribe = rt.bus.subscribe((events) => {
    for (const s of subs) s.push(events);
  });
  const timer = setInterval(() => {
    for (const s of subs) s.flush();
  }, FLUSH_MS);
  timer.unref();
  rt.onShutdown(() => {
    clearInterval(timer);
    unsubscribe();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
}
