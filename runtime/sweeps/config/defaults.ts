// Defaults filling for a config that passed the checks: every parameter gets its `distribution` (inferred
// as W&B does) and that distribution's defaults; metric and hyperband get theirs.
import type { ConfigPath } from './diagnostics';
import { DISTRIBUTIONS, parameterForm } from './distributions';
import type { FilledParameter, Hyperband, ParameterSpec, SweepConfig, SweepMetric } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How the number at a path was written; for plain objects a non-integer is the only sign of a float. */
export type FloatTest = (path: ConfigPath) => boolean;

export const floatByValue = (root: unknown): FloatTest => (path) => {
  let v: unknown = root;
  for (const p of path) v = isObject(v) || Array.isArray(v) ? (v as any)[p] : undefined;
  return typeof v === 'number' && !Number.isInteger(v);
};

/**
 * The filled config. Assumes `raw` passed `validateSweepConfig`/`parseSweepYaml` (it does not re-check);
 * `isFloat` tells how numbers were written, which decides int_uniform against uniform.
 */
export function fillDefaults(raw: Record<string, unknown>, isFloat: FloatTest = floatByValue(raw)): SweepConfig {
  const out: SweepConfig = { method: raw.method as SweepConfig['method'], parameters: fillParameters(raw.parameters as Record<string, unknown>, ['parameters'], isFloat) };
  if (isObject(raw.metric)) out.metric = fillMetric(raw.metric);
  if (isObject(raw.early_terminate)) out.early_terminate = fillHyperband(raw.early_terminate);
  for (const k of ['program', 'name', 'description', 'project', 'entity'] as const) if (typeof raw[k] === 'string') out[k] = raw[k] as string;
  if (Array.isArray(raw.command)) out.command = raw.command.map(String);
  if (typeof raw.run_cap === 'number') out.run_cap = raw.run_cap;
  if (isObject(raw.controller) && (raw.controller.type === 'local' || raw.controller.type === 'cloud')) out.controller = { type: raw.controller.type };
  return out;
}

function fillParameters(params: Record<string, unknown>, at: ConfigPath, isFloat: FloatTest): Record<string, ParameterSpec> {
  const out: Record<string, ParameterSpec> = {};
  for (const [name, spec] of Object.entries(params ?? {})) {
    if (!isObject(spec)) continue;
    const path = [...at, name];
    const form = parameterForm(spec, (k) => isFloat([...path, k]));
    if (form.form === 'nested') out[name] = { parameters: fillParameters(spec.parameters as Record<string, unknown>, [...path, 'parameters'], isFloat) };
    else if (form.form === 'leaf') out[name] = fillLeaf(spec, form.distribution);
  }
  return out;
}

function fillLeaf(spec: Record<string, unknown>, distribution: FilledParameter['distribution']): FilledParameter {
  const info = DISTRIBUTIONS[distribution];
  const p: FilledParameter = { distribution };
  for (const k of info.keys) {
    const v = k in spec ? spec[k] : info.defaults[k];
    if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = structuredClone(v);
  }
  return p;
}

function fillMetric(m: Record<string, unknown>): SweepMetric {
  const metric: SweepMetric = {
    name: String(m.name),
    goal: m.goal === 'maximize' ? 'maximize' : 'minimize',
    impute: (m.impute as SweepMetric['impute']) ?? 'worst',
    impute_while_running: m.impute_while_running === undefined || m.impute_while_running === 'false' ? false : (m.impute_while_running as SweepMetric['impute_while_running']),
  };
  if (typeof m.target === 'number') metric.target = m.target;
  return metric;
}

function fillHyperband(h: Record<string, unknown>): Hyperband {
  const out: Hyperband = { type: 'hyperband', eta: typeof h.eta === 'number' ? h.eta : 3, strict: typeof h.strict === 'boolean' ? h.strict : true };
  for (const k of ['min_iter', 'max_iter', 's'] as const) if (typeof h[k] === 'number') out[k] = h[k] as number;
  return out;
}
