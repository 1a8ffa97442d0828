// What every CLI command needs: the data root, and a store that reflects every journal.
import path from 'node:path';
import { ensureDataRoot, resolveDataRoot } from '../store/dataRoot';
import { Store } from '../store/store';
import { Ingestor } from '../ingest/ingestor';
import { JournalScanner } from '../ingest/scanner';
import { LivenessMonitor } from '../ingest/liveness';
import { LiveBus } from '../live/bus';
import { findRuntime, type LiveRuntime } from '../server/runtimeInfo';

export const DIR_HELP = 'data root (default: $TRACKWELL_DIR, else the nearest .trackwell folder, else ./.trackwell)';

export interface GlobalOptions {
  dir?: string;
}

export function dataRoot(opts: GlobalOptions): string {
  return opts.dir ? path.resolve(opts.dir) : resolveDataRoot();
}

export interface StoreSession {
  store: Store;
  runtime?: LiveRuntime;
  scanner: JournalScanner;
  close(): void;
}

/**
 * Opens the store for a command. When no runtime serves the root, this process does the runtime's
 * bookkeeping first (ingest journals recorded offline, mark runs whose process died as crashed) so
 * what the command prints is current.
 */
export async function openStore(root: string, opts: { quiet?: boolean } = {}): Promise<StoreSession> {
  const paths = ensureDataRoot(root);
  const runtime = await findRuntime(root);
  const store = Store.open(paths.db);
  const log = opts.quiet ? () => {} : (m: string) => console.error(m);
  const ingestor = new Ingestor(store, undefined, log);
  const scanner = new JournalScanner(store, ingestor, paths, log);
  if (!runtime) {
    scanner.scan({ all: true });
    new LivenessMonitor(store, scanner, new LiveBus(), log).check();
  }
  return { store, runtime, scanner, close: () => store.close() };
}
