// Completion: keys valid at the cursor (with snippets), enum values, command macros, parameter names from
// the program, and metric names from the program's log calls and the runtime.
import { CompletionItemKind, CompletionItemTag, InsertTextFormat, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  COMMAND_MACROS, DISTRIBUTION_DOCS, DISTRIBUTION_NAMES, DISTRIBUTIONS, MACRO_DOCS, METHOD_DOCS, isDistribution, isPlainObject, keyDoc, schemaNodeAt,
  type Distribution,
} from '../sweeps/config';
import { cursorContext, type CursorContext } from './cursor';
import type { Analysis, SweepLanguageService } from './service';

type Place = { at: 'top' | 'metric' | 'early_terminate' | 'controller' | 'parameters' | 'parameter' | 'other'; paramPath: string[] };

/** What the mapping at `path` is: the sweep, metric, a parameter list, one parameter, ... */
export function placeOf(path: readonly string[]): Place {
  let at: Place['at'] = 'top';
  const paramPath: string[] = [];
  for (const key of path) {
    if (at === 'top') at = key === 'parameters' ? 'parameters' : key === 'metric' || key === 'early_terminate' || key === 'controller' ? key : 'other';
    else if (at === 'parameters') {
      at = 'parameter';
      paramPath.push('parameters', key);
    } else if (at === 'parameter') at = key === 'parameters' ? 'parameters' : 'other';
    else at = 'other';
  }
  return { at, paramPath };
}

const TOP_SNIPPETS: Record<string, string> = {
  program: 'program: ${1:train.py}',
  method: 'method: ${1|bayes,random,grid|}',
  metric: 'metric:\n  name: ${1:val/loss}\n  goal: ${2|minimize,maximize|}',
  parameters: 'parameters:\n  ${1:learning_rate}:\n    ${2:values: [$3]}',
  early_terminate: 'early_terminate:\n  type: hyperband\n  min_iter: ${1:3}\n  eta: ${2:3}',
  command: 'command:\n  - \\${env}\n  - \\${interpreter}\n  - \\${program}\n  - \\${${1|args,args_no_hyphens,args_no_equals,args_json_file|}}',
  run_cap: 'run_cap: ${1:20}',
  name: 'name: ${1}',
  description: 'description: ${1}',
  project: 'project: ${1}',
  entity: 'entity: ${1}',
  controller: 'controller:\n  type: local',
};

const BLOCK_SNIPPETS: Record<string, Record<string, string>> = {
  metric: { name: 'name: ${1}', goal: 'goal: ${1|minimize,maximize|}', target: 'target: ${1}', impute: 'impute: ${1|worst,best,latest|}', impute_while_running: 'impute_while_running: ${1|false,latest,best,worst|}' },
  early_terminate: { type: 'type: hyperband', min_iter: 'min_iter: ${1:3}', max_iter: 'max_iter: ${1:27}', s: 's: ${1:2}', eta: 'eta: ${1:3}', strict: 'strict: ${1|true,false|}' },
  controller: { type: 'type: ${1|local,cloud|}' },
};

const PARAMETER_KEY_SNIPPETS: Record<string, string> = {
  distribution: `distribution: \${1|${DISTRIBUTION_NAMES.filter((d) => !DISTRIBUTIONS[d].replacedBy).join(',')}|}`,
  value: 'value: ${1}',
  values: 'values: [${1}]',
  probabilities: 'probabilities: [${1}]',
  parameters: 'parameters:\n  ${1:name}:\n    ${2:values: [$3]}',
};

const ENUMS: Record<string, readonly (string | boolean)[]> = {
  'top.method': ['bayes', 'random', 'grid'],
  'top.kind': ['sweep'],
  'metric.goal': ['minimize', 'maximize'],
  'metric.impute': ['worst', 'best', 'latest'],
  'metric.impute_while_running': [false, 'latest', 'best', 'worst'],
  'early_terminate.type': ['hyperband'],
  'early_terminate.strict': [true, false],
  'controller.type': ['local', 'cloud'],
};

function doc(value: string | undefined): CompletionItem['documentation'] {
  return value ? { kind: MarkupKind.Markdown, value } : undefined;
}

function replaceRange(pos: Position, ctx: CursorContext) {
  return { start: { line: pos.line, character: ctx.prefixStart }, end: { line: pos.line, character: ctx.wordEnd } };
}

function keyItem(key: string, snippet: string, pos: Position, ctx: CursorContext, documentation?: string, sortText?: string): CompletionItem {
  return {
    label: key, kind: CompletionItemKind.Property, insertTextFormat: InsertTextFormat.Snippet, documentation: doc(documentation), sortText,
    detail: snippet.includes('\n') ? `${key} block` : undefined,
    textEdit: { range: replaceRange(pos, ctx), newText: snippet },
  };
}

/** A value as a YAML scalar: plain when that reads back as the same text, quoted otherwise. */
function yamlScalar(text: string): string {
  return /^[A-Za-z_][\w./-]*$/.test(text) && !/^(?:true|false|null|yes|no|on|off|y|n)$/i.test(text) ? text : JSON.stringify(text);
}

function valueItem(label: string, pos: Position, ctx: CursorContext, documentation?: string, kind: CompletionItemKind = CompletionItemKind.EnumMember, sortText?: string): CompletionItem {
  const text = kind === CompletionItemKind.Value ? yamlScalar(label) : label;
  return { label, kind, documentation: doc(documentation), sortText, filterText: label, textEdit: { range: replaceRange(pos, ctx), newText: `${ctx.afterColon ? ' ' : ''}${text}` } };
}

/** The parameter mapping at `paramPath` as written, if it parsed. */
function paramSpec(a: Analysis, paramPath: readonly string[]): Record<string, unknown> | undefined {
  let v: unknown = a.sweep?.raw;
  for (const k of paramPath) v = isPlainObject(v) ? v[k] : undefined;
  return isPlainObject(v) ? v : undefined;
}

export async function complete(svc: SweepLanguageService, a: Analysis, textDoc: TextDocument, pos: Position): Promise<CompletionItem[]> {
  const ctx = cursorContext(textDoc.getText(), pos.line, pos.character);
  if (!ctx) return [];
  const line = textDoc.getText({ start: { line: pos.line, character: 0 }, end: pos });
  const macro = /\$\{([A-Za-z_:]*)$/.exec(line);
  if (macro) {
    // Replace through the closing brace if one follows: `${ar|}` becomes `${args}`, not `${args}}`.
    const after = /^[A-Za-z_:]*\}?/.exec(textDoc.getText({ start: pos, end: { line: pos.line + 1, character: 0 } }))![0];
    return macroItems(pos, macro.index, { ...ctx, wordEnd: pos.character + after.length });
  }
  if (ctx.kind === 'key') return keyItems(svc, a, ctx, pos);
  if (ctx.kind === 'item') return ctx.path.at(-1) === 'command' ? macroItems(pos, undefined, ctx) : [];
  return valueItems(svc, a, ctx, pos);
}

function keyItems(svc: SweepLanguageService, a: Analysis, ctx: CursorContext, pos: Position): CompletionItem[] {
  const place = placeOf(ctx.path);
  const fresh = (keys: string[]) => keys.filter((k) => !ctx.siblings.has(k));
  switch (place.at) {
    case 'top':
      return fresh(Object.keys(TOP_SNIPPETS)).map((k, i) => keyItem(k, TOP_SNIPPETS[k], pos, ctx, keyDoc([k]), String(i).padStart(2, '0')));
    case 'metric':
    case 'early_terminate':
    case 'controller': {
      const block = place.at;
      return fresh(Object.keys(BLOCK_SNIPPETS[block])).map((k) => keyItem(k, BLOCK_SNIPPETS[block][k], pos, ctx, keyDoc([block, k])));
    }
    case 'parameter':
      return parameterKeyItems(a, place.paramPath, ctx, pos);
    case 'parameters':
      return parameterNameItems(svc, a, ctx, pos);
    default:
      return [];
  }
}

function parameterKeyItems(a: Analysis, paramPath: string[], ctx: CursorContext, pos: Position): CompletionItem[] {
  const spec = paramSpec(a, paramPath);
  const d = spec && isDistribution(spec.distribution) ? spec.distribution : undefined;
  // With a distribution chosen, offer what it takes; otherwise every way of describing a parameter.
  const keys = d ? DISTRIBUTIONS[d].keys : ['distribution', 'values', 'value', 'min', 'max', 'probabilities', 'parameters'];
  return keys.filter((k) => !ctx.siblings.has(k)).map((k) => {
    const node = schemaNodeAt([...paramPath, k], d);
    const dflt = node?.default !== undefined ? `\n\nDefault: \`${node.default}\`` : '';
    return keyItem(k, PARAMETER_KEY_SNIPPETS[k] ?? `${k}: \${1}`, pos, ctx, `${node?.description ?? ''}${dflt}`);
  });
}

function parameterNameItems(svc: SweepLanguageService, a: Analysis, ctx: CursorContext, pos: Position): CompletionItem[] {
  const prog = svc.program(a);
  if (!prog) return [];
  const items: CompletionItem[] = [];
  const seen = new Set(ctx.siblings);
  for (const f of prog.facts.argparse) {
    if (seen.has(f.name)) continue;
    seen.add(f.name);
    const values = f.choices?.length ? `values: [${f.choices.join(', ')}]` : f.isBool ? 'values: [true, false]' : `values: [\${1:${(f.default ?? '').replace(/[$}\\]/g, '')}}]`;
    const facts = [f.type && `type ${f.type}`, f.default !== undefined && `default ${f.default}`, f.choices && `choices ${f.choices.join(', ')}`].filter(Boolean).join(', ');
    items.push({
      label: f.name, kind: CompletionItemKind.Variable, detail: `${f.flag}${facts ? ` (${facts})` : ''}`,
      documentation: doc(`${f.help ?? 'Command-line option'} — \`add_argument\` in ${prog.file}, line ${f.line + 1}.`),
      insertTextFormat: InsertTextFormat.Snippet, sortText: `0${f.name}`,
      textEdit: { range: replaceRange(pos, ctx), newText: `${f.name}:\n  ${values}` },
    });
  }
  for (const k of prog.facts.configKeys) {
    if (seen.has(k.name)) continue;
    seen.add(k.name);
    items.push({
      label: k.name, kind: CompletionItemKind.Variable, detail: 'read from wandb.config', sortText: `1${k.name}`,
      documentation: doc(`Read from the run config in ${prog.file}, line ${k.line + 1}.`),
      insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replaceRange(pos, ctx), newText: `${k.name}:\n  values: [\${1}]` },
    });
  }
  return items;
}

async function valueItems(svc: SweepLanguageService, a: Analysis, ctx: CursorContext, pos: Position): Promise<CompletionItem[]> {
  const key = ctx.path.at(-1)!;
  const place = placeOf(ctx.path.slice(0, -1));
  if (place.at === 'parameter' && key === 'distribution') {
    const method = isPlainObject(a.sweep?.raw) ? a.sweep!.raw.method : undefined;
    return DISTRIBUTION_NAMES.map((d: Distribution) => {
      const info = DISTRIBUTIONS[d];
      // Grid-compatible forms first in a grid sweep; the deprecated base-e forms always last.
      const rank = info.replacedBy ? 3 : method === 'grid' && !info.gridOk ? 2 : 1;
      const item = valueItem(d, pos, ctx, DISTRIBUTION_DOCS[d], CompletionItemKind.EnumMember, `${rank}${d}`);
      return info.replacedBy ? { ...item, tags: [CompletionItemTag.Deprecated] } : item;
    });
  }
  if (place.at === 'metric' && key === 'name') return metricNameItems(svc, a, ctx, pos);
  if (place.at === 'top' && key === 'command' && ctx.inFlowList) return macroItems(pos, undefined, ctx);
  const enumKey = `${place.at}.${key}`;
  const values = ENUMS[enumKey];
  if (!values) return [];
  return values.map((v, i) => valueItem(String(v), pos, ctx, enumKey === 'top.method' ? METHOD_DOCS[String(v)] : undefined, CompletionItemKind.EnumMember, String(i)));
}

async function metricNameItems(svc: SweepLanguageService, a: Analysis, ctx: CursorContext, pos: Position): Promise<CompletionItem[]> {
  const fromProgram = svc.program(a)?.facts.logKeys ?? [];
  const raw = a.sweep?.raw;
  const project = isPlainObject(raw) && typeof raw.project === 'string' ? raw.project : undefined;
  const fromRuns = await svc.host.metricKeys(project);
  const items = new Map<string, CompletionItem>();
  for (const k of fromProgram) items.set(k, { ...valueItem(k, pos, ctx, undefined, CompletionItemKind.Value, `0${k}`), detail: 'logged by the program' });
  for (const k of fromRuns) if (!items.has(k)) items.set(k, { ...valueItem(k, pos, ctx, undefined, CompletionItemKind.Value, `1${k}`), detail: `logged by runs${project ? ` of ${project}` : ''}` });
  return [...items.values()];
}

function macroItems(pos: Position, dollarAt: number | undefined, ctx: CursorContext): CompletionItem[] {
  const start = dollarAt ?? ctx.prefixStart;
  const range = { start: { line: pos.line, character: start }, end: { line: pos.line, character: Math.max(ctx.wordEnd, pos.character) } };
  const names = [...COMMAND_MACROS, 'envvar:'] as const;
  return names.map((name, i) => {
    const text = name === 'envvar:' ? '${envvar:${1:NAME}}' : `\${${name}}`;
    return {
      label: `\${${name === 'envvar:' ? 'envvar:NAME' : name}}`, kind: CompletionItemKind.Constant, sortText: String(i).padStart(2, '0'),
      documentation: doc(name === 'envvar:' ? 'The value of environment variable NAME (left as written when it is not set).' : MACRO_DOCS[name]),
      filterText: `\${${name}}`,
      insertTextFormat: name === 'envvar:' ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      textEdit: { range, newText: name === 'envvar:' ? '\\${envvar:${1:NAME}}' : text },
    };
  });
}
