// Axes for the sweep charts (parallel coordinates and the per-parameter scatters), no DOM: one axis
// per swept parameter (nested groups as dotted names) and one for the metric. A parameter drawn from
// a list of values is categorical (its values in config order, evenly spaced); one drawn from a log
// distribution gets a log axis; the rest are linear over the search range and the values seen.
import type { JsonValue } from '../../runtime/protocol/journal';
import type { SweepParameterView, SweepTrial } from '../../runtime/protocol/api';

export type AxisKind = 'linear' | 'log' | 'categorical';

export interface Axis {
  /** the dotted parameter name, or the metric's name */
  name: string;
  kind: AxisKind;
  /** numeric axes: the domain (log axes: positive) */
  min: number;
  max: number;
  /** categorical axes: the value labels, in config order then in the order first seen */
  categories: string[];
  metric: boolean;
  /** the parameter's distribution, when a parameter */
  distribution?: string;
}

const CATEGORICAL = new Set(['categorical', 'categorical_w_probabilities', 'constant']);
/** Distributions whose `min`/`max` are the values' own bounds (log_uniform's are exponents). */
const VALUE_BOUNDS = new Set(['uniform', 'int_uniform', 'q_uniform', 'log_uniform_values', 'q_log_uniform_values', 'beta', 'q_beta']);

/** Leaf parameters by dotted name. */
export function flatParameters(params: Record<string, SweepParameterView>, prefix = ''): Record<string, SweepParameterView> {
  const out: Record<string, SweepParameterView> = {};
  for (const [k, p] of Object.entries(params ?? {})) {
    if (p && typeof p === 'object' && p.parameters && !p.distribution) Object.assign(out, flatParameters(p.parameters, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = p;
  }
  return out;
}

/** A trial's parameter values by dotted name (nested groups flattened). */
export function flatValues(params: Record<string, JsonValue>, prefix = ''): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatValues(v as Record<string, JsonValue>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** The label a value has on a categorical axis (1 and 1.0 are the same value). */
export function categoryOf(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '∅';
  return JSON.stringify(v);
}

export function buildAxes(
  params: Record<string, SweepParameterView>,
  trials: Pick<SweepTrial, 'params' | 'metric'>[],
  metricName: string | undefined,
): Axis[] {
  const specs = flatParameters(params);
  const values = trials.map((t) => flatValues(t.params));
  const axes: Axis[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const dist = spec.distribution ?? (spec.values ? 'categorical' : spec.value !== undefined ? 'constant' : 'uniform');
    if (dist === 'constant') continue; // one value: nothing to compare
    const seen = values.map((v) => v[name]).filter((v) => v !== undefined);
    const numeric = seen.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (CATEGORICAL.has(dist) || !numeric) {
      const categories: string[] = [];
      for (const v of [...(spec.values ?? []), ...seen]) {
        const c = categoryOf(v);
        if (!categories.includes(c)) categories.push(c);
      }
      axes.push({ name, kind: 'categorical', min: 0, max: Math.max(0, categories.length - 1), categories, metric: false, distribution: dist });
      continue;
    }
    const nums = seen as number[];
    if (VALUE_BOUNDS.has(dist) && typeof spec.min === 'number' && typeof spec.max === 'number') nums.push(spec.min, spec.max);
    const log = /log/.test(dist) && nums.length > 0 && nums.every((v) => v > 0);
    const [min, max] = domain(nums, log);
    axes.push({ name, kind: log ? 'log' : 'linear', min, max, categories: [], metric: false, distribution: dist });
  }
  const metrics = trials.map((t) => t.metric).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const [min, max] = domain(metrics, false);
  axes.push({ name: metricName ?? 'metric', kind: 'linear', min, max, categories: [], metric: true });
  return axes;
}

function domain(nums: number[], log: boolean): [number, number] {
  if (!nums.length) return log ? [1, 10] : [0, 1];
  let min = Math.min(...nums), max = Math.max(...nums);
  if (min === max) {
    if (log) return [min / 2, max * 2];
    const pad = Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  }
  if (!log) {
    const pad = (max - min) * 0.04;
    min -= pad;
    max += pad;
  }
  return [min, max];
}

/** Where a value sits on an axis, 0 (bottom) to 1 (top); null when it cannot be placed. */
export function axisPosition(axis: Axis, v: JsonValue | undefined): number | null {
  if (axis.kind === 'categorical') {
    if (v === undefined) return null;
    const i = axis.categories.indexOf(categoryOf(v));
    if (i < 0) return null;
    return (i + 0.5) / axis.categories.length;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (axis.kind === 'log') {
    if (v <= 0) return null;
    return clamp01((Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min)));
  }
  return clamp01((v - axis.min) / (axis.max - axis.min));
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export interface Tick {
  pos: number;
  label: string;
}

/** Tick marks: every category, powers of ten on log axes, round numbers on linear ones. */
export function axisTicks(axis: Axis, count = 5): Tick[] {
  if (axis.kind === 'categorical') return axis.categories.map((c, i) => ({ pos: (i + 0.5) / axis.categories.length, label: c }));
  if (axis.kind === 'log') {
    const lo = Math.ceil(Math.log10(axis.min) - 1e-9), hi = Math.floor(Math.log10(axis.max) + 1e-9);
    const step = Math.max(1, Math.ceil((hi - lo + 1) / count));
    const out: Tick[] = [];
    for (let e = lo; e <= hi; e += step) out.push({ pos: axisPosition(axis, 10 ** e)!, label: formatTick(10 ** e) });
    if (out.length >= 2) return out;
    return [axis.min, axis.max].map((v) => ({ pos: axisPosition(axis, v)!, label: formatTick(v) }));
  }
  const step = niceStep((axis.max - axis.min) / count);
  const out: Tick[] = [];
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + step * 1e-9; v += step) {
    out.push({ pos: axisPosition(axis, v)!, label: formatTick(Math.abs(v) < step * 1e-9 ? 0 : v) });
  }
  return out;
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace(/\.0e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * How good each value is, 0 (worst) to 1 (best), by rank among the values (so one outlier does not
 * wash out the colours of the rest). Non-finite values and nulls get null.
 */
export function goodness(values: (number | null)[], goal: string | undefined): (number | null)[] {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const sorted = [...finite].sort((a, b) => a - b);
  const max = goal === 'maximize';
  return values.map((v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    if (sorted.length < 2) return 1;
    const lo = sorted.indexOf(v), hi = sorted.lastIndexOf(v);
    const rank = (lo + hi) / 2 / (sorted.length - 1);
    return max ? rank : 1 - rank;
  });
}
