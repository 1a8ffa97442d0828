// One line chart (one metric, one or more runs) on Chart.js with the settings that keep it fast:
// pre-sorted {x, y} points (parsing: false), no animation, appends drawn with update('none') once per
// frame. The card exposes data-points / data-datasets so tests (and curious users) can see the counts.
import { Chart, Ticks, type ChartConfiguration, type ChartDataset, type Scale, type Tick, type TooltipItem } from 'chart.js';
import type { XAxis } from '../../runtime/protocol/api';
import type { ChartTheme } from '../theme';
import { emaNext, emaStart, emaWeight, type EmaState } from './ema';
import { setupCharts, SKIP_HOVER, withAlpha } from './setup';
import { attachDragZoom } from './zoom';
import { MOVE_KEYS, nearestIndex, nextX, xStops, zoomAround, type MoveKey } from './keyboard';
import { exactValue, formatBytes, type Unit } from './units';
import { xAxisTitle } from './metrics';
import { formatClock, formatElapsed, formatNumber } from '../util/format';
import { h } from '../util/dom';

export interface Pt {
  x: number;
  y: number | null;
  step: number;
  /** the unsmoothed value, on smoothed points */
  raw?: number | null;
  /** why y (or raw) is a gap: "NaN" | "Infinity" | "-Infinity" */
  nf?: string;
}

export interface SeriesSpec {
  id: number;
  label: string;
  color: string;
}

export interface MetricChartOptions {
  title: string;
  x: XAxis;
  unit?: Unit;
  theme: ChartTheme;
  log: boolean;
  smoothing: number;
  range: [number, number] | null;
  /** show a legend line in tooltips with the run name (compare view) */
  multiRun: boolean;
  onZoom(min: number, max: number): void;
  onReset(): void;
}

interface Series {
  spec: SeriesSpec;
  raw: Pt[];
  smooth: Pt[];
  ema: EmaState;
  hidden: boolean;
}

type LineDataset = ChartDataset<'line', Pt[]> & { [SKIP_HOVER]?: boolean };

/** Few points are drawn as dots too, or a 1-point series would be invisible. */
const DOTS_BELOW = 40;

const pending = new Set<MetricChart>();
let frameQueued = false;
function scheduleUpdate(c: MetricChart): void {
  pending.add(c);
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(() => {
    frameQueued = false;
    const list = [...pending];
    pending.clear();
    for (const m of list) m.flush();
  });
}

export class MetricChart {
  readonly el: HTMLElement;
  private canvasBox: HTMLElement;
  private status: HTMLElement;
  /** The tooltip as text, for screen readers (aria-live) and tests; the canvas tooltip is pixels only. */
  private readout: HTMLElement;
  private chart?: Chart<'line', Pt[]>;
  private series = new Map<number, Series>();
  private structural = true;
  private detach?: () => void;
  /** the keyboard's active x (Left/Right), shown with the tooltip; null when the pointer or nothing is */
  private activeX: number | null = null;
  /** the x range of all points, as last seen unzoomed (a zoom out that reaches it resets instead) */
  private extent: [number, number] | null = null;

  constructor(private o: MetricChartOptions) {
    setupCharts();
    this.status = h('div', { class: 'tw-chart-status' }, 'Loading…');
    this.canvasBox = h('div', { class: 'tw-chart-canvas' }, this.status);
    this.readout = h('div', { class: 'tw-chart-readout tw-visually-hidden', 'aria-live': 'polite' });
    this.el = h('figure', { class: 'tw-chart', 'data-metric': o.title, 'data-points': '0', 'data-datasets': '0', 'data-unit': o.unit ?? null, tabindex: '0',
      'aria-label': `Chart of ${o.title}. Left and Right arrows, Home and End read the values point by point; plus and minus zoom around the point; `
        + 'drag across to zoom; double-click or Escape resets.' },
    h('figcaption', { class: 'tw-chart-title', title: o.title }, o.title),
    this.canvasBox, this.readout);
    this.el.addEventListener('keydown', (e) => this.key(e));
    this.el.addEventListener('focusout', (e) => {
      if (!this.el.contains(e.relatedTarget as Node | null)) this.setActive(null);
    });
  }

  /** Keyboard reading: move the active point, zoom around it, Escape back to everything. */
  private key(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (MOVE_KEYS.includes(e.key)) {
      const x = nextX(this.stops(), this.activeX ?? this.hoveredX(), e.key as MoveKey);
      if (x !== undefined) this.setActive(x);
    } else if (e.key === '+' || e.key === '=' || e.key === '-') {
      const c = this.chart;
      if (!c) return;
      const view: [number, number] = this.o.range ?? this.extent ?? [c.scales.x.min, c.scales.x.max];
      const center = this.activeX ?? this.hoveredX() ?? (view[0] + view[1]) / 2;
      const next = zoomAround(view, center, e.key === '-' ? 2 : 0.5, this.extent);
      if (next === null) {
        if (this.o.range) this.o.onReset();
      } else if (next) this.o.onZoom(next[0], next[1]);
    } else if (e.key === 'Escape') {
      if (this.activeX === null && !this.o.range) return;
      this.setActive(null);
      if (this.o.range) this.o.onReset();
    } else return;
    e.preventDefault();
  }

  /** The x of every drawn point of the shown runs (decimated data: what the tooltip can show). */
  private stops(): number[] {
    const c = this.chart;
    if (!c) return [];
    const lists = c.data.datasets.filter((ds, di) => !(ds as LineDataset)[SKIP_HOVER] && c.isDatasetVisible(di)).map((ds) => ds.data);
    return xStops(lists, this.o.range?.[0], this.o.range?.[1]);
  }

  /** Where the pointer's tooltip is, so the keyboard carries on from there. */
  private hoveredX(): number | null {
    const item = this.chart?.tooltip?.getActiveElements()[0];
    const p = item && (this.chart!.data.datasets[item.datasetIndex]?.data[item.index] as Pt | undefined);
    return p ? p.x : null;
  }

  private setActive(x: number | null): void {
    if (x === this.activeX) return;
    this.activeX = x;
    if (!this.chart) return;
    this.showActive();
    this.chart.update('none');
  }

  /** Puts the tooltip on each shown run's point nearest the active x (the readout then announces it). */
  private showActive(): void {
    const c = this.chart!;
    const items: { datasetIndex: number; index: number }[] = [];
    const x = this.activeX;
    if (x !== null) {
      c.data.datasets.forEach((ds, di) => {
        if ((ds as LineDataset)[SKIP_HOVER] || !c.isDatasetVisible(di)) return;
        const i = nearestIndex(ds.data, x, !this.o.x.startsWith('metric:'));
        if (i >= 0) items.push({ datasetIndex: di, index: i });
      });
    }
    const el = items.length ? c.getDatasetMeta(items[0].datasetIndex).data[items[0].index] : undefined;
    c.setActiveElements(items);
    c.tooltip?.setActiveElements(items, { x: el?.x ?? 0, y: el?.y ?? 0 });
  }

  get mounted(): boolean {
    return this.chart !== undefined;
  }

  get xAxis(): XAxis {
    return this.o.x;
  }

  /** Pixel width for history requests (the runtime answers about 2 points per pixel). */
  get width(): number {
    return Math.max(200, this.canvasBox.clientWidth || 600);
  }

  pointCount(id: number): number {
    return this.series.get(id)?.raw.length ?? 0;
  }

  lastStep(id: number): number {
    const raw = this.series.get(id)?.raw;
    return raw?.length ? raw[raw.length - 1].step : -Infinity;
  }

  lastX(id: number): number {
    const raw = this.series.get(id)?.raw;
    return raw?.length ? raw[raw.length - 1].x : -Infinity;
  }

  mount(): void {
    if (this.chart) return;
    const canvas = h('canvas', { role: 'img', 'aria-label': `${this.o.title} line chart` });
    this.canvasBox.prepend(canvas);
    this.chart = new Chart<'line', Pt[]>(canvas, this.config());
    this.detach = attachDragZoom(this.canvasBox, canvas, () => this.chart as unknown as Chart, (a, b) => this.o.onZoom(a, b), () => this.o.onReset());
    canvas.addEventListener('pointermove', () => (this.activeX = null)); // the pointer's tooltip takes over
    this.structural = true;
    scheduleUpdate(this);
  }

  setStatus(text: string | null): void {
    this.status.textContent = text ?? '';
    this.status.hidden = !text;
  }

  /** Replaces a run's points (a fresh downsampled fetch). */
  setSeries(spec: SeriesSpec, pts: Pt[]): void {
    const prev = this.series.get(spec.id);
    const s: Series = { spec, raw: pts, smooth: [], ema: emaStart(), hidden: prev?.hidden ?? false };
    this.smoothAll(s);
    this.series.set(spec.id, s);
    this.structural = true;
    scheduleUpdate(this);
  }

  removeSeries(id: number): void {
    if (this.series.delete(id)) {
      this.structural = true;
      scheduleUpdate(this);
    }
  }

  clear(): void {
    this.series.clear();
    this.structural = true;
    scheduleUpdate(this);
  }

  /** Live points, in step order, after what is shown. */
  append(id: number, pts: Pt[]): number {
    const s = this.series.get(id);
    if (!s || !pts.length) return s?.raw.length ?? 0;
    const w = emaWeight(this.o.smoothing);
    const wasFew = s.raw.length < DOTS_BELOW;
    for (const p of pts) {
      s.raw.push(p);
      if (w > 0) s.smooth.push(smoothed(p, emaNext(s.ema, p.y, w)));
    }
    if (wasFew !== s.raw.length < DOTS_BELOW) this.structural = true;
    scheduleUpdate(this);
    return s.raw.length;
  }

  setSpec(spec: SeriesSpec): void {
    const s = this.series.get(spec.id);
    if (!s) return;
    s.spec = spec;
    this.structural = true;
    scheduleUpdate(this);
  }

  setHidden(id: number, hidden: boolean): void {
    const s = this.series.get(id);
    if (!s || s.hidden === hidden) return;
    s.hidden = hidden;
    this.structural = true;
    scheduleUpdate(this);
  }

  setSmoothing(w: number): void {
    if (w === this.o.smoothing) return;
    this.o.smoothing = w;
    for (const s of this.series.values()) this.smoothAll(s);
    this.structural = true;
    scheduleUpdate(this);
  }

  setLog(log: boolean): void {
    if (log === this.o.log) return;
    this.o.log = log;
    if (this.chart) {
      this.chart.options.scales!.y = this.yScale();
      this.structural = true;
      scheduleUpdate(this);
    }
  }

  setRange(range: [number, number] | null): void {
    this.o.range = range;
    this.el.classList.toggle('tw-zoomed', !!range);
    if (this.chart) {
      const x = this.chart.options.scales!.x!;
      x.min = range?.[0];
      x.max = range?.[1];
      scheduleUpdate(this);
    }
  }

  setXAxis(x: XAxis): void {
    if (x === this.o.x) return;
    this.o.x = x;
    this.series.clear();
    this.o.range = null;
    this.activeX = null;
    this.extent = null;
    if (this.chart) {
      this.chart.options = this.config().options!;
      this.structural = true;
      scheduleUpdate(this);
    }
  }

  setTheme(theme: ChartTheme): void {
    this.o.theme = theme;
    if (this.chart) {
      this.chart.options = this.config().options!;
      this.structural = true;
      scheduleUpdate(this);
    }
  }

  destroy(): void {
    pending.delete(this);
    this.detach?.();
    this.chart?.destroy();
    this.chart = undefined;
    this.el.remove();
  }

  /** Applies queued changes: new datasets when the set changed, else just redraw appended points. */
  flush(): void {
    let points = 0, datasets = 0;
    for (const s of this.series.values()) {
      points += s.raw.length;
      if (s.raw.length) datasets++;
    }
    this.el.dataset.points = String(points);
    this.el.dataset.datasets = String(datasets);
    // What is drawn, for tests and tooling: the x axis, the y scale, smoothing, and each run's colour.
    this.el.dataset.x = this.o.x;
    this.el.dataset.scale = this.o.log ? 'log' : 'linear';
    this.el.dataset.smoothing = String(this.o.smoothing);
    this.el.dataset.colors = [...this.series.values()].filter((s) => s.raw.length).sort((a, b) => a.spec.id - b.spec.id).map((s) => s.spec.color).join(' ');
    if (!this.o.range) this.extent = this.dataExtent();
    if (!this.chart) return;
    if (this.structural) {
      this.structural = false;
      this.chart.data.datasets = this.datasets();
    }
    this.chart.update('none');
    if (this.activeX !== null) {
      // New data (a zoom's refetch, live points): the active point is found again among what is drawn.
      this.showActive();
      this.chart.update('none');
    }
  }

  private dataExtent(): [number, number] | null {
    let lo = Infinity, hi = -Infinity;
    const sorted = !this.o.x.startsWith('metric:');
    for (const s of this.series.values()) {
      const pts = sorted && s.raw.length ? [s.raw[0], s.raw[s.raw.length - 1]] : s.raw;
      for (const p of pts) {
        if (p.x < lo) lo = p.x;
        if (p.x > hi) hi = p.x;
      }
    }
    return lo <= hi ? [lo, hi] : null;
  }

  private smoothAll(s: Series): void {
    const w = emaWeight(this.o.smoothing);
    s.ema = emaStart();
    s.smooth = w > 0 ? s.raw.map((p) => smoothed(p, emaNext(s.ema, p.y, w))) : [];
  }

  private datasets(): LineDataset[] {
    const out: LineDataset[] = [];
    const smoothing = emaWeight(this.o.smoothing) > 0;
    const ids = [...this.series.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const s = this.series.get(id)!;
      const dots = s.raw.length < DOTS_BELOW ? 2 : 0;
      const base = { label: s.spec.label, hidden: s.hidden, pointRadius: dots, pointHoverRadius: 4, spanGaps: false };
      if (smoothing) {
        out.push({ ...base, data: s.smooth, borderColor: s.spec.color, backgroundColor: s.spec.color, borderWidth: 2, order: 0 });
        const faded = withAlpha(s.spec.color, this.o.theme.highContrast ? 0.5 : 0.25);
        out.push({ ...base, data: s.raw, borderColor: faded, backgroundColor: faded, borderWidth: 1, pointRadius: 0, order: 1, [SKIP_HOVER]: true });
      } else {
        out.push({ ...base, data: s.raw, borderColor: s.spec.color, backgroundColor: s.spec.color, borderWidth: 1.5, order: 0 });
      }
    }
    return out;
  }

  private yScale() {
    const t = this.o.theme;
    const unit = this.o.unit;
    const log = this.o.log;
    return {
      type: this.o.log ? ('logarithmic' as const) : ('linear' as const),
      title: { display: !!unit, text: unit ?? '', color: t.muted },
      grid: { color: t.grid },
      border: { color: t.grid },
      ticks: {
        color: t.fg, maxTicksLimit: 6,
        // Chart.js's own formatters pick the decimals from the tick spacing (no "13.899, 13.899").
        callback(this: Scale, v: string | number, i: number, ticks: Tick[]) {
          if (unit === 'bytes') return formatBytes(Number(v));
          return (log ? Ticks.formatters.logarithmic : Ticks.formatters.numeric).call(this, Number(v), i, ticks);
        },
      },
    };
  }

  private formatX(v: number): string {
    const x = this.o.x;
    if (x === 'wall') return formatClock(v);
    if (x === 'relative') return formatElapsed(v);
    return formatNumber(v);
  }

  private xTick(scale: Scale, v: number, i: number, ticks: Tick[]): string {
    const x = this.o.x;
    if (x === 'wall') return formatClock(v);
    if (x === 'relative') {
      // Short runs tick in (fractions of) seconds; longer ones as m:ss or h:mm:ss.
      const span = ticks.length > 1 ? ticks[ticks.length - 1].value - ticks[0].value : Math.abs(v);
      return span < 120 ? `${Ticks.formatters.numeric.call(scale, v, i, ticks)}s` : formatElapsed(v);
    }
    return Ticks.formatters.numeric.call(scale, v, i, ticks);
  }

  private config(): ChartConfiguration<'line', Pt[]> {
    const t = this.o.theme;
    const sortedX = !this.o.x.startsWith('metric:');
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- tick callbacks get the scale as `this`
    const self = this;
    const font = { family: t.font, size: 11 };
    return {
      type: 'line',
      data: { datasets: [] },
      plugins: [{
        id: 'twReadout',
        afterTooltipDraw: (_chart, args) => {
          const tip = args.tooltip;
          const text = [...tip.title, ...tip.body.flatMap((b) => b.lines)].join('\n');
          if (this.readout.textContent !== text) this.readout.textContent = text;
        },
      }],
      options: {
        parsing: false,
        normalized: sortedX,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        color: t.fg,
        font,
        interaction: { mode: 'twNearestX', intersect: false },
        elements: { line: { tension: 0 }, point: { hitRadius: 0 } },
        scales: {
          x: {
            type: 'linear',
            min: this.o.range?.[0],
            max: this.o.range?.[1],
            title: { display: true, text: xAxisTitle(this.o.x), color: t.muted, font },
            grid: { color: t.grid },
            border: { color: t.grid },
            ticks: { color: t.fg, maxRotation: 0, autoSkipPadding: 12, callback(this: Scale, v, i, ticks) { return self.xTick(this, Number(v), i, ticks); } },
          },
          y: this.yScale(),
        },
        plugins: {
          decimation: { enabled: sortedX, algorithm: 'min-max' },
          tooltip: {
            mode: 'twNearestX',
            intersect: false,
            position: 'nearest',
            displayColors: this.o.multiRun,
            itemSort: (a, b) => ((b.raw as Pt).y ?? -Infinity) - ((a.raw as Pt).y ?? -Infinity),
            backgroundColor: t.highContrast ? t.bg : undefined,
            borderColor: t.highContrast ? t.fg : undefined,
            borderWidth: t.highContrast ? 1 : 0,
            titleFont: { ...font, weight: 'bold' },
            bodyFont: { family: t.mono, size: 11 },
            callbacks: {
              title: (items) => this.tooltipTitle(items),
              label: (item) => this.tooltipLabel(item),
            },
          },
        },
      },
    };
  }

  private tooltipTitle(items: TooltipItem<'line'>[]): string {
    const p = items[0]?.raw as Pt | undefined;
    if (!p) return '';
    const steps = new Set(items.map((i) => (i.raw as Pt).step));
    const step = steps.size === 1 ? `step ${p.step}` : '';
    if (this.o.x === 'step') return `${xAxisTitle(this.o.x)} ${p.step}`;
    return [`${xAxisTitle(this.o.x)} ${this.formatX(p.x)}`, step].filter(Boolean).join(' · ');
  }

  private tooltipLabel(item: TooltipItem<'line'>): string {
    const p = item.raw as Pt;
    const name = this.o.multiRun ? `${item.dataset.label}: ` : '';
    const stepNote = this.o.x !== 'step' && this.o.multiRun ? ` (step ${p.step})` : '';
    const value = exactValue(p.raw !== undefined ? p.raw : p.y, p.nf, this.o.unit);
    const smooth = p.raw !== undefined && p.y !== null ? `  ·  smoothed ${formatNumber(p.y)}` : '';
    return `${name}${value}${smooth}${stepNote}`;
  }
}

function smoothed(p: Pt, y: number | null): Pt {
  const out: Pt = { x: p.x, y, step: p.step, raw: p.y };
  if (p.nf) out.nf = p.nf;
  return out;
}
