// Run config files: `config-defaults.yaml` (which wandb loads on init) and files passed as
// `wandb.init(config="file.yaml")`. wandb reads both the same way: each top-level key maps to
// `{desc, value}` and only `value` is kept; `wandb_version`, if present, must be 1.
import { isMap, isScalar } from 'yaml';
import type { ConfigProblem, Diagnostic } from './diagnostics';
import { compareRanges } from './diagnostics';
import { pyyamlPitfalls } from './pitfalls';
import { didYouMean, suggest } from './suggest';
import { locateProblems } from './sweep';
import { YamlSource } from './yamlSource';

export interface ParsedConfigFile {
  source: YamlSource;
  /** the run config the file yields: key → value (the `value` of each entry in the `{desc, value}` form) */
  values?: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ENTRY_KEYS = ['desc', 'value'];

function finish(source: YamlSource, problems: ConfigProblem[], values?: Record<string, unknown>): ParsedConfigFile {
  const diagnostics = [...source.syntaxDiagnostics(), ...locateProblems(source, [...problems, ...pyyamlPitfalls(source)])].sort((a, b) => compareRanges(a.range, b.range));
  return { source, values: diagnostics.some((d) => d.severity === 'error') ? undefined : values, diagnostics };
}

function rootProblems(root: unknown): ConfigProblem[] {
  if (root === null || root === undefined || isObject(root)) return [];
  return [{ path: [], target: 'value', severity: 'error', code: 'not-a-mapping', message: 'A config file is a mapping of config keys to values, not a list or a single value.' }];
}

/** `config-defaults.yaml` and other files in wandb's `key: {desc, value}` form. */
export function parseConfigDefaultsYaml(text: string): ParsedConfigFile {
  const source = new YamlSource(text);
  const root = source.value;
  const problems = rootProblems(root);
  if (!isObject(root)) return finish(source, problems, root == null ? {} : undefined);
  const values: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(root)) {
    if (key === 'wandb_version') {
      if (entry !== 1) problems.push({ path: [key], target: 'value', severity: 'error', code: 'config-version', message: 'wandb_version must be 1, the only config file version wandb reads; or remove the line.' });
      continue;
    }
    if (!isObject(entry) || !('value' in entry)) {
      problems.push(entryFormProblem(source, key, entry));
      continue;
    }
    values[key] = entry.value;
    for (const k of Object.keys(entry)) {
      if (ENTRY_KEYS.includes(k)) continue;
      const suggestions = suggest(k, [...ENTRY_KEYS, 'description']).map((s) => (s === 'description' ? 'desc' : s));
      problems.push({ path: [key, k], target: 'key', severity: 'warning', code: 'unknown-key',
        message: `\`${k}\` is ignored: a config entry has only \`desc\` and \`value\`.${didYouMean([...new Set(suggestions)])}`,
        fixes: [...new Set(suggestions)].map((s, i) => ({ title: `Rename to \`${s}\``, isPreferred: i === 0, changes: [{ kind: 'replace-key', path: [key, k], text: s }] })) });
    }
    if ('desc' in entry && entry.desc !== null && typeof entry.desc !== 'string') {
      problems.push({ path: [key, 'desc'], target: 'value', severity: 'warning', code: 'wrong-type', message: '`desc` is a description: write it as text.' });
    }
  }
  return finish(source, problems, values);
}

function entryFormProblem(source: YamlSource, key: string, entry: unknown): ConfigProblem {
  const node = source.entry([key])?.value;
  const text = source.sourceText([key]);
  const oneLine = text !== undefined && !text.includes('\n') && (isScalar(node) || (isMap(node) && node.flow) || !isMap(node));
  return {
    path: [key], target: 'key', severity: 'error', code: 'config-entry-form',
    message: `\`${key}\` must be written as \`${key}: {desc: ..., value: ...}\`: wandb reads only the \`value\` of each entry${isObject(entry) ? ', and this mapping has none' : ''}.`,
    fixes: oneLine && text ? [{ title: `Wrap as {value: ${text}}`, isPreferred: true, changes: [{ kind: 'replace-value', path: [key], text: `{value: ${text}}` }] }] : [],
  };
}

/** Any other YAML config the program reads itself: syntax, a mapping at the top, PyYAML pitfalls. */
export function parsePlainConfigYaml(text: string): ParsedConfigFile {
  const source = new YamlSource(text);
  const root = source.value;
  return finish(source, rootProblems(root), isObject(root) ? root : root == null ? {} : undefined);
}

/** Whether a config file is written in wandb's `{desc, value}` form (it has wandb_version or value entries). */
export function looksLikeValueForm(root: unknown): boolean {
  if (!isObject(root)) return false;
  if ('wandb_version' in root) return true;
  const entries = Object.values(root);
  return entries.length > 0 && entries.filter((e) => isObject(e) && 'value' in e).length * 2 >= entries.length;
}

/**
 * A file passed as `wandb.init(config="file.yaml")`: wandb reads it in the `{desc, value}` form, so a
 * plain file gets one warning that explains the form instead of an error on every key.
 */
export function parseInitConfigYaml(text: string): ParsedConfigFile {
  const plain = parsePlainConfigYaml(text);
  const root = plain.source.value;
  if (looksLikeValueForm(root)) return parseConfigDefaultsYaml(text);
  if (!isObject(root) || !Object.keys(root).length) return plain;
  const first = Object.keys(root)[0];
  const [note] = locateProblems(plain.source, [{ path: [first], target: 'key', severity: 'warning', code: 'config-entry-form',
    message: 'wandb.init(config="...") reads each key as `key: {desc: ..., value: ...}` and keeps only `value`; this file is plain YAML, so wandb would not load it. Wrap each value, or load the file yourself and pass the dict.' }]);
  return { ...plain, diagnostics: [...plain.diagnostics, note].sort((a, b) => compareRanges(a.range, b.range)) };
}
