// Host-wide counters a system-metrics sample needs: memory, disk I/O, network, disk usage.
// Linux: /proc/meminfo, /proc/diskstats and /proc/net/dev read directly (about 0.03 ms each; the
// systeminformation equivalents cost 1-9 ms of CPU and spawn shells). Elsewhere: systeminformation.
import fs from 'node:fs';
import path from 'node:path';

export const MB = 1024 * 1024;
export const GB = 1024 * 1024 * 1024;

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface IoCounters {
  /** bytes read / written by block devices since boot */
  diskReadBytes: number;
  diskWriteBytes: number;
  /** bytes received / sent on every interface (loopback included, as psutil counts them) */
  netRecvBytes: number;
  netSentBytes: number;
}

export interface HostCounters extends IoCounters {
  mem: MemInfo;
}

/** /proc/meminfo -> total and available bytes (MemAvailable; older kernels: free + buffers + cached). */
export function parseMeminfo(text: string): MemInfo {
  const kb = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal') ?? 0;
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  return { totalBytes: total, availableBytes: available };
}

/** Whole block devices worth counting: those in /sys/block that are not loop, ram or zram devices. */
export function wholeDisks(sysBlock = '/sys/block'): Set<string> | undefined {
  try {
    return new Set(fs.readdirSync(sysBlock).filter((d) => !/^(loop|ram|zram)\d/.test(d)));
  } catch {
    return undefined;
  }
}

/**
 * /proc/diskstats -> bytes read and written. Sectors there are always 512 bytes. Only whole disks are
 * summed (a partition's I/O is already in its disk's line); without the list, names that look like
 * partitions (sda1, nvme0n1p2, mmcblk0p1) are skipped instead.
 */
export function parseDiskstats(text: string, disks?: Set<string>): { readBytes: number; writeBytes: number } {
  let read = 0;
  let written = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const name = f[2];
    if (disks ? !disks.has(name) : /^(loop|ram|zram)\d|^(sd[a-z]+|hd[a-z]+|vd[a-z]+|xvd[a-z]+)\d+$|^(nvme\d+n\d+|mmcblk\d+)p\d+$/.test(name)) continue;
    read += Number(f[5]) * 512;
    written += Number(f[9]) * 512;
  }
  return { readBytes: read, writeBytes: written };
}

/** /proc/net/dev -> bytes received and sent, summed over interfaces. */
export function parseNetDev(text: string): { recvBytes: number; sentBytes: number } {
  let recv = 0;
  let sent = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (f.length < 9) continue;
    recv += Number(f[0]) || 0;
    sent += Number(f[8]) || 0;
  }
  return { recvBytes: recv, sentBytes: sent };
}

/** Disk use of the file system holding `p`, as psutil.disk_usage computes it (used vs used + available to users). */
export function diskUsage(p: string): { usedBytes: number; percent: number } {
  const s = fs.statfsSync(p);
  const used = (s.blocks - s.bfree) * s.bsize;
  const avail = s.bavail * s.bsize;
  return { usedBytes: used, percent: used + avail > 0 ? (used / (used + avail)) * 100 : 0 };
}

/** Reads host counters; one instance per monitor. */
export interface HostReader {
  read(): Promise<HostCounters>;
}

export class LinuxHostReader implements HostReader {
  private disks: Set<string> | undefined;
  private disksAt = 0;

  constructor(private procRoot = '/proc', private sysBlock = '/sys/block') {
    this.procRoot ||= '/proc';
    this.sysBlock ||= '/sys/block';
  }

  async read(): Promise<HostCounters> {
    return this.readSync();
  }

  readSync(): HostCounters {
    const now = Date.now();
    // Disks come and go rarely; re-list them once a minute.
    if (now - this.disksAt > 60000) {
      this.disks = wholeDisks(this.sysBlock);
      this.disksAt = now;
    }
    const rd = (f: string) => fs.readFileSync(path.join(this.procRoot, f), 'latin1');
    const mem = parseMeminfo(rd('meminfo'));
    let disk = { readBytes: 0, writeBytes: 0 };
    let net = { recvBytes: 0, sentBytes: 0 };
    try { disk = parseDiskstats(rd('diskstats'), this.disks); } catch { /* no diskstats (some containers) */ }
    try { net = parseNetDev(rd('net/dev')); } catch { /* no net/dev */ }
    return { mem, diskReadBytes: disk.readBytes, diskWriteBytes: disk.writeBytes, netRecvBytes: net.recvBytes, netSentBytes: net.sentBytes };
  }
}

/** Portable fallback (macOS, Windows) through systeminformation; costs a few ms and child processes. */
export class SiHostReader implements HostReader {
  async read(): Promise<HostCounters> {
    const si = (await import('systeminformation')).default;
    const [mem, fsStats, nets] = await Promise.all([
      si.mem(),
      si.fsStats().catch(() => null),
      si.networkStats('*').catch(() => []),
    ]);
    let recv = 0, sent = 0;
    for (const n of nets ?? []) {
      recv += n.rx_bytes || 0;
      sent += n.tx_bytes || 0;
    }
    return {
      mem: { totalBytes: mem.total, availableBytes: mem.available },
      diskReadBytes: fsStats?.rx ?? 0, diskWriteBytes: fsStats?.wx ?? 0,
      netRecvBytes: recv, netSentBytes: sent,
    };
  }
}

/**
 * The four W&B counters that are deltas since a run's first sample: disk.in / disk.out (MB) and
 * network.recv / network.sent (bytes). A counter that goes backwards (a device removed, a wrap) is
 * rebased so the series never drops below its last value.
 */
export class DeltaCounters {
  private base: IoCounters;
  private last: IoCounters;

  /** `resume`: the run's last stored values, so a restarted runtime continues a run's series. */
  constructor(first: IoCounters, resume?: Partial<Record<'disk.in' | 'disk.out' | 'network.recv' | 'network.sent', number>>) {
    this.base = {
      diskReadBytes: first.diskReadBytes - (resume?.['disk.in'] ?? 0) * MB,
      diskWriteBytes: first.diskWriteBytes - (resume?.['disk.out'] ?? 0) * MB,
      netRecvBytes: first.netRecvBytes - (resume?.['network.recv'] ?? 0),
      netSentBytes: first.netSentBytes - (resume?.['network.sent'] ?? 0),
    };
    this.last = { ...first };
  }

  values(now: IoCounters): { 'disk.in': number; 'disk.out': number; 'network.recv': number; 'network.sent': number } {
    for (const k of ['diskReadBytes', 'diskWriteBytes', 'netRecvBytes', 'netSentBytes'] as const) {
      if (now[k] < this.last[k]) this.base[k] -= this.last[k] - now[k];
      this.last[k] = now[k];
    }
    return {
      'disk.in': Math.max(0, now.diskReadBytes - this.base.diskReadBytes) / MB,
      'disk.out': Math.max(0, now.diskWriteBytes - this.base.diskWriteBytes) / MB,
      'network.recv': Math.max(0, now.netRecvBytes - this.base.netRecvBytes),
      'network.sent': Math.max(0, now.netSentBytes - this.base.netSentBytes),
    };
  }
}
