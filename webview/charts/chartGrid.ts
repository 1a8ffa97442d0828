// Charts of one or more runs, grouped in collapsible sections: created when scrolled near (a run may
// log hundreds of metrics), fed by downsampled history fetches, then by live points appended in
// place. Zoom refetches the range at full detail. Shared by the run and compare views.
import type { JsonObject } from '../../runtime/protocol/journal';
import type { XAxis } from '../../runtime/protocol/api';
import type { HistoryPoint, LiveEvent } from '../../runtime/protocol/live';
import type { Api } from '../api';
import type { LiveHub } from '../live';
import { readTheme, onThemeChange, type ChartTheme } from '../theme';
import { h, debounce } from '../util/dom';
import { NearViewport } from '../util/nearViewport';
import { HistoryLoader, lastValue, toPts } from './loader';
import { MetricChart, type Pt, type SeriesSpec } from './metricChart';
import { chartedMetrics, metricDef, xAxisFor } from './metrics';
import { DEFAULT_SECTION, naturalCompare, sectionOf } from './sections';
import { ChartToolbar, type ChartPrefs } from './toolbar';
import { unitOf } from './units';

export interface GridRun {
  key: number;
  label: string;
  colorIndex: number;
  created_at: number;
  defs: Record<string, JsonObject>;
  historyKeys: { name: string; numeric: boolean }[];
  systemKeys: string[];
  hidden?: boolean;
}

interface RunState extends GridRun {
  keys: Set<string>;
  /**
   * Latest value (NaN when not finite) and its step of every metric, for x = another metric on live
   * points: the runtime pairs each point with the x metric's latest value at or before its step.
   * Seeded from fetches, then kept up by live rows.
   */
  last: Map<string, { v: number; step: number }>;
}

interface Entry {
  name: string;
  system: boolean;
  chart: MetricChart;
  section: string;
  gen: number;
  loaded: boolean;
  /** live points that arrived while a fetch was in flight */
  pending: Map<number, Pt[]> | null;
  refetch?: ReturnType<typeof debounce>;
}

const SYSTEM = 'System';
const SYS = 'system/';

export class ChartGrid {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private empty: HTMLElement;
  private toolbar: ChartToolbar;
  private runs = new Map<number, RunState>();
  private entries = new Map<string, Entry>();
  private sections = new Map<string, { el: HTMLElement & { open: boolean; description: string }; grid: HTMLElement }>();
  private zooms = new Map<XAxis, [number, number]>();
  private loader: HistoryLoader;
  private theme: ChartTheme = readTheme();
  private observer: NearViewport;
  private offs: (() => void)[] = [];

  constructor(api: Api, live: LiveHub, runs: GridRun[], private prefs: ChartPrefs, private save: (p: ChartPrefs) => void, private multiRun = false) {
    this.loader = new HistoryLoader(api);
    for (const r of runs) this.runs.set(r.key, { ...r, keys: new Set(r.historyKeys.map((k) => k.name)), last: new Map() });
    this.toolbar = new ChartToolbar(() => this.prefs, {
      x: (x) => this.update({ x }),
      smoothing: debounce((w: number) => this.update({ smoothing: w }), 30),
      log: (log) => this.update({ log }),
      resetZoom: () => this.resetZoom(),
      filter: debounce((filter: string) => this.update({ filter }), 100),
    });
    this.body = h('div', { class: 'tw-sections' });
    this.empty = h('div', { class: 'tw-empty tw-empty-inline' });
    this.el = h('div', { class: 'tw-chart-grid-view' }, this.toolbar.el, this.empty, this.body);
    this.observer = new NearViewport(this.el, '400px 0px', (target) => {
      const e = this.entries.get((target as HTMLElement).dataset.metric ?? '');
      if (e && !e.chart.mounted) {
        e.chart.mount();
        this.load(e);
      }
    });
    for (const r of this.runs.values()) {
      for (const m of chartedMetrics(r.historyKeys, r.defs)) this.ensure(m, false);
      for (const s of r.systemKeys) this.ensure(SYS + s, true);
    }
    this.afterStructure();
    this.offs.push(
      live.want({ history: [...this.runs.keys()], system: [...this.runs.keys()] }),
      live.on('history', (e) => this.onHistory(e.run.key, e.points)),
      live.on('system', (e) => this.onSystem(e)),
      live.on('metrics', (e) => this.onDefs(e.run.key, e.metrics)),
      live.onResync(() => this.reloadAll()),
      onThemeChange(() => this.retheme()),
    );
  }

  /** Number of charts (for tests and empty states). */
  get size(): number {
    return this.entries.size;
  }

  setRunHidden(key: number, hidden: boolean): void {
    const r = this.runs.get(key);
    if (!r) return;
    r.hidden = hidden;
    for (const e of this.entries.values()) e.chart.setHidden(key, hidden);
  }

  dispose(): void {
    this.offs.forEach((f) => f());
    this.observer.disconnect();
    for (const e of this.entries.values()) {
      e.refetch?.cancel();
      e.chart.destroy();
    }
  }

  private update(p: Partial<ChartPrefs>): void {
    const before = this.prefs;
    this.prefs = { ...this.prefs, ...p };
    this.save(this.prefs);
    if (p.x !== undefined && p.x !== before.x) {
      this.zooms.clear();
      this.toolbar.setZoomed(false);
      for (const e of this.entries.values()) {
        const x = this.xOf(e.name, e.system);
        if (x === e.chart.xAxis) continue;
        e.chart.setXAxis(x);
        if (e.chart.mounted) this.load(e);
      }
    }
    if (p.smoothing !== undefined) for (const e of this.entries.values()) e.chart.setSmoothing(p.smoothing);
    if (p.log !== undefined) for (const e of this.entries.values()) e.chart.setLog(p.log);
    if (p.filter !== undefined) this.applyFilter();
  }

  private xOf(name: string, system: boolean): XAxis {
    if (system) return 'relative';
    const defs = [...this.runs.values()].find((r) => r.keys.has(name))?.defs ?? {};
    return xAxisFor(name, this.prefs.x, defs);
  }

  private spec(r: RunState): SeriesSpec {
    return { id: r.key, label: r.label, color: this.theme.colors[r.colorIndex % this.theme.colors.length] };
  }

  /** The chart for a metric, created (unmounted) on first sight. */
  private ensure(name: string, system: boolean): Entry {
    let e = this.entries.get(name);
    if (e) return e;
    const section = system ? SYSTEM : sectionOf(name);
    const tag = system ? name.slice(SYS.length) : name;
    const chart = new MetricChart({
      title: tag, x: this.xOf(name, system), unit: system ? unitOf(tag) : undefined, theme: this.theme, log: this.prefs.log,
      smoothing: this.prefs.smoothing, range: null, multiRun: this.multiRun,
      onZoom: (a, b) => this.zoom(chart.xAxis, [a, b]),
      onReset: () => this.resetZoom(),
    });
    chart.el.dataset.metric = name;
    e = { name, system, chart, section, gen: 0, loaded: false, pending: null };
    this.entries.set(name, e);
    const s = this.section(section);
    const cards = [...s.grid.children] as HTMLElement[];
    const before = cards.find((c) => naturalCompare(c.dataset.metric ?? '', name) > 0);
    s.grid.insertBefore(chart.el, before ?? null);
    s.el.description = `${s.grid.childElementCount}`;
    this.observer.observe(chart.el);
    return e;
  }

  private section(name: string) {
    let s = this.sections.get(name);
    if (s) return s;
    const grid = h('div', { class: 'tw-chart-cards' });
    const el = h('vscode-collapsible', { class: 'tw-section', heading: name, 'data-section': name }, grid) as HTMLElement & { open: boolean; description: string };
    el.open = !this.prefs.closed.includes(name);
    el.addEventListener('vsc-collapsible-toggle', (ev) => {
      const open = (ev as CustomEvent<{ open: boolean }>).detail.open;
      const closed = new Set(this.prefs.closed);
      if (open) closed.delete(name);
      else closed.add(name);
      this.update({ closed: [...closed] });
    });
    s = { el, grid };
    this.sections.set(name, s);
    const rank = (n: string) => (n === DEFAULT_SECTION ? 0 : n === SYSTEM ? 2 : 1);
    const after = [...this.sections.keys()].filter((n) => n !== name).find((n) => rank(n) > rank(name) || (rank(n) === rank(name) && naturalCompare(n, name) > 0));
    this.body.insertBefore(el, after ? this.sections.get(after)!.el : null);
    return s;
  }

  private afterStructure(): void {
    const names = new Set<string>();
    for (const r of this.runs.values()) for (const k of r.historyKeys) if (k.numeric && !k.name.startsWith('_')) names.add(k.name);
    this.toolbar.setMetrics([...names]);
    this.applyFilter();
  }

  private applyFilter(): void {
    const f = this.prefs.filter.trim().toLowerCase();
    const shown = new Map<string, number>();
    for (const e of this.entries.values()) {
      const vis = !f || e.name.toLowerCase().includes(f);
      e.chart.el.hidden = !vis;
      shown.set(e.section, (shown.get(e.section) ?? 0) + (vis ? 1 : 0));
    }
    for (const [name, s] of this.sections) s.el.hidden = !shown.get(name);
    const any = [...shown.values()].some((n) => n > 0);
    this.empty.hidden = any;
    this.empty.textContent = this.entries.size
      ? `No chart matches "${this.prefs.filter}".`
      : 'No metrics logged yet. Charts appear here as soon as the script calls wandb.log({...}) (or run.log).';
  }

  private runsWith(e: Entry): RunState[] {
    const tag = e.name.slice(SYS.length);
    return [...this.runs.values()].filter((r) => (e.system ? r.systemKeys.includes(tag) || r.keys.has(e.name) : r.keys.has(e.name)));
  }

  private async load(e: Entry): Promise<void> {
    const gen = ++e.gen;
    e.pending = new Map();
    e.refetch?.cancel();
    const x = e.chart.xAxis;
    const range = this.zooms.get(x) ?? null;
    const runs = this.runsWith(e);
    const xMetric = x.startsWith('metric:') ? x.slice('metric:'.length) : null;
    if (!e.loaded) e.chart.setStatus('Loading…');
    try {
      const [got, xs] = await Promise.all([
        Promise.all(runs.map((r) => this.loader.get(r.key, x, e.name, e.chart.width, range))),
        // The x metric's latest value, so live points pair with it as the runtime would (charts on the same x share the request).
        Promise.all(runs.map((r) => (xMetric ? this.loader.get(r.key, 'step', xMetric, 200, null) : undefined))),
      ]);
      if (gen !== e.gen) return;
      let total = 0;
      runs.forEach((r, i) => {
        let pts = toPts(got[i]);
        if (xMetric) this.seedLast(r, xMetric, lastValue(xs[i]));
        // Live points that came during the fetch before any value of the x metric: paired now.
        const extra = (e.pending?.get(r.key) ?? []).map((p) => (Number.isNaN(p.x) && xMetric ? { ...p, x: r.last.get(xMetric)?.v ?? NaN } : p)).filter((p) => Number.isFinite(p.x));
        if (extra.length) {
          const last = pts.length ? pts[pts.length - 1] : undefined;
          pts = pts.concat(last ? extra.filter((p) => (e.system ? p.x > last.x : p.step > last.step)) : extra);
        }
        total += pts.length;
        e.chart.setSeries(this.spec(r), pts);
        if (r.hidden) e.chart.setHidden(r.key, true);
      });
      e.pending = null;
      e.loaded = true;
      e.chart.setStatus(total ? null : range ? 'No points in this range. Double-click to reset the zoom.' : 'No points yet.');
    } catch (err) {
      if (gen !== e.gen) return;
      e.pending = null;
      e.chart.setStatus(`Could not load this chart: ${(err as Error).message}`);
    }
  }

  private reloadAll(): void {
    for (const e of this.entries.values()) if (e.chart.mounted) this.load(e);
  }

  private zoom(x: XAxis, range: [number, number]): void {
    this.zooms.set(x, range);
    this.toolbar.setZoomed(true);
    for (const e of this.entries.values()) {
      if (e.chart.xAxis !== x) continue;
      e.chart.setRange(range);
      if (e.chart.mounted) this.load(e);
    }
  }

  private resetZoom(): void {
    if (!this.zooms.size) return;
    const axes = new Set(this.zooms.keys());
    this.zooms.clear();
    this.toolbar.setZoomed(false);
    for (const e of this.entries.values()) {
      if (!axes.has(e.chart.xAxis)) continue;
      e.chart.setRange(null);
      if (e.chart.mounted) this.load(e);
    }
  }

  private retheme(): void {
    this.theme = readTheme();
    for (const e of this.entries.values()) {
      e.chart.setTheme(this.theme);
      for (const r of this.runs.values()) e.chart.setSpec(this.spec(r));
    }
  }

  /** A fetched latest value of a metric, unless live rows already brought a later one. */
  private seedLast(r: RunState, key: string, got: { v: number; step: number } | undefined): void {
    const cur = r.last.get(key);
    if (got && (!cur || cur.step < got.step)) r.last.set(key, got);
  }

  /**
   * A live point's x; for x = a metric, that metric's value in the same row or else its latest before,
   * and none when that is not finite (as the runtime pairs them). NaN: not known yet (no fetch so far).
   */
  private liveX(x: XAxis, r: RunState, p: HistoryPoint): number | undefined {
    if (x === 'step') return p.step;
    if (x === 'wall') return p.ts;
    if (x === 'relative') return p.ts - r.created_at;
    const k = x.slice('metric:'.length);
    const v = p.values[k];
    const val = v !== undefined ? (typeof v === 'number' ? v : NaN) : r.last.get(k)?.v;
    if (val === undefined) return NaN;
    return Number.isFinite(val) ? val : undefined;
  }

  private chartable(r: RunState, name: string): boolean {
    if (name.startsWith(SYS)) return true;
    return !name.startsWith('_') && metricDef(name, r.defs)?.hidden !== true;
  }

  private onHistory(key: number, points: HistoryPoint[]): void {
    const r = this.runs.get(key);
    if (!r) return;
    const batches = new Map<Entry, Pt[]>();
    let added = false;
    for (const p of points) {
      for (const [k, v] of Object.entries(p.values)) {
        let e = this.entries.get(k);
        if (!e) {
          if (!this.chartable(r, k)) continue;
          e = this.ensure(k, k.startsWith(SYS));
          added = true;
        }
        if (!r.keys.has(k)) {
          r.keys.add(k);
          r.historyKeys.push({ name: k, numeric: true });
          added = true;
        }
        const x = this.liveX(e.chart.xAxis, r, p);
        // Not finite, or not known and no fetch in flight to pair it (the x metric was never logged).
        if (x === undefined || (Number.isNaN(x) && !e.pending)) continue;
        let list = batches.get(e);
        if (!list) batches.set(e, (list = []));
        const pt: Pt = { x, y: typeof v === 'number' ? v : null, step: p.step };
        if (typeof v !== 'number' && typeof v?.$num === 'string') pt.nf = v.$num;
        list.push(pt);
      }
      // After the row: a metric x logged in the same row applies to that row's points.
      for (const [k, v] of Object.entries(p.values)) r.last.set(k, { v: typeof v === 'number' ? v : NaN, step: p.step });
    }
    if (added) this.afterStructure();
    for (const [e, pts] of batches) this.feed(e, r, pts);
  }

  private onSystem(ev: Extract<LiveEvent, { type: 'system' }>): void {
    const r = this.runs.get(ev.run.key);
    if (!r) return;
    let added = false;
    for (const [tag, v] of Object.entries(ev.values)) {
      if (typeof v !== 'number') continue;
      const name = SYS + tag;
      if (!this.entries.has(name)) added = true;
      if (!r.systemKeys.includes(tag)) r.systemKeys.push(tag);
      const e = this.ensure(name, true);
      this.feed(e, r, [{ x: ev.ts - r.created_at, y: v, step: Math.round(ev.ts * 1000) }]);
    }
    if (added) this.afterStructure();
  }

  private feed(e: Entry, r: RunState, pts: Pt[]): void {
    if (e.pending) {
      const list = e.pending.get(r.key) ?? [];
      list.push(...pts);
      e.pending.set(r.key, list);
      return;
    }
    if (!e.loaded) return; // not on screen yet: it fetches everything when it mounts
    // A fetch can already hold points whose live event comes after it (the stream batches): skip those.
    const last = e.system ? e.chart.lastX(r.key) : e.chart.lastStep(r.key);
    pts = pts.filter((p) => (e.system ? p.x : p.step) > last);
    if (!pts.length) return;
    if (!e.chart.pointCount(r.key)) {
      e.chart.setSeries(this.spec(r), pts);
      e.chart.setStatus(null);
      return;
    }
    const n = e.chart.append(r.key, pts);
    // Live points arrive raw; past a few thousand, ask the runtime for a fresh downsample.
    if (n > 3 * e.chart.width + 500) {
      e.refetch ??= debounce(() => this.load(e), 1000);
      e.refetch();
    }
  }

  private onDefs(key: number, defs: Record<string, JsonObject>): void {
    const r = this.runs.get(key);
    if (!r) return;
    r.defs = defs;
    for (const e of [...this.entries.values()]) {
      if (e.system || !r.keys.has(e.name)) continue;
      if (metricDef(e.name, defs)?.hidden === true && this.runsWith(e).every((o) => !this.chartable(o, e.name))) {
        this.entries.delete(e.name);
        this.observer.unobserve(e.chart.el);
        e.chart.destroy();
        continue;
      }
      const x = this.xOf(e.name, false);
      if (x !== e.chart.xAxis) {
        e.chart.setXAxis(x);
        if (e.chart.mounted) this.load(e);
      }
    }
    this.afterStructure();
  }
}
