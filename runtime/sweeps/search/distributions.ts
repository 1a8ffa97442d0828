// Per-distribution CDF, PPF and sampling for FILLED sweep parameters, plus the helpers every
// search method shares: flattening nested parameters in config order and reading/writing a
// parameter's value in a run's nested params.
import type { Distribution, FilledParameter, ParameterSpec } from '../config/types';
import { isNested } from '../config/types';
import type { Rng } from './rng';
import { betaCdf, betaPpf, betaSample, normalCdf, normalPpf } from './special';
import { canonicalKey } from './canonical';

/** A leaf parameter: its path through nested groups and its filled spec. */
export interface LeafParam {
  path: string[];
  /** The path joined with '.', for messages. */
  name: string;
  spec: FilledParameter;
}

/** The leaf parameters in config order, nested groups flattened depth-first where they appear. */
export function flattenParameters(params: Record<string, ParameterSpec>, prefix: string[] = []): LeafParam[] {
  const out: LeafParam[] = [];
  for (const [key, spec] of Object.entries(params)) {
    const path = [...prefix, key];
    if (isNested(spec)) out.push(...flattenParameters(spec.parameters, path));
    else out.push({ path, name: path.join('.'), spec });
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A run's value at a parameter path; `found` is false when any step is missing. */
export function getPath(obj: Record<string, unknown>, path: string[]): { found: boolean; value?: unknown } {
  let cur: unknown = obj;
  for (const k of path) {
    if (!isRecord(cur) || !Object.prototype.hasOwnProperty.call(cur, k)) return { found: false };
    cur = cur[k];
  }
  return { found: true, value: cur };
}

export function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (!isRecord(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

/** Builds a nested params object from leaf values (in leaf order, so key order follows the config). */
export function buildParams(leaves: LeafParam[], values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  leaves.forEach((l, i) => setPath(out, l.path, values[i]));
  return out;
}

/** Strips float noise (3 * 0.1 = 0.30000000000000004) from a rounded value; integers pass untouched. */
export function cleanFloat(x: number): number {
  return Number.isInteger(x) || !Number.isFinite(x) ? x : Number(x.toPrecision(15));
}

/** Round half to even, as numpy's np.round does (the W&B reference rounds with it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `round(x/q)*q`; with an integer q the result is an exact integer. */
export function qRound(x: number, q: number): number {
  if (!Number.isFinite(x)) return x;
  return cleanFloat(roundHalfEven(x / q) * q);
}

const num = (v: number | undefined, fallback: number): number => (typeof v === 'number' ? v : fallback);

const Q_KINDS: ReadonlySet<Distribution> = new Set(['q_uniform', 'q_log_uniform', 'q_log_uniform_values', 'q_normal', 'q_log_normal', 'q_beta']);

/** The continuous distribution a q_ form rounds. */
function baseOf(d: Distribution): Distribution {
  switch (d) {
    case 'q_uniform': return 'uniform';
    case 'q_log_uniform': return 'log_uniform';
    case 'q_log_uniform_values': return 'log_uniform_values';
    case 'q_normal': return 'normal';
    case 'q_log_normal': return 'log_normal';
    case 'q_beta': return 'beta';
    default: return d;
  }
}

/** Cumulative probabilities of a categorical_w_probabilities parameter (the last forced to 1). */
function cumulative(spec: FilledParameter): number[] {
  const probs = spec.probabilities ?? [];
  const cum: number[] = [];
  let acc = 0;
  for (const p of probs) cum.push((acc += p));
  if (cum.length) cum[cum.length - 1] = 1;
  return cum;
}

function needValues(spec: FilledParameter, name: string): unknown[] {
  if (!Array.isArray(spec.values) || spec.values.length === 0) throw new Error(`parameter "${name}" (${spec.distribution}) has no values`);
  return spec.values;
}

/** Natural-log bounds of the log-uniform family, as (lo, hi) of the uniform in log space. */
function logBounds(spec: FilledParameter): [number, number] {
  const min = num(spec.min, 0);
  const max = num(spec.max, 1);
  switch (spec.distribution) {
    case 'log_uniform':
    case 'q_log_uniform':
    case 'inv_log_uniform':
      return [min, max]; // v1: min/max are already e-exponents
    default:
      return [Math.log(min), Math.log(max)];
  }
}

/**
 * The PPF: maps p in [0, 1] to a parameter value (q-rounded, ints for int_uniform). This is
 * how random search draws (ppf(U)) and how bayes maps its [0,1] point back to values.
 */
export function ppf(spec: FilledParameter, p: number, name = '?'): unknown {
  const d = spec.distribution;
  switch (d) {
    case 'constant':
      return spec.value;
    case 'categorical': {
      const values = needValues(spec, name);
      return values[Math.min(values.length - 1, Math.max(0, Math.floor(p * values.length)))];
    }
    case 'categorical_w_probabilities': {
      const values = needValues(spec, name);
      const cum = cumulative(spec);
      let i = cum.findIndex((c) => p < c);
      if (i < 0) i = values.length - 1;
      return values[i];
    }
    case 'int_uniform': {
      const min = Math.ceil(num(spec.min, 0));
      const n = Math.floor(num(spec.max, 0)) - min + 1;
      return min + Math.min(n - 1, Math.max(0, Math.floor(p * n)));
    }
  }
  const x = continuousPpf(spec, baseOf(d), p);
  return Q_KINDS.has(d) ? qRound(x, num(spec.q, 1)) : x;
}

function continuousPpf(spec: FilledParameter, d: Distribution, p: number): number {
  const min = num(spec.min, 0);
  const max = num(spec.max, 1);
  switch (d) {
    case 'uniform':
      return min + p * (max - min);
    case 'log_uniform':
    case 'log_uniform_values': {
      const [lo, hi] = logBounds(spec);
      return Math.exp(lo + p * (hi - lo));
    }
    case 'inv_log_uniform':
    case 'inv_log_uniform_values': {
      // 1/exp(U): W&B's exp(-U(lo', hi')) at 1-p. For the _values form lo' = -ln max, hi' = -ln min.
      const [lo, hi] = spec.distribution === 'inv_log_uniform' ? [min, max] : [-Math.log(max), -Math.log(min)];
      return Math.exp(-(lo + (1 - p) * (hi - lo)));
    }
    case 'normal':
      return num(spec.mu, 0) + num(spec.sigma, 1) * normalPpf(p);
    case 'log_normal':
      return Math.exp(num(spec.mu, 0) + num(spec.sigma, 1) * normalPpf(p));
    case 'beta':
      return betaPpf(p, num(spec.a, 1), num(spec.b, 1));
    default:
      throw new Error(`unsupported distribution "${spec.distribution}"`);
  }
}

/** The CDF of the continuous distribution under a parameter (q forms: of the unrounded one). */
export function continuousCdf(spec: FilledParameter, x: number): number {
  const min = num(spec.min, 0);
  const max = num(spec.max, 1);
  const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  switch (baseOf(spec.distribution)) {
    case 'uniform':
      return max > min ? clamp01((x - min) / (max - min)) : 0.5;
    case 'log_uniform':
    case 'log_uniform_values': {
      const [lo, hi] = logBounds(spec);
      return x <= 0 ? 0 : hi > lo ? clamp01((Math.log(x) - lo) / (hi - lo)) : 0.5;
    }
    case 'inv_log_uniform':
    case 'inv_log_uniform_values': {
      const [lo, hi] = spec.distribution === 'inv_log_uniform' ? [min, max] : [-Math.log(max), -Math.log(min)];
      return x <= 0 ? 0 : hi > lo ? clamp01(1 - (-Math.log(x) - lo) / (hi - lo)) : 0.5;
    }
    case 'normal': {
      const sigma = num(spec.sigma, 1);
      return sigma > 0 ? normalCdf((x - num(spec.mu, 0)) / sigma) : 0.5;
    }
    case 'log_normal': {
      const sigma = num(spec.sigma, 1);
      if (x <= 0) return 0;
      return sigma > 0 ? normalCdf((Math.log(x) - num(spec.mu, 0)) / sigma) : 0.5;
    }
    case 'beta':
      return betaCdf(x, num(spec.a, 1), num(spec.b, 1));
    default:
      throw new Error(`distribution "${spec.distribution}" has no continuous CDF`);
  }
}

/** Draws one value, independently of every other parameter. */
export function sample(spec: FilledParameter, rng: Rng, name = '?'): unknown {
  const d = spec.distribution;
  const q = num(spec.q, 1);
  // Normal and beta use direct samplers (cheaper than numerically inverting their CDFs).
  switch (baseOf(d)) {
    case 'normal': {
      const x = num(spec.mu, 0) + num(spec.sigma, 1) * rng.normal();
      return d === 'q_normal' ? qRound(x, q) : x;
    }
    case 'log_normal': {
      const x = Math.exp(num(spec.mu, 0) + num(spec.sigma, 1) * rng.normal());
      return d === 'q_log_normal' ? qRound(x, q) : x;
    }
    case 'beta': {
      const x = betaSample(num(spec.a, 1), num(spec.b, 1), rng);
      return d === 'q_beta' ? qRound(x, q) : x;
    }
    default:
      return ppf(spec, rng.uniform(), name);
  }
}

/**
 * Where a run's value sits in [0, 1] for the GP: the CDF for continuous kinds; the middle of the
 * value's CDF step for discrete kinds (so ppf of the encoding gives the value back). Undefined
 * when the value cannot be placed (missing, not one of the categorical values, not a number).
 */
export function encode(spec: FilledParameter, value: unknown): number | undefined {
  switch (spec.distribution) {
    case 'constant':
      return undefined;
    case 'categorical':
    case 'categorical_w_probabilities': {
      const values = spec.values ?? [];
      const key = canonicalKey(value);
      const i = values.findIndex((v) => canonicalKey(v) === key);
      if (i < 0) return undefined;
      if (spec.distribution === 'categorical') return (i + 0.5) / values.length;
      const cum = cumulative(spec);
      return ((i === 0 ? 0 : cum[i - 1]) + cum[i]) / 2;
    }
    case 'int_uniform': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      const min = Math.ceil(num(spec.min, 0));
      const n = Math.floor(num(spec.max, 0)) - min + 1;
      const i = Math.min(n - 1, Math.max(0, Math.round(value) - min));
      return (i + 0.5) / n;
    }
    default: {
      if (typeof value !== 'number' || Number.isNaN(value)) return undefined;
      return continuousCdf(spec, value);
    }
  }
}
