// One live subscription for the whole page: views say which runs' history/console/system points they
// want; the hub sends the union (once per tick) and dispatches events by type.
import type { LiveEvent } from '../runtime/protocol/live';
import type { Transport } from './transport/types';
import { Emitter } from './transport/types';

export interface LiveWant {
  history?: number[];
  console?: number[];
  system?: number[];
}

type EventOf<T extends LiveEvent['type']> = Extract<LiveEvent, { type: T }>;

export class LiveHub {
  private wants = new Set<LiveWant>();
  private emitters = new Map<string, Emitter<LiveEvent>>();
  private resyncE = new Emitter<string>();
  private last = '';
  private queued = false;

  constructor(private transport: Transport) {
    transport.onLive((m) => {
      if (m.type === 'events') for (const e of m.events) this.emitters.get(e.type)?.emit(e);
      else if (m.type === 'resync') this.resyncE.emit(m.reason);
    });
  }

  want(w: LiveWant): () => void {
    this.wants.add(w);
    this.sync();
    return () => {
      this.wants.delete(w);
      this.sync();
    };
  }

  on<T extends LiveEvent['type']>(type: T, fn: (e: EventOf<T>) => void): () => void {
    let e = this.emitters.get(type);
    if (!e) this.emitters.set(type, (e = new Emitter<LiveEvent>()));
    return e.on(fn as (e: LiveEvent) => void);
  }

  /** Events were dropped (slow connection, reconnect): refetch what is shown. */
  onResync(fn: (reason: string) => void): () => void {
    return this.resyncE.on(fn);
  }

  private sync(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      const union = (k: keyof LiveWant) => [...new Set([...this.wants].flatMap((w) => w[k] ?? []))].sort((a, b) => a - b);
      const msg = { type: 'subscribe' as const, history: union('history'), console: union('console'), system: union('system') };
      const text = JSON.stringify(msg);
      if (text === this.last) return;
      this.last = text;
      this.transport.live(msg);
    });
  }
}
