// Marks runs whose process is gone as crashed. On this host a dead pid is proof; elsewhere (or when
// a pid may have been reused after a reboot) heartbeats that stopped are.
import os from 'node:os';
import type { Store } from '../store/store';
import type { LiveBus } from '../live/bus';
import type { JournalScanner } from './scanner';
import { runInfo } from './ingestor';
import { HEARTBEAT_SECONDS } from '../protocol/journal';
import { pidAlive } from '../server/runtimeInfo';

/** Seconds without a heartbeat after which a run whose process cannot be checked is crashed. */
export const CRASH_AFTER_SECONDS = HEARTBEAT_SECONDS * 6;
/** ... and after which even a run whose pid is alive is (a hung client, or a reused pid). */
export const CRASH_AFTER_SECONDS_PID_ALIVE = HEARTBEAT_SECONDS * 24;

export class LivenessMonitor {
  private live = 0;

  constructor(private store: Store, private scanner: JournalScanner, private bus: LiveBus, private log: (m: string) => void) {}

  hasLiveRuns(): boolean {
    return this.live > 0;
  }

  check(now = Date.now() / 1000): void {
    const running = this.store.db.prepare(`SELECT key, host, pid, heartbeat_at FROM runs WHERE state = 'running'`).all() as any[];
    this.live = running.length;
    const host = os.hostname();
    for (const r of running) {
      const alive = r.pid && r.host === host ? pidAlive(r.pid) : undefined;
      const silent = now - (r.heartbeat_at ?? 0);
      if (alive === true && silent < CRASH_AFTER_SECONDS_PID_ALIVE) continue;
      if (alive === undefined && silent < CRASH_AFTER_SECONDS) continue;
      this.markCrashedIfStillRunning(r.key, alive === false ? 'its process exited without finishing the run' : `no heartbeat for ${Math.round(silent)} s`);
    }
  }

  /**
   * Ingests the run's journals to the last byte, then marks it crashed unless they say how it ended.
   * `killed`: whoever launched it stopped it on purpose (a sweep agent after its grace period).
   */
  markCrashedIfStillRunning(runKey: number, why: string, state: 'crashed' | 'killed' = 'crashed'): void {
    for (const r of this.store.db.prepare('SELECT path FROM journals WHERE run_key = ? AND path IS NOT NULL').all(runKey) as any[]) {
      this.scanner.ingestPath(r.path, true);
    }
    const run = this.store.runByKey(runKey);
    if (!run || run.state !== 'running') return;
    this.store.db.prepare(`UPDATE runs SET state = ?, finished_at = coalesce(heartbeat_at, updated_at), updated_at = ?,
      error = ? WHERE key = ?`).run(state, Date.now() / 1000, JSON.stringify({ type: state === 'killed' ? 'Killed' : 'Crashed', message: why, traceback: '' }), runKey);
    this.store.series.release(runKey);
    this.log(`trackwell: run ${run.project}/${run.id} ${state}: ${why}`);
    const after = this.store.runByKey(runKey);
    if (after) this.bus.publish([{ type: 'run', run: runInfo(after) }]);
  }
}
