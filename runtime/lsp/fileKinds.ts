// Which YAML files the server looks after, and as what. A sweep by name (sweep*.yaml, *.sweep.yaml),
// by the user's `trackwell.sweepFiles` globs, or by content (top-level `method` and `parameters`); a
// wandb config file by name (config-defaults.yaml) or because a Python file passes it as `config=`.
import path from 'node:path';

export type FileKind = 'sweep' | 'config-defaults' | 'init-config';

/** A glob (`**`, `*`, `?`, `{a,b}`) as a regular expression over '/'-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, close).split(',').map((alt) => globToRegExp(alt).source.slice(1, -1)).join('|')})`;
        i = close;
      }
    } else re += /[.+^$()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}

const SWEEP_NAME = /^(?:sweep[^/]*|[^/]*\.sweep)\.ya?ml$/i;
const CONFIG_DEFAULTS_NAME = /^config-defaults\.ya?ml$/i;

/** Top-level `method:` and `parameters:` keys, the shape of a sweep whatever the file is called. */
export function looksLikeSweep(text: string): boolean {
  return /^method\s*:/m.test(text) && /^parameters\s*:/m.test(text);
}

export interface KindInputs {
  /** absolute file path, or undefined for untitled documents */
  file?: string;
  text: string;
  workspaceFolders: readonly string[];
  sweepGlobs: readonly string[];
  /** absolute paths of YAML files passed as config= in the workspace's Python files */
  initConfigFiles: ReadonlySet<string>;
}

export function fileKind(inp: KindInputs): FileKind | undefined {
  const base = inp.file ? path.basename(inp.file) : '';
  if (CONFIG_DEFAULTS_NAME.test(base)) return 'config-defaults';
  if (SWEEP_NAME.test(base) || looksLikeSweep(inp.text)) return 'sweep';
  if (inp.file && matchesAnyGlob(inp.file, inp.workspaceFolders, inp.sweepGlobs)) return 'sweep';
  if (inp.file && inp.initConfigFiles.has(path.resolve(inp.file))) return 'init-config';
  return undefined;
}

function matchesAnyGlob(file: string, folders: readonly string[], globs: readonly string[]): boolean {
  if (!globs.length) return false;
  const candidates = [path.basename(file), file.split(path.sep).join('/')];
  for (const f of folders) {
    const rel = path.relative(f, file);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) candidates.push(rel.split(path.sep).join('/'));
  }
  return globs.some((g) => {
    const re = globToRegExp(g.replace(/^\.\//, ''));
    return candidates.some((c) => re.test(c));
  });
}
