// How PyYAML (YAML 1.1, what `wandb sweep` and most Python tools use) reads a plain scalar, compared with
// how we read it (YAML 1.2 core schema). Where the two disagree the same file means different things to
// W&B and to Trackwell, so the checks warn and offer a spelling both read the same way.

export type PyYamlValue = { type: 'int' | 'float'; value: number } | { type: 'bool'; value: boolean } | { type: 'null' } | { type: 'str' };

// The implicit resolvers of PyYAML's SafeLoader (yaml/resolver.py), restricted to what matters here.
const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_NULL = /^(?:~|null|Null|NULL|)$/;
const PY_FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;

function sexagesimal(digits: string): number {
  return digits.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/** PyYAML's reading of an untagged plain scalar. */
export function pyyamlResolve(source: string): PyYamlValue {
  if (PY_BOOL.test(source)) return { type: 'bool', value: /^(?:yes|true|on)$/i.test(source) };
  if (PY_NULL.test(source)) return { type: 'null' };
  if (PY_INT.test(source)) {
    const sign = source.startsWith('-') ? -1 : 1;
    const s = source.replace(/^[-+]/, '').replace(/_/g, '');
    let v: number;
    if (s.startsWith('0b')) v = parseInt(s.slice(2), 2);
    else if (s.startsWith('0x')) v = parseInt(s.slice(2), 16);
    else if (s.includes(':')) v = sexagesimal(s);
    else if (s.length > 1 && s.startsWith('0')) v = parseInt(s, 8);
    else v = Number(s);
    return { type: 'int', value: sign * v };
  }
  if (PY_FLOAT.test(source)) {
    const sign = source.startsWith('-') ? -1 : 1;
    const s = source.replace(/^[-+]/, '').replace(/_/g, '').toLowerCase();
    if (s === '.inf') return { type: 'float', value: sign * Infinity };
    if (s === '.nan') return { type: 'float', value: NaN };
    if (s.includes(':')) {
      const [head, frac] = [s.slice(0, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)];
      return { type: 'float', value: sign * (sexagesimal(head) * 60 + Number(frac)) };
    }
    return { type: 'float', value: sign * Number(s) };
  }
  return { type: 'str' };
}

/**
 * A spelling of `n` that PyYAML and YAML 1.2 both read as the same float: PyYAML needs a dot in the
 * mantissa and a sign on the exponent (1e-5 → 1.0e-5, 1e5 → 1.0e+5).
 */
export function pyyamlSafeFloat(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([-+]?)(\d+)$/i.exec(s);
  if (m) return `${m[1]}${m[2]}.${m[3] ?? '0'}e${m[4] || '+'}${m[5]}`;
  return s.includes('.') ? s : `${s}.0`;
}

/** Rewrites the source text of a YAML 1.2 float so PyYAML reads the same number, keeping the user's digits. */
export function pyyamlSafeFloatSpelling(source: string): string | undefined {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?[eE]([-+]?)(\d+)$/.exec(source);
  if (!m) return undefined;
  const [, sign, int, frac, expSign, exp] = m;
  const e = source.includes('E') ? 'E' : 'e';
  return `${sign}${int || '0'}.${frac || '0'}${e}${expSign || '+'}${exp}`;
}

/** A number written so that both readers agree, e.g. for inserted limits: integers stay integers. */
export function formatNumber(n: number, asFloat: boolean): string {
  return asFloat || !Number.isInteger(n) ? pyyamlSafeFloat(n) : String(n);
}

/** Rounds to `digits` significant digits, for computed limits such as e^-9 = 0.0001234. */
export function roundSignificant(n: number, digits = 4): number {
  return n === 0 || !Number.isFinite(n) ? n : Number(n.toPrecision(digits));
}
