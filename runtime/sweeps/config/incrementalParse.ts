// Incremental YAML parsing for large sweep files. A full parse of a 2,000-line file with `yaml` takes
// tens of milliseconds, too slow for every keystroke; but a sweep is a flat list of top-level keys and,
// under `parameters`, of independent parameter entries. We cut the text into those chunks, parse each
// chunk on its own (cached by its text, so an edit re-parses one chunk), and join the results. Chunk
// nodes keep chunk-relative ranges; `nodeBase` says which offset to add. Anything the chunking cannot
// vouch for — anchors and aliases, several documents, an unterminated quote or flow collection (which
// may run past the cut), an unexpected shape — falls back to one full parse. Other syntax errors stay
// local to their chunk, as they are in a full parse, so a half-typed entry does not cost a full parse.
import { Document, Pair, YAMLMap, YAMLParseError, isMap, isScalar, parseDocument, type Node, type ParsedNode } from 'yaml';

// logLevel 'error': no process warnings (e.g. for collection keys) from a server or CLI.
export const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: true, version: '1.2', logLevel: 'error' } as const;

export interface ParsedYaml {
  doc: Document.Parsed;
  /** the document as plain data (undefined when it cannot be converted, e.g. an alias bomb) */
  value: unknown;
  /** offsets to add to the ranges of chunk nodes (inherited by their descendants); absent means 0 */
  nodeBase: Map<Node, number>;
  chunked: boolean;
}

/** Below this size a full parse is fast enough. */
const MIN_CHUNKED_CHARS = 4000;
const MAX_CACHED_CHUNKS = 20000;

interface Chunk {
  doc: Document.Parsed;
  /** the entries of the chunk: one, unless a syntax error split it */
  pairs: Pair<ParsedNode, ParsedNode | null>[];
  value: Record<string, unknown>;
}

/** Errors after which the text may continue beyond the chunk, so the cut itself may be wrong. */
const OPEN_ENDED = /Missing closing|Flow (sequence|mapping)|flow collection|must end with/i;

const cache = new Map<string, Chunk>();

export function fullParse(text: string): ParsedYaml {
  const doc = parseDocument(text, YAML_OPTIONS);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch {
    value = undefined;
  }
  return { doc, value, nodeBase: new Map(), chunked: false };
}

/** How to parse: 'auto' chunks large texts only; 'chunked' tries chunks at any size (tests); 'full' never does. */
export type ParseMode = 'auto' | 'chunked' | 'full';

export function parseYaml(text: string, mode: ParseMode = 'auto'): ParsedYaml {
  const tryChunks = mode === 'chunked' || (mode === 'auto' && text.length >= MIN_CHUNKED_CHARS);
  return (tryChunks && chunkedParse(text)) || fullParse(text);
}

/** A chunk of one `key: value` entry, parsed and checked; undefined when it is not exactly that. */
function parseChunk(text: string, fresh: boolean): Chunk | undefined {
  const hit = fresh ? undefined : cache.get(text);
  if (hit) return hit;
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.some((e) => OPEN_ENDED.test(e.message)) || doc.warnings.length) return undefined;
  if (!isMap(doc.contents) || !doc.contents.items.length || !doc.contents.items.every((p) => isScalar(p.key))) return undefined;
  if (!doc.errors.length && doc.contents.items.length !== 1) return undefined;
  let value: Record<string, unknown>;
  try {
    value = doc.toJS() as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const chunk: Chunk = { doc, pairs: doc.contents.items as Chunk['pairs'], value };
  if (!fresh) {
    if (cache.size >= MAX_CACHED_CHUNKS) cache.clear();
    cache.set(text, chunk);
  }
  return chunk;
}

const KEY_AT_COLUMN_0 = /^(?:"[^"\n]*"|'[^'\n]*'|[^\s#'"\-?:,[\]{}&*!|>%@`][^:#\n]*?)[ \t]*:(?:[ \t]|$)/;
const KEY_AFTER_INDENT = /^( +)(?:"[^"\n]*"|'[^'\n]*'|[^\s#'"\-?:,[\]{}&*!|>%@`][^:#\n]*?)[ \t]*:(?:[ \t]|$)/;
const isContent = (line: string) => !/^\s*(#.*)?\r?$/.test(line);

function chunkedParse(text: string): ParsedYaml | undefined {
  // Features whose meaning spans chunks: documents, directives, anchors and aliases.
  if (/^(?:---|\.\.\.|%)/m.test(text) || /(?:^|[\s[{,])[&*][^\s,\]}]/m.test(text) || text.includes('\t')) return undefined;
  const lines = text.split('\n');
  const starts: number[] = [];
  for (let i = 0, off = 0; i < lines.length; off += lines[i].length + 1, i++) starts.push(off);
  const firstContent = lines.findIndex(isContent);
  if (firstContent < 0 || !KEY_AT_COLUMN_0.test(lines[firstContent])) return undefined;

  const topStarts = [0];
  for (let i = firstContent + 1; i < lines.length; i++) if (KEY_AT_COLUMN_0.test(lines[i])) topStarts.push(i);

  const nodeBase = new Map<Node, number>();
  const used = new Set<Chunk>();
  const errors: YAMLParseError[] = [];
  const take = (from: number, to: number): { chunk: Chunk; base: number } | undefined => {
    const base = starts[from];
    const end = to < lines.length ? starts[to] : text.length;
    const slice = text.slice(base, end);
    let chunk = parseChunk(slice, false);
    // The same text twice in one file (a duplicated entry) must not share nodes: their offsets differ.
    if (chunk && used.has(chunk)) chunk = parseChunk(slice, true);
    if (!chunk) return undefined;
    used.add(chunk);
    for (const pair of chunk.pairs) {
      nodeBase.set(pair.key, base);
      if (pair.value) nodeBase.set(pair.value, base);
    }
    for (const e of chunk.doc.errors) errors.push(new YAMLParseError([e.pos[0] + base, e.pos[1] + base], e.code, e.message));
    return { chunk, base };
  };

  const root = new YAMLMap();
  const value: Record<string, unknown> = {};
  const seen = new Set<string>();
  const addPair = (pair: Pair, keyStart: number, into: YAMLMap, target: Record<string, unknown>, v: unknown, names: Set<string>) => {
    const name = String((pair.key as { value: unknown }).value);
    if (names.has(name)) errors.push(new YAMLParseError([keyStart, keyStart + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
    names.add(name);
    into.items.push(pair);
    target[name] = v;
  };
  const addChunk = ({ chunk, base }: { chunk: Chunk; base: number }, into: YAMLMap, target: Record<string, unknown>, names: Set<string>) => {
    for (const pair of chunk.pairs) addPair(pair, base + pair.key.range![0], into, target, chunk.value[String((pair.key as { value: unknown }).value)], names);
  };

  for (let t = 0; t < topStarts.length; t++) {
    const from = topStarts[t];
    const to = topStarts[t + 1] ?? lines.length;
    const split = /^parameters[ \t]*:[ \t]*(#.*)?\r?$/.test(lines[Math.max(from, firstContent)]) ? splitParameters(lines, Math.max(from, firstContent), to) : undefined;
    if (!split) {
      const got = take(from, to);
      if (!got) return undefined;
      addChunk(got, root, value, seen);
      continue;
    }
    const header = take(from, split[0]);
    if (!header || header.chunk.pairs.length !== 1) return undefined;
    const params = new YAMLMap();
    const paramsValue: Record<string, unknown> = {};
    const names = new Set<string>();
    let end = 0;
    for (let c = 0; c < split.length; c++) {
      const got = take(split[c], split[c + 1] ?? to);
      if (!got) return undefined;
      addChunk(got, params, paramsValue, names);
      const last = got.chunk.pairs.at(-1)!;
      end = got.base + (last.value?.range?.[1] ?? last.key.range![1]);
    }
    const firstKey = params.items[0].key as ParsedNode;
    params.range = [nodeBase.get(firstKey)! + firstKey.range![0], end, to < lines.length ? starts[to] : text.length];
    nodeBase.set(params, 0);
    const headerKey = header.chunk.pairs[0].key;
    addPair(new Pair(headerKey, params), header.base + headerKey.range![0], root, value, paramsValue, seen);
  }
  const firstKey = root.items[0].key as ParsedNode;
  root.range = [nodeBase.get(firstKey)! + firstKey.range![0], text.length, text.length];
  nodeBase.set(root, 0);
  const doc = new Document(null, YAML_OPTIONS) as unknown as Document.Parsed;
  doc.contents = root as unknown as Document.Parsed['contents'];
  doc.errors.push(...errors);
  return { doc, value, nodeBase, chunked: true };
}

/**
 * The first line of each entry of a block `parameters:` mapping that starts at line `header` and ends
 * before `to`; undefined when the block is not a plain list of entries at one indentation.
 */
function splitParameters(lines: string[], header: number, to: number): number[] | undefined {
  let indent = -1;
  const entries: number[] = [];
  for (let i = header + 1; i < to; i++) {
    if (!isContent(lines[i])) continue;
    const lead = /^ */.exec(lines[i])![0].length;
    if (indent < 0) {
      if (lead === 0 || lines[i][lead] === '-') return undefined;
      indent = lead;
    }
    if (lead < indent) return undefined;
    if (lead === indent) {
      const m = KEY_AFTER_INDENT.exec(lines[i]);
      if (!m || m[1].length !== indent) return undefined;
      entries.push(i);
    }
  }
  return entries.length ? entries : undefined;
}
