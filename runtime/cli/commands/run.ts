// `trackwell run script.py [args]`: start the runtime if needed, launch the script with tracking,
// stream its output to the terminal, and exit with its exit code.
import type { Command } from 'commander';
import { dataRoot, type GlobalOptions } from '../context';
import { ensureRuntime } from '../../server/daemon';
import { requestJson } from '../../server/runtimeInfo';
import { launch, shellExitCode } from '../../launch/launch';

interface RunOptions {
  python?: string;
  project?: string;
  name?: string;
  group?: string;
  tags?: string;
  offline?: boolean;
  launchId?: string;
}

export function registerRunCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('run')
    .description('Run a Python script with tracking. Options after the script go to the script.')
    .argument('<script...>', 'script and its arguments (or -m module ...)')
    .option('--python <interpreter>', 'Python interpreter (default: $TRACKWELL_PYTHON or python3)')
    .option('--project <name>', 'project for the run (the script\'s own init(project=...) wins)')
    .option('--name <name>', 'display name for the run')
    .option('--group <group>', 'group for the run')
    .option('--tags <tags>', 'comma-separated tags')
    .option('--offline', 'do not start or use the runtime; record to the journal only (sync later)')
    .option('--launch-id <id>', 'run id to give the run (8 characters a-z0-9; default: random)', process.env.TRACKWELL_LAUNCH_ID)
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (argv: string[], o: RunOptions) => {
      const root = dataRoot(globals());
      let runtime: { url: string; token: string } | undefined;
      if (!o.offline) {
        try {
          runtime = await ensureRuntime(root);
        } catch (e) {
          console.error(`trackwell: ${(e as Error).message}; recording offline (run \`trackwell sync\` later)`);
        }
      }
      const extraEnv: Record<string, string> = {};
      if (o.project) extraEnv.WANDB_PROJECT = o.project;
      if (o.name) extraEnv.WANDB_NAME = o.name;
      if (o.group) extraEnv.WANDB_RUN_GROUP = o.group;
      if (o.tags) extraEnv.WANDB_TAGS = o.tags;
      if (o.offline) extraEnv.WANDB_MODE = 'offline';
      if (o.launchId && !/^[a-z0-9]{8}$/.test(o.launchId)) throw new Error(`--launch-id must be 8 characters from a-z0-9, not "${o.launchId}"`);
      const proc = launch({ argv, root, runtime, interpreter: o.python, extraEnv, launchId: o.launchId });
      console.error(`trackwell: run ${proc.launchId} recording to ${root} (see it with: trackwell show ${proc.launchId})`);
      // The terminal sends Ctrl-C to the whole process group; let the script handle it and report.
      const ignore = () => {};
      process.on('SIGINT', ignore);
      const forward = (sig: NodeJS.Signals) => () => proc.child.kill(sig);
      const onTerm = forward('SIGTERM');
      const onHup = forward('SIGHUP');
      process.on('SIGTERM', onTerm);
      process.on('SIGHUP', onHup);
      const { code, signal } = await proc.exited;
      process.off('SIGINT', ignore);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      if (runtime) {
        await requestJson(runtime.url, runtime.token, 'POST', '/api/process-exit', { pid: proc.pid, launch_id: proc.launchId, code, signal }, 5000)
          .catch(() => undefined);
      }
      process.exitCode = shellExitCode(code, signal);
    });
}
