// What the language service needs from its surroundings: files, settings, the workspace's config=
// references and the runtime's metric names. The server gives it the real ones; tests give fakes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scanPython, type PythonFacts } from './python';

export interface ServiceSettings {
  /** globs of extra sweep files (`trackwell.sweepFiles`) */
  sweepFiles: string[];
  /** `trackwell.dataRoot`, where the runtime of this workspace keeps runtime.json */
  dataRoot?: string;
}

export interface ServiceHost {
  workspaceFolders(): readonly string[];
  settings(): ServiceSettings;
  /** a file's text, or undefined when it cannot be read */
  readFile(file: string): string | undefined;
  /** absolute paths of YAML files that Python files of the workspace pass as config= */
  initConfigFiles(): ReadonlySet<string>;
  /** metric names logged by runs of `project` (all projects when undefined), from a running runtime */
  metricKeys(project: string | undefined): Promise<string[]>;
}

export function uriToPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).toString();
}

/** Reads files through a small cache checked against the file's mtime, so a program read at every keystroke costs a stat. */
export class CachedFiles {
  private readonly texts = new Map<string, { mtimeMs: number; size: number; text: string }>();
  private readonly facts = new Map<string, { text: string; facts: PythonFacts }>();

  read(file: string): string | undefined {
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > 5_000_000) return undefined;
      const hit = this.texts.get(file);
      if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
      const text = fs.readFileSync(file, 'utf8');
      this.texts.set(file, { mtimeMs: st.mtimeMs, size: st.size, text });
      return text;
    } catch {
      this.texts.delete(file);
      return undefined;
    }
  }

  invalidate(file: string): void {
    this.texts.delete(file);
  }

  /** The static facts of a Python source, memoised on its text. */
  pythonFacts(file: string, text: string): PythonFacts {
    const hit = this.facts.get(file);
    if (hit && hit.text === text) return hit.facts;
    const facts = scanPython(text);
    this.facts.set(file, { text, facts });
    return facts;
  }
}

/** The program file a sweep names, looked for next to the sweep file, then in each workspace folder. */
export function resolveProgram(program: string, sweepFile: string | undefined, folders: readonly string[], exists: (f: string) => boolean): string | undefined {
  if (path.isAbsolute(program)) return exists(program) ? program : undefined;
  const bases = [...(sweepFile ? [path.dirname(sweepFile)] : []), ...folders];
  for (const base of bases) {
    const candidate = path.resolve(base, program);
    if (exists(candidate)) return candidate;
  }
  return undefined;
}
