// Starting, finding and stopping the runtime that serves a data root.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { dataRootPaths, ensureDataRoot } from '../store/dataRoot';
import { findRuntime, pidAlive, readRuntimeInfo, readToken, requestJson, runtimeUrl, type LiveRuntime } from './runtimeInfo';

/** The bundled CLI script (dist/cli.js) that `serve` runs from. */
export function cliScript(): string {
  return require.main?.filename ?? __filename;
}

/**
 * Takes the data root's start lock so only one runtime serves it. Returns a release function, or
 * undefined when a live runtime (or one starting) already holds it.
 */
export function acquireRuntimeLock(root: string): (() => void) | undefined {
  const lock = ensureDataRoot(root).lock;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (fs.readFileSync(lock, 'utf8') === String(process.pid)) fs.rmSync(lock);
        } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lock, 'utf8'));
      if (holder && pidAlive(holder)) return undefined;
      fs.rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  return undefined;
}

/** Finds the runtime for `root`, starting one in the background if none answers. */
export async function ensureRuntime(
  root: string, opts: { idleExitSeconds?: number; timeoutMs?: number; cli?: string; node?: string; statsIntervalSeconds?: number } = {},
): Promise<LiveRuntime> {
  const existing = await findRuntime(root);
  if (existing) return existing;
  const paths = ensureDataRoot(root);
  const log = fs.openSync(paths.log, 'a', 0o600);
  const args = [opts.cli ?? process.env.TRACKWELL_CLI ?? cliScript(), 'serve', '--dir', root, '--idle-exit', String(opts.idleExitSeconds ?? 1800)];
  if (opts.statsIntervalSeconds !== undefined) args.push('--stats-interval', String(opts.statsIntervalSeconds));
  // Inside an editor the current executable may be Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
  const env = { ...process.env, TRACKWELL_DIR: root, ELECTRON_RUN_AS_NODE: '1' };
  const node = opts.node ?? process.execPath;
  const child = spawn(node, args, { detached: true, stdio: ['ignore', log, log], env });
  // A Node that cannot be started, or a runtime that dies at once, fails now rather than at the deadline.
  let failed: string | undefined;
  child.once('error', (e) => (failed ??= `Could not start Node.js at ${node} (${(e as NodeJS.ErrnoException).code ?? e.message})`));
  child.once('exit', (code, signal) => (failed ??= `The runtime exited (${signal ?? `exit code ${code}`}) before it was ready; see ${paths.log}`));
  child.unref();
  fs.closeSync(log);
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const rt = await findRuntime(root);
    if (rt) return rt;
    // Another process may have won the race to serve this root: that one is found above next time.
    if (failed) {
      const other = await findRuntime(root);
      if (other) return other;
      throw new Error(failed);
    }
  }
  throw new Error(`The runtime did not start within ${(opts.timeoutMs ?? 15000) / 1000} s; see ${paths.log}`);
}

/** Asks the runtime serving `root` to stop; resolves once its process is gone. */
export async function stopRuntime(root: string, timeoutMs = 10000): Promise<boolean> {
  const info = readRuntimeInfo(root);
  const token = readToken(root);
  if (!info || !pidAlive(info.pid)) return false;
  try {
    await requestJson(runtimeUrl(info), token ?? '', 'POST', '/api/shutdown', {}, 3000);
  } catch {
    try { process.kill(info.pid, 'SIGTERM'); } catch { /* gone */ }
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pidAlive(info.pid)) await new Promise((r) => setTimeout(r, 50));
  if (pidAlive(info.pid)) {
    process.kill(info.pid, 'SIGKILL');
  }
  fs.rmSync(dataRootPaths(root).runtimeInfo, { force: true });
  return true;
}
