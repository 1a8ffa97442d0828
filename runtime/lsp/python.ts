// What a training script tells us, read statically (never run): its argparse flags, the config keys it
// reads, the metric names it logs, and the YAML files it passes as `config=`. Regular expressions over
// the source with comments blanked out; good enough for the common forms, silent about the rest.

export interface SourceLocation {
  line: number;
  character: number;
}

export interface ArgparseFlag extends SourceLocation {
  /** the option as written, e.g. --learning-rate */
  flag: string;
  /** the sweep parameter name that reaches it through ${args}: the long option without its dashes */
  name: string;
  help?: string;
  default?: string;
  type?: string;
  choices?: string[];
  isBool: boolean;
}

export interface PythonFacts {
  argparse: ArgparseFlag[];
  /** keys read from wandb.config / run.config (or aliases of them), first use of each */
  configKeys: (SourceLocation & { name: string })[];
  /** literal keys in log({...}) calls */
  logKeys: string[];
  /** string literals passed as config="...yaml" */
  configFiles: string[];
}

/** The source with comments replaced by spaces (offsets kept), strings left as they are. */
export function blankComments(src: string): string {
  const out = src.split('');
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') out[i++] = ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      i += close.length;
      while (i < src.length && !src.startsWith(close, i)) {
        if (src[i] === '\\') i++;
        else if (!triple && src[i] === '\n') break;
        i++;
      }
      i += close.length;
      continue;
    }
    i++;
  }
  return out.join('');
}

/** [start, end) of every string literal, to ignore code-like text inside strings. */
function stringSpans(code: string): [number, number][] {
  const spans: [number, number][] = [];
  for (let i = 0; i < code.length; i++) {
    if (code[i] === '"' || code[i] === "'") {
      const end = stringEnd(code, i);
      spans.push([i, end]);
      i = end - 1;
    }
  }
  return spans;
}

function inSpans(spans: [number, number][], offset: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < spans[mid][0]) hi = mid - 1;
    else if (offset >= spans[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The text between the parenthesis (or brace) at `open` and its match, strings respected. */
function balanced(src: string, open: number): string {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === "'") {
      const j = stringEnd(src, i);
      i = j - 1;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack.at(-1)) {
      stack.pop();
      if (!stack.length) return src.slice(open + 1, i);
    }
  }
  return src.slice(open + 1);
}

function stringEnd(src: string, start: number): number {
  const q = src[start];
  const triple = src.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  let i = start + close.length;
  while (i < src.length && !src.startsWith(close, i)) i += src[i] === '\\' ? 2 : 1;
  return i + close.length;
}

const STRING = String.raw`(?:[rRbBuU]?(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'))`;

function lineStarts(src: string): number[] {
  const starts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') starts.push(i + 1);
  return starts;
}

function locate(starts: number[], offset: number): SourceLocation {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

function keywordArg(args: string, name: string): string | undefined {
  const m = new RegExp(String.raw`(?:^|[,(\s])${name}\s*=\s*`).exec(args);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  let depth = 0;
  for (let i = start; i < args.length; i++) {
    const c = args[i];
    if (c === '"' || c === "'") {
      i = stringEnd(args, i) - 1;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) return args.slice(start, i).trim();
  }
  return args.slice(start).trim();
}

const unquote = (s: string | undefined): string | undefined => {
  const m = s && new RegExp(`^${STRING}$`).exec(s);
  return m ? (m[1] ?? m[2]) : s;
};

function stringsIn(s: string): string[] {
  return [...s.matchAll(new RegExp(STRING, 'g'))].map((m) => m[1] ?? m[2]);
}

/** The string literals at the start of an argument list: the option strings of add_argument. */
function leadingStrings(args: string): { value: string; offset: number }[] {
  const out: { value: string; offset: number }[] = [];
  let i = 0;
  for (;;) {
    while (/\s/.test(args[i] ?? '')) i++;
    if (/[rRbBuU]/.test(args[i] ?? '') && /["']/.test(args[i + 1] ?? '')) i++;
    if (!/["']/.test(args[i] ?? '')) return out;
    const end = stringEnd(args, i);
    out.push({ value: args.slice(i + 1, end - 1), offset: i + 1 });
    i = end;
    while (/\s/.test(args[i] ?? '')) i++;
    if (args[i] !== ',') return out;
    i++;
  }
}

function scanArgparse(code: string, starts: number[], spans: [number, number][]): ArgparseFlag[] {
  const out: ArgparseFlag[] = [];
  for (const m of code.matchAll(/\badd_argument\s*\(/g)) {
    if (inSpans(spans, m.index!)) continue;
    const open = m.index! + m[0].length - 1;
    const args = balanced(code, open);
    const flags = leadingStrings(args);
    const long = flags.find((f) => f.value.startsWith('--')) ?? flags.find((f) => f.value.startsWith('-'));
    if (!long) continue; // positional arguments cannot be set as --name=value
    const action = unquote(keywordArg(args, 'action'));
    const type = keywordArg(args, 'type');
    const dflt = keywordArg(args, 'default');
    const choices = keywordArg(args, 'choices');
    out.push({
      ...locate(starts, open + 1 + long.offset),
      flag: long.value,
      name: long.value.replace(/^-+/, ''),
      help: unquote(keywordArg(args, 'help')),
      default: dflt,
      type,
      choices: choices && /^[[(]/.test(choices) ? stringsIn(choices).length ? stringsIn(choices) : choices.slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean) : undefined,
      isBool: action === 'store_true' || action === 'store_false' || type === 'bool' || /BooleanOptionalAction/.test(action ?? '') || dflt === 'True' || dflt === 'False',
    });
  }
  return out;
}

const CONFIG_METHODS = new Set(['update', 'get', 'keys', 'items', 'values', 'setdefaults', 'as_dict', 'persist', 'pop', 'copy']);

function scanConfigKeys(code: string, starts: number[], spans: [number, number][]): PythonFacts['configKeys'] {
  const found = new Map<string, number>();
  const add = (name: string, offset: number, at = offset) => {
    if (CONFIG_METHODS.has(name) || name.startsWith('_') || inSpans(spans, at)) return;
    if (!found.has(name) || found.get(name)! > offset) found.set(name, offset);
  };
  const aliases = new Set(['wandb.config', 'run.config', 'tw.config', 'trackwell.config']);
  for (const m of code.matchAll(/^\s*(\w+)\s*=\s*((?:wandb|run|tw|trackwell)\.config)\s*$/gm)) aliases.add(m[1]);
  for (const m of code.matchAll(/\b(\w+)\s*=\s*(?:wandb|tw|trackwell)\.init\s*\(/g)) aliases.add(`${m[1]}.config`);
  const owner = [...aliases].map((a) => a.replace(/\./g, '\\.')).join('|');
  for (const m of code.matchAll(new RegExp(String.raw`\b(?:${owner})\.(\w+)\b(?!\s*\()`, 'g'))) add(m[1], m.index! + m[0].length - m[1].length);
  for (const m of code.matchAll(new RegExp(String.raw`\b(?:${owner})(?:\[\s*|\.get\(\s*)${STRING}`, 'g'))) {
    const key = m[1] ?? m[2];
    add(key, m.index! + m[0].lastIndexOf(key), m.index!);
  }
  // wandb.init(config={"lr": ...}) and config=dict(lr=...): the keys the program declares up front.
  for (const m of code.matchAll(/\b(?:wandb|tw|trackwell)\.init\s*\(/g)) {
    const open = m.index! + m[0].length - 1;
    const args = balanced(code, open);
    const cfg = /\bconfig\s*=\s*(\{|dict\s*\()/.exec(args);
    if (!cfg) continue;
    const base = open + 1 + cfg.index + cfg[0].length - 1;
    for (const k of literalKeys(code, base)) add(k.name, k.offset, m.index!);
  }
  // In source order: the first place each key is used.
  return [...found].sort((a, b) => a[1] - b[1]).map(([name, offset]) => ({ name, ...locate(starts, offset) }));
}

/** String keys at the top level of the dict literal (or dict(...) call) opening at `open`. */
function literalKeys(code: string, open: number): { name: string; offset: number }[] {
  const body = balanced(code, open);
  const out: { name: string; offset: number }[] = [];
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"' || c === "'") {
      const end = stringEnd(body, i);
      if (depth === 0 && /^\s*:/.test(body.slice(end)) && code[open] === '{') out.push({ name: body.slice(i + 1, end - 1), offset: open + 1 + i + 1 });
      i = end - 1;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && code[open] === '(' && /[A-Za-z_]/.test(c) && /(^|[,(\s])$/.test(body.slice(0, i))) {
      const m = /^(\w+)\s*=(?!=)/.exec(body.slice(i));
      if (m) out.push({ name: m[1], offset: open + 1 + i });
    }
  }
  return out;
}

function scanLogKeys(code: string, spans: [number, number][]): string[] {
  const keys = new Set<string>();
  for (const m of code.matchAll(/\.log\s*\(\s*(\{|dict\s*\()/g)) {
    if (inSpans(spans, m.index!)) continue;
    for (const k of literalKeys(code, m.index! + m[0].length - 1)) if (!/[{}]/.test(k.name)) keys.add(k.name);
  }
  return [...keys];
}

function scanConfigFiles(code: string, spans: [number, number][]): string[] {
  return [...code.matchAll(new RegExp(String.raw`\bconfig\s*=\s*${STRING}`, 'g'))]
    .filter((m) => !inSpans(spans, m.index!))
    .map((m) => m[1] ?? m[2])
    .filter((p) => /\.ya?ml$/i.test(p));
}

export function scanPython(src: string): PythonFacts {
  const code = blankComments(src);
  const starts = lineStarts(src);
  const spans = stringSpans(code);
  return { argparse: scanArgparse(code, starts, spans), configKeys: scanConfigKeys(code, starts, spans), logKeys: scanLogKeys(code, spans), configFiles: scanConfigFiles(code, spans) };
}
