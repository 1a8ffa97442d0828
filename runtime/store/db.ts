// Opens the SQLite store: WAL, pragmas, and schema migrations.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type DB = Database.Database;

export class StoreVersionError extends Error {}

export interface OpenOptions {
  readonly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): DB {
  if (!opts.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly, timeout: 10000 });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; the journals cover power loss.
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 4000');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -32000');
  migrate(db, file);
  return db;
}

export function migrate(db: DB, file = 'the store'): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    db.close();
    throw new StoreVersionError(
      `${file} has schema version ${current}, but this Trackwell understands up to ${SCHEMA_VERSION}. ` +
        'Upgrade Trackwell to open it (nothing was changed).',
    );
  }
  if (current === SCHEMA_VERSION || db.readonly) return;
  // IMMEDIATE: two processes opening an old store at once must not both migrate it.
  db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    for (const m of MIGRATIONS) {
      if (m.version <= now) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
