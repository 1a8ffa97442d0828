// A command agent: asks the runtime's sweep controller for trials and runs each as a child process
// (argument array, no shell), K at a time, each pinned to its own GPU when GPUs are given. It stops
// trials the controller asks it to (SIGTERM, then SIGKILL after a grace period) and gives up when
// trials keep failing.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandCommand } from './command';
import { launchEnv } from '../launch/launch';
import { defaultInterpreter } from '../launch/python';
import { findRuntime, requestJson, type LiveRuntime } from '../server/runtimeInfo';
import type { Assignment } from './controller';

export interface AgentOptions {
  root: string;
  sweepId: string;
  count?: number;
  parallel?: number;
  gpus?: string[];
  python?: string;
  cwd?: string;
  /** seconds between SIGTERM and SIGKILL when stopping a trial */
  graceSeconds?: number;
  log?: (m: string) => void;
  /** how often to talk to the controller, ms */
  tickMs?: number;
  /** finds the runtime, or starts one (the CLI passes ensureRuntime so a runtime that died is restarted) */
  connect?: (root: string) => Promise<LiveRuntime | undefined>;
}

interface Active {
  runId: string;
  child: ChildProcess;
  gpu?: string;
  stopping?: NodeJS.Timeout;
  stopReason?: string;
}

const FLAP_WINDOW_MS = 60_000;
const FLAP_FAILURES = 3;

export async function runAgent(o: AgentOptions): Promise<number> {
  const log = o.log ?? ((m: string) => console.error(m));
  const gpus = [...new Set((o.gpus ?? []).map((g) => g.trim()).filter(Boolean))];
  const parallel = effectiveParallel(o.parallel, gpus, log);
  const grace = (o.graceSeconds ?? 30) * 1000;
  const tick = o.tickMs ?? 1000;
  const cwd = o.cwd ?? process.cwd();
  const paramsDir = path.join(o.root, 'sweeps', o.sweepId);
  fs.mkdirSync(paramsDir, { recursive: true });

  let rt: LiveRuntime | undefined;
  let warnedDown = false;
  const call = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
      rt ??= await (o.connect ?? findRuntime)(o.root).catch(() => undefined);
      if (rt) {
        try {
          const r = await requestJson<T>(rt.url, rt.token, method, p, body, 30000);
          if (warnedDown) log('trackwell agent: the runtime is back');
          warnedDown = false;
          return r;
        } catch (e) {
          if ((e as { status?: number }).status !== undefined) throw e;
          rt = undefined;
        }
      }
      if (!warnedDown) log('trackwell agent: the runtime is not reachable; running trials continue, retrying...');
      warnedDown = true;
      await sleep(wait);
    }
  };

  const { agent_id: agentId } = await call<{ agent_id: string }>('POST', `/api/sweeps/${o.sweepId}/agents`, { host: os.hostname(), pid: process.pid });
  log(`trackwell agent ${agentId}: sweep ${o.sweepId}, up to ${parallel} trial${parallel === 1 ? '' : 's'} at a time${gpus.length ? ` on GPUs ${gpus.join(',')}` : ''}${o.count ? `, ${o.count} in all` : ''}`);

  const active = new Map<string, Active>();
  const ended: { run_id: string; exit_code: number | null }[] = [];
  const failures: number[] = [];
  let launched = 0;
  let noMore: string | undefined;
  let flapping: string | undefined;
  let interrupted = false;

  const stopTrial = (a: Active, reason: string) => {
    if (a.stopping) return;
    a.stopReason = reason;
    log(`trackwell agent: stopping ${a.runId}: ${reason}`);
    a.child.kill('SIGTERM');
    a.stopping = setTimeout(() => a.child.kill('SIGKILL'), grace);
  };

  const onSignal = () => {
    interrupted = true;
    noMore ??= 'the agent was interrupted';
    for (const a of active.values()) stopTrial(a, 'the agent was interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const start = (a: Extract<Assignment, { run_id: string }>) => {
    const paramFile = path.join(paramsDir, `config-${a.run_id}.json`);
    const argsFile = path.join(paramsDir, `args-${a.run_id}.json`);
    // The client locks these values into the run's config (the script's config.update cannot override them).
    fs.writeFileSync(paramFile, JSON.stringify(Object.fromEntries(Object.entries(a.params).map(([k, v]) => [k, { value: v }])), null, 2));
    fs.writeFileSync(argsFile, JSON.stringify(a.params));
    const used = new Set([...active.values()].map((x) => x.gpu));
    const gpu = gpus.find((g) => !used.has(g));
    const env = launchEnv({ argv: [], root: o.root, runtime: rt ? { url: rt.url, token: rt.token } : undefined, extraEnv: {
      WANDB_SWEEP_ID: o.sweepId, TRACKWELL_SWEEP_ID: o.sweepId, TRACKWELL_SWEEP_PARAM_PATH: paramFile, WANDB_SWEEP_PARAM_PATH: paramFile,
      WANDB_PROJECT: a.project, ...(gpu !== undefined ? { CUDA_VISIBLE_DEVICES: gpu } : {}),
    } }, a.run_id);
    const argv = expandCommand(a.command, { program: a.program, interpreter: o.python ?? defaultInterpreter(), params: a.params, paramsJsonFile: argsFile, env });
    log(`trackwell agent: trial ${a.run_id}${gpu !== undefined ? ` (GPU ${gpu})` : ''}: ${argv.join(' ')}`);
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: parallel > 1 ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (parallel > 1) {
      // Interleaved output stays readable with the trial id in front of each line.
      for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
        let buf = '';
        stream?.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) out.write(`[${a.run_id}] ${l}\n`);
        });
        stream?.on('end', () => buf && out.write(`[${a.run_id}] ${buf}\n`));
      }
    }
    const entry: Active = { runId: a.run_id, child, gpu };
    active.set(a.run_id, entry);
    launched++;
    let over = false;
    const end = (code: number | null, signal: NodeJS.Signals | null, why?: string) => {
      if (over) return;
      over = true;
      clearTimeout(entry.stopping);
      active.delete(a.run_id);
      // A trial killed (SIGKILL after the grace period) or dead without finishing cannot say so itself: tell
      // the runtime now, as `trackwell run` does, rather than leaving the run "running" until liveness notices.
      if ((code !== 0 || signal) && rt && child.pid !== undefined) {
        void requestJson(rt.url, rt.token, 'POST', '/api/process-exit', { pid: child.pid, launch_id: a.run_id, code, signal, stopped: entry.stopReason }, 5000).catch(() => undefined);
      }
      // The controller marks a trial that ended without a run of its own as failed.
      ended.push({ run_id: a.run_id, exit_code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : null) });
      const failed = code !== 0 && !entry.stopReason;
      // 127 is what /usr/bin/env (the default command's ${env}) exits with when the interpreter is missing.
      why ??= code === 127 ? `exit code 127: a program in \`command\` was not found (${argv.join(' ')}); fix \`command\` in the sweep config or --python` : undefined;
      log(`trackwell agent: trial ${a.run_id} ${entry.stopReason ? 'stopped' : failed ? `failed (${why ?? signal ?? `exit code ${code}`})` : 'finished'}`);
      if (failed) {
        const now = Date.now();
        failures.push(now);
        while (failures.length && now - failures[0] > FLAP_WINDOW_MS) failures.shift();
        if (failures.length >= FLAP_FAILURES && !flapping) {
          flapping = `${FLAP_FAILURES} trials failed within a minute; stopping this agent. ` + (why
            ? `${why}.`
            : `Run the program by hand to see why (its output is above, and in \`trackwell logs ${a.run_id}\`).`);
          noMore = flapping;
        }
      }
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Node emits 'error' and 'close' but never 'exit' when the program cannot be started at all.
      if (child.pid !== undefined) return log(`trackwell agent: trial ${a.run_id}: ${e.message}`);
      end(127, null, spawnFailure(argv[0], e));
    });
    child.on('exit', (code, signal) => end(code, signal));
  };

  try {
    for (;;) {
      const report = ended.splice(0);
      const hb = await call<{ stop: { run_id: string; reason: string }[]; state: string }>('POST',
        `/api/sweeps/${o.sweepId}/agents/${agentId}/heartbeat`, { ended: report });
      for (const s of hb.stop) {
        const a = active.get(s.run_id);
        if (a) stopTrial(a, s.reason);
      }
      while (!noMore && active.size < parallel && (o.count === undefined || launched < o.count)) {
        const a = await call<Assignment>('POST', `/api/sweeps/${o.sweepId}/next`, { agent_id: agentId });
        if ('run_id' in a) start(a);
        else if ('done' in a) noMore = a.reason;
        else break; // paused: ask again next tick
      }
      if (o.count !== undefined && launched >= o.count) noMore ??= `ran ${o.count} trial${o.count === 1 ? '' : 's'} (--count)`;
      if (noMore && !active.size) break;
      await sleep(tick);
    }
    if (ended.length) await call('POST', `/api/sweeps/${o.sweepId}/agents/${agentId}/heartbeat`, { ended: ended.splice(0) }).catch(() => undefined);
    await call('POST', `/api/sweeps/${o.sweepId}/agents/${agentId}/exit`, {}).catch(() => undefined);
    log(`trackwell agent ${agentId}: done: ${noMore}`);
    return flapping || interrupted ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Why a trial's program could not be started, and what to change. */
export function spawnFailure(program: string, e: NodeJS.ErrnoException): string {
  const what = e.code === 'ENOENT' ? 'no such program on PATH or at that path'
    : e.code === 'EACCES' ? 'permission denied, it is not executable'
    : e.message;
  return `could not start "${program}": ${what}; fix \`command\` in the sweep config, whose first item is the program to run`;
}

/**
 * How many trials run at once: `parallel`, but never more than there are GPUs when GPUs are given, so
 * every trial has a GPU of its own (a trial without CUDA_VISIBLE_DEVICES would see, and share, all of them).
 */
export function effectiveParallel(parallel: number | undefined, gpus: readonly string[], log: (m: string) => void = () => undefined): number {
  const want = Math.max(1, Math.floor(parallel ?? 1));
  if (!gpus.length || gpus.length >= want) return want;
  log(`trackwell agent: warning: --parallel ${want} but only ${gpus.length} GPU${gpus.length === 1 ? '' : 's'} (${gpus.join(',')}); ` +
    `running ${gpus.length} trial${gpus.length === 1 ? '' : 's'} at a time so each has its own GPU`);
  return gpus.length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
