// The run's Files tab: sources (with their md5), the uncommitted diff, dependencies (requirements.txt
// and the installed distributions of metadata.dependencies, filterable: often hundreds) and code
// snapshots. Clicking a file shows its text; in VS Code a source or snapshot can be compared with the
// current file in the workspace (the extension's `trackwell.diffSource` command).
import type { RunFile } from '../../runtime/protocol/api';
import type { JsonObject } from '../../runtime/protocol/journal';
import type { Ctx } from './context';
import { errorState } from './states';
import { formatBytes } from './overview';
import { h, clear } from '../util/dom';

const GROUPS: { title: string; test: (f: RunFile) => boolean }[] = [
  { title: 'Sources', test: (f) => f.kind === 'source' },
  { title: 'Uncommitted changes', test: (f) => f.kind === 'patch' },
  { title: 'Dependencies', test: (f) => f.kind === 'requirements' },
  { title: 'Code snapshots', test: (f) => f.kind === 'code' },
];
/** Characters of a file shown at most (the rest stays in the store). */
const SHOW_MAX = 1 << 20;
/** The selection key of the installed-distributions entry (no file path starts with '#'). */
const DEPS = '#dependencies';

export class FilesView {
  readonly el: HTMLElement;
  private list = h('div', { class: 'tw-files-list' });
  private viewer = h('div', { class: 'tw-file-view', 'aria-live': 'polite' }, h('p', { class: 'tw-muted' }, 'Select a file to see its content.'));
  private files: RunFile[] = [];
  private md5 = new Map<string, string>();
  /** metadata.dependencies: `name==version` of every installed distribution */
  private deps: string[] = [];
  /** the file list arrived (until then the metadata alone would paint a partial list) */
  private loaded = false;
  private selected?: string;

  constructor(private ctx: Ctx, private key: number) {
    this.el = h('div', { class: 'tw-files' }, this.list, this.viewer);
  }

  /** The `(path, md5)` pairs of metadata.sources, to show next to `code/<path>`. */
  setMetadata(meta: JsonObject): void {
    this.md5.clear();
    for (const s of Array.isArray(meta.sources) ? meta.sources : []) {
      if (Array.isArray(s) && typeof s[0] === 'string' && typeof s[1] === 'string') this.md5.set(`code/${s[0]}`, s[1]);
    }
    this.deps = Array.isArray(meta.dependencies) ? meta.dependencies.filter((d): d is string => typeof d === 'string') : [];
    this.paint();
  }

  async load(): Promise<void> {
    try {
      this.files = (await this.ctx.api.files(this.key)).files;
      this.loaded = true;
      this.paint();
    } catch (e) {
      clear(this.list);
      this.list.append(errorState(e, () => this.load(), this.ctx.transport.host));
    }
  }

  private paint(): void {
    if (!this.loaded) return;
    clear(this.list);
    if (!this.files.length && !this.deps.length) {
      this.list.append(h('p', { class: 'tw-empty-inline' },
        'No files recorded. Runs save their sources, the uncommitted git diff and requirements.txt as they start; save_code=True or run.log_code() add snapshots.'));
      return;
    }
    const rest = this.files.filter((f) => !GROUPS.some((g) => g.test(f)));
    for (const { title, files } of [...GROUPS.map((g) => ({ title: g.title, files: this.files.filter(g.test) })), { title: 'Other files', files: rest }]) {
      const items = files.map((f) => this.item(f));
      if (title === 'Dependencies' && this.deps.length) items.push(this.depsItem());
      if (!items.length) continue;
      this.list.append(h('section', { class: 'tw-files-group', 'aria-label': title }, h('h2', null, `${title} (${items.length})`),
        h('ul', null, items)));
    }
  }

  private depsItem(): HTMLElement {
    const open = h('button', { class: 'tw-file-open', 'data-path': DEPS, 'aria-current': this.selected === DEPS ? 'true' : null, onclick: () => this.showDeps() },
      h('span', { class: 'tw-file-path' }, 'installed distributions'));
    return h('li', { class: 'tw-file' }, open, h('span', { class: 'tw-file-meta tw-muted' }, `${this.deps.length} name==version entries, as the run started`));
  }

  private markSelected(): void {
    this.list.querySelectorAll<HTMLElement>('.tw-file-open').forEach((b) => {
      if (b.dataset.path === this.selected) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
  }

  /** The installed distributions with a filter field (a substring of name==version, any case). */
  private showDeps(): void {
    this.selected = DEPS;
    this.markSelected();
    const deps = [...this.deps].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
    const field = h('vscode-textfield', { class: 'tw-deps-filter', placeholder: 'Filter distributions', 'aria-label': 'Filter installed distributions' }) as HTMLElement & { value: string };
    const count = h('p', { class: 'tw-deps-count tw-muted', 'aria-live': 'polite' });
    const list = h('ul', { class: 'tw-deps' });
    const paint = () => {
      const q = (field.value ?? '').trim().toLowerCase();
      const shown = q ? deps.filter((d) => d.toLowerCase().includes(q)) : deps;
      clear(list);
      list.append(...shown.map((d) => h('li', null, d)));
      count.textContent = !q ? `${deps.length} distributions` : shown.length ? `${shown.length} of ${deps.length} match "${q}"` : `No distribution matches "${q}".`;
    };
    field.addEventListener('input', paint);
    paint();
    clear(this.viewer);
    this.viewer.append(h('div', { class: 'tw-file-head' }, h('h2', null, 'Installed distributions')), h('div', { class: 'tw-toolbar' }, field), count, list);
  }

  private item(f: RunFile): HTMLElement {
    const md5 = this.md5.get(f.path);
    const open = h('button', { class: 'tw-file-open', 'data-path': f.path, 'aria-current': f.path === this.selected ? 'true' : null, onclick: () => void this.show(f) },
      h('span', { class: 'tw-file-path' }, f.path));
    return h('li', { class: 'tw-file' }, open,
      h('span', { class: 'tw-file-meta tw-muted' }, formatBytes(f.size), md5 ? h('span', { class: 'tw-file-md5', title: 'md5' }, ` · md5 ${md5}`) : null));
  }

  private async show(f: RunFile): Promise<void> {
    this.selected = f.path;
    this.markSelected();
    const diffable = this.ctx.transport.host === 'vscode' && (f.kind === 'source' || f.kind === 'code');
    const head = h('div', { class: 'tw-file-head' }, h('h2', null, f.path),
      diffable ? h('vscode-button', { secondary: true, class: 'tw-file-diff', onclick: () => this.ctx.transport.command('trackwell.diffSource', [{ key: this.key, path: f.path }]) },
        'Compare with Current File') : null);
    clear(this.viewer);
    this.viewer.append(head, h('p', { class: 'tw-muted' }, 'Loading…'));
    let body: HTMLElement;
    try {
      const text = await this.ctx.api.fileText(this.key, f.path);
      if (this.selected !== f.path) return;
      body = text.includes('\u0000') ? h('p', { class: 'tw-muted' }, `Binary file, ${formatBytes(f.size)}.`) : content(text, f.kind === 'patch');
    } catch (e) {
      if (this.selected !== f.path) return;
      body = h('p', { class: 'tw-error', role: 'alert' }, (e as Error).message);
    }
    this.viewer.lastElementChild?.remove();
    this.viewer.append(body);
  }
}

function content(text: string, patch: boolean): HTMLElement {
  const shown = text.length > SHOW_MAX ? text.slice(0, SHOW_MAX) : text;
  const pre = h('pre', { class: 'tw-file-content', tabindex: '0' });
  if (!patch) pre.textContent = shown;
  else {
    for (const line of shown.replace(/\n$/, '').split('\n')) {
      const cls = line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') ? 'tw-diff-file'
        : line.startsWith('+') ? 'tw-diff-add' : line.startsWith('-') ? 'tw-diff-del' : line.startsWith('@@') ? 'tw-diff-hunk' : null;
      pre.append(cls ? h('span', { class: cls }, line) : line, '\n');
    }
  }
  return text.length > SHOW_MAX ? h('div', null, pre, h('p', { class: 'tw-muted' }, `Showing the first ${SHOW_MAX} characters.`)) : pre;
}
