// `trackwell show`'s human lines for the collected information (the client's `meta` records):
// program, git, sources, dependencies, host; and the liveness of a running run (heartbeat, activity).
import type { JsonObject, JsonValue, RunActivity, RunState } from '../protocol/journal';
import { gpuSummary } from '../protocol/gpuSummary';
import { humanDuration, localTime } from './format';

/** The five keys `show --json` always carries under `metadata` (null when the client did not record one). */
export const COLLECTED_KEYS = ['program', 'git', 'sources', 'dependencies', 'host'] as const;

const obj = (v: JsonValue | undefined): JsonObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v : undefined);
const str = (v: JsonValue | undefined): string => (v === null || v === undefined ? '' : String(v));

function gib(bytes: JsonValue | undefined): string {
  return typeof bytes === 'number' && bytes > 0 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : '';
}

export function metadataLines(meta: JsonObject): string[] {
  const lines: string[] = [];
  const program = obj(meta.program);
  if (program) {
    const argv = Array.isArray(program.argv) ? program.argv.map(str).join(' ') : str(program.path);
    lines.push(`  program    ${argv}`, `             cwd ${str(program.cwd)}, python ${str(program.python) || '?'} (${str(program.executable)})`);
  }
  const git = obj(meta.git);
  if (git) {
    const dirty = git.dirty === true ? ' (dirty)' : git.dirty === false ? ' (clean)' : '';
    lines.push(`  git        ${str(git.commit) || '(no commit)'}${dirty} on ${str(git.branch) || '(detached)'}${git.remote ? `  ${str(git.remote)}` : ''}`);
  }
  if (Array.isArray(meta.sources)) {
    lines.push(`  sources    ${meta.sources.length} file${meta.sources.length === 1 ? '' : 's'}`);
    for (const s of meta.sources) if (Array.isArray(s)) lines.push(`    ${str(s[1])}  ${str(s[0])}`);
  }
  // Hundreds of entries: a count here; the list under metadata.dependencies of `show RUN --json`.
  if (Array.isArray(meta.dependencies)) {
    lines.push(`  dependencies  ${meta.dependencies.length} installed distributions (list: trackwell show RUN --json, metadata.dependencies)`);
  }
  const host = obj(meta.host);
  if (host) {
    const cpu = [str(host.cpu), host.cpu_count ? `${str(host.cpu_count)} cores` : ''].filter(Boolean).join(', ');
    lines.push(`  host       ${str(host.hostname)}  ${[str(host.os), str(host.release)].join(' ').trim()}${cpu ? `  ${cpu}` : ''}${gib(host.memory_total) ? `  ${gib(host.memory_total)}` : ''}`);
  }
  // The client's GPU list (nvidia-smi), else the runtime sampler's inventory (metadata.gpu: NVIDIA or AMD).
  for (const g of gpuSummary(meta)) {
    lines.push(`    gpu      ${g.name}${g.memory_total ? `  ${gib(g.memory_total)}` : ''}${g.driver ? `  driver ${g.driver}` : ''}`);
  }
  if (host) {
    const env = obj(host.env);
    for (const [k, v] of Object.entries(env ?? {})) lines.push(`    env      ${k}=${str(v)}`);
  }
  return lines;
}

/** "12:00:05 (3s ago)" */
const when = (ts: number, now: number) => `${localTime(ts)} (${humanDuration(now - ts)} ago)`;

/**
 * Last heartbeat and last activity (log() or console output, and the step logged to) of a run that is
 * running or crashed: what tells a hung script (heartbeats, no activity) from a dead one (neither).
 */
export function livenessLines(run: { state: RunState; heartbeat_at: number | null; activity: RunActivity | null }, now = Date.now() / 1000): string[] {
  if (run.state !== 'running' && run.state !== 'crashed') return [];
  const lines = [`  heartbeat  ${run.heartbeat_at != null ? when(run.heartbeat_at, now) : '-'}`];
  const a = run.activity;
  const what = !a ? '' : a.kind === 'log' ? `log()${a.step != null ? ` at step ${a.step}` : ''}` : `console output${a.step != null ? ` (last log() at step ${a.step})` : ''}`;
  lines.push(`  activity   ${a ? `${what}, ${when(a.ts, now)}` : 'none reported yet'}`);
  return lines;
}
