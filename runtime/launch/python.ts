// Where the Python client lives and how to put it in front of a script.
import fs from 'node:fs';
import path from 'node:path';

/** runtime/python, found next to the bundle (dist/) or the sources (runtime/launch/). */
export function pythonClientDir(): string {
  const candidates = [
    process.env.TRACKWELL_PYTHON_DIR,
    path.resolve(__dirname, '..', 'runtime', 'python'),
    path.resolve(__dirname, '..', 'python'),
    path.resolve(__dirname, '..', '..', 'runtime', 'python'),
  ].filter((x): x is string => !!x);
  for (const c of candidates) if (fs.existsSync(path.join(c, 'trackwell', '__init__.py'))) return c;
  throw new Error(`Cannot find the trackwell Python client (looked in ${candidates.join(', ')})`);
}

/** PYTHONPATH entries: the client, the `wandb` compatibility module, and the launch hook. */
export function clientPythonPath(existing?: string): string {
  const dir = pythonClientDir();
  const parts = [dir, path.join(dir, 'trackwell', '_compat'), path.join(dir, 'trackwell', '_launch')];
  if (existing) parts.push(existing);
  return parts.join(path.delimiter);
}

export function defaultInterpreter(): string {
  return process.env.TRACKWELL_PYTHON || (process.platform === 'win32' ? 'python' : 'python3');
}
