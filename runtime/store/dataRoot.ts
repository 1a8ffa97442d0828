// Where a data root's files live. The Python client resolves the root with the same rule
// (runtime/python/trackwell/dataroot.py): $TRACKWELL_DIR, else the nearest `.trackwell`
// folder walking up from the working directory, else `<cwd>/.trackwell`.
import fs from 'node:fs';
import path from 'node:path';

export const DATA_DIR_NAME = '.trackwell';

export function resolveDataRoot(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRACKWELL_DIR) return path.resolve(cwd, env.TRACKWELL_DIR);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, DATA_DIR_NAME);
    if (isDirectory(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return path.join(path.resolve(cwd), DATA_DIR_NAME);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export interface DataRootPaths {
  root: string;
  db: string;
  token: string;
  runtimeInfo: string;
  lock: string;
  runs: string;
  blobs: string;
  log: string;
}

export function dataRootPaths(root: string): DataRootPaths {
  return {
    root,
    db: path.join(root, 'trackwell.db'),
    token: path.join(root, 'token'),
    runtimeInfo: path.join(root, 'runtime.json'),
    lock: path.join(root, 'runtime.lock'),
    runs: path.join(root, 'runs'),
    blobs: path.join(root, 'blobs'),
    log: path.join(root, 'runtime.log'),
  };
}

export function ensureDataRoot(root: string): DataRootPaths {
  const p = dataRootPaths(root);
  fs.mkdirSync(p.runs, { recursive: true, mode: 0o700 });
  fs.mkdirSync(p.blobs, { recursive: true, mode: 0o700 });
  return p;
}
