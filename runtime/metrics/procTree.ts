// The process table read straight from /proc (Linux), once per sampling tick and shared by every live
// run. A full pass over /proc/[0-9]*/stat costs ~25 us per process (about 2 ms on a desktop); ProcTable
// cuts that to a directory listing plus the stat files of the runs' trees and of new processes, with a
// full pass every 30 s. Spawning `ps` or systeminformation.processes() costs 15+ ms and a child process,
// so neither is used on Linux.
import fs from 'node:fs';
import path from 'node:path';

/** One process as /proc/[pid]/stat describes it. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  /** start time, clock ticks after boot (tells a reused pid from the process seen before) */
  start: number;
  /** utime + stime, clock ticks */
  ticks: number;
  threads: number;
  /** resident set size, pages */
  rssPages: number;
}

export type ProcSnapshot = Map<number, ProcEntry>;

/**
 * Parses the text of /proc/[pid]/stat. The command name (field 2) sits in parentheses and may itself
 * contain spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcEntry | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ')': field 3 (state) onwards, so rest[0] is field 3 and field n is rest[n - 3].
  const rest = text.slice(close + 2).split(' ');
  if (!Number.isInteger(pid) || rest.length < 22) return undefined;
  const f = (n: number) => Number(rest[n - 3]);
  return { pid, ppid: f(4), ticks: f(14) + f(15), threads: f(20), start: f(22), rssPages: f(24) };
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Reads one /proc/[pid]/stat; undefined when the process is gone. */
export function readProcStat(procRoot: string, pid: number | string, buf: Buffer): ProcEntry | undefined {
  let fd: number | undefined;
  try {
    // open/read/close into one reused buffer: a third of readFileSync's cost on these size-0 files.
    fd = fs.openSync(path.join(procRoot, String(pid), 'stat'), 'r');
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return parseProcStat(buf.toString('latin1', 0, n));
  } catch {
    return undefined; // the process exited between readdir and open
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Pids listed in /proc. */
export function listPids(procRoot = '/proc'): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync(procRoot)) if (isDigit(name.charCodeAt(0))) out.push(Number(name));
  return out;
}

/** Reads every /proc/[pid]/stat. Processes that vanish mid-scan are skipped. */
export function readProcSnapshot(procRoot = '/proc', buf: Buffer = Buffer.alloc(4096)): ProcSnapshot {
  const snap: ProcSnapshot = new Map();
  for (const pid of listPids(procRoot)) {
    const e = readProcStat(procRoot, pid, buf);
    if (e) snap.set(e.pid, e);
  }
  return snap;
}

/**
 * The process table across ticks. A process's parent does not change while the parent lives (an
 * orphan moves to init or a subreaper), so the ppid of a process outside the runs' trees is read once
 * and kept; each tick lists /proc, reads the stat of every new pid and of every process in the trees
 * asked for (fresh CPU ticks, RSS, threads, and ppid: a member that was re-parented away drops out),
 * and forgets pids that are gone. Every `fullEveryMs` the whole table is read again (catches a pid
 * reused between two ticks, or a subreaper adopting orphans).
 */
export class ProcTable {
  private cache: ProcSnapshot = new Map();
  private lastFull = -Infinity;
  private buf = Buffer.alloc(4096);
  /** stat files read by the last tick (bench, tests) */
  lastReads = 0;

  constructor(private procRoot = '/proc', private fullEveryMs = 30000) {}

  /** The table with fresh entries for the trees of `roots`, and its children index. */
  read(roots: number[], now = Date.now()): { snap: ProcSnapshot; kids: Map<number, number[]> } {
    const root = this.procRoot;
    let reads = 0;
    if (now - this.lastFull >= this.fullEveryMs) {
      this.cache = readProcSnapshot(root, this.buf);
      this.lastFull = now;
      this.lastReads = this.cache.size;
      return { snap: this.cache, kids: childrenIndex(this.cache) };
    }
    const live = listPids(root);
    const alive = new Set(live);
    for (const pid of this.cache.keys()) if (!alive.has(pid)) this.cache.delete(pid);
    const fresh = new Set<number>();
    for (const pid of live) {
      if (this.cache.has(pid)) continue;
      const e = readProcStat(root, pid, this.buf);
      reads++;
      if (e) this.cache.set(pid, e);
      fresh.add(pid);
    }
    let kids = childrenIndex(this.cache);
    let reparented = false;
    for (const r of roots) {
      for (const m of processTree(this.cache, kids, r)) {
        if (fresh.has(m.pid)) continue;
        fresh.add(m.pid);
        const e = readProcStat(root, m.pid, this.buf);
        reads++;
        if (!e) this.cache.delete(m.pid);
        else {
          if (e.ppid !== m.ppid || e.start !== m.start) reparented = true;
          this.cache.set(m.pid, e);
        }
      }
    }
    if (reparented) kids = childrenIndex(this.cache);
    this.lastReads = reads;
    return { snap: this.cache, kids };
  }
}

/** ppid -> child pids, built once per snapshot. */
export function childrenIndex(snap: ProcSnapshot): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const e of snap.values()) {
    if (e.ppid === e.pid) continue;
    const list = kids.get(e.ppid);
    if (list) list.push(e.pid);
    else kids.set(e.ppid, [e.pid]);
  }
  return kids;
}

/** The root pid and all its descendants present in the snapshot (empty when the root is gone). */
export function processTree(snap: ProcSnapshot, kids: Map<number, number[]>, root: number): ProcEntry[] {
  const rootEntry = snap.get(root);
  if (!rootEntry) return [];
  const out: ProcEntry[] = [rootEntry];
  const seen = new Set<number>([root]);
  for (let i = 0; i < out.length; i++) {
    for (const c of kids.get(out[i].pid) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      const e = snap.get(c);
      if (e) out.push(e);
    }
  }
  return out;
}

/** Sums over a process tree. */
export interface TreeTotals {
  pids: number[];
  threads: number;
  rssBytes: number;
}

export function treeTotals(tree: ProcEntry[], pageSize: number): TreeTotals {
  let threads = 0;
  let rss = 0;
  for (const e of tree) {
    threads += e.threads;
    rss += e.rssPages;
  }
  return { pids: tree.map((e) => e.pid), threads, rssBytes: rss * pageSize };
}

/**
 * CPU use of a process tree between two samples, per process so that children that appear or exit
 * between samples are handled: a process seen in the previous sample contributes its tick delta; a new
 * one contributes all its ticks when it started after the previous sample, and its lifetime average
 * on the very first sample (nothing to diff against). Returns cores in use (1.0 = one core busy).
 */
export class TreeCpu {
  private prev = new Map<number, { start: number; ticks: number }>();
  private prevUptime: number | undefined;

  /** `uptime`: seconds since boot now; `clkTck`: clock ticks per second. */
  sample(tree: ProcEntry[], uptime: number, clkTck: number): number {
    const prevUptime = this.prevUptime;
    const dt = prevUptime === undefined ? undefined : uptime - prevUptime;
    let cores = 0;
    const next = new Map<number, { start: number; ticks: number }>();
    for (const e of tree) {
      next.set(e.pid, { start: e.start, ticks: e.ticks });
      const before = this.prev.get(e.pid);
      if (before && before.start === e.start && dt !== undefined && dt > 0) {
        cores += Math.max(0, e.ticks - before.ticks) / clkTck / dt;
        continue;
      }
      const startedAt = e.start / clkTck;
      if (dt !== undefined && dt > 0 && prevUptime !== undefined && startedAt >= prevUptime) {
        cores += e.ticks / clkTck / dt; // born since the previous sample: all its ticks are new
      } else {
        const age = uptime - startedAt;
        if (age > 0) cores += e.ticks / clkTck / age; // first sight: its lifetime average
      }
    }
    this.prev = next;
    this.prevUptime = uptime;
    return cores;
  }
}

/** Seconds since boot from /proc/uptime. */
export function readUptime(procRoot = '/proc'): number {
  return Number(fs.readFileSync(path.join(procRoot, 'uptime'), 'latin1').split(' ')[0]);
}
