// The status bar text while runs are live: how many, and the newest run's first charted metric.
import type { JsonObject, JsonValue } from '../../runtime/protocol/journal';
import type { RunInfo } from '../../runtime/protocol/live';
import type { HistoryResponse } from '../../runtime/protocol/api';
import { chartedMetrics } from '../../webview/charts/metrics';
import { groupSections } from '../../webview/charts/sections';

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

/**
 * The metric of the run panel's first chart: the panel's own rules (webview/charts): numeric, not "_"
 * internal, not hidden by define_metric (its own definition or the most specific glob such as "val/*"),
 * grouped into sections (the default section first, then sections in natural order) and ordered
 * naturally within a section. System metrics ("system/...") are charted last, never here.
 */
export function firstChartedKey(keys: Iterable<string | { name: string; numeric: boolean }>, defs: Record<string, JsonObject> = {}): string | undefined {
  const all = [...keys].map((k) => (typeof k === 'string' ? { name: k, numeric: true } : k)).filter((k) => !k.name.startsWith('system/'));
  return groupSections(chartedMetrics(all, defs))[0]?.metrics[0];
}

/**
 * The value to show before the next live point: the last point of the metric's history (exact: the
 * history API always keeps a range's last point), else its summary when that is a plain number.
 */
export function seedValue(metric: string, history: HistoryResponse | undefined, summary: JsonObject | undefined): number | undefined {
  const ys = history?.series[metric]?.y;
  const last = ys?.length ? ys[ys.length - 1] : undefined;
  if (typeof last === 'number') return last;
  const s: JsonValue | undefined = summary?.[metric];
  return typeof s === 'number' ? s : undefined;
}
