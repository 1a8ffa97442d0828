// Entry points for sweep configs: from YAML text (with exact ranges) or from a plain object (a dict sent
// by the Python client), both through the same checks and the same defaults filling.
import { checkSweep, type ConfigSource } from './checks';
import { compareRanges, formatPath, hasErrors, type ConfigProblem, type Diagnostic } from './diagnostics';
import { fillDefaults, floatByValue } from './defaults';
import type { ParameterForm } from './distributions';
import { resolveFixes } from './fixes';
import { pyyamlPitfalls } from './pitfalls';
import { formatNumber } from './pyyaml';
import type { SweepConfig } from './types';
import { YamlSource } from './yamlSource';
import type { ParseMode } from './incrementalParse';
import type { Document } from 'yaml';

export interface ParsedSweep {
  /** the `yaml` document (node ranges of large files are chunk-relative: use `source` for positions) */
  doc: Document.Parsed;
  /** the document with positions, for editors (hover, symbols, definitions) */
  source: YamlSource;
  /** the config as written, as plain data */
  raw: unknown;
  /** the filled config; undefined when there is any error */
  config?: SweepConfig;
  /** sorted by position */
  diagnostics: Diagnostic[];
  /** how each leaf parameter was read, by path key */
  forms: Map<string, ParameterForm>;
}

export function yamlConfigSource(source: YamlSource): ConfigSource {
  return { value: source.value, isFloat: (p) => source.isFloatLiteral(p), text: (p) => source.sourceText(p) };
}

/** Located diagnostics, with quick fixes as text edits, for problems found on `source`. */
export function locateProblems(source: YamlSource, problems: readonly ConfigProblem[]): Diagnostic[] {
  return problems.map((p) => {
    const fixes = resolveFixes(source, p.fixes);
    const d: Diagnostic = { range: source.rangeOf(p.path, p.target), severity: p.severity, code: p.code, message: p.message, source: 'trackwell', path: p.path };
    if (fixes.length) d.data = { fixes };
    return d;
  });
}

/**
 * Parses sweep YAML (or JSON, which is YAML), checks it, and fills defaults when it has no errors.
 * `parse` is for tests: large files are parsed in cached chunks, and both ways must agree.
 */
export function parseSweepYaml(text: string, opts: { parse?: ParseMode } = {}): ParsedSweep {
  const source = new YamlSource(text, opts);
  const syntax = source.syntaxDiagnostics();
  const { problems, forms } = checkSweep(yamlConfigSource(source));
  const diagnostics = [...syntax, ...locateProblems(source, [...problems, ...pyyamlPitfalls(source)])].sort((a, b) => compareRanges(a.range, b.range));
  const config = !hasErrors(diagnostics) ? fillDefaults(source.value as Record<string, unknown>, (p) => source.isFloatLiteral(p)) : undefined;
  return { doc: source.doc, source, raw: source.value, config, diagnostics, forms };
}

export interface ValidatedSweep {
  config?: SweepConfig;
  problems: ConfigProblem[];
  /** "path: message" lines, for HTTP answers and logs */
  errors: string[];
  warnings: string[];
}

/**
 * Checks a config that has no source text (a dict from Python's wandb.sweep). Numbers carry no spelling
 * here, so 0.0 and 0 look alike: pass `isFloat` when the caller knows better, or send the config as JSON
 * text to `parseSweepYaml`, which keeps `1.0` a float.
 */
export function validateSweepConfig(obj: unknown, opts: { isFloat?: (path: (string | number)[]) => boolean } = {}): ValidatedSweep {
  const isFloat = opts.isFloat ?? floatByValue(obj);
  const source: ConfigSource = { value: obj, isFloat, text: (p) => textOf(obj, p, isFloat) };
  const { problems } = checkSweep(source);
  const line = (p: ConfigProblem) => (p.path.length ? `${formatPath(p.path)}: ${p.message}` : p.message);
  const config = hasErrors(problems) ? undefined : fillDefaults(obj as Record<string, unknown>, isFloat);
  return {
    config, problems,
    errors: problems.filter((p) => p.severity === 'error').map(line),
    warnings: problems.filter((p) => p.severity !== 'error').map(line),
  };
}

function textOf(root: unknown, path: (string | number)[], isFloat: (p: (string | number)[]) => boolean): string | undefined {
  let v: unknown = root;
  for (const p of path) v = typeof v === 'object' && v !== null ? (v as any)[p] : undefined;
  if (typeof v === 'number') return formatNumber(v, isFloat(path));
  return v === undefined ? undefined : JSON.stringify(v);
}
