// The status bar text while runs are live: how many, and the newest run's first charted metric.
import type { RunInfo } from '../../runtime/protocol/live';

export interface LatestValue {
  key: string;
  value: number;
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

export function statusText(live: RunInfo[], latest?: LatestValue): string | undefined {
  if (!live.length) return undefined;
  const count = `$(pulse) ${live.length} run${live.length === 1 ? '' : 's'}`;
  return latest ? `${count} · ${latest.key} ${formatValue(latest.value)}` : count;
}

/** The first metric a chart would show: the first numeric, non-hidden, non-underscore key in name order. */
export function firstChartedKey(keys: string[], hidden: Set<string>): string | undefined {
  return [...keys].sort().find((k) => !k.startsWith('_') && !k.startsWith('system/') && !hidden.has(k));
}
