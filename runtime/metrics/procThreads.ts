// Thread counts per process where /proc is not there (proc.cpu.threads off Linux). systeminformation's
// process list carries no thread count, so one more tool run per tick asks the OS for the runs' trees:
//   macOS: `ps -M -p <pids>` prints one line per thread (a few ms, like the `ps` behind
//     systeminformation's own list);
//   Windows: PowerShell's Get-Process (Threads.Count); starting PowerShell costs a few hundred ms of CPU,
//     so the counts are refreshed at most every WINDOWS_REFRESH_MS and reused in between.
// Anywhere else (the BSDs' ps has no -M; their `-H` / `nlwp` are not handled yet), or while the tool
// fails, the tag is left out rather than guessed.
import type { RunTool } from './exec';

export const WINDOWS_REFRESH_MS = 10000;
/** consecutive failures after which the tool is not run again by this runtime */
const MAX_FAILURES = 5;

/**
 * `ps -M -p <pids>` (macOS) -> threads per pid. The header is followed by one line per thread; a
 * process's first line starts with its USER, the lines of its other threads leave USER blank, so the
 * PID is the second field of a line that starts with a name and the first of one that starts with blanks.
 */
export function parsePsThreads(text: string): Map<number, number> {
  const out = new Map<number, number>();
  const lines = text.split('\n');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  if (header[0] !== 'USER' || header[1] !== 'PID') return out;
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const f = line.trim().split(/\s+/);
    const pid = Number(/^\s/.test(line) ? f[0] : f[1]);
    if (Number.isInteger(pid) && pid > 0) out.set(pid, (out.get(pid) ?? 0) + 1);
  }
  return out;
}

/** "<pid> <threads>" lines (the PowerShell query below) -> threads per pid. */
export function parsePidCounts(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

/** Counts the threads of given pids with the platform's tool; undefined where it cannot. */
export class ThreadCounter {
  private last = new Map<number, number>();
  private lastAt = -Infinity;
  private failures = 0;
  private off = false;

  constructor(
    private readonly platform: NodeJS.Platform,
    private readonly run: RunTool,
    private readonly warn: (m: string) => void = () => {},
  ) {}

  get supported(): boolean {
    return !this.off && (this.platform === 'darwin' || this.platform === 'win32');
  }

  /** Threads per pid for those of `pids` still alive (pids missing from the map are unknown). */
  async read(pids: number[], timeoutMs: number, now = Date.now()): Promise<Map<number, number> | undefined> {
    if (!this.supported || !pids.length) return undefined;
    const list = [...new Set(pids)].filter((p) => Number.isInteger(p) && p > 0);
    if (this.platform === 'win32') {
      // Between refreshes the last counts stand (a pid first seen since then is unknown until the next).
      if (now - this.lastAt < WINDOWS_REFRESH_MS && list.every((p) => this.last.has(p))) return this.last;
      const cmd = `Get-Process -Id ${list.join(',')} -ErrorAction SilentlyContinue | ForEach-Object { '{0} {1}' -f $_.Id, $_.Threads.Count }`;
      const r = await this.run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', cmd], Math.max(timeoutMs, 5000));
      // Get-Process exits non-zero when some pid is gone; what it printed for the others still counts.
      if (r.error && !r.stdout.trim()) return this.fail(`powershell Get-Process: ${r.error}`);
      this.failures = 0;
      this.last = parsePidCounts(r.stdout);
      this.lastAt = now;
      return this.last;
    }
    const r = await this.run('ps', ['-M', '-p', list.join(',')], timeoutMs);
    if (r.error) return this.fail(`ps -M: ${r.error}`);
    const counts = parsePsThreads(r.stdout);
    // ps exits 1 when a pid is gone (the lines it printed for the others are still right).
    if (!counts.size && r.code !== 0 && r.code !== 1) return this.fail(`ps -M: ${r.stderr.trim() || `exit code ${r.code}`}`);
    if (!counts.size && r.stdout.trim() && !/^\s*USER\s+PID\b[^\n]*\n?\s*$/.test(r.stdout)) {
      return this.fail(`ps -M printed lines this runtime cannot read (${JSON.stringify(r.stdout.slice(0, 120))})`, true);
    }
    this.failures = 0;
    return counts;
  }

  /** A tool that fails MAX_FAILURES times in a row, or prints what cannot be read, is not run again by this runtime. */
  private fail(why: string, forGood = false): undefined {
    if (forGood || ++this.failures >= MAX_FAILURES) {
      this.off = true;
      this.warn(`trackwell: system metrics: ${why}; proc.cpu.threads is not sampled on this host until the runtime restarts`);
    }
    return undefined;
  }
}
