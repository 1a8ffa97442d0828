// The YAML files that the workspace's Python files pass as `config="..."` (wandb.init's config file),
// found by reading .py files statically. The scan yields between slices so requests stay responsive.
import fs from 'node:fs';
import path from 'node:path';
import { scanPython } from './python';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', 'env', '.tox', '.mypy_cache', '.pytest_cache', '.trackwell', 'wandb', 'site-packages', 'dist', 'build']);
const MAX_FILES = 5000;
const MAX_BYTES = 1_000_000;

export class WorkspaceConfigIndex {
  /** per Python file, the absolute paths it references */
  private readonly refs = new Map<string, string[]>();
  private folders: readonly string[] = [];

  files(): ReadonlySet<string> {
    return new Set([...this.refs.values()].flat());
  }

  /** Re-reads one Python file (undefined text: it was deleted). Returns whether the set of files changed. */
  update(pyFile: string, text: string | undefined): boolean {
    const before = this.refs.get(pyFile) ?? [];
    const after = text === undefined ? [] : this.resolve(pyFile, scanPython(text).configFiles);
    if (after.length) this.refs.set(pyFile, after);
    else this.refs.delete(pyFile);
    return before.join('\0') !== after.join('\0');
  }

  /** A referenced path may be relative to the script or to the folder the script is run from (a workspace folder). */
  private resolve(pyFile: string, refs: string[]): string[] {
    const out = new Set<string>();
    for (const ref of refs) {
      if (path.isAbsolute(ref)) out.add(path.normalize(ref));
      else for (const base of [path.dirname(pyFile), ...this.folders]) out.add(path.resolve(base, ref));
    }
    return [...out].sort();
  }

  /** Walks the folders for .py files; resolves to whether any config= file was found. */
  async scan(folders: readonly string[]): Promise<boolean> {
    this.folders = folders;
    let seen = 0;
    let changed = false;
    const queue = [...folders];
    while (queue.length && seen < MAX_FILES) {
      const dir = queue.shift()!;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) queue.push(p);
        } else if (e.isFile() && e.name.endsWith('.py') && seen++ < MAX_FILES) {
          try {
            const st = await fs.promises.stat(p);
            if (st.size > MAX_BYTES) continue;
            const text = await fs.promises.readFile(p, 'utf8');
            if (text.includes('config') && this.update(p, text)) changed = true;
          } catch {
            // unreadable files are skipped
          }
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    return changed;
  }
}
