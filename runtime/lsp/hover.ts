// Hover: what a key means, what a distribution or method does, the range of values a parameter implies,
// and what a command macro expands to.
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { isScalar } from 'yaml';
import {
  DISTRIBUTION_DOCS, DISTRIBUTIONS, MACRO_DOCS, METHOD_DOCS, describeRange, gridSize, isDistribution, isPlainObject, keyDoc, pathKey, schemaNodeAt,
  type ConfigPath, type FilledParameter, type ParsedSweep, type YamlEntry,
} from '../sweeps/config';
import { placeOf } from './completion';
import type { Analysis, SweepLanguageService } from './service';

/** The leaf parameter at `paramPath` with its distribution (inferred or given) and that distribution's defaults. */
export function leafParameter(sweep: ParsedSweep, paramPath: ConfigPath): FilledParameter | undefined {
  const form = sweep.forms.get(pathKey(paramPath));
  if (form?.form !== 'leaf') return undefined;
  let spec: unknown = sweep.raw;
  for (const k of paramPath) spec = isPlainObject(spec) ? spec[k as string] : undefined;
  if (!isPlainObject(spec)) return undefined;
  const info = DISTRIBUTIONS[form.distribution];
  const p: Record<string, unknown> = { distribution: form.distribution };
  for (const k of info.keys) p[k] = k in spec ? spec[k] : info.defaults[k];
  return p as unknown as FilledParameter;
}

/** `text(key)` for describeRange: numbers as the user wrote them (1e-5 stays 1e-5). */
export function sourceTexts(sweep: ParsedSweep, paramPath: ConfigPath): (key: string) => string | undefined {
  return (key) => {
    const node = sweep.source.entry([...paramPath, key])?.value;
    return isScalar(node) && typeof node.value === 'number' ? sweep.source.sourceText([...paramPath, key]) : undefined;
  };
}

const md = (value: string, range: Hover['range']): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range });

export function hover(svc: SweepLanguageService, a: Analysis, sweep: ParsedSweep, offset: number): Hover | null {
  const hit = sweep.source.entryAt(offset);
  if (!hit) return null;
  const { entry, part } = hit;
  const node = part === 'key' ? entry.key : entry.value;
  const span = node && sweep.source.nodeSpan(node);
  if (!span) return null;
  const range = sweep.source.rangeFromOffsets(span[0], span[1]);
  const path = entry.path.map(String);
  const text = part === 'key' ? keyHover(svc, a, sweep, path) : valueHover(sweep, entry, path, offset - span[0]);
  return text ? md(text, range) : null;
}

function keyHover(svc: SweepLanguageService, a: Analysis, sweep: ParsedSweep, path: string[]): string | undefined {
  const parent = placeOf(path.slice(0, -1));
  const key = path.at(-1)!;
  if (parent.at === 'parameters') {
    const param = leafParameter(sweep, path);
    const flag = svc.program(a)?.facts.argparse.find((f) => f.name === key);
    const lines = [`**${key}** — ${param ? `\`${describeRange(param, sourceTexts(sweep, path))}\`` : 'a parameter group'}`];
    if (param) lines.push(DISTRIBUTION_DOCS[param.distribution]);
    if (flag) lines.push(`Program option \`${flag.flag}\`${flag.help ? `: ${flag.help}` : ''}`);
    return lines.join('\n\n');
  }
  const d = parent.at === 'parameter' ? leafParameter(sweep, parent.paramPath)?.distribution : undefined;
  const node = schemaNodeAt(path, d);
  const doc = node?.description ?? keyDoc(path, d);
  if (!doc) return undefined;
  const dflt = node?.default !== undefined ? `\n\nDefault: \`${node.default}\`` : '';
  const choices = Array.isArray(node?.enum) ? `\n\nOne of: ${node!.enum.map((v: unknown) => `\`${v}\``).join(', ')}` : '';
  return `**${key}** — ${doc}${choices}${dflt}`;
}

function valueHover(sweep: ParsedSweep, entry: YamlEntry, path: string[], within: number): string | undefined {
  const value = isScalar(entry.value) ? entry.value.value : undefined;
  const key = path.at(-1);
  const parent = placeOf(path.slice(0, -1));
  if (parent.at === 'parameter' && key === 'distribution' && isDistribution(value)) {
    const param = leafParameter(sweep, parent.paramPath);
    const range = param ? `\`${describeRange(param, sourceTexts(sweep, parent.paramPath))}\`\n\n` : '';
    return `${range}**${value}** — ${DISTRIBUTION_DOCS[value]}`;
  }
  if (parent.at === 'top' && key === 'method' && typeof value === 'string' && METHOD_DOCS[value]) {
    const size = value === 'grid' && sweep.config ? gridSize(sweep.config) : undefined;
    return `**${value}** — ${METHOD_DOCS[value]}${size !== undefined ? `\n\nThis grid has ${size} combination${size === 1 ? '' : 's'}.` : ''}`;
  }
  if (typeof value === 'string' && (path[0] === 'command')) {
    const text = sweep.source.sourceText(entry.path) ?? '';
    for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
      if (within < m.index! || within > m.index! + m[0].length) continue;
      const name = m[1];
      if (name.startsWith('envvar:')) return `\`${m[0]}\` — the value of environment variable \`${name.slice(7)}\` (left as written when it is not set).`;
      const docText = (MACRO_DOCS as Record<string, string>)[name];
      return docText ? `\`${m[0]}\` — ${docText}` : undefined;
    }
    return undefined;
  }
  const node = schemaNodeAt(path, parent.at === 'parameter' ? leafParameter(sweep, parent.paramPath)?.distribution : undefined);
  return node?.description ? `**${key}** — ${node.description}` : undefined;
}
