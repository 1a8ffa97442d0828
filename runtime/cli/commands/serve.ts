// `trackwell serve` (foreground runtime) and `trackwell sync`.
import path from 'node:path';
import type { Command } from 'commander';
import { dataRoot, openStore, type GlobalOptions } from '../context';
import { Runtime } from '../../server/runtime';
import { acquireRuntimeLock, stopRuntime } from '../../server/daemon';
import { findRuntime, requestJson, runtimeUrl } from '../../server/runtimeInfo';
import type { SyncedJournal } from '../../ingest/scanner';

export function registerServeCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('Run the runtime for this data root in the foreground (Ctrl-C stops it).')
    .option('--stop', 'stop the runtime serving this data root, then exit')
    .option('--host <host>', 'address to listen on; anything but loopback exposes the API (token still required)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (default: a free one)', (v) => parsePort(v))
    .option('--idle-exit <seconds>', 'stop after this many idle seconds with no live runs (0 = never)', (v) => Number(v), 0)
    .option('--stats-interval <seconds>', 'system-metrics sampling interval for runs that set none of their own (default: $TRACKWELL_STATS_INTERVAL, else 2; 0 = off)', (v) => parseStatsInterval(v))
    .action(async (o: { stop?: boolean; host: string; port?: number; idleExit: number; statsInterval?: number }) => {
      const root = dataRoot(globals());
      if (o.stop) {
        const stopped = await stopRuntime(root);
        console.log(stopped ? `Stopped the runtime serving ${root}.` : `No runtime is serving ${root}.`);
        return;
      }
      const running = await findRuntime(root);
      if (running) {
        console.error(`A runtime already serves ${root} at ${running.url} (pid ${running.info.pid}). Stop it with: trackwell serve --stop`);
        process.exitCode = 3;
        return;
      }
      const release = acquireRuntimeLock(root);
      if (!release) {
        console.error(`Another runtime for ${root} is starting. Stop it with: trackwell serve --stop`);
        process.exitCode = 3;
        return;
      }
      try {
        const rt = new Runtime({ root, host: o.host, port: o.port, idleExitSeconds: o.idleExit, statsIntervalSeconds: o.statsInterval });
        const info = await rt.start();
        console.log(`trackwell runtime ${info.version} serving ${root} at ${runtimeUrl(info)} (pid ${info.pid})`);
        const stop = () => void rt.stop();
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        process.on('SIGHUP', stop);
        await rt.closed;
      } finally {
        release();
      }
    });

  program
    .command('sync')
    .description('Ingest runs recorded offline from their journals (a journal, a run directory, or a folder of them).')
    .argument('[path]', 'what to ingest (default: every run directory in the data root)')
    .action(async (target: string | undefined) => {
      const root = dataRoot(globals());
      const where = path.resolve(target ?? path.join(root, 'runs'));
      let results: SyncedJournal[];
      const rt = await findRuntime(root);
      if (rt) {
        results = (await requestJson(rt.url, rt.token, 'POST', '/api/sync', { path: where }, 600000)).journals;
      } else {
        const s = await openStore(root, { quiet: true });
        try {
          results = s.scanner.sync(where);
        } finally {
          s.close();
        }
      }
      let records = 0;
      for (const j of results) {
        records += j.applied;
        for (const p of j.problems) console.error(`warning: ${j.path} at byte ${p.offset}: ${p.reason}`);
      }
      console.log(`Synced ${results.length} journal${results.length === 1 ? '' : 's'} (${records} new records) into ${root}.`);
    });
}

function parseStatsInterval(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--stats-interval must be a number of seconds (0 switches system metrics off), not "${v}"`);
  return n;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be a port number, not "${v}"`);
  return n;
}
