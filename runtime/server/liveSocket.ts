// WebSocket /api/live: pushes live deltas to subscribers. Each client has a bounded queue flushed
// every FLUSH_MS; a client that cannot keep up gets its queue dropped and a `resync` message, so a
// slow subscriber never holds up ingestion or other subscribers.
import type http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Runtime } from './runtime';
import type { LiveEvent } from '../protocol/live';
import type { LiveClientMessage, LiveServerMessage } from '../protocol/api';
import { VERSION } from './runtimeInfo';

const FLUSH_MS = 50;
const MAX_QUEUED_EVENTS = 20000;
const MAX_SOCKET_BUFFER = 8 * 1024 * 1024;

type Filter = Set<number> | '*' | undefined;

class Subscriber {
  history: Filter;
  console: Filter;
  system: Filter;
  queue: LiveEvent[] = [];
  behind = false;

  constructor(readonly ws: WebSocket) {}

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
    for (const e of events) if (this.wants(e)) this.queue.push(e);
    if (this.queue.length > MAX_QUEUED_EVENTS) this.fellBehind('too many queued events');
  }

  fellBehind(reason: string): void {
    this.queue = [];
    this.behind = true;
    this.send({ type: 'resync', reason });
  }

  flush(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.behind) {
      // Resume once the socket has drained; the client refetches what it shows.
      if (this.ws.bufferedAmount < MAX_SOCKET_BUFFER / 4) this.behind = false;
      return;
    }
    if (!this.queue.length) return;
    if (this.ws.bufferedAmount > MAX_SOCKET_BUFFER) {
      this.fellBehind('the connection is too slow');
      return;
    }
    const events = this.queue;
    this.queue = [];
    this.send({ type: 'events', events });
  }

  send(m: LiveServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(m));
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
    for (const s of subs) s.ws.terminate();
    wss.close();
  });
}
