// Journal record types: the contract between the Python client and the runtime (docs/journal.md).

/** A JSON value as stored in a journal; non-finite numbers appear as {"$num": "NaN" | "Infinity" | "-Infinity"}. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type RunState = 'running' | 'finished' | 'failed' | 'killed' | 'crashed';
export const RUN_STATES: readonly RunState[] = ['running', 'finished', 'failed', 'killed', 'crashed'];

interface Base {
  /** sequence number within the journal, 0, 1, 2, ... */
  s: number;
  /** epoch seconds */
  ts: number;
}

export interface RunRecord extends Base {
  t: 'run';
  journal: string;
  id: string;
  project: string;
  entity?: string | null;
  name?: string | null;
  notes?: string | null;
  tags?: string[];
  group?: string | null;
  job_type?: string | null;
  sweep_id?: string | null;
  start_time: number;
  pid?: number | null;
  host?: string | null;
  run_dir?: string | null;
  mode?: 'online' | 'offline';
  resumed?: boolean;
  resume_from_step?: number | null;
  fork_from?: { run: string; step: number } | null;
  launch_id?: string | null;
  discard?: boolean;
}

export interface ConfigRecord extends Base {
  t: 'config';
  update: JsonObject;
  locked?: string[];
}

export interface HistoryRecord extends Base {
  t: 'history';
  step: number;
  runtime: number;
  data: JsonObject;
}

export interface SummaryRecord extends Base {
  t: 'summary';
  update: JsonObject;
  remove?: string[];
}

export interface MetricRecord extends Base {
  t: 'metric';
  name: string;
  step_metric?: string | null;
  step_sync?: boolean | null;
  hidden?: boolean | null;
  summary?: string[] | null;
  goal?: string | null;
}

export interface ConsoleRecord extends Base {
  t: 'console';
  stream: 'stdout' | 'stderr';
  text?: string;
  b64?: string;
}

/** What the script last did, as its heartbeats report it (runs.activity). */
export interface RunActivity {
  /** epoch seconds of the last log() call or console output */
  ts: number;
  kind: 'log' | 'console';
  /** the step the last log() call went to; null before the first */
  step: number | null;
}

export interface HeartbeatRecord extends Base {
  t: 'heartbeat';
  /** absent until the script has logged or printed something */
  activity?: RunActivity;
}

export interface MetaRecord extends Base {
  t: 'meta';
  program?: JsonObject;
  git?: JsonObject | null;
  sources?: JsonValue[];
  dependencies?: JsonValue;
  host?: JsonObject;
  [key: string]: JsonValue | undefined;
}

export interface FileRecord extends Base {
  t: 'file';
  path: string;
  sha256: string;
  size: number;
  kind?: string;
}

export interface ExitRecord extends Base {
  t: 'exit';
  state: 'finished' | 'failed' | 'killed';
  exit_code: number | null;
  error?: { type: string; message: string; traceback: string } | null;
}

export type JournalRecord =
  | RunRecord
  | ConfigRecord
  | HistoryRecord
  | SummaryRecord
  | MetricRecord
  | ConsoleRecord
  | HeartbeatRecord
  | MetaRecord
  | FileRecord
  | ExitRecord;

export type RecordType = JournalRecord['t'];

/** Client heartbeat period, seconds. */
export const HEARTBEAT_SECONDS = 5;
