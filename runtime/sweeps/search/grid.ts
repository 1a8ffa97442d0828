// Grid search: the product of every parameter's values in config order (the last parameter
// varies fastest, like itertools.product), skipping combinations any run of the sweep already
// has, so restarting a sweep is idempotent and the grid ends when every point has a run.
import type { FilledParameter, SweepConfig } from '../config/types';
import { canonicalKey } from './canonical';
import { buildParams, cleanFloat, flattenParameters, getPath, type LeafParam } from './distributions';
import type { Rng } from './rng';
import { SearchConfigError, type Suggestion, type SweepRunView } from './types';

const GRID_KINDS = ['constant', 'categorical', 'int_uniform', 'q_uniform'] as const;

/** Decimal places needed to write x exactly (0.25 → 2, 1e-7 → 7), capped at 20. */
function decimals(x: number): number {
  const s = String(Math.abs(x));
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!m) return 20;
  const frac = (m[2] ?? '').length - Number(m[3] ?? 0);
  return Math.min(20, Math.max(0, frac));
}

/**
 * The values of np.arange(min, max, q): max EXCLUDED, even where float error makes
 * (max-min)/q land a hair above an integer (numpy's arange(1, 1.3, 0.1) includes 1.3000000000000003;
 * we do not). Values are min + i*q rounded to the decimals of min and q, so 0.1-steps give 0.3, not
 * 0.30000000000000004.
 */
export function qUniformGridValues(min: number, max: number, q: number): number[] {
  if (!(q > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  const span = (max - min) / q;
  if (!(span > 0)) return [];
  // (max-min)/q within float error of an integer k: exactly k values, so max stays excluded.
  const k = Math.round(span);
  const n = Math.abs(span - k) <= 1e-9 * Math.max(1, span) ? k : Math.ceil(span);
  const places = Math.max(decimals(min), decimals(q));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = min + i * q;
    out.push(places <= 15 ? Number(v.toFixed(places)) : cleanFloat(v));
  }
  return out;
}

function gridValues(leaf: LeafParam): unknown[] {
  const spec: FilledParameter = leaf.spec;
  switch (spec.distribution) {
    case 'constant':
      return [spec.value];
    case 'categorical':
      return spec.values ?? [];
    case 'int_uniform': {
      const min = Math.ceil(spec.min ?? 0);
      const max = Math.floor(spec.max ?? 0);
      const out: number[] = [];
      for (let v = min; v <= max; v++) out.push(v);
      return out;
    }
    case 'q_uniform':
      return qUniformGridValues(spec.min ?? 0, spec.max ?? 0, spec.q ?? 1);
    default:
      throw new SearchConfigError(
        `grid search cannot use parameter "${leaf.name}" (distribution ${spec.distribution}): ` +
          `grid search requires every parameter to be ${GRID_KINDS.join(', ')} ` +
          `(categorical_w_probabilities is not allowed either)`,
        leaf.name,
      );
  }
}

interface GridAxis {
  leaf: LeafParam;
  /** Distinct values in first-seen order. */
  values: unknown[];
  keys: string[];
  /** Keys that dict values in the grid use: extra keys a run's dict picked up at runtime are ignored. */
  knownDictKeys?: Set<string>;
}

/** The grid's axes: every leaf, each with its distinct values. Throws for a non-grid parameter. */
export function gridAxes(config: SweepConfig): GridAxis[] {
  return flattenParameters(config.parameters).map((leaf) => {
    const values: unknown[] = [];
    const keys: string[] = [];
    const seen = new Set<string>();
    let knownDictKeys: Set<string> | undefined;
    for (const v of gridValues(leaf)) {
      const k = canonicalKey(v);
      if (seen.has(k)) continue; // [a, b, a] is the grid [a, b]
      seen.add(k);
      values.push(v);
      keys.push(k);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        knownDictKeys ??= new Set();
        for (const dk of Object.keys(v)) knownDictKeys.add(dk);
      }
    }
    return { leaf, values, keys, knownDictKeys };
  });
}

/** How many points the grid has (after de-duplicating values). */
export function gridSize(config: SweepConfig): number {
  return gridAxes(config).reduce((n, a) => n * a.values.length, 1);
}

/** Constants are not part of the de-duplication key (as in W&B): a run only has to match the searched axes. */
const isSearched = (a: GridAxis) => a.leaf.spec.distribution !== 'constant';

function runKey(axes: GridAxis[], params: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  for (const a of axes) {
    if (!isSearched(a)) continue;
    const got = getPath(params, a.leaf.path);
    if (!got.found) return undefined; // incomplete: cannot cover any grid point
    let v = got.value;
    if (a.knownDictKeys && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const known = a.knownDictKeys;
      v = Object.fromEntries(Object.entries(v).filter(([k]) => known.has(k)));
    }
    parts.push(canonicalKey(v));
  }
  return parts.join('\u0000');
}

/** The first grid point no run of the sweep has yet (the rng is unused: grid order is fixed). */
export function gridNext(config: SweepConfig, runs: SweepRunView[], _rng?: Rng): Suggestion {
  const axes = gridAxes(config);
  const seen = new Set<string>();
  for (const r of runs) {
    const k = runKey(axes, r.params);
    if (k !== undefined) seen.add(k);
  }
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total === 0) {
    const empty = axes.find((a) => a.values.length === 0)!;
    return { done: true, reason: `the grid is empty: parameter "${empty.leaf.name}" has no values` };
  }
  // An odometer over the axes, last axis fastest.
  const idx = axes.map(() => 0);
  const searchedAt = axes.flatMap((a, i) => (isSearched(a) ? [i] : []));
  for (let n = 0; n < total; n++) {
    const key = searchedAt.map((i) => axes[i].keys[idx[i]]).join('\u0000');
    if (!seen.has(key)) {
      return { params: buildParams(axes.map((a) => a.leaf), axes.map((a, i) => a.values[idx[i]])), info: { method: 'grid' } };
    }
    for (let i = axes.length - 1; i >= 0; i--) {
      if (++idx[i] < axes[i].values.length) break;
      idx[i] = 0;
    }
  }
  return { done: true, reason: `the grid is exhausted: all ${total} combinations have runs` };
}
