// In-process fan-out of live deltas. Listeners must be fast: slow consumers buffer on their own side
// (see server/liveSocket.ts) so ingestion never waits for them.
import type { LiveEvent } from '../protocol/live';

export type LiveListener = (events: LiveEvent[]) => void;

export class LiveBus {
  private listeners = new Set<LiveListener>();

  subscribe(fn: LiveListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(events: LiveEvent[]): void {
    if (!events.length) return;
    for (const fn of this.listeners) {
      try {
        fn(events);
      } catch (e) {
        console.error('trackwell: live listener failed:', e);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
