// Problems found in a sweep or config file. The shapes match the Language Server Protocol (0-based lines
// and UTF-16 characters, end exclusive) so the language server passes them through unchanged, yet nothing
// here depends on an LSP library: the sweep engine and the CLI use the same values.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A path into the config: mapping keys and sequence indices, e.g. ['parameters', 'lr', 'min']. */
export type ConfigPath = (string | number)[];

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'not-a-mapping'
  | 'unknown-key'
  | 'unsupported-key'
  | 'missing-key'
  | 'invalid-value'
  | 'wrong-type'
  | 'out-of-range'
  | 'parameter-name'
  | 'parameter-not-mapping'
  | 'parameter-kind-unknown'
  | 'min-not-less-than-max'
  | 'int-bounds-not-integers'
  | 'empty-values'
  | 'value-and-values'
  | 'probabilities-length'
  | 'probabilities-sum'
  | 'log-min-not-positive'
  | 'deprecated-log-uniform'
  | 'grid-unsupported-distribution'
  | 'bayes-needs-metric'
  | 'early-terminate-needs-metric'
  | 'hyperband-needs-iter'
  | 'eta-too-small'
  | 'run-cap'
  | 'unknown-macro'
  | 'no-program'
  | 'pyyaml-float'
  | 'pyyaml-number'
  | 'pyyaml-bool'
  | 'config-entry-form'
  | 'config-version';

/** A replacement of the text in `range`; an empty newText deletes it. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** the fix an editor applies with "auto fix" */
  isPreferred?: boolean;
}

/** A problem located by its path in the config; what checks produce, before positions are known. */
export interface ConfigProblem {
  path: ConfigPath;
  /** which part of the entry at `path` is at fault: its key, its value, or (for the root) the document */
  target: 'key' | 'value';
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  /** fixes described by path, turned into text edits where the source text is known */
  fixes?: FixIntent[];
}

/** One text change described on the config tree. */
export type FixChange =
  /** `asString`: `text` is a string value, written in the quoting style the old value used */
  | { kind: 'replace-value'; path: ConfigPath; text: string; asString?: boolean }
  | { kind: 'replace-key'; path: ConfigPath; text: string }
  | { kind: 'delete-entry'; path: ConfigPath };

export interface FixIntent {
  title: string;
  changes: FixChange[];
  isPreferred?: boolean;
}

/** A located problem, ready for an editor or the CLI. */
export interface Diagnostic {
  range: Range;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  source: 'trackwell';
  path: ConfigPath;
  /** quick fixes as text edits on the same document version */
  data?: { fixes: QuickFix[] };
}

/** 1-based lines and columns, as editors and compilers print them; the end column is the first one after the range. */
export interface LineColumn {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function toLineColumn(range: Range): LineColumn {
  return { line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

export function compareRanges(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character || a.end.line - b.end.line || a.end.character - b.end.character;
}

export function hasErrors(items: readonly { severity: Severity }[]): boolean {
  return items.some((d) => d.severity === 'error');
}

/** "parameters.lr.min" for messages about configs that have no source positions. */
export function formatPath(path: ConfigPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}
