// Launches a training script with tracking: the client and the runtime's address in its environment,
// the terminal left attached so the user sees and stops it as usual.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clientPythonPath, defaultInterpreter } from './python';

export interface LaunchOptions {
  /** the script and its arguments, or ['-m', module, ...args] */
  argv: string[];
  root: string;
  runtime?: { url: string; token: string };
  interpreter?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** extra environment, e.g. WANDB_PROJECT */
  extraEnv?: Record<string, string>;
  launchId?: string;
  stdio?: 'inherit' | 'pipe';
}

export interface LaunchedProcess {
  launchId: string;
  pid: number | undefined;
  child: ReturnType<typeof spawn>;
  /** resolves with {code, signal} when the process exits */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newRunId(): string {
  const bytes = crypto.randomBytes(8);
  return Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

export function launchEnv(opts: LaunchOptions, launchId: string): NodeJS.ProcessEnv {
  const base = opts.env ?? process.env;
  const env: NodeJS.ProcessEnv = {
    ...base,
    ...opts.extraEnv,
    TRACKWELL_DIR: opts.root,
    TRACKWELL_LAUNCH_ID: launchId,
    PYTHONPATH: clientPythonPath(base.PYTHONPATH),
    PYTHONUNBUFFERED: '1',
  };
  if (opts.runtime) {
    env.TRACKWELL_RUNTIME = opts.runtime.url;
    env.TRACKWELL_TOKEN = opts.runtime.token;
  } else {
    delete env.TRACKWELL_RUNTIME;
    delete env.TRACKWELL_TOKEN;
  }
  return env;
}

export function validateScript(argv: string[], cwd: string): void {
  if (!argv.length) throw new Error('Give the script to run, e.g. trackwell run train.py --lr 0.01');
  if (argv[0] === '-m') {
    if (!argv[1]) throw new Error('-m needs a module name, e.g. trackwell run -m mypkg.train');
    return;
  }
  const script = path.resolve(cwd, argv[0]);
  if (!fs.existsSync(script)) throw new Error(`${argv[0]} does not exist (looked for ${script})`);
  if (fs.statSync(script).isDirectory() && !fs.existsSync(path.join(script, '__main__.py'))) {
    throw new Error(`${argv[0]} is a folder without __main__.py; give the Python file to run`);
  }
}

export function launch(opts: LaunchOptions): LaunchedProcess {
  const cwd = opts.cwd ?? process.cwd();
  validateScript(opts.argv, cwd);
  const launchId = opts.launchId ?? newRunId();
  const interpreter = opts.interpreter ?? defaultInterpreter();
  // An argument array, never a shell: arguments reach the script exactly as given.
  const child = spawn(interpreter, opts.argv, { cwd, env: launchEnv(opts, launchId), stdio: opts.stdio ?? 'inherit' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`Could not start ${interpreter}: ${e.message}. Set the interpreter with --python or TRACKWELL_PYTHON.`)));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { launchId, pid: child.pid, child, exited };
}

/** The exit status a shell would report for a child that ended this way. */
export function shellExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal ? os.constants.signals[signal] : undefined;
  return n ? 128 + n : 1;
}
