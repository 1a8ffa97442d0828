// Finds journals in the data root (and paths given to `trackwell sync`) and ingests what the store
// lacks: runs recorded offline, and the tails that a client could not send before it stopped.
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store';
import type { DataRootPaths } from '../store/dataRoot';
import type { Ingestor, IngestOutcome } from './ingestor';

export const JOURNAL_FILE = 'run.journal';

export interface SyncedJournal {
  path: string;
  uuid: string | null;
  runKey: number | null;
  applied: number;
  problems: { offset: number; reason: string }[];
}

export class JournalScanner {
  /** journals known to be complete (their run ended and every byte is stored) */
  private complete = new Set<string>();

  constructor(private store: Store, private ingestor: Ingestor, private paths: DataRootPaths, private log: (m: string) => void) {}

  /**
   * Ingests journals under <root>/runs that grew beyond what is stored. Journals a live client is
   * streaming (stored within the last few seconds) are left to it unless `all`.
   */
  scan(opts: { all?: boolean } = {}): SyncedJournal[] {
    let dirs: string[];
    try {
      dirs = fs.readdirSync(this.paths.runs);
    } catch {
      return [];
    }
    const known = new Map<string, { offset: number; updated: number; state: string | null }>();
    for (const r of this.store.db.prepare(`SELECT j.path, j.offset, j.updated_at, r.state FROM journals j
      LEFT JOIN runs r ON r.key = j.run_key WHERE j.path IS NOT NULL`).all() as any[]) {
      known.set(r.path, { offset: r.offset, updated: r.updated_at, state: r.state });
    }
    const out: SyncedJournal[] = [];
    const now = Date.now() / 1000;
    for (const d of dirs) {
      const p = path.join(this.paths.runs, d, JOURNAL_FILE);
      if (this.complete.has(p)) continue;
      let size: number;
      try {
        size = fs.statSync(p).size;
      } catch {
        continue;
      }
      const k = known.get(p);
      if (k && k.offset >= size) {
        if (k.state && k.state !== 'running') this.complete.add(p);
        continue;
      }
      if (k && !opts.all && k.state === 'running' && now - k.updated < 3) continue;
      out.push(this.ingestPath(p, k !== undefined && k.state !== null && k.state !== 'running'));
    }
    return out;
  }

  ingestPath(p: string, final: boolean): SyncedJournal {
    let res: IngestOutcome & { uuid: string | null };
    try {
      res = this.ingestor.ingestFile(p, { final });
    } catch (e) {
      this.log(`trackwell: ${(e as Error).message}`);
      return { path: p, uuid: null, runKey: null, applied: 0, problems: [{ offset: 0, reason: (e as Error).message }] };
    }
    for (const pr of res.problems) this.log(`trackwell: warning: ${p} at byte ${pr.offset}: ${pr.reason}`);
    return { path: p, uuid: res.uuid, runKey: res.runKey, applied: res.applied, problems: res.problems };
  }

  /** `trackwell sync PATH`: a journal, a run directory, or any folder holding run directories. */
  sync(target: string): SyncedJournal[] {
    const journals = findJournals(target);
    if (!journals.length) throw new Error(`No run journals (${JOURNAL_FILE}) found under ${target}`);
    return journals.map((j) => this.ingestPath(j, true));
  }
}

export function findJournals(target: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    throw new Error(`${target} does not exist`);
  }
  if (st.isFile()) return [path.resolve(target)];
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name === JOURNAL_FILE) out.push(path.resolve(p));
      else if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'blobs' && e.name !== 'files') walk(p, depth + 1);
    }
  };
  walk(target, 0);
  return out.sort();
}
