// A parsed YAML document with source positions: every mapping entry and sequence item indexed by its
// path, so that a problem found on the plain value (by ajv or a semantic check) gets the exact range of
// the offending key or value.
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type ParsedNode, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { ConfigPath, Diagnostic, Position, Range } from './diagnostics';
import { parseYaml, type ParseMode } from './incrementalParse';

export interface YamlEntry {
  path: ConfigPath;
  /** the key scalar of a mapping entry; undefined for sequence items and the root */
  key?: Scalar;
  /** the value node; null for an empty value (`key:` with nothing after it) */
  value: Node | null;
  /** the mapping or sequence holding this entry */
  parent?: YAMLMap | YAMLSeq;
  pair?: Pair;
}

export const pathKey = (path: ConfigPath): string => path.map(String).join('\u0000');

const FLOAT_TAG = 'tag:yaml.org,2002:float';

export class YamlSource {
  readonly doc: Document.Parsed;
  /** the document as plain data (undefined when it cannot be converted, e.g. an alias bomb). Shared with a parse cache: read it, never change it. */
  readonly value: unknown;
  /** whether the text was parsed in cached chunks (see incrementalParse) */
  readonly chunked: boolean;
  private readonly index = new Map<string, YamlEntry>();
  /** per node, the offset of the chunk its ranges are relative to */
  private readonly bases = new Map<Node, number>();
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string, opts: { parse?: ParseMode } = {}) {
    const parsed = parseYaml(text, opts.parse);
    this.doc = parsed.doc;
    this.value = parsed.value;
    this.chunked = parsed.chunked;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    this.walk(this.doc.contents as Node | null, [], '', undefined, undefined, undefined, 0, parsed.nodeBase);
  }

  // `id` is pathKey(path), built as we descend: this runs on every keystroke over every node.
  private walk(node: Node | null, path: ConfigPath, id: string, key: Scalar | undefined, parent: YAMLMap | YAMLSeq | undefined, pair: Pair | undefined, base: number, nodeBase: Map<Node, number>): void {
    this.index.set(id, { path, key, value: node, parent, pair });
    if (node) this.bases.set(node, base = nodeBase.get(node) ?? base);
    const child = (name: string | number) => (path.length ? `${id}\u0000${name}` : String(name));
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isScalar(item.key)) continue; // complex keys cannot be addressed by a path
        this.bases.set(item.key, nodeBase.get(item.key) ?? base);
        const name = String(item.key.value);
        this.walk(item.value as Node | null, [...path, name], child(name), item.key, node, item, base, nodeBase);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => this.walk(item as Node | null, [...path, i], child(i), undefined, node, undefined, base, nodeBase));
    }
  }

  entry(path: ConfigPath): YamlEntry | undefined {
    return this.index.get(pathKey(path));
  }

  entries(): IterableIterator<YamlEntry> {
    return this.index.values();
  }

  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  }

  offsetAt(pos: Position): number {
    const starts = this.lineStarts;
    if (pos.line >= starts.length) return this.text.length;
    const lineStart = starts[Math.max(0, pos.line)];
    const lineEnd = pos.line + 1 < starts.length ? starts[pos.line + 1] - 1 : this.text.length;
    return Math.min(lineStart + pos.character, lineEnd);
  }

  rangeFromOffsets(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** The span of a node's value (without trailing comments or line breaks). */
  nodeSpan(node: Node): [number, number] | undefined {
    const r = (node as ParsedNode).range;
    const base = this.bases.get(node) ?? 0;
    return r ? [r[0] + base, r[1] + base] : undefined;
  }

  /** Where a collection's value is too long to underline, its first line. */
  private firstLineSpan(start: number, end: number): [number, number] {
    const nl = this.text.indexOf('\n', start);
    return [start, nl >= 0 && nl < end ? nl : end];
  }

  /**
   * The range to underline for `target` at `path`. Falls back to the closest existing ancestor's key
   * (a missing key is reported on the mapping that should hold it), then to the document's first line.
   */
  rangeOf(path: ConfigPath, target: 'key' | 'value'): Range {
    for (let n = path.length; n >= 0; n--) {
      const e = this.entry(path.slice(0, n));
      if (!e) continue;
      const exact = n === path.length;
      const span = this.entrySpan(e, exact ? target : 'key');
      if (span) return this.rangeFromOffsets(span[0], span[1]);
    }
    return this.rangeFromOffsets(...this.firstLineSpan(0, this.text.length));
  }

  private entrySpan(e: YamlEntry, target: 'key' | 'value'): [number, number] | undefined {
    const keySpan = e.key ? this.nodeSpan(e.key) : undefined;
    if (target === 'key' && keySpan) return keySpan;
    const v = e.value ? this.nodeSpan(e.value) : undefined;
    if (!v) return keySpan ?? (e.path.length === 0 ? undefined : this.emptyValueSpan(e));
    const collection = isMap(e.value) || isSeq(e.value);
    if (collection && !(e.value as YAMLMap).flow) return keySpan ?? this.firstLineSpan(v[0], v[1]);
    if (v[1] === v[0]) return keySpan ?? v; // an empty value: point at its key
    return v;
  }

  private emptyValueSpan(e: YamlEntry): [number, number] | undefined {
    return e.key ? this.nodeSpan(e.key) : undefined;
  }

  /** The source text of the value at `path` (for fixes that move a value, e.g. swapping min and max). */
  sourceText(path: ConfigPath): string | undefined {
    const e = this.entry(path);
    const span = e?.value ? this.nodeSpan(e.value) : undefined;
    return span ? this.text.slice(span[0], span[1]) : undefined;
  }

  /** Whether the number at `path` was written as a float (1.0, 1e-3, !!float 1), as W&B's inference cares. */
  isFloatLiteral(path: ConfigPath): boolean {
    const node = this.entry(path)?.value;
    if (!isScalar(node) || typeof node.value !== 'number') return false;
    if (node.tag === FLOAT_TAG) return true;
    if (!Number.isInteger(node.value)) return true;
    const src = this.sourceText(path) ?? '';
    return !/^[-+]?0[xo]/i.test(src) && /[.eE]|inf|nan/i.test(src);
  }

  /** The innermost entry whose key or scalar value contains `offset`, and which part was hit. */
  entryAt(offset: number): { entry: YamlEntry; part: 'key' | 'value' } | undefined {
    let best: { entry: YamlEntry; part: 'key' | 'value'; size: number } | undefined;
    for (const e of this.index.values()) {
      for (const part of ['key', 'value'] as const) {
        const node = part === 'key' ? e.key : e.value;
        if (!node || (part === 'value' && !isScalar(node))) continue;
        const span = this.nodeSpan(node);
        if (!span || offset < span[0] || offset > span[1]) continue;
        const size = span[1] - span[0];
        if (!best || size < best.size) best = { entry: e, part, size };
      }
    }
    return best && { entry: best.entry, part: best.part };
  }

  /** YAML syntax errors (and duplicate keys) as diagnostics. */
  syntaxDiagnostics(): Diagnostic[] {
    return this.doc.errors.map((err) => {
      const duplicate = err.code === 'DUPLICATE_KEY';
      let [start, end] = err.pos;
      if (duplicate) {
        const hit = this.keyStartingAt(start);
        if (hit) [start, end] = hit;
      }
      if (end - start <= 1) end = this.wordEnd(start);
      const message = duplicate
        ? `\`${this.text.slice(start, end)}\` appears twice in this mapping; remove or rename one (only the last one would count).`
        : `YAML syntax: ${err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '')}`;
      return { range: this.rangeFromOffsets(start, end), severity: 'error' as const, code: duplicate ? 'duplicate-key' as const : 'yaml-syntax' as const, message, source: 'trackwell' as const, path: [] };
    });
  }

  private keyStartingAt(offset: number): [number, number] | undefined {
    for (const e of this.index.values()) {
      const span = e.key ? this.nodeSpan(e.key) : undefined;
      if (span && span[0] === offset) return span;
    }
    // Duplicate keys are not indexed (the first one wins the path); find the pair in the raw maps.
    let found: [number, number] | undefined;
    const visit = (node: unknown): void => {
      if (found) return;
      if (isMap(node)) for (const it of node.items) {
        const span = isPair(it) && isScalar(it.key) ? this.nodeSpan(it.key) : undefined;
        if (span && span[0] === offset) found = span;
        visit(it.value);
      } else if (isSeq(node)) node.items.forEach(visit);
    };
    visit(this.doc.contents);
    return found;
  }

  private wordEnd(start: number): number {
    const m = /^[^\s:,\]}]*/.exec(this.text.slice(start, start + 200));
    const end = start + (m ? m[0].length : 0);
    return end > start ? end : Math.min(start + 1, this.text.length);
  }
}
