// Nested config/summary objects as dotted keys, and the compare view's diff of several of them.
import type { JsonObject, JsonValue } from '../../runtime/protocol/journal';
import { naturalCompare } from '../charts/sections';

/** {a: {b: 1}, c: [1, 2]} -> [["a.b", 1], ["c", [1, 2]]]; arrays and {"$num"} markers are leaves. */
export function flatten(obj: JsonObject, prefix = '', out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObject && !('$num' in v) && Object.keys(v).length) flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

export interface DiffRow {
  key: string;
  /** one JSON text per run; undefined where the run lacks the key */
  values: (string | undefined)[];
  differs: boolean;
}

export function diffRows(objs: readonly JsonObject[]): DiffRow[] {
  const flats = objs.map((o) => flatten(o));
  const keys = new Set<string>();
  for (const f of flats) for (const k of f.keys()) keys.add(k);
  return [...keys].sort(naturalCompare).map((key) => {
    const values = flats.map((f) => (f.has(key) ? JSON.stringify(f.get(key)) : undefined));
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}
