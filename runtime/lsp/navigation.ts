// Go to definition (program → the script; a parameter → its add_argument line or first config read)
// and the outline of a sweep file.
import { SymbolKind, type DocumentSymbol, type Location } from 'vscode-languageserver';
import { isMap, isScalar, type Node } from 'yaml';
import { describeRange, isPlainObject, type ParsedSweep, type Range } from '../sweeps/config';
import { placeOf } from './completion';
import { pathToUri } from './host';
import { leafParameter, sourceTexts } from './hover';
import type { Analysis, SweepLanguageService } from './service';

const at = (line: number, character: number): Range => ({ start: { line, character }, end: { line, character } });

export function definition(svc: SweepLanguageService, a: Analysis, sweep: ParsedSweep, offset: number): Location | null {
  const hit = sweep.source.entryAt(offset);
  if (!hit) return null;
  const path = hit.entry.path.map(String);
  const prog = svc.program(a);
  if (!prog) return null;
  if (path.length === 1 && path[0] === 'program') return { uri: pathToUri(prog.file), range: at(0, 0) };
  if (hit.part !== 'key' || placeOf(path.slice(0, -1)).at !== 'parameters') return null;
  const name = path.at(-1)!;
  const flag = prog.facts.argparse.find((f) => f.name === name);
  const read = prog.facts.configKeys.find((k) => k.name === name);
  const target = flag ?? read;
  if (!target) return null;
  const length = flag ? flag.flag.length : name.length;
  return { uri: pathToUri(prog.file), range: { start: { line: target.line, character: target.character }, end: { line: target.line, character: target.character + length } } };
}

export function documentSymbols(sweep: ParsedSweep): DocumentSymbol[] {
  const root = sweep.source.doc.contents as Node | null;
  if (!isMap(root)) return [];
  const out: DocumentSymbol[] = [];
  for (const item of root.items) {
    if (!isScalar(item.key)) continue;
    const key = String(item.key.value);
    const sym = symbolFor(sweep, [key], key === 'parameters' ? SymbolKind.Namespace : SymbolKind.Property);
    if (!sym) continue;
    if (key === 'parameters') sym.children = parameterSymbols(sweep, ['parameters']);
    else if (isScalar(item.value)) sym.detail = String(item.value.value);
    out.push(sym);
  }
  return out;
}

function symbolFor(sweep: ParsedSweep, path: string[], kind: SymbolKind): DocumentSymbol | undefined {
  const e = sweep.source.entry(path);
  const keySpan = e?.key && sweep.source.nodeSpan(e.key);
  if (!e || !keySpan) return undefined;
  const valueSpan = e.value && sweep.source.nodeSpan(e.value);
  const end = valueSpan && valueSpan[1] > keySpan[1] ? valueSpan[1] : keySpan[1];
  return { name: path.at(-1)!, kind, range: sweep.source.rangeFromOffsets(keySpan[0], end), selectionRange: sweep.source.rangeFromOffsets(keySpan[0], keySpan[1]) };
}

function parameterSymbols(sweep: ParsedSweep, at: string[]): DocumentSymbol[] {
  const e = sweep.source.entry(at);
  if (!isMap(e?.value)) return [];
  const out: DocumentSymbol[] = [];
  for (const item of e!.value.items) {
    if (!isScalar(item.key)) continue;
    const path = [...at, String(item.key.value)];
    let spec: unknown = sweep.raw;
    for (const k of path) spec = isPlainObject(spec) ? spec[k] : undefined;
    const nested = isPlainObject(spec) && 'parameters' in spec && !('distribution' in spec);
    const sym = symbolFor(sweep, path, nested ? SymbolKind.Namespace : SymbolKind.Variable);
    if (!sym) continue;
    if (nested) sym.children = parameterSymbols(sweep, [...path, 'parameters']);
    else {
      const leaf = leafParameter(sweep, path);
      if (leaf) sym.detail = describeRange(leaf, sourceTexts(sweep, path));
    }
    out.push(sym);
  }
  return out;
}
