// Config (or summary) of several runs side by side; keys whose values differ are highlighted and
// marked, and equal ones can be hidden.
import type { JsonObject } from '../../runtime/protocol/journal';
import { diffRows } from '../util/flatten';
import { h, clear } from '../util/dom';

export interface DiffRun {
  key: number;
  label: string;
  color: string;
}

export class DiffTable {
  readonly el: HTMLElement;
  private table: HTMLElement;
  private note: HTMLElement;
  private runs: DiffRun[] = [];
  private objs: JsonObject[] = [];

  constructor(private what: string, private onlyDiff: boolean, onToggle: (only: boolean) => void) {
    const box = h('vscode-checkbox', { label: 'Only keys that differ' }) as HTMLElement & { checked: boolean };
    box.checked = onlyDiff;
    box.addEventListener('change', () => {
      this.onlyDiff = box.checked;
      onToggle(box.checked);
      this.paint();
    });
    this.note = h('span', { class: 'tw-muted', 'aria-live': 'polite' });
    this.table = h('table', { class: 'tw-table tw-diff', 'aria-label': `${what} of the compared runs` });
    this.el = h('div', { class: 'tw-kv' }, h('div', { class: 'tw-toolbar' }, box, this.note), h('div', { class: 'tw-table-wrap' }, this.table));
  }

  set(runs: DiffRun[], objs: JsonObject[]): void {
    this.runs = runs;
    this.objs = objs;
    this.paint();
  }

  private paint(): void {
    clear(this.table);
    const rows = diffRows(this.objs);
    const differ = rows.filter((r) => r.differs).length;
    this.note.textContent = `${differ} of ${rows.length} keys differ`;
    this.table.append(h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Key'),
      this.runs.map((r) => h('th', { scope: 'col' }, h('span', { class: 'tw-swatch', 'data-color': r.color }), r.label)))));
    for (const sw of this.table.querySelectorAll<HTMLElement>('.tw-swatch')) sw.style.background = sw.dataset.color ?? '';
    const body = h('tbody');
    const shown = this.onlyDiff ? rows.filter((r) => r.differs) : rows;
    for (const r of shown) {
      body.append(h('tr', { class: r.differs ? 'tw-differs' : null },
        h('th', { scope: 'row', class: 'tw-key' }, r.differs ? h('span', { class: 'tw-diff-mark', title: 'differs', 'aria-label': 'differs' }, '≠ ') : null, r.key),
        r.values.map((v) => h('td', { class: v === undefined ? 'tw-value tw-missing' : 'tw-value' }, v === undefined ? '—' : display(v)))));
    }
    if (!shown.length) body.append(h('tr', null, h('td', { colspan: String(this.runs.length + 1), class: 'tw-muted' }, rows.length ? `All ${this.what} values are equal.` : `No ${this.what} recorded.`)));
    this.table.append(body);
  }
}

/** JSON text of a value, without quotes around plain strings. */
function display(json: string): string {
  if (json.startsWith('"')) {
    try {
      return JSON.parse(json) as string;
    } catch {
      return json;
    }
  }
  const m = /^\{"\$num":"(.*)"\}$/.exec(json);
  return m ? m[1] : json;
}
