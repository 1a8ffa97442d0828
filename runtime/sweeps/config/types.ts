// The sweep configuration model, as filled with defaults (shared by the language server and the sweep engine).

export type SweepMethod = 'grid' | 'random' | 'bayes';
export type Goal = 'minimize' | 'maximize';
export type Impute = 'latest' | 'best' | 'worst';

export interface SweepMetric {
  name: string;
  goal: Goal;
  target?: number;
  impute: Impute;
  impute_while_running: Impute | false;
}

export type Distribution =
  | 'constant'
  | 'categorical'
  | 'categorical_w_probabilities'
  | 'int_uniform'
  | 'uniform'
  | 'q_uniform'
  | 'log_uniform'
  | 'log_uniform_values'
  | 'q_log_uniform'
  | 'q_log_uniform_values'
  | 'inv_log_uniform'
  | 'inv_log_uniform_values'
  | 'normal'
  | 'q_normal'
  | 'log_normal'
  | 'q_log_normal'
  | 'beta'
  | 'q_beta';

/** A leaf parameter after defaults are filled: `distribution` is always set. */
export interface FilledParameter {
  distribution: Distribution;
  value?: unknown;
  values?: unknown[];
  probabilities?: number[];
  min?: number;
  max?: number;
  q?: number;
  mu?: number;
  sigma?: number;
  a?: number;
  b?: number;
}

/** A nested group: `parameters: {...}` inside a parameter. */
export interface NestedParameter {
  parameters: Record<string, ParameterSpec>;
}

export type ParameterSpec = FilledParameter | NestedParameter;

export function isNested(p: ParameterSpec): p is NestedParameter {
  return (p as NestedParameter).parameters !== undefined;
}

export interface Hyperband {
  type: 'hyperband';
  min_iter?: number;
  max_iter?: number;
  s?: number;
  eta: number;
  strict: boolean;
}

export interface SweepConfig {
  method: SweepMethod;
  parameters: Record<string, ParameterSpec>;
  metric?: SweepMetric;
  early_terminate?: Hyperband;
  program?: string;
  command?: string[];
  run_cap?: number;
  name?: string;
  description?: string;
  project?: string;
  entity?: string;
  controller?: { type: 'local' | 'cloud' };
}

/** The command used when a sweep config gives none (W&B's default). */
export const DEFAULT_COMMAND = ['${env}', '${interpreter}', '${program}', '${args}'];
