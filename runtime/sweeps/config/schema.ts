// The published JSON Schema (schemas/sweep.schema.json, bundled at build time) and ajv validators built
// from it. Parameters are validated one at a time against the definition of their own form, which
// gives "unknown key `mn` in parameter lr" instead of the dozen anyOf branch failures a whole-document
// validation reports.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import sweepSchema from '../../../schemas/sweep.schema.json';
import type { ConfigPath, ConfigProblem, DiagnosticCode } from './diagnostics';
import { didYouMean, suggest } from './suggest';

export const SWEEP_SCHEMA = sweepSchema as Record<string, any>;
const SCHEMA_ID = SWEEP_SCHEMA.$id as string;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function getAjv(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  // A copy in which a parameter accepts anything: each one is checked on its own (see checkParameter).
  const opaque = structuredClone(SWEEP_SCHEMA);
  opaque.definitions.parameter = {};
  // Rules between keys (bayes needs metric, ...) are semantic checks here, with messages that say more.
  delete opaque.allOf;
  delete opaque.dependencies;
  ajv.addSchema(opaque);
  return ajv;
}

/** The validator for `definition` (e.g. 'param_uniform'), or the whole sweep when omitted. */
export function validatorFor(definition?: string): ValidateFunction {
  const id = definition ?? '';
  let v = validators.get(id);
  if (!v) {
    v = getAjv().compile({ $ref: definition ? `${SCHEMA_ID}#/definitions/${definition}` : SCHEMA_ID });
    validators.set(id, v);
  }
  return v;
}

/** The full published schema, for tests that check it agrees with the module's own checks. */
export function publishedSchemaValidator(): ValidateFunction {
  let v = validators.get('published');
  if (!v) {
    v = new Ajv({ allErrors: true, strict: false }).compile(SWEEP_SCHEMA);
    validators.set('published', v);
  }
  return v;
}

/** Top-level keys that W&B knows but Trackwell's local controller cannot honour. */
const UNSUPPORTED: Record<string, string> = {
  scheduler: 'custom schedulers (optuna, ax) are not supported by Trackwell\'s local controller; remove `scheduler` and pick a `method`',
  metrics: 'multi-objective sweeps (`metrics`) are not supported; optimize one `metric`',
};

/** How a part of the config is named in messages, and which keys it accepts. */
export interface SchemaContext {
  label: string;
  /** extra candidates for "did you mean" beyond the schema's own keys */
  keyCandidates?: readonly string[];
  /** a sentence about a key that does not belong in this part, when a better one exists */
  keyHint?: (key: string) => string | undefined;
}

const capitalize = (s: string) => s[0].toUpperCase() + s.slice(1);
/** "Parameter `lr` (uniform): " before messages about a parameter, whose key may be far above the error. */
const where = (ctx: SchemaContext) => (ctx.label.startsWith('parameter') ? `${capitalize(ctx.label)}: ` : '');

function typeWord(t: string | string[]): string {
  const one = (x: string) => ({ integer: 'a whole number', number: 'a number', string: 'text', array: 'a list', object: 'a mapping', boolean: 'true or false', null: 'empty' }[x] ?? x);
  return Array.isArray(t) ? t.map(one).join(' or ') : one(t);
}

function decodePointer(p: string): ConfigPath {
  if (!p) return [];
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const shown = (v: unknown) => (typeof v === 'string' ? `\`${v}\`` : `\`${JSON.stringify(v)}\``);

/** Runs `validate` on `data` and turns its errors into problems located under `base`. */
export function schemaProblems(validate: ValidateFunction, data: unknown, base: ConfigPath, context: (path: ConfigPath) => SchemaContext): ConfigProblem[] {
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter((e) => !e.schemaPath.includes('/anyOf/') || e.keyword === 'anyOf');
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const p = problemFromError(err, base, context);
    if (!p) continue;
    const key = `${p.path.join('/')}|${p.code}|${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

function problemFromError(err: ErrorObject, base: ConfigPath, context: (path: ConfigPath) => SchemaContext): ConfigProblem | undefined {
  const at = [...base, ...decodePointer(err.instancePath)];
  const last = at.at(-1);
  const name = typeof last === 'string' ? `\`${last}\`` : 'this item';
  const make = (code: DiagnosticCode, message: string, target: 'key' | 'value' = 'value', path = at, extra: Partial<ConfigProblem> = {}): ConfigProblem =>
    ({ path, target, severity: 'error', code, message, ...extra });
  const ctx = context(at);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      const path = [...at, key];
      if (at.length === 0 && UNSUPPORTED[key]) return make('unsupported-key', `${UNSUPPORTED[key]}.`, 'key', path);
      const allowed = Object.keys((err.parentSchema as any)?.properties ?? {});
      // Keys of this very form first: `mn` in a log_uniform_values parameter means min, not mu.
      const own = suggest(key, allowed);
      const suggestions = own.length ? own : suggest(key, [...new Set([...allowed, ...(ctx.keyCandidates ?? [])])]);
      const hint = ctx.keyHint?.(key);
      const message = `Unknown key \`${key}\` in ${ctx.label}.${didYouMean(suggestions)}${hint ? ` ${hint}` : suggestions.length ? '' : ` It accepts: ${allowed.join(', ')}.`}`;
      return make('unknown-key', message, 'key', path, {
        fixes: suggestions.map((s, i) => ({ title: `Rename to \`${s}\``, isPreferred: i === 0, changes: [{ kind: 'replace-key', path, text: s }] })),
      });
    }
    case 'required': {
      const missing = String(err.params.missingProperty);
      return make('missing-key', `${capitalize(ctx.label)} needs \`${missing}\`${requiredHint(at, missing)}.`, 'key');
    }
    case 'enum': {
      const allowed = (err.params.allowedValues as unknown[]).filter((v) => typeof v === 'string') as string[];
      const suggestions = typeof err.data === 'string' ? suggest(err.data, allowed) : [];
      return make('invalid-value', `${where(ctx)}${shown(err.data)} is not a valid ${name}; use ${allowed.join(', ')}.${didYouMean(suggestions)}`, 'value', at, {
        fixes: suggestions.map((s, i) => ({ title: `Change to \`${s}\``, isPreferred: i === 0, changes: [{ kind: 'replace-value', path: at, text: s, asString: true }] })),
      });
    }
    case 'type':
      if (last === 'run_cap') return make('run-cap', 'run_cap must be a whole number above 0 (the most trials this sweep creates).');
      return make('wrong-type', `${where(ctx)}${name} must be ${typeWord(err.params.type as string)}${err.params.type === 'string' && at.at(-2) === 'command' ? '; quote it' : ''}.`);
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return rangeProblem(err, at, ctx, make);
    case 'minItems':
      if (last === 'values') return make('empty-values', 'values is empty: list at least one value to choose from.', 'key');
      return make('probabilities-length', `${name} is empty: give one probability per value.`, 'key');
    case 'minProperties':
      return make('missing-key', `${name} has no entries: add at least one parameter to sweep.`, 'key');
    case 'pattern':
      if (err.propertyName !== undefined) {
        return make('parameter-name', `Parameter name \`${err.propertyName}\` must start with a letter or _ and contain only letters, digits, _, . and -.`, 'key', [...at, err.propertyName]);
      }
      return make('invalid-value', `${name} does not match ${err.params.pattern}.`);
    case 'propertyNames':
      return undefined; // reported by the nested `pattern` error
    case 'anyOf':
      if (last === 'early_terminate') return hyperbandProblem(err.data, at);
      return make('invalid-value', `${name} does not match any accepted form.`);
    case 'const':
      return make('invalid-value', `${name} must be ${shown(err.params.allowedValue)}.`);
    default:
      return make('invalid-value', `${name}: ${err.message ?? 'invalid'}.`);
  }
}

function rangeProblem(err: ErrorObject, at: ConfigPath, ctx: SchemaContext, make: (code: DiagnosticCode, message: string) => ConfigProblem): ConfigProblem {
  const last = at.at(-1);
  const bound = err.params.limit as number;
  const op = { minimum: '≥', exclusiveMinimum: '>', maximum: '≤', exclusiveMaximum: '<' }[err.keyword];
  if (last === 'eta') return make('eta-too-small', `eta must be greater than 1: each band keeps the best 1/eta of the runs (3 is the usual choice).`);
  if (last === 'run_cap') return make('run-cap', 'run_cap must be a whole number above 0 (the most trials this sweep creates).');
  if (last === 'min' && err.keyword === 'exclusiveMinimum') {
    return make('log-min-not-positive', `${where(ctx)}min must be above 0, since this distribution takes the logarithm of its limits (for 10^-5 write 1.0e-5).`);
  }
  return make('out-of-range', `${where(ctx)}\`${String(last)}\` must be ${op} ${bound}.`);
}

function hyperbandProblem(data: unknown, at: ConfigPath): ConfigProblem {
  const d = (data ?? {}) as Record<string, unknown>;
  const message = 'max_iter' in d
    ? 'Hyperband with max_iter also needs s, the number of bands to count back from max_iter (e.g. s: 2).'
    : 'Hyperband needs min_iter (the iteration of the first band, e.g. 3), or max_iter with s.';
  return { path: at, target: 'key', severity: 'error', code: 'hyperband-needs-iter', message };
}

function requiredHint(at: ConfigPath, missing: string): string {
  const where = at.filter((p) => typeof p === 'string').at(-1);
  if (at.length === 0 && missing === 'method') return ': grid, random or bayes';
  if (at.length === 0 && missing === 'parameters') return ', the parameters to sweep';
  if (where === 'metric' && missing === 'name') return ', the key your program logs (e.g. val/loss)';
  if (where === 'early_terminate' && missing === 'type') return ' (type: hyperband)';
  return '';
}
