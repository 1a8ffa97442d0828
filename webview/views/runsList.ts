// The runs list: filters and sort go to the API (config.* and summary.* included), rows are fetched a
// page at a time and only the rows in view exist in the DOM, so 10,000 runs scroll like 10.
// Keyboard: arrows/PageUp/PageDown/Home/End move, Enter opens, Space selects for comparison.
import type { RunListItem, RunsResponse } from '../../runtime/protocol/api';
import type { JsonObject } from '../../runtime/protocol/journal';
import type { RunInfo } from '../../runtime/protocol/live';
import type { RunsQuery } from '../api';
import { h, clear, debounce, frameThrottle } from '../util/dom';
import { naturalCompare } from '../charts/sections';
import { pagesFor, scrollToRow, visibleRows } from './virtual';
import { BASE_COLUMNS, valueColumn, isLive, durationOf, columnValue, infoMovesRow, type Column } from './runsColumns';
import { ColumnPicker } from './columnPicker';
import { errorState, loading, noRuns } from './states';
import { MAX_COMPARE, type Ctx, type RunsPrefs, type View } from './context';
import { formatDuration } from '../util/format';

const ROW_H = 30;
const PAGE = 200;
const STATES = ['running', 'finished', 'failed', 'crashed', 'killed'];

type Field = HTMLElement & { value: string };

export class RunsList implements View {
  readonly el: HTMLElement;
  private p: RunsPrefs;
  private total = -1;
  private pages = new Map<number, RunListItem[]>();
  private inflight = new Set<number>();
  private gen = 0;
  private rows = new Map<number, HTMLElement>();
  private active = 0;
  private scroller: HTMLElement;
  private header: HTMLElement;
  private body: HTMLElement;
  private status: HTMLElement;
  private overlay: HTMLElement;
  private compareBtn: HTMLElement & { disabled: boolean };
  private clearBtn: HTMLElement & { disabled: boolean };
  private projectSel: Field;
  private picker?: ColumnPicker;
  private closePicker?: () => void;
  private pickerBox: HTMLElement;
  private knownKeys = new Set<string>();
  private columns: Column[] = [];
  private offs: (() => void)[] = [];
  private timer: number;
  private paint = frameThrottle(() => this.renderRows());
  private refreshSoon = debounce(() => this.refresh(), 700);

  constructor(private ctx: Ctx) {
    this.p = { ...ctx.prefs().runs };
    const text = (placeholder: string, label: string, value: string, on: (v: string) => void, cls = '') => {
      const f = h('vscode-textfield', { placeholder, 'aria-label': label, class: cls }) as Field;
      f.value = value;
      const d = debounce(() => on(f.value.trim()), 250);
      f.addEventListener('input', d);
      return f;
    };
    const search = text('Search name, id, tags, notes…', 'Search runs', this.p.q, (q) => this.setQuery({ q }), 'tw-search');
    this.projectSel = this.select('Project', [['', 'All projects']], this.p.project, (project) => this.setQuery({ project }));
    const stateSel = this.select('State', [['', 'All states'], ...STATES.map((s) => [s, s] as [string, string])], this.p.state, (state) => this.setQuery({ state }));
    const tag = text('Tag', 'Filter by tag', this.p.tag, (t) => this.setQuery({ tag: t }), 'tw-small-field');
    const group = text('Group', 'Filter by group', this.p.group, (g) => this.setQuery({ group: g }), 'tw-small-field');
    this.pickerBox = h('div', { class: 'tw-popover-anchor' });
    const colsBtn = h('vscode-button', { secondary: true, 'aria-haspopup': 'dialog', 'aria-expanded': 'false', onclick: () => this.togglePicker(colsBtn) }, 'Columns');
    this.pickerBox.append(colsBtn);
    this.compareBtn = h('vscode-button', { onclick: () => this.compare() }, 'Compare') as HTMLElement & { disabled: boolean };
    this.clearBtn = h('vscode-button', { secondary: true, onclick: () => this.setSelected([]) }, 'Clear selection') as HTMLElement & { disabled: boolean };
    this.status = h('div', { class: 'tw-list-status', role: 'status', 'aria-live': 'polite' });
    this.header = h('div', { class: 'tw-row tw-header', role: 'row', 'aria-rowindex': '1' });
    this.body = h('div', { class: 'tw-grid-body', role: 'rowgroup' });
    this.scroller = h('div', {
      class: 'tw-grid', role: 'grid', tabindex: '0', 'aria-label': 'Runs', 'aria-multiselectable': 'true',
      onkeydown: (e: KeyboardEvent) => this.key(e), onscroll: () => this.onScroll(),
      onfocus: () => this.renderRows(),
    }, h('div', { role: 'rowgroup', class: 'tw-header-group' }, this.header), this.body);
    this.overlay = h('div', { class: 'tw-grid-overlay' });
    this.el = h('section', { class: 'tw-view tw-runs', 'aria-label': 'Runs' },
      h('div', { class: 'tw-toolbar tw-runs-toolbar', role: 'toolbar', 'aria-label': 'Filter runs' },
        search, this.projectSel, stateSel, tag, group, this.pickerBox, h('span', { class: 'tw-spacer' }), this.clearBtn, this.compareBtn),
      this.status,
      h('div', { class: 'tw-grid-wrap' }, this.scroller, this.overlay));
    this.body.addEventListener('click', (e) => this.click(e));
    this.offs.push(
      ctx.live.on('run', (e) => this.onRun(e.run, e.heartbeat === true)),
      ctx.live.on('run-deleted', () => this.refreshSoon()),
      ctx.live.on('summary', (e) => this.onValues(e.run.key, 'summary', e.summary)),
      ctx.live.on('config', (e) => this.onValues(e.run.key, 'config', e.config)),
      ctx.live.onResync(() => this.refresh()),
    );
    new ResizeObserver(() => this.paint()).observe(this.scroller);
    this.timer = window.setInterval(() => this.tick(), 1000);
    this.buildColumns();
    this.updateSelectionUi();
    this.loadProjects();
    this.query();
  }

  dispose(): void {
    this.offs.forEach((f) => f());
    this.closePicker?.(); // its document listeners go with it
    window.clearInterval(this.timer);
    this.refreshSoon.cancel();
  }

  /** Rendered data rows (tests look at this to prove virtualisation). */
  get renderedRows(): number {
    return this.rows.size;
  }

  private select(label: string, options: [string, string][], value: string, on: (v: string) => void): Field {
    const s = h('vscode-single-select', { 'aria-label': label, class: 'tw-select' }) as Field;
    this.fillSelect(s, options, value);
    s.addEventListener('change', () => on(s.value));
    return s;
  }

  private fillSelect(s: Field, options: [string, string][], value: string): void {
    s.replaceChildren(...options.map(([v, l]) => {
      const o = h('vscode-option', { value: v }, l) as HTMLElement & { selected: boolean };
      o.selected = v === value;
      return o;
    }));
    s.value = value;
  }

  private async loadProjects(): Promise<void> {
    try {
      const res = await this.ctx.api.projects();
      this.fillSelect(this.projectSel, [['', 'All projects'], ...res.projects.map((p) => [p.name, `${p.name} (${p.runs})`] as [string, string])], this.p.project);
    } catch {
      /* the list itself reports connection problems */
    }
  }

  private save(): void {
    this.ctx.setPrefs({ runs: { ...this.p } });
  }

  private setQuery(change: Partial<RunsPrefs>): void {
    this.p = { ...this.p, ...change };
    this.save();
    this.buildColumns();
    this.scroller.scrollTop = 0;
    this.active = 0;
    this.query();
  }

  private buildColumns(): void {
    const base = BASE_COLUMNS.filter((c) => !this.p.hidden.includes(c.id));
    this.columns = [...base, ...this.p.columns.map(valueColumn)];
    const widths = [36, ...this.columns.map((c) => c.width)];
    this.scroller.style.setProperty('--tw-cols', widths.map((w) => `${w}px`).join(' '));
    this.scroller.style.setProperty('--tw-row-width', `${widths.reduce((a, b) => a + b, 0)}px`);
    this.scroller.setAttribute('aria-colcount', String(widths.length));
    clear(this.header);
    this.header.append(h('div', { role: 'columnheader', class: 'tw-cell tw-cell-select' }, h('span', { class: 'tw-visually-hidden' }, 'Selected')));
    for (const c of this.columns) {
      const sorted = this.p.sort === c.id || this.p.sort === c.sort;
      const label = c.id.includes('.') ? h('span', null, h('span', { class: 'tw-col-kind' }, c.id.split('.')[0]), ' ', c.title) : c.title;
      const cell = h('div', { role: 'columnheader', class: `tw-cell tw-col-${c.id.replace(/[^a-z0-9_-]/gi, '_')}`, 'aria-sort': sorted ? (this.p.order === 'asc' ? 'ascending' : 'descending') : null, title: c.id });
      if (c.sort) {
        cell.append(h('button', { class: 'tw-sort', type: 'button', onclick: () => this.sortBy(c.sort!) },
          label, h('span', { class: 'tw-sort-mark', 'aria-hidden': 'true' }, sorted ? (this.p.order === 'asc' ? ' ▲' : ' ▼') : '')));
      } else cell.append(label);
      this.header.append(cell);
    }
    for (const el of this.rows.values()) el.remove();
    this.rows.clear();
  }

  private sortBy(sort: string): void {
    const order: 'asc' | 'desc' = this.p.sort === sort ? (this.p.order === 'asc' ? 'desc' : 'asc') : sort === 'created_at' || sort.startsWith('summary.') ? 'desc' : 'asc';
    this.setQuery({ sort, order });
  }

  private apiQuery(offset: number): RunsQuery {
    const p = this.p;
    return {
      project: p.project || undefined, state: p.state || undefined, tag: p.tag || undefined, group: p.group || undefined, q: p.q || undefined,
      // The sort value comes along even when its column is hidden, so live changes to it can be told apart.
      sort: p.sort, order: p.order, columns: /^(config|summary)\./.test(p.sort) && !p.columns.includes(p.sort) ? [...p.columns, p.sort] : p.columns, offset, limit: PAGE,
    };
  }

  private get filtered(): boolean {
    const p = this.p;
    return !!(p.project || p.state || p.tag || p.group || p.q);
  }

  /** A new query: drop cached pages and start from the first. */
  private async query(): Promise<void> {
    const gen = ++this.gen;
    this.pages.clear();
    this.inflight.clear();
    if (this.total < 0) this.showOverlay(loading('Loading runs…'));
    try {
      const res = await this.ctx.api.runs(this.apiQuery(0));
      if (gen !== this.gen) return;
      this.accept(0, res);
      void this.loadColumnKeys();
    } catch (e) {
      if (gen !== this.gen) return;
      this.total = -1;
      this.status.textContent = '';
      this.showOverlay(errorState(e, () => this.query(), this.ctx.transport.host));
    }
  }

  /** Fresh data for what is on screen, without clearing it first (live changes). */
  private async refresh(): Promise<void> {
    if (this.total < 0) return this.query(); // it failed before: the runtime is back, try again
    const gen = ++this.gen;
    const wanted = pagesFor(this.range(), PAGE);
    if (!wanted.length) wanted.push(0);
    try {
      const got = await Promise.all(wanted.map((p) => this.ctx.api.runs(this.apiQuery(p * PAGE))));
      if (gen !== this.gen) return;
      this.pages.clear();
      this.inflight.clear();
      got.forEach((res, i) => this.accept(wanted[i], res));
    } catch {
      /* keep showing what we have; the next event or resync tries again */
    }
  }

  private accept(page: number, res: RunsResponse): void {
    this.pages.set(page, res.runs);
    this.inflight.delete(page);
    if (res.total !== this.total) {
      this.total = res.total;
      this.body.style.height = `${this.total * ROW_H}px`;
      this.scroller.setAttribute('aria-rowcount', String(this.total + 1));
    }
    this.active = Math.min(this.active, Math.max(0, this.total - 1));
    this.status.textContent = `${this.total.toLocaleString()} run${this.total === 1 ? '' : 's'}${this.filtered ? ' match' + (this.total === 1 ? 'es' : '') + ' the filters' : ''}`;
    if (this.total === 0) {
      if (this.filtered) {
        this.showOverlay(h('div', { class: 'tw-state tw-state-empty' }, h('h2', null, 'No runs match'),
          h('p', null, 'Change or clear the filters.'),
          h('vscode-button', { secondary: true, onclick: () => this.clearFilters() }, 'Clear filters')));
      } else this.showOverlay(noRuns(this.ctx.transport.host));
    } else this.showOverlay(null);
    // Only rows whose data changed are rebuilt (placeholders of this page, or refreshed runs).
    this.renderRows();
  }

  private clearFilters(): void {
    this.el.querySelectorAll('vscode-textfield').forEach((f) => ((f as Field).value = ''));
    this.fillSelect(this.projectSel, [...this.projectSel.querySelectorAll('vscode-option')].map((o) => [(o as Field).value, o.textContent ?? ''] as [string, string]), '');
    const stateSel = this.el.querySelectorAll('vscode-single-select')[1] as Field | undefined;
    if (stateSel) stateSel.value = '';
    this.setQuery({ project: '', state: '', tag: '', group: '', q: '' });
  }

  private showOverlay(node: HTMLElement | null): void {
    clear(this.overlay);
    this.overlay.hidden = !node;
    if (node) this.overlay.append(node);
    this.scroller.hidden = !!node && this.total <= 0;
  }

  private range() {
    return visibleRows(this.scroller.scrollTop, this.scroller.clientHeight - ROW_H, ROW_H, Math.max(0, this.total));
  }

  private onScroll(): void {
    this.paint();
  }

  private runAt(i: number): RunListItem | undefined {
    return this.pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  }

  private renderRows(force = false): void {
    if (this.total <= 0) return;
    const r = this.range();
    for (const page of pagesFor(r, PAGE)) if (!this.pages.has(page) && !this.inflight.has(page)) this.fetchPage(page);
    for (const [i, el] of this.rows) {
      if (i < r.start || i >= r.end) {
        el.remove();
        this.rows.delete(i);
      }
    }
    const now = Date.now() / 1000;
    const focused = document.activeElement === this.scroller;
    for (let i = r.start; i < r.end; i++) {
      const run = this.runAt(i);
      let el = this.rows.get(i);
      const stale = !el || force || (el as RowEl).run !== run;
      if (stale) {
        const fresh = this.rowEl(i, run, now);
        if (el) el.replaceWith(fresh);
        else this.body.append(fresh);
        el = fresh;
        this.rows.set(i, el);
      }
      el!.classList.toggle('tw-active', i === this.active && focused);
    }
    if (focused && this.rows.has(this.active)) this.scroller.setAttribute('aria-activedescendant', `tw-run-row-${this.active}`);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  private rowEl(i: number, run: RunListItem | undefined, now: number): HTMLElement {
    const selected = !!run && this.p.selected.includes(run.key);
    const el = h('div', {
      class: `tw-row${selected ? ' tw-selected' : ''}${run ? '' : ' tw-row-loading'}`, role: 'row', id: `tw-run-row-${i}`,
      'aria-rowindex': String(i + 2), 'aria-selected': run ? String(selected) : null, 'data-index': String(i), 'data-key': run ? String(run.key) : null,
    }) as RowEl;
    el.style.transform = `translateY(${i * ROW_H}px)`;
    el.run = run;
    if (!run) {
      el.append(h('div', { role: 'gridcell', class: 'tw-cell tw-muted' }, ''), h('div', { role: 'gridcell', class: 'tw-cell tw-muted' }, 'Loading…'));
      return el;
    }
    const box = h('input', { type: 'checkbox', tabindex: '-1', class: 'tw-check', 'aria-label': `Select ${run.name ?? run.id} for comparison` });
    box.checked = selected;
    el.append(h('div', { role: 'gridcell', class: 'tw-cell tw-cell-select' }, box));
    for (const c of this.columns) el.append(h('div', { role: 'gridcell', class: `tw-cell tw-col-${c.id.replace(/[^a-z0-9_-]/gi, '_')}` }, c.cell(run, now)));
    return el;
  }

  private fetchPage(page: number): void {
    const gen = this.gen;
    this.inflight.add(page);
    this.ctx.api.runs(this.apiQuery(page * PAGE)).then((res) => {
      if (gen === this.gen) this.accept(page, res);
    }, () => {
      if (gen === this.gen) this.inflight.delete(page);
    });
  }

  private click(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const row = target.closest('.tw-row') as RowEl | null;
    if (!row?.run) return;
    const i = Number(row.dataset.index);
    this.active = i;
    if (target.classList.contains('tw-check')) {
      this.toggle(row.run.key);
      return;
    }
    const tag = target.closest('.tw-tag') as HTMLElement | null;
    if (tag?.dataset.tag) {
      const f = this.el.querySelector('vscode-textfield[aria-label="Filter by tag"]') as Field | null;
      if (f) f.value = tag.dataset.tag;
      this.setQuery({ tag: tag.dataset.tag });
      return;
    }
    this.ctx.open({ kind: 'run', key: row.run.key });
  }

  private key(e: KeyboardEvent): void {
    if (this.total <= 0) return;
    const per = Math.max(1, Math.floor((this.scroller.clientHeight - ROW_H) / ROW_H) - 1);
    let next = this.active;
    switch (e.key) {
      case 'ArrowDown': next++; break;
      case 'ArrowUp': next--; break;
      case 'PageDown': next += per; break;
      case 'PageUp': next -= per; break;
      case 'Home': next = 0; break;
      case 'End': next = this.total - 1; break;
      case 'Enter': {
        const run = this.runAt(this.active);
        if (run) this.ctx.open({ kind: 'run', key: run.key });
        e.preventDefault();
        return;
      }
      case ' ': {
        const run = this.runAt(this.active);
        if (run) this.toggle(run.key);
        e.preventDefault();
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    this.active = Math.min(Math.max(0, next), this.total - 1);
    // Rows sit under the sticky header, so the visible band starts one row down.
    const top = scrollToRow(this.active, this.scroller.scrollTop, this.scroller.clientHeight - ROW_H, ROW_H);
    if (top !== this.scroller.scrollTop) this.scroller.scrollTop = top;
    this.renderRows();
  }

  private toggle(key: number): void {
    const sel = this.p.selected.includes(key) ? this.p.selected.filter((k) => k !== key) : [...this.p.selected, key];
    if (sel.length > MAX_COMPARE) {
      this.status.textContent = `Compare shows at most ${MAX_COMPARE} runs; unselect one first.`;
      this.renderRows(true);
      return;
    }
    this.setSelected(sel);
  }

  private setSelected(keys: number[]): void {
    this.p = { ...this.p, selected: keys };
    this.save();
    this.updateSelectionUi();
    this.renderRows(true);
  }

  private updateSelectionUi(): void {
    const n = this.p.selected.length;
    this.compareBtn.textContent = n ? `Compare ${n} run${n === 1 ? '' : 's'}` : 'Compare';
    this.compareBtn.disabled = n < 2;
    this.compareBtn.title = n < 2 ? 'Select two or more runs (Space or the checkboxes) to compare them' : '';
    this.clearBtn.disabled = n === 0;
  }

  private compare(): void {
    if (this.p.selected.length >= 2) this.ctx.open({ kind: 'compare', keys: [...this.p.selected] });
  }

  /** `heartbeat`: only heartbeat_at moved (keeps the live dot lit; cannot make a run match the filters). */
  private onRun(info: RunInfo, heartbeat: boolean): void {
    for (const [page, runs] of this.pages) {
      const i = runs.findIndex((r) => r.key === info.key);
      if (i < 0) continue;
      const old = runs[i];
      if (infoMovesRow(this.p, old, info)) this.refreshSoon();
      runs[i] = { ...old, ...info, duration: info.finished_at ? info.finished_at - info.created_at : old.duration, columns: old.columns };
      const row = this.rows.get(page * PAGE + i);
      if (row) (row as RowEl).run = undefined;
      this.paint();
      return;
    }
    // A run we have not listed: new, or now matching the filters.
    if (!heartbeat) this.refreshSoon();
  }

  /**
   * Live config/summary values into their columns. A summary event carries the whole summary (a key
   * it lacks was removed); a config event only the keys that changed. Sorted by one that changed: query again.
   */
  private onValues(key: number, kind: 'summary' | 'config', values: JsonObject): void {
    const prefix = `${kind}.`;
    const sortedBy = this.p.sort.startsWith(prefix) ? this.p.sort : null;
    const cols = [...new Set([...this.p.columns.filter((c) => c.startsWith(prefix)), ...(sortedBy ? [sortedBy] : [])])];
    if (!cols.length) return;
    for (const [page, runs] of this.pages) {
      const i = runs.findIndex((r) => r.key === key);
      if (i < 0) continue;
      const columns = { ...runs[i].columns };
      for (const c of cols) {
        const v = columnValue(values, c.slice(prefix.length));
        if (v === undefined && kind === 'config') continue;
        const next = v ?? null;
        if (c === sortedBy && JSON.stringify(next) !== JSON.stringify(columns[c] ?? null)) this.refreshSoon();
        columns[c] = next;
      }
      runs[i] = { ...runs[i], columns };
      const row = this.rows.get(page * PAGE + i);
      if (row) (row as RowEl).run = undefined;
      this.paint();
    }
  }

  /** Running runs' durations count up on screen. */
  private tick(): void {
    const now = Date.now() / 1000;
    for (const el of this.rows.values()) {
      const run = (el as RowEl).run;
      if (!run || run.state !== 'running') continue;
      const d = el.querySelector('.tw-duration');
      if (d) d.textContent = formatDuration(durationOf(run, now));
      el.querySelector('.tw-status')?.classList.toggle('tw-live', isLive(run, now));
    }
  }

  /** The picker's keys: every config/summary key of the runs the filters match, from the runtime. */
  private async loadColumnKeys(): Promise<void> {
    try {
      const { columns } = await this.ctx.api.columns(this.apiQuery(0));
      this.knownKeys = new Set(columns);
      this.picker?.setKeys(this.columnKeys());
    } catch {
      /* keys are a convenience; the picker keeps what it had */
    }
  }

  private columnKeys(): string[] {
    return [...this.knownKeys].sort(naturalCompare);
  }

  private togglePicker(btn: HTMLElement): void {
    if (this.closePicker) {
      this.closePicker();
      return;
    }
    const picker = new ColumnPicker(
      () => ({ columns: this.p.columns, hidden: this.p.hidden }),
      (s) => this.setQuery({ columns: s.columns, hidden: s.hidden }),
    );
    this.picker = picker;
    picker.setKeys(this.columnKeys());
    void this.loadColumnKeys(); // runs may have logged new keys since the list loaded
    this.pickerBox.append(picker.el);
    btn.setAttribute('aria-expanded', 'true');
    picker.focus();
    const outside = (e: MouseEvent) => {
      if (!this.pickerBox.contains(e.target as Node)) close();
    };
    // Escape closes the popover wherever focus is (a repaint may have moved it to the page).
    const escape = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) close();
    };
    const close = () => {
      document.removeEventListener('mousedown', outside);
      document.removeEventListener('keydown', escape);
      picker.el.remove();
      this.picker = this.closePicker = undefined;
      btn.setAttribute('aria-expanded', 'false');
      btn.focus();
    };
    this.closePicker = close;
    document.addEventListener('mousedown', outside);
    document.addEventListener('keydown', escape);
  }
}

type RowEl = HTMLElement & { run?: RunListItem };
