// What each distribution takes, its defaults, and how a parameter without `distribution` is read —
// the same inference W&B applies (first matching form: value, values, values+probabilities, min/max).
import type { Distribution } from './types';

export interface DistributionInfo {
  /** the definition in schemas/sweep.schema.json that validates this form */
  definition: string;
  /** keys this form accepts besides `distribution` */
  keys: readonly string[];
  defaults: Readonly<Record<string, number>>;
  /** grid can enumerate it */
  gridOk: boolean;
  /** the older base-e form and the `_values` form that replaces it */
  replacedBy?: Distribution;
}

const Q = { q: 1.0 };
const NORMAL = { mu: 0, sigma: 1 };
const BETA = { a: 1, b: 1 };

export const DISTRIBUTIONS: Readonly<Record<Distribution, DistributionInfo>> = {
  constant: { definition: 'param_single_value', keys: ['value'], defaults: {}, gridOk: true },
  categorical: { definition: 'param_categorical', keys: ['values'], defaults: {}, gridOk: true },
  categorical_w_probabilities: { definition: 'param_categorical_w_probabilities', keys: ['values', 'probabilities'], defaults: {}, gridOk: false },
  int_uniform: { definition: 'param_int_uniform', keys: ['min', 'max'], defaults: {}, gridOk: true },
  uniform: { definition: 'param_uniform', keys: ['min', 'max'], defaults: {}, gridOk: false },
  q_uniform: { definition: 'param_quniform', keys: ['min', 'max', 'q'], defaults: Q, gridOk: true },
  log_uniform: { definition: 'param_loguniform', keys: ['min', 'max'], defaults: {}, gridOk: false, replacedBy: 'log_uniform_values' },
  log_uniform_values: { definition: 'param_loguniform_v2', keys: ['min', 'max'], defaults: {}, gridOk: false },
  q_log_uniform: { definition: 'param_qloguniform', keys: ['min', 'max', 'q'], defaults: Q, gridOk: false, replacedBy: 'q_log_uniform_values' },
  q_log_uniform_values: { definition: 'param_qloguniform_v2', keys: ['min', 'max', 'q'], defaults: Q, gridOk: false },
  inv_log_uniform: { definition: 'param_inv_loguniform', keys: ['min', 'max'], defaults: {}, gridOk: false, replacedBy: 'inv_log_uniform_values' },
  inv_log_uniform_values: { definition: 'param_inv_loguniform_v2', keys: ['min', 'max'], defaults: {}, gridOk: false },
  normal: { definition: 'param_normal', keys: ['mu', 'sigma'], defaults: NORMAL, gridOk: false },
  q_normal: { definition: 'param_qnormal', keys: ['mu', 'sigma', 'q'], defaults: { ...NORMAL, ...Q }, gridOk: false },
  log_normal: { definition: 'param_lognormal', keys: ['mu', 'sigma'], defaults: NORMAL, gridOk: false },
  q_log_normal: { definition: 'param_qlognormal', keys: ['mu', 'sigma', 'q'], defaults: { ...NORMAL, ...Q }, gridOk: false },
  beta: { definition: 'param_beta', keys: ['a', 'b'], defaults: BETA, gridOk: false },
  q_beta: { definition: 'param_qbeta', keys: ['a', 'b', 'q'], defaults: { ...BETA, ...Q }, gridOk: false },
};

export const DISTRIBUTION_NAMES = Object.keys(DISTRIBUTIONS) as Distribution[];

/** Every key a leaf parameter may have in some form, for "did you mean". */
export const PARAMETER_KEYS = ['distribution', 'value', 'values', 'probabilities', 'min', 'max', 'q', 'mu', 'sigma', 'a', 'b', 'parameters'] as const;

export function isDistribution(x: unknown): x is Distribution {
  return typeof x === 'string' && Object.hasOwn(DISTRIBUTIONS, x);
}

/**
 * Limits of the `_values` form equivalent to a base-e form: log_uniform(min, max) draws e^U(min, max),
 * so its values run from e^min to e^max; inv_log_uniform draws e^-U(min, max), from e^-max to e^-min.
 */
export function valuesFormLimits(d: Distribution, min: number, max: number): { min: number; max: number } | undefined {
  if (d === 'log_uniform' || d === 'q_log_uniform') return { min: Math.exp(min), max: Math.exp(max) };
  if (d === 'inv_log_uniform') return { min: Math.exp(-max), max: Math.exp(-min) };
  return undefined;
}

export type ParameterForm =
  | { form: 'leaf'; distribution: Distribution; explicit: boolean }
  | { form: 'nested' }
  | { form: 'bad-distribution' }
  | { form: 'unknown'; hint: string };

/**
 * How a parameter mapping is to be read. `isFloat(key)` says whether the number at `key` was written as
 * a float (1.0, 1e-3), which decides int_uniform against uniform as in W&B.
 */
export function parameterForm(p: Record<string, unknown>, isFloat: (key: string) => boolean): ParameterForm {
  if ('distribution' in p) return isDistribution(p.distribution) ? { form: 'leaf', distribution: p.distribution, explicit: true } : { form: 'bad-distribution' };
  if ('parameters' in p) return { form: 'nested' };
  const leaf = (distribution: Distribution): ParameterForm => ({ form: 'leaf', distribution, explicit: false });
  if ('value' in p) return leaf('constant');
  if ('values' in p) return leaf('probabilities' in p ? 'categorical_w_probabilities' : 'categorical');
  if ('min' in p || 'max' in p) {
    const bounds = (['min', 'max'] as const).filter((k) => k in p);
    const ints = bounds.every((k) => typeof p[k] === 'number' && Number.isInteger(p[k]) && !isFloat(k));
    return leaf(ints ? 'int_uniform' : 'uniform');
  }
  if ('mu' in p || 'sigma' in p) return { form: 'unknown', hint: 'add `distribution: normal` (or log_normal, q_normal, q_log_normal) to use mu and sigma' };
  if ('a' in p || 'b' in p) return { form: 'unknown', hint: 'add `distribution: beta` (or q_beta) to use a and b' };
  if ('q' in p) return { form: 'unknown', hint: 'add min, max and `distribution: q_uniform` to use q' };
  if ('probabilities' in p) return { form: 'unknown', hint: 'add the `values` that the probabilities belong to' };
  return { form: 'unknown', hint: 'give it `value` (a constant), `values` (a list to choose from), `min` and `max` (a range), or a `distribution`' };
}
