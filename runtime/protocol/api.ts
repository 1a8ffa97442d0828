// The runtime's HTTP query API: request parameters and response shapes.
// All endpoints are under /api, need `Authorization: Bearer <token>` (or `?token=` for WebSocket and
// browser bootstrap), and answer JSON. Errors answer {"error": "message saying what to fix"}.
import type { JsonObject, JsonValue } from './journal';
import type { RunInfo, SweepSummary } from './live';

/** GET /api/projects */
export interface ProjectsResponse {
  projects: { name: string; runs: number; running: number; last_created: number | null }[];
}

/**
 * GET /api/runs
 *   project, state, tag, group: exact filters (repeatable: ?state=running&state=failed)
 *   q: text search in id, name, notes, tags, group, job_type (case-insensitive substring)
 *   sort: created_at (default) | updated_at | name | id | state | project | group | job_type | duration |
 *         last_step | config.<key> | summary.<key>   (nested keys with dots; numbers order -Infinity < finite
 *         < +Infinity < text, with NaN and then missing values last in either order)
 *   order: asc | desc (default desc for created_at, asc otherwise)
 *   columns: comma list of config.<key> / summary.<key> values to include with each run
 *   offset, limit: paging (limit default 1000, max 100000)
 */
/** GET /api/columns (same filters as /api/runs): `config.<key>` / `summary.<key>` names, sorted. */
export interface ColumnsResponse {
  columns: string[];
}

export interface RunsResponse {
  total: number;
  offset: number;
  runs: RunListItem[];
}

export interface RunListItem extends RunInfo {
  /** seconds; for running runs up to now */
  duration: number;
  /** requested columns: "config.lr" -> value */
  columns: Record<string, JsonValue>;
}

/** GET /api/runs/:key  (key = the integer RunInfo.key) */
export interface RunDetail extends RunListItem {
  entity: string | null;
  error: { type: string; message: string; traceback: string } | null;
  host: string | null;
  pid: number | null;
  run_dir: string | null;
  resumed: boolean;
  config: JsonObject;
  summary: JsonObject;
  metadata: JsonObject;
  /** define_metric definitions by name: {step_metric, step_sync, hidden, summary, goal} */
  metrics: Record<string, JsonObject>;
  history_keys: { name: string; numeric: boolean }[];
  console_bytes: number;
  /** system-metric tags sampled for this run (charted with x = time) */
  system_keys: string[];
}

/** GET /api/runs/:key/console?offset=0&limit=1048576  (byte offsets into the run's console) */
export interface ConsoleResponse {
  offset: number;
  next_offset: number;
  total: number;
  pieces: { offset: number; ts: number; stream: 'stdout' | 'stderr'; text: string }[];
}

/** A file saved with a run (the bytes are in the data root's blob store). */
export interface RunFile {
  /** relative to the run: `code/<relpath>` (kind "source"), `diff.patch` ("patch"), `requirements.txt`
   *  ("requirements"), `snapshots/<name>/<relpath>` ("code", from save_code / log_code) */
  path: string;
  sha256: string;
  size: number;
  kind: string | null;
  /** epoch seconds the client recorded it */
  ts: number;
}

/**
 * GET /api/runs/:key/files -> {files}, ordered by path.
 * GET /api/runs/:key/files/content?path=<exact stored path> -> the bytes, with a content type; 404 when the
 *   run has no file with exactly that path or its blob is missing.
 */
export interface FilesResponse {
  files: RunFile[];
}

export type XAxis = 'step' | 'wall' | 'relative' | `metric:${string}`;

/**
 * GET /api/runs/:key/history?keys=a,b&x=step&from=&to=&width=1000
 *   keys: flattened history keys (dotted), or system tags prefixed "system/"
 *   x: step (default) | wall (epoch seconds) | relative (seconds since the run started) | metric:<key>
 *   from, to: x range (default: everything)
 *   width: chart width in pixels; each series answers at most about 2*width points
 * Per pixel bucket the minimum and maximum point are kept, and the first and last points of the range
 * are always exact. Non-finite values come back as null (a gap) in `y`, with their kind in `nonFinite`.
 */
export interface HistoryResponse {
  x: XAxis;
  series: Record<string, SeriesData>;
}

export interface SeriesData {
  x: number[];
  y: (number | null)[];
  /** index -> "NaN" | "Infinity" | "-Infinity" for the null entries of y */
  nonFinite?: Record<number, string>;
  /** points in the requested range before downsampling */
  count: number;
  sampled: boolean;
  /** the steps of the returned points (so tooltips can show the step whatever the x axis) */
  steps: number[];
}

/** POST /api/runs/:key/stop  -> {ok, signal}: SIGTERM to the run's process (same host only) */
/** DELETE /api/runs/:key     -> {ok}: removes the run from the store (its journal files are kept) */

/** WebSocket /api/live?token=...  Client messages: */
export type LiveClientMessage =
  /** history: run keys whose appended points to receive ('*' = all); console likewise */
  | { type: 'subscribe'; history?: number[] | '*'; console?: number[] | '*'; system?: number[] | '*' }
  | { type: 'ping' };

/**
 * Server messages: `hello` first; `events` batches (at most every ~50 ms); `resync` when this client fell
 * behind and events were dropped: refetch what is shown. It comes once the client's socket has drained,
 * after the gap, and every event after it is delivered, so a refetch on it misses nothing.
 */
export type LiveServerMessage =
  | { type: 'hello'; version: string }
  | { type: 'events'; events: import('./live').LiveEvent[] }
  | { type: 'resync'; reason: string }
  | { type: 'pong' };

/** GET /api/sweeps?project=  (newest first) */
export interface SweepsResponse {
  sweeps: SweepSummary[];
}

/** A trial of a sweep: the run the controller handed out, its parameters and its value of the sweep's metric. */
export interface SweepTrial {
  run_id: string;
  /** null until the run has recorded itself (a trial that is still starting, or never started) */
  run_key: number | null;
  state: 'pending' | 'running' | 'finished' | 'failed' | 'killed' | 'crashed';
  /** the parameters as handed to the run (nested parameters as nested objects) */
  params: Record<string, JsonValue>;
  /** the run's value of the sweep's metric (summary), null while none is known or not finite */
  metric: number | null;
  /** why the controller stopped it: "hyperband: …" for early termination, or the sweep was cancelled */
  stop_reason: string | null;
  created_at: number;
}

/** A sweep parameter as stored (defaults filled): `distribution` set on leaves, `parameters` on groups. */
export interface SweepParameterView {
  distribution?: string;
  value?: JsonValue;
  values?: JsonValue[];
  min?: number;
  max?: number;
  q?: number;
  parameters?: Record<string, SweepParameterView>;
}

/** GET /api/sweeps/:id */
export interface SweepDetail extends SweepSummary {
  config: {
    method: string;
    parameters: Record<string, SweepParameterView>;
    metric?: { name: string; goal: string; target?: number };
    early_terminate?: { type: string; min_iter?: number; max_iter?: number; s?: number; eta?: number; strict?: boolean };
    run_cap?: number;
    program?: string;
    description?: string;
    [key: string]: unknown;
  };
  raw: string | null;
  source_path: string | null;
  trials: SweepTrial[];
}

/** POST /api/sweeps/:id/control {action} -> SweepSummary */
export type SweepAction = 'pause' | 'resume' | 'stop' | 'cancel';
