// Several runs overlaid: the same charts as a run view with one colour per run (the same colour in
// every chart, from the run's key), a legend that hides and shows runs, and config/summary diffs.
import type { RunDetail } from '../../runtime/protocol/api';
import type { RunInfo } from '../../runtime/protocol/live';
import { ChartGrid } from '../charts/chartGrid';
import { assignColors, PALETTE_SIZE } from '../charts/colors';
import { readTheme, onThemeChange } from '../theme';
import { DiffTable, type DiffRun } from './diffTable';
import { tabs } from './tabs';
import { errorState, loading } from './states';
import { statusBadge } from './runsColumns';
import { h, clear } from '../util/dom';
import { MAX_COMPARE, type Ctx, type View } from './context';

export class CompareView implements View {
  readonly el: HTMLElement;
  private grid?: ChartGrid;
  private runs: RunDetail[] = [];
  private colors = new Map<number, number>();
  private legend = h('ul', { class: 'tw-legend', 'aria-label': 'Runs (press to hide or show in the charts)' });
  private diffs: { t: DiffTable; what: 'config' | 'summary' }[] = [];
  private hidden = new Set<number>();
  private offs: (() => void)[] = [];

  constructor(private ctx: Ctx, private keys: number[]) {
    this.el = h('section', { class: 'tw-view tw-compare', 'aria-label': 'Compare runs' }, loading('Loading runs…'));
    this.offs.push(
      onThemeChange(() => this.recolor()),
      ctx.live.onResync(() => (this.runs.length ? this.refreshInfo() : this.load())),
      ctx.live.on('run', (e) => this.onInfo(e.run)),
    );
    void this.load();
  }

  dispose(): void {
    this.offs.forEach((f) => f());
    this.grid?.dispose();
  }

  private async load(): Promise<void> {
    const keys = this.keys.slice(0, MAX_COMPARE);
    try {
      this.runs = await Promise.all(keys.map((k) => this.ctx.api.run(k)));
    } catch (e) {
      clear(this.el);
      this.el.append(errorState(e, () => this.load(), this.ctx.transport.host));
      return;
    }
    this.colors = assignColors(keys, PALETTE_SIZE);
    this.build(this.keys.length > MAX_COMPARE);
  }

  /** The legend follows each run's state (running → finished, crashed, …) and name. */
  private onInfo(info: RunInfo): void {
    const r = this.runs.find((x) => x.key === info.key);
    if (!r || (r.state === info.state && r.name === info.name)) {
      if (r) Object.assign(r, info);
      return;
    }
    Object.assign(r, info);
    // In place, so a focused legend button keeps focus.
    const item = this.legend.querySelector(`.tw-legend-item[data-key="${info.key}"]`)?.parentElement;
    if (!item) return;
    item.querySelector('.tw-status')?.replaceWith(statusBadge(r.state, r.state === 'running'));
    const name = item.querySelector('.tw-legend-name');
    if (name) name.textContent = r.name ?? r.id;
  }

  /** After a resync: the runs' current states (events were missed). */
  private async refreshInfo(): Promise<void> {
    try {
      const fresh = await Promise.all(this.runs.map((r) => this.ctx.api.run(r.key)));
      fresh.forEach((f) => this.onInfo(f));
    } catch {
      /* the next resync tries again */
    }
  }

  private diffRuns(): DiffRun[] {
    const colors = readTheme().colors;
    return this.runs.map((r) => ({ key: r.key, label: r.name ?? r.id, color: colors[this.colors.get(r.key)!] }));
  }

  private build(capped: boolean): void {
    const ctx = this.ctx;
    const back = h('a', { href: '#/runs', class: 'tw-back', onclick: (e: Event) => {
      e.preventDefault();
      ctx.open({ kind: 'runs' });
    } }, '← Runs');
    this.paintLegend();
    const table = (what: 'config' | 'summary') => {
      const t = new DiffTable(what, ctx.prefs().compareOnlyDiff, (compareOnlyDiff) => ctx.setPrefs({ compareOnlyDiff }));
      t.set(this.diffRuns(), this.runs.map((r) => r[what]));
      this.diffs.push({ t, what });
      return t.el;
    };
    const body = tabs([
      {
        id: 'charts', label: 'Charts',
        build: () => {
          this.grid = new ChartGrid(ctx.api, ctx.live, this.runs.map((r) => ({
            key: r.key, label: r.name ?? r.id, colorIndex: this.colors.get(r.key)!, created_at: r.created_at, defs: r.metrics,
            historyKeys: r.history_keys, systemKeys: r.system_keys,
          })), ctx.prefs().charts, (charts) => ctx.setPrefs({ charts }), true);
          return this.grid.el;
        },
      },
      { id: 'config', label: 'Config diff', build: () => table('config') },
      { id: 'summary', label: 'Summary', build: () => table('summary') },
    ], ctx.prefs().compareTab, (compareTab) => ctx.setPrefs({ compareTab }));
    clear(this.el);
    this.el.append(h('div', { class: 'tw-run-layout' },
      h('header', { class: 'tw-run-head' },
        h('div', { class: 'tw-run-title' }, back, h('h1', null, `Compare ${this.runs.length} runs`)),
        capped ? h('p', { class: 'tw-note' }, `Showing the first ${MAX_COMPARE} of ${this.keys.length} runs: a compare view overlays at most ${MAX_COMPARE}.`) : null,
        this.legend),
      body));
  }

  private paintLegend(): void {
    clear(this.legend);
    const colors = readTheme().colors;
    for (const r of this.runs) {
      const color = colors[this.colors.get(r.key)!];
      const sw = h('span', { class: 'tw-swatch', 'aria-hidden': 'true' });
      sw.style.background = color;
      const btn = h('button', { type: 'button', class: 'tw-legend-item', 'aria-pressed': String(!this.hidden.has(r.key)), 'data-key': String(r.key), title: 'Hide or show this run in the charts' },
        sw, h('span', { class: 'tw-legend-name' }, r.name ?? r.id), h('span', { class: 'tw-muted' }, r.id));
      btn.addEventListener('click', () => {
        const shown = btn.getAttribute('aria-pressed') !== 'true';
        btn.setAttribute('aria-pressed', String(shown));
        if (shown) this.hidden.delete(r.key);
        else this.hidden.add(r.key);
        this.grid?.setRunHidden(r.key, !shown);
      });
      const open = h('a', { href: `#/run/${r.key}`, class: 'tw-legend-open', 'aria-label': `Open run ${r.name ?? r.id}`, onclick: (e: Event) => {
        e.preventDefault();
        this.ctx.open({ kind: 'run', key: r.key });
      } }, 'open');
      this.legend.append(h('li', null, btn, statusBadge(r.state, r.state === 'running'), open));
    }
  }

  private recolor(): void {
    this.paintLegend();
    const runs = this.diffRuns();
    for (const d of this.diffs) d.t.set(runs, this.runs.map((r) => r[d.what]));
  }
}
