// A canonical serialisation of parameter values: two values get the same key exactly when grid
// de-duplication should treat them as the same combination. It mirrors W&B's
// md5(yaml.dump(v, sort_keys=True)) hashing after integral floats become ints:
//   - numbers compare by value (1 and 1.0 are one number in JS anyway; -0 is 0; NaN equals NaN),
//   - booleans are NOT numbers (true vs 1 differ, as in YAML: `true` vs `1`),
//   - strings are not numbers ("1" vs 1 differ), null is its own value,
//   - objects compare whatever their key order; arrays element by element (JS has no tuples).

export function canonicalKey(v: unknown): string {
  switch (typeof v) {
    case 'number':
      if (Number.isNaN(v)) return 'nan';
      if (v === Infinity) return 'inf';
      if (v === -Infinity) return '-inf';
      return Object.is(v, -0) ? '0' : String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'undefined':
      return 'undefined';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map(canonicalKey).join(',')}]`;
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalKey(obj[k])}`).join(',')}}`;
    }
    default:
      return `?${String(v)}`;
  }
}
