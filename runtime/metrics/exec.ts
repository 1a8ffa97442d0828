// Finding and running the vendor GPU tools (nvidia-smi, rocm-smi) without blocking the event loop.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The full path of `name` on PATH (PATHEXT on Windows), or undefined. Checked once per monitor. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const d of dirs) {
    for (const ext of exts) {
      const p = path.join(d, name + ext);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export interface ToolResult {
  /** exit code; null when killed (timeout) */
  code: number | null;
  stdout: string;
  stderr: string;
  /** set when the tool could not be started or was killed */
  error?: string;
}

export type RunTool = (file: string, args: string[], timeoutMs: number) => Promise<ToolResult>;

/** Runs a tool asynchronously; never rejects. */
export const runTool: RunTool = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, windowsHide: true, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ code: 0, stdout, stderr });
        return;
      }
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      const code = typeof e.code === 'number' ? e.code : null;
      resolve({ code, stdout: stdout ?? '', stderr: stderr ?? '', error: code === null ? (e.killed ? `timed out after ${timeoutMs} ms` : e.message) : undefined });
    });
  });
