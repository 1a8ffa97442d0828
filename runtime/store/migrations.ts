// Numbered schema migrations. PRAGMA user_version holds the number of the last one applied.
// Never edit a released migration: add a new one.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'projects, runs, journals, history rows, numeric series chunks, console, files',
    sql: `
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL
      );
      CREATE TABLE runs (
        key INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        id TEXT NOT NULL,
        name TEXT, notes TEXT, group_name TEXT, job_type TEXT, entity TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL DEFAULT 'running',
        exit_code INTEGER,
        error TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        finished_at REAL,
        heartbeat_at REAL,
        host TEXT, pid INTEGER, run_dir TEXT, sweep_id TEXT, mode TEXT,
        launch_id TEXT,
        resumed INTEGER NOT NULL DEFAULT 0,
        fork_from TEXT,
        config TEXT NOT NULL DEFAULT '{}',
        config_locked TEXT NOT NULL DEFAULT '[]',
        summary TEXT NOT NULL DEFAULT '{}',
        metadata TEXT NOT NULL DEFAULT '{}',
        metrics TEXT NOT NULL DEFAULT '{}',
        last_step INTEGER,
        last_runtime REAL,
        history_rows INTEGER NOT NULL DEFAULT 0,
        console_bytes INTEGER NOT NULL DEFAULT 0,
        UNIQUE (project_id, id)
      );
      CREATE INDEX runs_by_id ON runs(id);
      CREATE INDEX runs_by_state ON runs(state);
      CREATE INDEX runs_by_created ON runs(created_at);
      CREATE INDEX runs_by_launch ON runs(launch_id);

      -- One row per journal file: how far it has been ingested.
      CREATE TABLE journals (
        uuid TEXT PRIMARY KEY,
        run_key INTEGER REFERENCES runs(key) ON DELETE CASCADE,
        path TEXT,
        next_seq INTEGER NOT NULL DEFAULT 0,
        offset INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
      );
      CREATE INDEX journals_by_run ON journals(run_key);
      CREATE INDEX journals_by_path ON journals(path);

      -- Integer dictionary of flattened history key names.
      CREATE TABLE metric_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      -- Which keys each run has logged, and whether they are numeric.
      CREATE TABLE run_keys (
        run_key INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
        key_id INTEGER NOT NULL,
        numeric INTEGER NOT NULL,
        PRIMARY KEY (run_key, key_id)
      ) WITHOUT ROWID;

      -- Every committed history row, as logged (nested trees kept). The raw, exportable copy.
      CREATE TABLE history (
        run_key INTEGER NOT NULL,
        step INTEGER NOT NULL,
        ts REAL NOT NULL,
        runtime REAL NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_key, step)
      ) WITHOUT ROWID;

      -- Numeric series packed in chunks of up to 1024 points with min/max summaries of the chunk and
      -- of its 64-point blocks, so a downsampled chart reads summaries, not points. Summaries and
      -- points live in separate tables: summary rows stay small enough to read without overflow pages.
      CREATE TABLE series_chunks (
        id INTEGER PRIMARY KEY,
        run_key INTEGER NOT NULL,
        key_id INTEGER NOT NULL,
        chunk INTEGER NOT NULL,
        n INTEGER NOT NULL,
        first_step INTEGER NOT NULL,
        last_step INTEGER NOT NULL,
        first_ts REAL NOT NULL,
        last_ts REAL NOT NULL,
        min_value REAL,
        max_value REAL,
        blocks BLOB NOT NULL,
        UNIQUE (run_key, key_id, chunk)
      );
      CREATE TABLE series_points (
        chunk_id INTEGER PRIMARY KEY REFERENCES series_chunks(id) ON DELETE CASCADE,
        steps BLOB NOT NULL,
        ts BLOB NOT NULL,
        vals BLOB NOT NULL
      );

      -- Console output as written, with the byte offset of each piece in the run's console.
      CREATE TABLE console (
        run_key INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        ts REAL NOT NULL,
        stream TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (run_key, offset)
      ) WITHOUT ROWID;

      -- Files saved with a run; bytes are in the content-addressed blob store.
      CREATE TABLE files (
        run_key INTEGER NOT NULL REFERENCES runs(key) ON DELETE CASCADE,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        kind TEXT,
        ts REAL NOT NULL,
        PRIMARY KEY (run_key, path)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'system metrics: per-run sampler settings (runs.stats) and system_samples',
    sql: `
      -- The client's system-metrics settings for the run, JSON
      -- {"sampling_interval": seconds|null, "disk_paths": [..]|null, "disabled": bool}; NULL: defaults.
      ALTER TABLE runs ADD COLUMN stats TEXT;

      -- One row per run and sample time: data is a JSON object of W&B tag -> number (runtime/metrics).
      -- Its tags are registered in run_keys as system/<tag> with numeric = 2 (numeric, not a history series).
      CREATE TABLE system_samples (
        run_key INTEGER NOT NULL,
        ts REAL NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_key, ts)
      ) WITHOUT ROWID;

      -- Deleting a run deletes its samples, whoever deletes it.
      CREATE TRIGGER system_samples_of_deleted_run AFTER DELETE ON runs
      BEGIN
        DELETE FROM system_samples WHERE run_key = old.key;
      END;
    `,
  },
  {
    version: 3,
    description: 'sweeps: the sweep, the trials it handed out, its agents',
    sql: `
  CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name TEXT,
    config TEXT NOT NULL,
    raw TEXT,
    source_path TEXT,
    state TEXT NOT NULL,
    reason TEXT,
    seed INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished_at REAL
  );
  CREATE TABLE sweep_trials (
    sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    run_id TEXT NOT NULL,
    params TEXT NOT NULL,
    agent_id TEXT,
    created_at REAL NOT NULL,
    stop_reason TEXT,
    exit_code INTEGER,
    ended_at REAL,
    PRIMARY KEY (sweep_id, run_id)
  ) WITHOUT ROWID;
  CREATE TABLE sweep_agents (
    id TEXT PRIMARY KEY,
    sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    host TEXT, pid INTEGER,
    started_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    state TEXT NOT NULL
  );
    `,
  },
  {
    version: 4,
    description: "the run's last activity, from its heartbeats",
    sql: `
      -- JSON {"ts": seconds, "kind": "log"|"console", "step": n} from the latest heartbeat record that
      -- carried one: when the script last called log() or printed, and its step then. NULL: none yet.
      ALTER TABLE runs ADD COLUMN activity TEXT;
    `,
  },
  {
    version: 5,
    description: 'forks waiting for their source run (runs.fork_pending)',
    // 1 while a fork_from run lacks its source's history and config: the source was not stored (or had
    // not reached the fork step) when the fork arrived; ingesting the source completes the fork.
    sql: `ALTER TABLE runs ADD COLUMN fork_pending INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX runs_fork_pending ON runs(project_id) WHERE fork_pending = 1;`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
