// Which metrics to chart and against what, from RunDetail.history_keys and define_metric definitions.
import type { JsonObject } from '../../runtime/protocol/journal';
import type { XAxis } from '../../runtime/protocol/api';

export interface MetricDef {
  step_metric?: string | null;
  hidden?: boolean | null;
  summary?: string[] | null;
  goal?: string | null;
}

const globCache = new Map<string, RegExp>();
const globRe = (p: string) => {
  let re = globCache.get(p);
  if (!re) globCache.set(p, (re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)));
  return re;
};

/** The definition that applies to `name`: its own, else the most specific glob ("val/*"). */
export function metricDef(name: string, defs: Record<string, JsonObject | MetricDef>): MetricDef | undefined {
  const own = defs[name];
  if (own) return own as MetricDef;
  let best: string | undefined;
  for (const p of Object.keys(defs)) {
    if (p.includes('*') && globRe(p).test(name) && (!best || p.length > best.length)) best = p;
  }
  return best ? (defs[best] as MetricDef) : undefined;
}

/** Numeric, not hidden, not W&B's internal "_" keys. */
export function chartedMetrics(keys: readonly { name: string; numeric: boolean }[], defs: Record<string, JsonObject | MetricDef>): string[] {
  return keys.filter((k) => k.numeric && !k.name.startsWith('_') && metricDef(k.name, defs)?.hidden !== true).map((k) => k.name);
}

/** The user's x-axis choice ('auto' = the metric's step_metric, else the step). */
export type XChoice = 'auto' | XAxis;

export function xAxisFor(name: string, choice: XChoice, defs: Record<string, JsonObject | MetricDef>): XAxis {
  if (choice !== 'auto') return choice === `metric:${name}` ? 'step' : choice;
  const sm = metricDef(name, defs)?.step_metric;
  return sm && sm !== name ? `metric:${sm}` : 'step';
}

export function xAxisTitle(x: XAxis): string {
  if (x === 'step') return 'Step';
  if (x === 'wall') return 'Wall time';
  if (x === 'relative') return 'Relative time (h:m:s)';
  return x.slice('metric:'.length);
}
