// The "Columns" popover: show or hide fixed columns, add config.* and summary.* values as columns.
// The API has no key listing, so keys come from the config and summary of the first runs listed.
import { h, clear } from '../util/dom';
import { BASE_COLUMNS } from './runsColumns';

export interface PickerState {
  columns: string[];
  hidden: string[];
}

export class ColumnPicker {
  readonly el: HTMLElement;
  private list: HTMLElement;
  private filter = '';
  private keys: string[] = [];

  /** Closing (Escape, a click outside) is the opener's: it listens on the document. */
  constructor(private state: () => PickerState, private change: (s: PickerState) => void) {
    const field = h('vscode-textfield', { placeholder: 'Filter keys', 'aria-label': 'Filter column keys' }) as HTMLElement & { value: string };
    field.addEventListener('input', () => {
      this.filter = field.value.toLowerCase();
      this.paint();
    });
    this.list = h('div', { class: 'tw-picker-list' });
    this.el = h('div', { class: 'tw-popover', role: 'dialog', 'aria-label': 'Choose columns' }, field, this.list);
  }

  setKeys(keys: string[]): void {
    // Unchanged keys leave the list alone, so a checkbox the user just toggled keeps its focus.
    if (keys.length === this.keys.length && keys.every((k, i) => k === this.keys[i]) && this.list.firstChild) return;
    this.keys = keys;
    this.paint();
  }

  focus(): void {
    (this.el.querySelector('vscode-textfield') as HTMLElement | null)?.focus();
  }

  private paint(): void {
    // Repainting replaces the checkboxes: the one that had focus hands it to its successor.
    const focused = (document.activeElement as HTMLElement | null)?.closest?.('vscode-checkbox');
    const focusedLabel = focused && this.list.contains(focused) ? focused.getAttribute('label') : null;
    clear(this.list);
    const st = this.state();
    const box = (label: string, checked: boolean, on: (c: boolean) => void) => {
      const c = h('vscode-checkbox', { label }) as HTMLElement & { checked: boolean };
      c.checked = checked;
      c.addEventListener('change', () => on(c.checked));
      return c;
    };
    const match = (s: string) => !this.filter || s.toLowerCase().includes(this.filter);
    const fixed = BASE_COLUMNS.filter((c) => c.optional && match(c.title));
    if (fixed.length) {
      this.list.append(h('div', { class: 'tw-picker-head' }, 'Run fields'));
      for (const c of fixed) {
        this.list.append(box(c.title, !st.hidden.includes(c.id), (on) => {
          const hidden = new Set(this.state().hidden);
          if (on) hidden.delete(c.id);
          else hidden.add(c.id);
          this.change({ ...this.state(), hidden: [...hidden] });
        }));
      }
    }
    for (const kind of ['config', 'summary']) {
      const keys = this.keys.filter((k) => k.startsWith(`${kind}.`) && match(k)).slice(0, 300);
      this.list.append(h('div', { class: 'tw-picker-head' }, kind === 'config' ? 'Config' : 'Summary'));
      if (!keys.length) this.list.append(h('div', { class: 'tw-muted tw-picker-none' }, this.keys.length ? 'No matching keys.' : 'Loading keys…'));
      for (const k of keys) {
        this.list.append(box(k.slice(kind.length + 1), st.columns.includes(k), (on) => {
          const cols = this.state().columns.filter((c) => c !== k);
          if (on) cols.push(k);
          this.change({ ...this.state(), columns: cols });
        }));
      }
    }
    if (focusedLabel !== null) {
      const again = [...this.list.querySelectorAll('vscode-checkbox')].find((c) => c.getAttribute('label') === focusedLabel);
      (again as HTMLElement | undefined)?.focus();
    }
  }
}
