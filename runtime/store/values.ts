// Decoding logged values: non-finite markers, nested trees flattened to dotted names.
import type { JsonObject, JsonValue } from '../protocol/journal';

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** If `v` is a {"$num": ...} marker, its number; otherwise undefined. */
export function nonFiniteOf(v: JsonValue): number | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const m = (v as JsonObject).$num;
    if (typeof m === 'string' && m in NON_FINITE && Object.keys(v).length === 1) return NON_FINITE[m];
  }
  return undefined;
}

/** A leaf value: a plain number for numbers and non-finite markers, the JSON value otherwise. */
export type Leaf = number | string | boolean | null | JsonValue[] | JsonObject;

/** Is `v` a nested namespace (a plain object that is neither a marker nor a typed media value)? */
function isNamespace(v: JsonValue): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v) && nonFiniteOf(v) === undefined && !('_type' in v);
}

/** Yields [dotted.name, leaf] for every leaf of a logged row. */
export function* flattenRow(data: JsonObject, prefix = ''): Generator<[string, Leaf]> {
  for (const k of Object.keys(data)) {
    const v = data[k];
    const name = prefix ? `${prefix}.${k}` : k;
    if (isNamespace(v)) {
      yield* flattenRow(v, name);
      continue;
    }
    const nf = nonFiniteOf(v);
    yield [name, nf !== undefined ? nf : (v as Leaf)];
  }
}

/** Renders a number the way tools show it: NaN, Infinity, -Infinity for non-finite values. */
export function numberText(n: number): string {
  return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : String(n);
}

/** Replaces {"$num": ...} markers by the strings "NaN", "Infinity", "-Infinity" for plain-JSON output. */
export function plainJson(v: JsonValue): JsonValue {
  const nf = nonFiniteOf(v);
  if (nf !== undefined) return numberText(nf);
  if (Array.isArray(v)) return v.map(plainJson);
  if (v && typeof v === 'object') {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) out[k] = plainJson(v[k]);
    return out;
  }
  return v;
}
