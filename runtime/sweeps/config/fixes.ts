// Turns fixes described on the config tree into text edits on the YAML source.
import { isMap, isScalar, type Scalar, type YAMLMap } from 'yaml';
import type { FixChange, FixIntent, QuickFix, TextEdit } from './diagnostics';
import type { YamlSource } from './yamlSource';

/** Text edits for each fix; a fix whose target is not in the source (e.g. an empty value) is dropped. */
export function resolveFixes(source: YamlSource, fixes: readonly FixIntent[] | undefined): QuickFix[] {
  const out: QuickFix[] = [];
  for (const f of fixes ?? []) {
    const edits = f.changes.map((c) => editFor(source, c));
    if (edits.every((e): e is TextEdit => !!e)) out.push({ title: f.title, edits, ...(f.isPreferred ? { isPreferred: true } : {}) });
  }
  return out;
}

function editFor(source: YamlSource, change: FixChange): TextEdit | undefined {
  const e = source.entry(change.path);
  if (!e) return undefined;
  if (change.kind === 'replace-key') {
    const span = e.key && source.nodeSpan(e.key);
    return span && { range: source.rangeFromOffsets(span[0], span[1]), newText: change.text };
  }
  if (change.kind === 'replace-value') {
    const span = e.value && source.nodeSpan(e.value);
    if (!span || span[0] === span[1]) return undefined;
    const newText = change.asString ? quoteLike(e.value as Scalar, change.text) : change.text;
    return { range: source.rangeFromOffsets(span[0], span[1]), newText };
  }
  return deleteEdit(source, e.key, e.value, e.parent);
}

/** Writes a string value in the same quoting style as the scalar it replaces (plain when safe). */
function quoteLike(old: Scalar, text: string): string {
  if (isScalar(old) && old.type === 'QUOTE_SINGLE') return `'${text.replace(/'/g, "''")}'`;
  if (isScalar(old) && old.type === 'QUOTE_DOUBLE') return JSON.stringify(text);
  return isSafePlain(text) ? text : JSON.stringify(text);
}

function isSafePlain(text: string): boolean {
  return /^[A-Za-z0-9_$./+=][^#]*$/.test(text) && !/: |:$|\s$|[{}[\],]/.test(text.replace(/\$\{[^}]*\}/g, '')) && !/^(?:true|false|null|yes|no|on|off|~|[-+]?[\d.][\d._eE+-]*)$/i.test(text);
}

function deleteEdit(source: YamlSource, key: Scalar | undefined, value: unknown, parent: unknown): TextEdit | undefined {
  const keySpan = key && source.nodeSpan(key);
  if (!keySpan) return undefined;
  const valueSpan = value ? source.nodeSpan(value as Scalar) : undefined;
  const end = valueSpan && valueSpan[1] > keySpan[1] ? valueSpan[1] : keySpan[1];
  const text = source.text;
  if (isMap(parent) && (parent as YAMLMap).flow) {
    // `{value: 1, values: [1, 2]}`: take the separator that follows, or for the last entry the one before it.
    const after = /^\s*,\s*/.exec(text.slice(end));
    if (after) return { range: source.rangeFromOffsets(keySpan[0], end + after[0].length), newText: '' };
    const before = /,\s*$/.exec(text.slice(0, keySpan[0]));
    return { range: source.rangeFromOffsets(before ? keySpan[0] - before[0].length : keySpan[0], end), newText: '' };
  }
  // A block entry: remove its whole lines, including a trailing comment and the line break.
  const lineStart = text.lastIndexOf('\n', keySpan[0] - 1) + 1;
  const onlyIndentBefore = /^[ \t]*$/.test(text.slice(lineStart, keySpan[0]));
  const nl = text.indexOf('\n', end);
  const lineEnd = nl < 0 ? text.length : nl + 1;
  return { range: source.rangeFromOffsets(onlyIndentBefore ? lineStart : keySpan[0], lineEnd), newText: '' };
}
