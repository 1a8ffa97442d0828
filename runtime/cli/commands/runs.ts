// `trackwell ls`, `show`, `export`, `logs`: reading what was recorded.
import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { dataRoot, openStore, type GlobalOptions } from '../context';
import { humanDuration, isoTime, localTime, table } from '../format';
import type { RunRow, Store } from '../../store/store';
import { flattenRow, numberText, plainJson } from '../../store/values';
import type { JsonObject, JsonValue } from '../../protocol/journal';
import { systemExportLines, SYSTEM_KEY_PREFIX } from '../../store/systemSamples'; // system metrics
import { COLLECTED_KEYS, livenessLines, metadataLines } from '../metadataText';

export function duration(run: RunRow, now = Date.now() / 1000): number {
  const end = run.state === 'running' ? now : run.finished_at ?? run.heartbeat_at ?? run.updated_at;
  return Math.max(0, end - run.created_at);
}

export function runListEntry(run: RunRow) {
  return { id: run.id, name: run.name, project: run.project, state: run.state, created: isoTime(run.created_at), duration: round3(duration(run)) };
}

export function runDetails(store: Store, run: RunRow) {
  return {
    id: run.id, name: run.name, project: run.project, entity: run.entity, state: run.state, exit_code: run.exit_code,
    error: run.error, tags: run.tags, notes: run.notes, group: run.group, job_type: run.job_type, sweep_id: run.sweep_id,
    created: isoTime(run.created_at), finished: isoTime(run.finished_at), heartbeat: isoTime(run.heartbeat_at),
    activity: run.activity ? { time: isoTime(run.activity.ts), kind: run.activity.kind, step: run.activity.step } : null,
    duration: round3(duration(run)), resumed: run.resumed, host: run.host, run_dir: run.run_dir,
    config: plainJson(run.config), summary: plainJson(run.summary),
    metadata: { ...Object.fromEntries(COLLECTED_KEYS.map((k) => [k, null])), ...(plainJson(run.metadata) as JsonObject) },
    // system metrics: system/<tag> keys are sampled tags, not history keys
    metrics: run.metrics, history_keys: store.runKeys(run.key).map((k) => k.name).filter((k) => !k.startsWith(SYSTEM_KEY_PREFIX)), history_rows: run.history_rows,
    last_step: run.last_step,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function cellText(v: JsonValue | number | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'object') return JSON.stringify(plainJson(v as JsonValue));
  return String(v);
}

/** One history row as a flat object: _step, _runtime, _timestamp, then dotted keys. */
export function flatRow(row: { step: number; ts: number; runtime: number; data: JsonObject }): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { _step: row.step, _runtime: row.runtime, _timestamp: row.ts };
  for (const [k, v] of flattenRow(row.data)) out[k] = typeof v === 'number' && !Number.isFinite(v) ? numberText(v) : plainJson(v as JsonValue);
  return out;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Non-finite numbers arrive from flatRow as NaN / Infinity / -Infinity, the names JSONL and show use too.
function csvValue(v: JsonValue | undefined): string {
  return csvField(cellText(v as JsonValue));
}

export function registerRunCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ls')
    .description('List runs (oldest first).')
    .option('--json', 'print a JSON array: one object per run with id, name, project, state, created, duration')
    .option('-p, --project <name>', 'only runs of this project')
    .option('-s, --state <state>', 'only runs in this state (running, finished, failed, killed, crashed)')
    .action(async (o: { json?: boolean; project?: string; state?: string }) => {
      const s = await openStore(dataRoot(globals()), { quiet: !!o.json });
      try {
        const runs = s.store.listRuns({ project: o.project, state: o.state });
        if (o.json) {
          process.stdout.write(JSON.stringify(runs.map(runListEntry), null, 2) + '\n');
          return;
        }
        if (!runs.length) {
          console.log('No runs yet. Record one with: trackwell run train.py');
          return;
        }
        console.log(table(['ID', 'NAME', 'PROJECT', 'STATE', 'CREATED', 'DURATION'],
          runs.map((r) => [r.id, r.name ?? '', r.project, r.state, localTime(r.created_at), humanDuration(duration(r))])));
      } finally {
        s.close();
      }
    });

  program
    .command('show')
    .description('Show one run: state, config, summary, metadata and history keys. RUN is an id or PROJECT/ID.')
    .argument('<run>', 'run id or PROJECT/ID')
    .option('--json', 'print one JSON object (id, name, project, state, exit_code, tags, notes, group, job_type, config, summary, metadata, history_keys, ...)')
    .action(async (ref: string, o: { json?: boolean }) => {
      const s = await openStore(dataRoot(globals()), { quiet: !!o.json });
      try {
        const run = s.store.resolveRun(ref);
        const d = runDetails(s.store, run);
        if (o.json) {
          process.stdout.write(JSON.stringify(d, null, 2) + '\n');
          return;
        }
        const lines = [
          `${run.project}/${run.id}  ${run.name ?? ''}`,
          `  state      ${run.state}${run.exit_code != null ? ` (exit code ${run.exit_code})` : ''}`,
          `  created    ${localTime(run.created_at)}   duration ${humanDuration(d.duration)}`,
          ...livenessLines(run),
        ];
        if (run.tags.length) lines.push(`  tags       ${run.tags.join(', ')}`);
        if (run.group) lines.push(`  group      ${run.group}`);
        if (run.job_type) lines.push(`  job type   ${run.job_type}`);
        if (run.notes) lines.push(`  notes      ${run.notes}`);
        if (run.error) lines.push(`  error      ${run.error.type}: ${run.error.message}`);
        lines.push('  config');
        for (const [k, v] of Object.entries(d.config as JsonObject)) lines.push(`    ${k} = ${cellText(v)}`);
        lines.push('  summary');
        for (const [k, v] of Object.entries(d.summary as JsonObject)) lines.push(`    ${k} = ${cellText(v)}`);
        lines.push(`  history    ${run.history_rows} rows, keys: ${d.history_keys.join(', ') || '-'}`);
        lines.push(...metadataLines(run.metadata));
        console.log(lines.join('\n'));
      } finally {
        s.close();
      }
    });

  program
    .command('export')
    .description('Export every history row of a run with _step, _runtime, _timestamp and nested keys as dotted names.')
    .argument('<run>', 'run id or PROJECT/ID')
    .option('-f, --format <format>', 'jsonl or csv', 'jsonl')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--system', 'export the system-metric samples instead (_timestamp, _runtime, then W&B tag names such as cpu, proc.memory.rssMB, gpu.0.gpu)') // system metrics
    .action(async (ref: string, o: { format: string; output?: string; system?: boolean }) => {
      if (o.format !== 'jsonl' && o.format !== 'csv') throw new Error(`--format must be jsonl or csv, not "${o.format}"`);
      const s = await openStore(dataRoot(globals()), { quiet: true });
      const out = o.output ? fs.createWriteStream(o.output) : process.stdout;
      try {
        const run = s.store.resolveRun(ref);
        if (o.system) { // system metrics
          for (const line of systemExportLines(s.store.db, run.key, run.created_at, o.format)) await write(out, line);
        } else if (o.format === 'jsonl') {
          for (const row of s.store.historyRows(run.key)) await write(out, JSON.stringify(flatRow(row)) + '\n');
        } else {
          const keys = s.store.runKeys(run.key).map((k) => k.name).filter((k) => !k.startsWith('_') && !k.startsWith(SYSTEM_KEY_PREFIX)); // system metrics: not history columns
          const cols = ['_step', '_runtime', '_timestamp', ...keys];
          await write(out, cols.map(csvField).join(',') + '\n');
          for (const row of s.store.historyRows(run.key)) {
            const flat = flatRow(row);
            await write(out, cols.map((c) => csvValue(flat[c])).join(',') + '\n');
          }
        }
      } finally {
        s.close();
        if (o.output) await new Promise((r) => (out as fs.WriteStream).end(r));
      }
    });

  program
    .command('logs')
    .description("Print a run's console output (stdout and stderr as captured).")
    .argument('<run>', 'run id or PROJECT/ID')
    .option('-f, --follow', 'keep printing new output until the run ends')
    .addOption(new Option('--stream <name>', 'only this stream').choices(['stdout', 'stderr']))
    .action(async (ref: string, o: { follow?: boolean; stream?: string }) => {
      const s = await openStore(dataRoot(globals()), { quiet: true });
      try {
        const run = s.store.resolveRun(ref);
        let offset = 0;
        for (;;) {
          const pieces = s.store.consoleFrom(run.key, offset, 10000);
          for (const p of pieces) {
            // The first piece may begin before the offset (it holds it): print only the bytes after.
            const data = p.offset < offset ? p.data.subarray(offset - p.offset) : p.data;
            if (!o.stream || p.stream === o.stream) await write(process.stdout, data);
            offset = p.offset + p.data.length;
          }
          if (pieces.length === 10000) continue;
          if (!o.follow) break;
          const now = s.store.runByKey(run.key);
          if (!pieces.length && (!now || now.state !== 'running')) break;
          await new Promise((r) => setTimeout(r, 250));
          if (!s.runtime) s.scanner.scan();
        }
      } finally {
        s.close();
      }
    });
}

function write(out: NodeJS.WritableStream, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(data)) resolve();
    else {
      out.once('drain', resolve);
      out.once('error', reject);
    }
  });
}
