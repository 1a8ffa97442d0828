// Units for system metrics (W&B's key names: cpu, memory_percent, proc.memory.rssMB, gpu.0.temp, ...).

export type Unit = '%' | 'MB' | 'GB' | '°C' | 'W' | 'MHz' | 'bytes' | '';

export function unitOf(tag: string): Unit {
  const t = tag.toLowerCase();
  const last = t.split('.').pop() ?? t;
  if (/percent|util/.test(t) || t === 'cpu' || /^gpu\.(process\.)?\d+\.(gpu|memory|memoryallocated|fanspeed)$/.test(t)) return '%';
  if (/bytes$/.test(last) || /^network\./.test(t)) return 'bytes';
  // disk.in / disk.out: MB read / written since the run's first sample (a running total, not a rate).
  if (/mb$/.test(last) || /^disk\.(.+\.)?(in|out)$/.test(t)) return 'MB';
  if (/gb$/.test(last)) return 'GB';
  if (/temp/.test(last)) return '°C';
  if (/watts$|^power/.test(last)) return 'W';
  if (/clock$/.test(last)) return 'MHz';
  return '';
}

export const unitLabel = (tag: string): string => {
  const u = unitOf(tag);
  return u ? `${tag} (${u})` : tag;
};

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(n: number): string {
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${n < 0 ? '-' : ''}${i ? v.toFixed(v < 10 ? 1 : 0) : v} ${BYTE_UNITS[i]}`;
}

/**
 * A value as a tooltip shows it exactly: a non-finite one by its kind (the API sends those as gaps with
 * their kind beside them: NaN, Infinity, -Infinity), bytes with a readable size too.
 */
export function exactValue(v: number | null | undefined, nonFinite?: string, unit?: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return nonFinite ?? (typeof v === 'number' ? String(v) : 'NaN');
  return unit === 'bytes' ? `${v} (${formatBytes(v)})` : String(v);
}
