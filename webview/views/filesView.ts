// The run's Files tab: sources (with their md5), the uncommitted diff, requirements.txt and code
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
  { title: 'Requirements', test: (f) => f.kind === 'requirements' },
  { title: 'Code snapshots', test: (f) => f.kind === 'code' },
];
/** Characters of a file shown at most (the rest stays in the store). */
const SHOW_MAX = 1 << 20;

export class FilesView {
  readonly el: HTMLElement;
  private list = h('div', { class: 'tw-files-list' });
  private viewer = h('div', { class: 'tw-file-view', 'aria-live': 'polite' }, h('p', { class: 'tw-muted' }, 'Select a file to see its content.'));
  private files: RunFile[] = [];
  private md5 = new Map<string, string>();
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
    this.paint();
  }

  async load(): Promise<void> {
    try {
      this.files = (await this.ctx.api.files(this.key)).files;
      this.paint();
    } catch (e) {
      clear(this.list);
      this.list.append(errorState(e, () => this.load(), this.ctx.transport.host));
    }
  }

  private paint(): void {
    clear(this.list);
    if (!this.files.length) {
      this.list.append(h('p', { class: 'tw-empty-inline' },
        'No files recorded. Runs save their sources, the uncommitted git diff and requirements.txt as they start; save_code=True or run.log_code() add snapshots.'));
      return;
    }
    const rest = this.files.filter((f) => !GROUPS.some((g) => g.test(f)));
    for (const { title, files } of [...GROUPS.map((g) => ({ title: g.title, files: this.files.filter(g.test) })), { title: 'Other files', files: rest }]) {
      if (!files.length) continue;
      this.list.append(h('section', { class: 'tw-files-group', 'aria-label': title }, h('h2', null, `${title} (${files.length})`),
        h('ul', null, files.map((f) => this.item(f)))));
    }
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
    this.list.querySelectorAll<HTMLElement>('.tw-file-open').forEach((b) => {
      if (b.dataset.path === f.path) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
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
