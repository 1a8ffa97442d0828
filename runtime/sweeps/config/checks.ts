// Every check on a sweep config: the schema (ajv), then what a schema cannot say — limits that must agree
// with each other, the method's needs, the base-e log forms, command macros. Works on the plain value,
// with a `ConfigSource` saying how numbers were written and what their source text is, so that the same
// checks serve YAML files (with positions) and dicts from Python (without).
import type { ConfigPath, ConfigProblem, FixIntent } from './diagnostics';
import { DISTRIBUTIONS, PARAMETER_KEYS, parameterForm, valuesFormLimits, type ParameterForm } from './distributions';
import { formatNumber, roundSignificant } from './pyyaml';
import { schemaProblems, validatorFor, type SchemaContext } from './schema';
import { didYouMean, suggest } from './suggest';
import type { Distribution } from './types';
import { pathKey } from './yamlSource';

export interface ConfigSource {
  /** the config as plain data */
  value: unknown;
  /** whether the number at `path` was written as a float (decides int_uniform vs uniform) */
  isFloat(path: ConfigPath): boolean;
  /** the value's text as written, used by fixes that move a value */
  text(path: ConfigPath): string | undefined;
}

export interface CheckResult {
  problems: ConfigProblem[];
  /** how each leaf parameter was read, by path key ('parameters\0lr') */
  forms: Map<string, ParameterForm>;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The macros the agent expands inside `command` items. */
export const COMMAND_MACROS = [
  'env', 'interpreter', 'program', 'args', 'args_no_equals', 'args_no_hyphens', 'args_no_boolean_flags',
  'args_json', 'args_json_file', 'args_append_hydra', 'args_override_hydra',
] as const;

const TOP_CONTEXT: SchemaContext = {
  label: 'the sweep config',
  keyHint: (key) => (PARAMETER_KEYS.includes(key as never) ? `\`${key}\` belongs inside a parameter, under \`parameters\`.` : undefined),
};

function contextFor(path: ConfigPath): SchemaContext {
  const head = path[0];
  if (head === 'metric') return { label: '`metric`' };
  if (head === 'early_terminate') return { label: '`early_terminate`' };
  if (head === 'controller') return { label: '`controller`' };
  return TOP_CONTEXT;
}

export function checkSweep(source: ConfigSource): CheckResult {
  const problems: ConfigProblem[] = [];
  const forms = new Map<string, ParameterForm>();
  const cfg = source.value;
  if (!isPlainObject(cfg)) {
    const empty = cfg === null || cfg === undefined;
    problems.push({ path: [], target: 'value', severity: 'error', code: 'not-a-mapping',
      message: empty ? 'The file is empty: a sweep needs at least `method` and `parameters`.' : 'A sweep config is a mapping of keys (method, parameters, metric, ...), not a list or a single value.' });
    return { problems, forms };
  }
  problems.push(...schemaProblems(validatorFor(), cfg, [], contextFor).map((p) => (isUnknownTopKeyThatIsAParameter(p, cfg) ? asMisplacedParameter(p) : p)));
  if (isPlainObject(cfg.parameters)) checkParameters(source, cfg.parameters, ['parameters'], problems, forms);
  checkMethodNeeds(cfg, forms, problems);
  checkCommand(cfg, problems);
  return { problems, forms };
}

function isUnknownTopKeyThatIsAParameter(p: ConfigProblem, cfg: Record<string, unknown>): boolean {
  if (p.code !== 'unknown-key' || p.path.length !== 1 || p.fixes?.length) return false;
  const v = cfg[p.path[0] as string];
  return isPlainObject(v) && ['value', 'values', 'min', 'max', 'distribution'].some((k) => k in v);
}

function asMisplacedParameter(p: ConfigProblem): ConfigProblem {
  return { ...p, message: `\`${String(p.path[0])}\` looks like a parameter: move it under \`parameters\` (indented one level).` };
}

function checkParameters(source: ConfigSource, params: Record<string, unknown>, at: ConfigPath, problems: ConfigProblem[], forms: Map<string, ParameterForm>): void {
  for (const [name, spec] of Object.entries(params)) {
    const path = [...at, name];
    if (!isPlainObject(spec)) {
      problems.push(notAMappingProblem(source, path, name, spec));
      continue;
    }
    const form = parameterForm(spec, (k) => source.isFloat([...path, k]));
    forms.set(pathKey(path), form);
    const label = displayName(path);
    if (form.form === 'bad-distribution') {
      problems.push(...schemaProblems(validatorFor('distribution'), spec.distribution, [...path, 'distribution'], () => ({ label: `parameter \`${label}\`` })));
      continue;
    }
    if (form.form === 'unknown') {
      problems.push({ path, target: 'key', severity: 'error', code: 'parameter-kind-unknown', message: `Parameter \`${label}\` does not say how to sample it: ${form.hint}.` });
      continue;
    }
    if (form.form === 'nested') {
      problems.push(...schemaProblems(validatorFor('param_dict'), spec, path, () => ({ label: `parameter group \`${label}\`` })));
      if (isPlainObject(spec.parameters)) checkParameters(source, spec.parameters, [...path, 'parameters'], problems, forms);
      continue;
    }
    checkLeaf(source, spec, path, form.distribution, problems);
  }
}

function displayName(path: ConfigPath): string {
  return path.filter((_, i) => i % 2 === 1).join('.');
}

function notAMappingProblem(source: ConfigSource, path: ConfigPath, name: string, spec: unknown): ConfigProblem {
  const text = source.text(path) ?? JSON.stringify(spec);
  const list = Array.isArray(spec);
  const fixes: FixIntent[] = spec === null || spec === undefined ? [] : [{
    title: list ? `Sweep over these values: {values: ${text}}` : `Fix it at this value: {value: ${text}}`,
    isPreferred: true,
    changes: [{ kind: 'replace-value', path, text: list ? `{values: ${text}}` : `{value: ${text}}` }],
  }];
  const message = list
    ? `Parameter \`${name}\` is a bare list; to choose among these values write \`${name}: {values: ${text}}\`.`
    : `Parameter \`${name}\` must be a mapping; to fix it at one value write \`${name}: {value: ${text}}\`, or give values, min/max or a distribution.`;
  return { path, target: 'value', severity: 'error', code: 'parameter-not-mapping', message, fixes };
}

function leafContext(label: string, d: Distribution): SchemaContext {
  const own = DISTRIBUTIONS[d].keys;
  return {
    label: `parameter \`${label}\` (${d})`,
    keyCandidates: PARAMETER_KEYS,
    keyHint: (key) => {
      if (key === 'probabilities' && d === 'categorical') return 'Remove `distribution: categorical` (or write categorical_w_probabilities) to give probabilities.';
      const users = (Object.keys(DISTRIBUTIONS) as Distribution[]).filter((x) => DISTRIBUTIONS[x].keys.includes(key));
      if (!users.length) return undefined;
      return `${d} takes ${own.length ? own.join(', ') : 'no other keys'}; \`${key}\` belongs to ${users.slice(0, 4).join(', ')}${users.length > 4 ? ', ...' : ''}.`;
    },
  };
}

function checkLeaf(source: ConfigSource, spec: Record<string, unknown>, path: ConfigPath, d: Distribution, problems: ConfigProblem[]): void {
  const label = displayName(path);
  let checked = spec;
  if ('value' in spec && 'values' in spec) {
    // Report the pair once, on whichever key comes second, and validate the rest as the first one's form.
    const keys = Object.keys(spec);
    const second = keys.indexOf('value') < keys.indexOf('values') ? 'values' : 'value';
    problems.push({
      path: [...path, second], target: 'key', severity: 'error', code: 'value-and-values',
      message: `Parameter \`${label}\` has both \`value\` (a constant) and \`values\` (a choice); keep one.`,
      fixes: [
        { title: `Remove \`${second}\``, isPreferred: true, changes: [{ kind: 'delete-entry', path: [...path, second] }] },
        { title: `Remove \`${second === 'value' ? 'values' : 'value'}\``, changes: [{ kind: 'delete-entry', path: [...path, second === 'value' ? 'values' : 'value'] }] },
      ],
    });
    checked = Object.fromEntries(Object.entries(spec).filter(([k]) => k !== second));
    if (second === 'value') d = 'probabilities' in spec ? 'categorical_w_probabilities' : 'categorical';
  }
  const before = problems.length;
  problems.push(...schemaProblems(validatorFor(DISTRIBUTIONS[d].definition), checked, path, () => leafContext(label, d)));
  const schemaOk = problems.length === before;
  const { min, max } = spec;
  if (typeof min === 'number' && typeof max === 'number' && min >= max) {
    problems.push({
      path: [...path, 'min'], target: 'value', severity: 'error', code: 'min-not-less-than-max',
      message: `Parameter \`${label}\`: min ${fmt(min)} must be less than max ${fmt(max)}; ${min === max ? 'for a single value use `value`' : 'swap them'} or change one.`,
      fixes: min === max ? [] : [{ title: 'Swap min and max', isPreferred: true, changes: [
        { kind: 'replace-value', path: [...path, 'min'], text: source.text([...path, 'max']) ?? String(max) },
        { kind: 'replace-value', path: [...path, 'max'], text: source.text([...path, 'min']) ?? String(min) },
      ] }],
    });
  }
  if (d === 'int_uniform' && schemaOk) {
    for (const k of ['min', 'max'] as const) {
      if (typeof spec[k] === 'number' && source.isFloat([...path, k])) {
        problems.push({ path: [...path, k], target: 'value', severity: 'error', code: 'int-bounds-not-integers',
          message: `int_uniform takes whole numbers: write ${spec[k]} without a decimal point (or use uniform for real numbers).`,
          fixes: [{ title: `Write ${spec[k]}`, isPreferred: true, changes: [{ kind: 'replace-value', path: [...path, k], text: String(spec[k]) }] }] });
      }
    }
  }
  if (d === 'categorical_w_probabilities') checkProbabilities(spec, path, label, problems);
  const replacement = DISTRIBUTIONS[d].replacedBy;
  if (replacement) problems.push(baseELogProblem(spec, path, label, d, replacement));
}

const fmt = (n: number): string => String(roundSignificant(n, 6));

function checkProbabilities(spec: Record<string, unknown>, path: ConfigPath, label: string, problems: ConfigProblem[]): void {
  const { values, probabilities } = spec;
  if (!Array.isArray(values) || !Array.isArray(probabilities) || !probabilities.length) return;
  const at = [...path, 'probabilities'];
  if (values.length !== probabilities.length) {
    problems.push({ path: at, target: 'value', severity: 'error', code: 'probabilities-length',
      message: `Parameter \`${label}\` has ${values.length} values but ${probabilities.length} probabilities; give exactly one probability per value.` });
    return;
  }
  if (!probabilities.every((p) => typeof p === 'number' && p >= 0)) return;
  const sum = (probabilities as number[]).reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6 && sum > 0) {
    const scaled = (probabilities as number[]).map((p) => formatNumber(roundSignificant(p / sum, 6), true));
    problems.push({ path: at, target: 'value', severity: 'error', code: 'probabilities-sum',
      message: `Parameter \`${label}\`: probabilities add up to ${fmt(sum)}, not 1; scale them so they sum to 1.`,
      fixes: [{ title: 'Scale the probabilities to sum to 1', isPreferred: true, changes: [{ kind: 'replace-value', path: at, text: `[${scaled.join(', ')}]` }] }] });
  }
}

function baseELogProblem(spec: Record<string, unknown>, path: ConfigPath, label: string, d: Distribution, replacement: Distribution): ConfigProblem {
  const target: ConfigProblem = { path: [...path, 'distribution'], target: 'value', severity: 'error', code: 'deprecated-log-uniform', message: '' };
  const { min, max } = spec;
  if (typeof min !== 'number' || typeof max !== 'number') {
    return { ...target, message: `Parameter \`${label}\` uses ${d}, whose min and max are natural-log exponents; use ${replacement} and give the limits themselves.` };
  }
  const limits = valuesFormLimits(d, min, max)!;
  const lo = formatNumber(roundSignificant(limits.min), true);
  const hi = formatNumber(roundSignificant(limits.max), true);
  const range = d === 'inv_log_uniform' ? `e^${fmt(-max)}..e^${fmt(-min)}` : `e^${fmt(min)}..e^${fmt(max)}`;
  return {
    ...target,
    message: `Parameter \`${label}\` uses ${d}, whose min and max are natural-log exponents (values ${range} ≈ ${lo}..${hi}). Use ${replacement} with min: ${lo} and max: ${hi}, the limits themselves.`,
    fixes: [{ title: `Convert to ${replacement} (min: ${lo}, max: ${hi})`, isPreferred: true, changes: [
      { kind: 'replace-value', path: [...path, 'distribution'], text: replacement },
      { kind: 'replace-value', path: [...path, 'min'], text: lo },
      { kind: 'replace-value', path: [...path, 'max'], text: hi },
    ] }],
  };
}

function checkMethodNeeds(cfg: Record<string, unknown>, forms: Map<string, ParameterForm>, problems: ConfigProblem[]): void {
  const hasMetric = isPlainObject(cfg.metric);
  if (cfg.method === 'bayes' && !hasMetric) {
    problems.push({ path: ['method'], target: 'value', severity: 'error', code: 'bayes-needs-metric',
      message: 'bayes models a metric to choose the next trial: add `metric: {name: <logged key>, goal: minimize}` or use method random.' });
  }
  if (cfg.early_terminate !== undefined && !hasMetric) {
    problems.push({ path: ['early_terminate'], target: 'key', severity: 'error', code: 'early-terminate-needs-metric',
      message: 'early_terminate compares runs by a metric: add `metric: {name: <logged key>, goal: minimize}`.' });
  }
  if (cfg.method !== 'grid') return;
  for (const [key, form] of forms) {
    if (form.form !== 'leaf' || DISTRIBUTIONS[form.distribution].gridOk) continue;
    const path = key.split('\u0000');
    const label = displayName(path);
    const why = form.distribution === 'categorical_w_probabilities' ? 'grid tries every value once, so probabilities mean nothing to it' : `grid cannot enumerate a continuous ${form.distribution} range`;
    problems.push({
      path: form.explicit ? [...path, 'distribution'] : path, target: form.explicit ? 'value' : 'key', severity: 'error', code: 'grid-unsupported-distribution',
      message: `Parameter \`${label}\` is ${form.distribution}, but ${why}: give it \`values\` (or int_uniform / q_uniform limits), or use method random or bayes.`,
    });
  }
}

function checkCommand(cfg: Record<string, unknown>, problems: ConfigProblem[]): void {
  const { command } = cfg;
  if (!Array.isArray(command)) {
    if (command === undefined && cfg.program === undefined) {
      problems.push({ path: [], target: 'key', severity: 'warning', code: 'no-program',
        message: 'No `program` and no `command`: `trackwell agent` would not know what to run. Add `program: train.py` (fine to omit only for wandb.agent(function=...) sweeps).' });
    }
    return;
  }
  command.forEach((item, i) => {
    if (typeof item !== 'string') return;
    for (const m of item.matchAll(/\$\{([^}]*)\}/g)) {
      const name = m[1];
      if ((COMMAND_MACROS as readonly string[]).includes(name) || /^envvar:[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      const suggestions = suggest(name, COMMAND_MACROS);
      problems.push({
        path: ['command', i], target: 'value', severity: 'warning', code: 'unknown-macro',
        message: `\`\${${name}}\` is not a macro the agent expands, so it is passed as written.${didYouMean(suggestions.map((s) => `\${${s}}`))}`,
        fixes: suggestions.map((s, k) => ({ title: `Change to \${${s}}`, isPreferred: k === 0, changes: [{ kind: 'replace-value', path: ['command', i], text: item.replace(m[0], `\${${s}}`), asString: true }] })),
      });
    }
    if (item.includes('${envvar:') && !/\$\{envvar:[A-Za-z_][A-Za-z0-9_]*\}/.test(item)) {
      problems.push({ path: ['command', i], target: 'value', severity: 'warning', code: 'unknown-macro', message: '`${envvar:NAME}` needs a variable name made of letters, digits and _.' });
    }
  });
  if (command.includes('${program}') && cfg.program === undefined) {
    problems.push({ path: ['command'], target: 'key', severity: 'warning', code: 'no-program',
      message: 'command uses ${program} but no `program` is set, so it expands to nothing: add `program: train.py`.' });
  }
}
