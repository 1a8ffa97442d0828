// The `trackwell` command line.
import { Command, CommanderError } from 'commander';
import { registerRunCommands } from './commands/runs';
import { registerServeCommands } from './commands/serve';
import { registerRunCommand } from './commands/run';
import { registerUiCommand } from './commands/ui';
import { registerSweepCommands } from './commands/sweep';
import { VERSION } from '../server/runtimeInfo';
import { DIR_HELP, type GlobalOptions } from './context';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('trackwell')
    .description('Local-first experiment tracking: record runs from Python scripts into a SQLite store, and look at them.')
    .version(VERSION)
    .option('--dir <path>', DIR_HELP)
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `
Examples:
  trackwell run train.py --lr 0.01     record a run of train.py
  trackwell ui                         open the dashboard
  trackwell ls                         list runs
  trackwell show RUN --json            one run's config, summary and metadata
  trackwell export RUN --format csv    its history
  trackwell logs RUN --follow          its console output`);
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerRunCommand(program, globals);
  registerUiCommand(program, globals);
  registerServeCommands(program, globals);
  registerRunCommands(program, globals);
  registerSweepCommands(program, globals);
  // `--dir` is accepted after the command name too (trackwell ls --dir X).
  for (const cmd of program.commands) {
    if (!cmd.options.some((o) => o.long === '--dir')) cmd.option('--dir <path>', DIR_HELP);
    cmd.hook('preAction', (_this, action) => {
      const dir = action.opts().dir;
      if (dir) program.setOptionValue('dir', dir);
    });
  }
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  // `trackwell ls | head` closes the pipe early: that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  const program = buildProgram();
  program.exitOverride();
  // Bare `trackwell` asks what it can do: help on stdout, success (commander's default is stderr and 1).
  if (argv.length <= 2) {
    program.outputHelp();
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    console.error(`trackwell: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

void main();
