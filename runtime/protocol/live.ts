// Live deltas the runtime pushes to subscribers (WebSocket clients, the extension, webviews).
import type { JsonObject, JsonValue, RunActivity, RunState } from './journal';

/** Identifies a run across the API: the store's integer key plus the user-facing project/id. */
export interface RunRef {
  key: number;
  project: string;
  id: string;
}

export interface RunInfo extends RunRef {
  name: string | null;
  state: RunState;
  group: string | null;
  job_type: string | null;
  tags: string[];
  notes: string | null;
  sweep_id: string | null;
  /** id chosen by whoever launched the process (`trackwell run`, the editor) */
  launch_id: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  heartbeat_at: number | null;
  exit_code: number | null;
  last_step: number | null;
  history_rows: number;
  /** what the script last did (log() or console output), from its heartbeats; absent in lists */
  activity?: RunActivity | null;
}

export interface HistoryPoint {
  step: number;
  ts: number;
  runtime: number;
  /** flattened numeric values; NaN/Infinity are sent as {"$num": ...} markers */
  values: Record<string, number | JsonObject>;
}

export type LiveEvent =
  /** `heartbeat`: only heartbeat_at (and updated_at) moved: the client is alive (about every 10 s per running run) */
  | { type: 'run'; run: RunInfo; heartbeat?: boolean }
  | { type: 'run-deleted'; run: RunRef }
  | { type: 'history'; run: RunRef; points: HistoryPoint[]; newKeys: string[] }
  | { type: 'summary'; run: RunRef; summary: JsonObject }
  | { type: 'config'; run: RunRef; config: JsonObject }
  | { type: 'metrics'; run: RunRef; metrics: Record<string, JsonObject> }
  | { type: 'console'; run: RunRef; offset: number; ts: number; stream: string; text: string }
  | { type: 'system'; run: RunRef; ts: number; values: Record<string, JsonValue> }
  /** a sweep was created, changed state, or one of its trials started or ended */
  | { type: 'sweep'; sweep: SweepSummary };

export type LiveEventType = LiveEvent['type'];

/** A sweep as lists show it: state, progress and the best run so far. */
export interface SweepSummary {
  id: string;
  project: string;
  name: string | null;
  state: 'running' | 'paused' | 'finished' | 'stopped' | 'cancelled';
  reason: string | null;
  method: string;
  metric: { name: string; goal: string } | null;
  created_at: number;
  counts: { done: number; running: number; pending: number; planned: number | null };
  best: { run_id: string; run_key: number | null; value: number } | null;
  agents: number;
}
