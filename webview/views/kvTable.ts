// Config, summary and metadata as a filterable table of flattened keys.
import type { JsonObject } from '../../runtime/protocol/journal';
import { flatten } from '../util/flatten';
import { formatValue } from '../util/format';
import { naturalCompare } from '../charts/sections';
import { h, clear } from '../util/dom';

export class KvTable {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private filter = '';
  private data: JsonObject = {};

  constructor(private what: string, private emptyText: string) {
    const field = h('vscode-textfield', { placeholder: `Filter ${what}`, 'aria-label': `Filter ${what} keys` }) as HTMLElement & { value: string };
    field.addEventListener('input', () => {
      this.filter = field.value.toLowerCase();
      this.paint();
    });
    this.body = h('tbody');
    this.el = h('div', { class: 'tw-kv' },
      h('div', { class: 'tw-toolbar' }, field),
      h('div', { class: 'tw-table-wrap' },
        h('table', { class: 'tw-table', 'aria-label': what },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Value'))),
          this.body)));
  }

  set(data: JsonObject): void {
    this.data = data;
    this.paint();
  }

  private paint(): void {
    clear(this.body);
    const rows = [...flatten(this.data)].filter(([k]) => !this.filter || k.toLowerCase().includes(this.filter)).sort(([a], [b]) => naturalCompare(a, b));
    if (!rows.length) {
      this.body.append(h('tr', null, h('td', { colspan: '2', class: 'tw-muted' }, this.filter ? `No ${this.what} key matches.` : this.emptyText)));
      return;
    }
    const frag = document.createDocumentFragment();
    for (const [k, v] of rows.slice(0, 5000)) {
      const text = formatValue(v);
      frag.append(h('tr', null, h('th', { scope: 'row', class: 'tw-key' }, k), h('td', { class: 'tw-value', title: text.length > 80 ? text : null }, text)));
    }
    this.body.append(frag);
  }
}
