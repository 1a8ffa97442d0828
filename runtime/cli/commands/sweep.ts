// `trackwell sweep ...` and `trackwell agent`: local sweeps, no cloud.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { dataRoot, type GlobalOptions } from '../context';
import { ensureRuntime } from '../../server/daemon';
import { requestJson } from '../../server/runtimeInfo';
import { checkSweepYaml } from '../../sweeps/configCheck';
import { sweepValidate } from './sweepValidate';
import { runAgent } from '../../sweeps/agent';
import { table, localTime } from '../format';
import type { SweepSummary } from '../../sweeps/controller';

async function api<T = any>(root: string, method: string, p: string, body?: unknown): Promise<T> {
  const rt = await ensureRuntime(root);
  return requestJson<T>(rt.url, rt.token, method, p, body, 60000);
}

function progress(s: SweepSummary): string {
  const c = s.counts;
  return `${c.done} done, ${c.running} running${c.pending ? `, ${c.pending} starting` : ''}${c.planned !== null ? ` of ${c.planned}` : ''}`;
}

function bestText(s: SweepSummary): string {
  return s.best ? `${s.metric?.name} ${s.best.value} (${s.best.run_id})` : '-';
}

export function registerSweepCommands(program: Command, globals: () => GlobalOptions): void {
  const sweep = program
    .command('sweep')
    .description('Create and control local sweeps: `trackwell sweep sweep.yaml` creates one, `trackwell agent ID` runs its trials.');

  sweep
    .command('create', { isDefault: true })
    .description('Validate a sweep configuration, store the sweep, and print its id.')
    .argument('<config>', 'sweep YAML file')
    .option('-p, --project <name>', 'project for the sweep and its runs (default: the config\'s project, else uncategorized)')
    .option('--prior-run <id...>', 'existing runs of the project to count as trials of this sweep')
    .option('--json', 'print {id, project, warnings} instead of a sentence')
    .action(async (file: string, o: { project?: string; priorRun?: string[]; json?: boolean }) => {
      const text = readConfig(file);
      const checked = checkSweepYaml(text);
      for (const d of checked.diagnostics) console.error(`${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
      if (!checked.config) throw new Error(`${file} has errors; fix them and run again (\`trackwell sweep validate ${file}\` lists them)`);
      const res = await api(dataRoot(globals()), 'POST', '/api/sweeps', {
        config: checked.config, raw: text, project: o.project, source_path: path.resolve(file), prior_runs: o.priorRun,
      });
      if (o.json) return void process.stdout.write(JSON.stringify({ id: res.id, project: res.project, warnings: res.warnings ?? [] }) + '\n');
      console.log(`Created sweep ${res.id} in project ${res.project}.`);
      console.log(`Run trials with: trackwell agent ${res.id}   (add --parallel 2 to run two at once)`);
    });

  sweep
    .command('validate')
    .description('Check a sweep configuration with the same checks as the editor; exits non-zero on errors.')
    .argument('<config>', 'sweep YAML file')
    .option('--json', 'print [{line, column, endLine, endColumn, severity, message}] (1-based)')
    .action(async (file: string, o: { json?: boolean }) => {
      process.exitCode = await sweepValidate(file, { json: !!o.json });
    });

  sweep
    .command('ls')
    .description('List sweeps with their state, progress and best run.')
    .option('-p, --project <name>', 'only sweeps of this project')
    .option('--json', 'print a JSON array of sweep summaries')
    .action(async (o: { project?: string; json?: boolean }) => {
      const res = await api<{ sweeps: SweepSummary[] }>(dataRoot(globals()), 'GET', `/api/sweeps${o.project ? `?project=${encodeURIComponent(o.project)}` : ''}`);
      if (o.json) return void process.stdout.write(JSON.stringify(res.sweeps, null, 2) + '\n');
      if (!res.sweeps.length) return void console.log('No sweeps yet. Create one with: trackwell sweep sweep.yaml');
      console.log(table(['ID', 'PROJECT', 'METHOD', 'STATE', 'TRIALS', 'BEST', 'CREATED'],
        res.sweeps.map((s) => [s.id, s.project, s.method, s.state, progress(s), bestText(s), localTime(s.created_at)])));
    });

  sweep
    .command('show')
    .description('Show a sweep: state, best run, and every trial with its parameters.')
    .argument('<id>', 'sweep id')
    .option('--json', 'print the sweep and its trials as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const s = await api(dataRoot(globals()), 'GET', `/api/sweeps/${encodeURIComponent(id)}`);
      if (o.json) return void process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      console.log(`sweep ${s.id} (${s.method}) in ${s.project}: ${s.state}${s.reason ? ` — ${s.reason}` : ''}`);
      console.log(`trials: ${progress(s)}; best: ${bestText(s)}`);
      console.log(table(['RUN', 'STATE', s.metric?.name ?? 'METRIC', 'PARAMETERS', 'NOTE'],
        s.trials.map((t: any) => [t.run_id, t.state, t.metric === null ? '-' : String(t.metric), JSON.stringify(t.params), t.stop_reason ?? ''])));
    });

  for (const [action, help] of [
    ['pause', 'Pause a sweep: agents start no new trials until it is resumed.'],
    ['resume', 'Resume a paused sweep.'],
    ['stop', 'Stop a sweep: running trials finish, no new ones start.'],
    ['cancel', 'Cancel a sweep: running trials are stopped now.'],
  ] as const) {
    sweep.command(action).description(help).argument('<id>', 'sweep id').action(async (id: string) => {
      const s = await api<SweepSummary>(dataRoot(globals()), 'POST', `/api/sweeps/${encodeURIComponent(id)}/control`, { action });
      console.log(`Sweep ${s.id} is ${s.state}.`);
    });
  }

  program
    .command('agent')
    .description("Run a sweep's trials on this machine: asks the sweep for parameters and runs its program with them.")
    .argument('<sweep-id>', 'sweep id (from `trackwell sweep sweep.yaml`)')
    .option('-c, --count <n>', 'run at most this many trials', (v) => positiveInt(v, '--count'))
    .option('--parallel <k>', 'trials to run at once', (v) => positiveInt(v, '--parallel'), 1)
    .option('--gpus <ids>', 'comma-separated GPU ids; each parallel trial gets its own through CUDA_VISIBLE_DEVICES, and --parallel is capped to their number (default: detected GPUs when there are at least --parallel of them)')
    .option('--python <interpreter>', 'Python for ${interpreter} (default: $TRACKWELL_PYTHON or python3)')
    .option('--grace <seconds>', 'seconds between SIGTERM and SIGKILL when stopping a trial', (v) => positiveInt(v, '--grace'), 30)
    .action(async (sweepId: string, o: { count?: number; parallel: number; gpus?: string; python?: string; grace: number }) => {
      const root = dataRoot(globals());
      await ensureRuntime(root);
      // Explicit --gpus pins one trial per GPU (and caps --parallel to match). Detected GPUs pin only
      // when there are enough for every trial; otherwise the trials share them, as without any GPU list.
      let gpus = o.gpus ? o.gpus.split(',').map((g) => g.trim()).filter(Boolean) : o.parallel > 1 ? detectGpus() : [];
      if (!o.gpus && gpus.length && gpus.length < o.parallel) {
        console.error(`trackwell agent: ${gpus.length} GPU${gpus.length === 1 ? '' : 's'} for ${o.parallel} parallel trials: they share ${gpus.length === 1 ? 'it' : 'them'} (give --gpus to run one trial per GPU)`);
        gpus = [];
      }
      let cwd = process.cwd();
      const s = await api(root, 'GET', `/api/sweeps/${encodeURIComponent(sweepId)}`);
      // The program path in a sweep file is relative to that file.
      if (s.source_path && s.config.program && !fs.existsSync(path.resolve(cwd, s.config.program))) cwd = path.dirname(s.source_path);
      process.exitCode = await runAgent({ root, sweepId, count: o.count, parallel: o.parallel, gpus, python: o.python, cwd, graceSeconds: o.grace, connect: (r) => ensureRuntime(r) });
    });
}

function readConfig(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not "${v}"`);
  return n;
}

/** GPU indices from nvidia-smi, if present. */
function detectGpus(): string[] {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=index', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  } catch {
    return [];
  }
}
