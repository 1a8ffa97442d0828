// Where the cursor is in a YAML document that is being typed and so is often not valid YAML yet:
// worked out from indentation, line by line, rather than from a parse.

export interface CursorContext {
  /** keys of the block mappings enclosing the cursor, outermost first */
  path: string[];
  /** 'key': a key of the mapping at `path`; 'value': the value of the last key of `path`; 'item': a list item of it */
  kind: 'key' | 'value' | 'item';
  /** the word typed so far, and where it starts on the line */
  prefix: string;
  prefixStart: number;
  /** where the word under the cursor ends (completions replace up to here) */
  wordEnd: number;
  /** keys already present in the mapping being completed (kind 'key') */
  siblings: Set<string>;
  /** inside a flow list `[a, b|]` */
  inFlowList: boolean;
  /** the cursor is right after `key:` with no space yet, so a value needs one in front */
  afterColon?: boolean;
}

const indentOf = (line: string) => /^ */.exec(line)![0].length;
const isBlank = (line: string) => /^\s*(#.*)?$/.test(line);
const KEY_LINE = /^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s:#'"][^:#]*?)\s*:(?:\s|$)/;
const unquote = (k: string) => k.replace(/^(["'])(.*)\1$/, '$2');

/** The keys of the blocks that contain a line indented by `indent`, found by walking up. */
function enclosingKeys(lines: string[], lineNo: number, indent: number): { keys: string[]; parentLine: number } {
  const keys: string[] = [];
  let parentLine = -1;
  let limit = indent;
  for (let i = lineNo - 1; i >= 0 && limit > 0; i--) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const li = indentOf(line);
    if (li >= limit) continue;
    const m = KEY_LINE.exec(line);
    if (m && /:\s*(#.*)?$/.test(line)) {
      keys.unshift(unquote(m[2]));
      if (parentLine < 0) parentLine = i;
    }
    limit = li;
  }
  return { keys, parentLine };
}

/** Keys at exactly `indent` in the block starting after `parentLine` (the whole document when -1). */
function keysInBlock(lines: string[], parentLine: number, indent: number, skipLine: number): Set<string> {
  const keys = new Set<string>();
  for (let i = parentLine + 1; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const li = indentOf(line);
    if (li < indent) break;
    if (li !== indent || i === skipLine) continue;
    const m = KEY_LINE.exec(line);
    if (m) keys.add(unquote(m[2]));
  }
  return keys;
}

export function cursorContext(text: string, line: number, character: number): CursorContext | undefined {
  const lines = text.split(/\r?\n/);
  const full = lines[line] ?? '';
  const before = full.slice(0, character);
  if (/(^|\s)#/.test(before.replace(/"[^"]*"|'[^']*'/g, ''))) return undefined; // in a comment
  const wordEnd = character + (/^[^\s,\]}#:]*/.exec(full.slice(character))?.[0].length ?? 0);

  const value = /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s:#'"-][^:#]*?)\s*:\s+(.*)$|^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s:#'"-][^:#]*?)\s*:()$/.exec(before);
  if (value) {
    const indent = (value[1] ?? value[5]).length + (value[2] ?? value[6] ?? '').length;
    const key = unquote(value[3] ?? value[7]);
    const rest = value[4] ?? value[8];
    const { keys } = enclosingKeys(lines, line, indent);
    const inFlowList = /\[[^\]]*$/.test(rest);
    const prefix = /[^\s[,"']*$/.exec(rest)![0];
    const afterColon = rest === '' && before.endsWith(':');
    return { path: [...keys, key], kind: 'value', prefix, prefixStart: character - prefix.length, wordEnd, siblings: new Set(), inFlowList, ...(afterColon ? { afterColon } : {}) };
  }
  const item = /^(\s*)-\s+(.*)$/.exec(before) ?? /^(\s*)-()$/.exec(before);
  if (item && !/:\s/.test(item[2])) {
    const { keys } = enclosingKeys(lines, line, item[1].length + 1);
    const prefix = /[^\s"']*$/.exec(item[2])![0];
    return { path: keys, kind: 'item', prefix, prefixStart: character - prefix.length, wordEnd, siblings: new Set(), inFlowList: false };
  }
  const key = /^(\s*)([A-Za-z0-9_.\-/]*)$/.exec(before);
  if (!key) return undefined;
  const indent = key[1].length;
  const { keys, parentLine } = enclosingKeys(lines, line, indent);
  const siblings = keysInBlock(lines, parentLine, indent, line);
  return { path: keys, kind: 'key', prefix: key[2], prefixStart: indent, wordEnd, siblings, inFlowList: false };
}
