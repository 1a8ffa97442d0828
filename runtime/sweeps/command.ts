// Expands a sweep's `command` (with its ${...} macros) into an argument array for one trial. The result
// is spawned without a shell, so parameter values reach the program exactly as written.
import { DEFAULT_COMMAND } from './config/types';

export interface CommandContext {
  program?: string;
  interpreter: string;
  /** the trial's parameter values (top-level names; nested groups as objects) */
  params: Record<string, unknown>;
  /** path of a JSON file holding `params`, for ${args_json_file} */
  paramsJsonFile: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** Python's str() of a value, as W&B's agent formats arguments. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyFloatOrInt(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

/** Integers print as integers; other numbers follow Python's float repr (1e-05, 0.0001, 1.5e+16). */
function pyFloatOrInt(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const [mant, expStr] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = n.toFixed(Math.max(0, (mant.split('.')[1]?.length ?? 0) - exp));
  return s.includes('.') ? s : `${s}.0`;
}

type Expander = (c: CommandContext) => string[];

const flagArgs = (c: CommandContext, fmt: (k: string, v: string) => string[]): string[] =>
  Object.entries(c.params).flatMap(([k, v]) => fmt(k, pyStr(v)));

const MACROS: Record<string, Expander> = {
  env: (c) => ((c.platform ?? process.platform) === 'win32' ? [] : ['/usr/bin/env']),
  interpreter: (c) => [c.interpreter],
  program: (c) => (c.program ? [c.program] : []),
  args: (c) => flagArgs(c, (k, v) => [`--${k}=${v}`]),
  args_no_equals: (c) => flagArgs(c, (k, v) => [`--${k}`, v]),
  args_no_hyphens: (c) => flagArgs(c, (k, v) => [`${k}=${v}`]),
  args_append_hydra: (c) => flagArgs(c, (k, v) => [`+${k}=${v}`]),
  args_override_hydra: (c) => flagArgs(c, (k, v) => [`++${k}=${v}`]),
  args_no_boolean_flags: (c) =>
    Object.entries(c.params).flatMap(([k, v]) => (v === true ? [`--${k}`] : v === false ? [] : [`--${k}=${pyStr(v)}`])),
  args_json: (c) => [JSON.stringify(c.params)],
  args_json_file: (c) => [c.paramsJsonFile],
};

const MACRO_RE = /\$\{(envvar:[A-Za-z_][A-Za-z0-9_]*|[a-z_]+)\}/g;

function expandOne(name: string, c: CommandContext): string[] | undefined {
  if (name.startsWith('envvar:')) {
    const v = c.env[name.slice(7)];
    return v === undefined ? undefined : [v];
  }
  return MACROS[name]?.(c);
}

/** The argument array for one trial. An item that is exactly one macro may expand to several arguments. */
export function expandCommand(command: string[] | undefined, c: CommandContext): string[] {
  const out: string[] = [];
  for (const item of command ?? DEFAULT_COMMAND) {
    const whole = /^\$\{([^}]+)\}$/.exec(item);
    if (whole) {
      const v = expandOne(whole[1], c);
      out.push(...(v ?? [item]));
      continue;
    }
    out.push(item.replace(MACRO_RE, (m, name: string) => {
      const v = expandOne(name, c);
      return v === undefined ? m : v.join(' ');
    }));
  }
  return out;
}
