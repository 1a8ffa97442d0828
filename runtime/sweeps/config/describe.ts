// Words for people: what a key means (from the published schema's descriptions), what a distribution
// does, and the range of values a parameter implies. Used by hovers, the outline and the CLI.
import type { ConfigPath } from './diagnostics';
import { DISTRIBUTIONS, valuesFormLimits } from './distributions';
import { SWEEP_SCHEMA } from './schema';
import { COMMAND_MACROS } from './checks';
import type { Distribution, FilledParameter, ParameterSpec, SweepConfig } from './types';
import { isNested } from './types';

export const DISTRIBUTION_DOCS: Readonly<Record<Distribution, string>> = {
  constant: 'Every trial gets the same `value`. Useful to pin a setting while sweeping others.',
  categorical: 'Each trial takes one of `values`, all equally likely; grid tries each one in order.',
  categorical_w_probabilities: 'Each trial takes one of `values`, drawn with the matching `probabilities` (which add up to 1). Not for grid.',
  int_uniform: 'A whole number from `min` to `max`, both included, all equally likely. Inferred when min and max are both integers. Grid tries each number.',
  uniform: 'A real number between `min` and `max`, uniformly. Inferred when min or max is written as a float. Not for grid.',
  q_uniform: 'A uniform number between `min` and `max`, rounded to a multiple of `q` (default 1). Grid tries min, min+q, ... up to but not including max.',
  log_uniform: 'Deprecated base-e form: e^x with x uniform between `min` and `max`, so min and max are natural-log exponents, not values. Use log_uniform_values.',
  log_uniform_values: 'A positive number spread evenly on a log scale between `min` and `max` (each decade equally likely) — the usual choice for learning rates and weight decay.',
  q_log_uniform: 'Deprecated base-e form of q_log_uniform_values: e^x with x uniform between the exponents `min` and `max`, rounded to a multiple of `q`.',
  q_log_uniform_values: 'Log-scale between `min` and `max`, rounded to a multiple of `q` — e.g. batch sizes or layer widths.',
  inv_log_uniform: 'Deprecated base-e form: e^-x with x uniform between the exponents `min` and `max`, so values run from e^-max to e^-min (min and max are not values). Use inv_log_uniform_values.',
  inv_log_uniform_values: 'A positive number x between `min` and `max` with log(1/x) uniform between log(1/max) and log(1/min). That is the same spread as log_uniform_values — even on a log scale, so on a linear scale values crowd toward min (density ∝ 1/x), not toward max; only the direction of the search\'s internal axis is reversed.',
  normal: 'A real number from a normal distribution with mean `mu` (default 0) and standard deviation `sigma` (default 1). Unbounded.',
  q_normal: 'A normal sample (mean `mu`, standard deviation `sigma`) rounded to a multiple of `q`.',
  log_normal: 'e^x with x normal (mean `mu`, standard deviation `sigma`): positive, skewed toward small values, median e^mu.',
  q_log_normal: 'A log-normal sample rounded to a multiple of `q`.',
  beta: 'A number between 0 and 1 from a beta distribution with shapes `a` and `b` (default 1 and 1: uniform).',
  q_beta: 'A beta sample rounded to a multiple of `q`.',
};

export const METHOD_DOCS: Readonly<Record<string, string>> = {
  grid: 'Tries every combination of the parameters\' values, in order; ends when all were tried. Parameters must be constant, values, int_uniform or q_uniform.',
  random: 'Draws each parameter independently for every trial; never ends by itself, so set run_cap or stop the agent.',
  bayes: 'Fits a Gaussian process to the metric of finished trials and picks the point with the best expected improvement. Needs `metric`.',
};

export const MACRO_DOCS: Readonly<Record<(typeof COMMAND_MACROS)[number], string>> = {
  env: '`/usr/bin/env` (nothing on Windows), so the interpreter is found on PATH.',
  interpreter: 'The Python interpreter (`python`, or the one Trackwell was told to use).',
  program: 'The `program` of this sweep.',
  args: 'Each parameter as `--name=value`.',
  args_no_equals: 'Each parameter as two arguments: `--name value`.',
  args_no_hyphens: 'Each parameter as `name=value` — the form Hydra and other override parsers expect.',
  args_no_boolean_flags: 'Like ${args}, but true booleans become a bare `--name` flag and false ones are left out.',
  args_json: 'All parameters as one JSON argument.',
  args_json_file: 'The path of a JSON file holding all parameters.',
  args_append_hydra: 'Each parameter as `+name=value` (Hydra: add a key).',
  args_override_hydra: 'Each parameter as `++name=value` (Hydra: add or override a key).',
};

/** Compact numbers for ranges: 1e-5, 0.001, 250, 1.5e+6. */
export function compactNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n !== 0 && (Math.abs(n) < 1e-3 || Math.abs(n) >= 1e6)) return n.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(n.toPrecision(4)));
}

/** A number's text with its sign flipped, keeping the spelling: `2` → `-2`, `-1e-3` → `1e-3`, `0` stays `0`. */
function negated(text: string): string {
  if (text === '?') return text;
  if (text.startsWith('-')) return text.slice(1);
  const body = text.startsWith('+') ? text.slice(1) : text;
  return Number(body) === 0 ? body : `-${body}`;
}

/**
 * The values a parameter implies, e.g. `log_uniform_values 1e-5..0.1` or `int_uniform 1..8 (8 values)`.
 * `text(key)` may give a number's source spelling, which reads better than a reformatted number.
 */
export function describeRange(p: FilledParameter, text: (key: string) => string | undefined = () => undefined): string {
  const n = (k: 'min' | 'max' | 'mu' | 'sigma' | 'q' | 'a' | 'b') => text(k) ?? (p[k] === undefined ? '?' : compactNumber(p[k]!));
  const q = p.q !== undefined && p.q !== 1 ? `, steps of ${n('q')}` : p.distribution.startsWith('q_') ? ', steps of 1' : '';
  const d = p.distribution;
  switch (d) {
    case 'constant':
      return `constant ${JSON.stringify(p.value)}`;
    case 'categorical':
    case 'categorical_w_probabilities': {
      const vals = p.values ?? [];
      const shown = vals.slice(0, 6).map((v, i) => `${JSON.stringify(v)}${p.probabilities ? ` (${p.probabilities[i]})` : ''}`).join(', ');
      return `${d} ${vals.length} value${vals.length === 1 ? '' : 's'}: ${shown}${vals.length > 6 ? ', ...' : ''}`;
    }
    case 'int_uniform':
      return `int_uniform ${n('min')}..${n('max')}${p.min !== undefined && p.max !== undefined ? ` (${p.max - p.min + 1} values)` : ''}`;
    case 'log_uniform':
    case 'q_log_uniform':
    case 'inv_log_uniform': {
      const lim = p.min !== undefined && p.max !== undefined ? valuesFormLimits(d, p.min, p.max) : undefined;
      // inv_log_uniform draws e^-U(min, max): the smallest value is e^-max, the largest e^-min.
      const exps = d === 'inv_log_uniform' ? `e^${negated(n('max'))}..e^${negated(n('min'))}` : `e^${n('min')}..e^${n('max')}`;
      return `${d} ${lim ? `${compactNumber(lim.min)}..${compactNumber(lim.max)}` : '?'} (${exps}, exponents)${q}`;
    }
    case 'normal':
    case 'q_normal':
      return `${d} mean ${n('mu')}, sd ${n('sigma')} (95% within ${compactNumber((p.mu ?? 0) - 2 * (p.sigma ?? 1))}..${compactNumber((p.mu ?? 0) + 2 * (p.sigma ?? 1))})${q}`;
    case 'log_normal':
    case 'q_log_normal':
      return `${d} median ${compactNumber(Math.exp(p.mu ?? 0))} (95% within ${compactNumber(Math.exp((p.mu ?? 0) - 2 * (p.sigma ?? 1)))}..${compactNumber(Math.exp((p.mu ?? 0) + 2 * (p.sigma ?? 1)))})${q}`;
    case 'beta':
    case 'q_beta':
      return `${d} 0..1, a ${n('a')}, b ${n('b')}${q}`;
    default:
      return `${d} ${n('min')}..${n('max')}${d.includes('log') ? ', log scale' : ''}${q}`;
  }
}

/** How many trials a grid sweep has, or undefined when it cannot be enumerated. */
export function gridSize(config: Pick<SweepConfig, 'parameters'>): number | undefined {
  let total = 1;
  const visit = (params: Record<string, ParameterSpec>): boolean => {
    for (const p of Object.values(params)) {
      if (isNested(p)) {
        if (!visit(p.parameters)) return false;
        continue;
      }
      const count = gridCount(p);
      if (count === undefined) return false;
      total *= count;
    }
    return true;
  };
  return visit(config.parameters) ? total : undefined;
}

function gridCount(p: FilledParameter): number | undefined {
  if (p.distribution === 'constant') return 1;
  if (p.distribution === 'categorical') return p.values?.length;
  if (p.distribution === 'int_uniform' && p.min !== undefined && p.max !== undefined) return p.max - p.min + 1;
  // np.arange(min, max, q): max itself is left out
  if (p.distribution === 'q_uniform' && p.min !== undefined && p.max !== undefined) return Math.max(0, Math.ceil((p.max - p.min) / (p.q ?? 1) - 1e-9));
  return undefined;
}

type SchemaNode = Record<string, any>;

function resolveRef(node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node?.$ref) return node;
  return (SWEEP_SCHEMA.definitions as Record<string, SchemaNode>)[String(node.$ref).split('/').pop()!];
}

/**
 * The schema node for the key at `path`, e.g. ['metric', 'goal'] or ['parameters', 'lr', 'min']. Inside a
 * parameter the key's meaning depends on the distribution, so pass it when known.
 */
export function schemaNodeAt(path: ConfigPath, distribution?: Distribution): SchemaNode | undefined {
  const defs = SWEEP_SCHEMA.definitions as Record<string, SchemaNode>;
  let node: SchemaNode | undefined = SWEEP_SCHEMA;
  let state: 'object' | 'parameters' | 'parameter' = 'object';
  for (const key of path) {
    if (state === 'parameters') {
      node = defs.parameter;
      state = 'parameter';
    } else if (state === 'parameter') {
      if (key === 'parameters') {
        node = defs.parameters;
        state = 'parameters';
      } else node = parameterKeyNode(String(key), distribution);
    } else {
      node = resolveRef(node?.properties?.[key]);
      if (key === 'parameters' && node === defs.parameters) state = 'parameters';
    }
    if (!node) return undefined;
  }
  return node;
}

function parameterKeyNode(key: string, distribution?: Distribution): SchemaNode | undefined {
  const defs = SWEEP_SCHEMA.definitions as Record<string, SchemaNode>;
  const order = distribution ? [DISTRIBUTIONS[distribution], ...Object.values(DISTRIBUTIONS)] : Object.values(DISTRIBUTIONS);
  for (const info of order) {
    const prop = defs[info.definition].properties?.[key];
    if (prop) return key === 'distribution' ? defs.distribution : prop;
  }
  return undefined;
}

/** The description of the key at `path`, in the schema's words. */
export function keyDoc(path: ConfigPath, distribution?: Distribution): string | undefined {
  return schemaNodeAt(path, distribution)?.description;
}
