// The sweep panel's Chart.js charts: the metric over steps for every trial (one line each, the best
// run drawn thick on top, runs stopped by hyperband dashed and ended with a cross), and one scatter
// of the metric against each parameter (categorical parameters on an axis of their values, log
// distributions on a log axis). Figures carry data-* counts so tests can check what is drawn.
import { Chart, ScatterController, type ChartDataset, type Scale, type TooltipItem } from 'chart.js';
import type { JsonValue } from '../../runtime/protocol/journal';
import type { ChartTheme } from '../theme';
import { setupCharts, withAlpha } from './setup';
import { axisPosition, categoryOf, formatTick, type Axis } from './sweepAxes';
import { frameThrottle, h } from '../util/dom';

let registered = false;
function setup(): void {
  setupCharts();
  if (registered) return;
  registered = true;
  Chart.register(ScatterController);
}

export interface TrialStyle {
  id: string;
  label: string;
  color: string;
  best: boolean;
  early: boolean;
  state: string;
}

interface LinePt {
  x: number;
  y: number | null;
}

const tickFont = (t: ChartTheme) => ({ family: t.font, size: 11 });

function baseScales(t: ChartTheme, xTitle: string, yTitle: string) {
  const font = tickFont(t);
  const axis = (title: string) => ({
    title: { display: true, text: title, color: t.muted, font },
    grid: { color: t.grid },
    border: { color: t.grid },
    ticks: { color: t.fg, maxTicksLimit: 6, font },
  });
  return { x: axis(xTitle), y: axis(yTitle) };
}

function tooltip(t: ChartTheme) {
  return {
    backgroundColor: t.highContrast ? t.bg : undefined,
    borderColor: t.highContrast ? t.fg : undefined,
    borderWidth: t.highContrast ? 1 : 0,
    titleFont: { family: t.font, size: 11, weight: 'bold' as const },
    bodyFont: { family: t.mono, size: 11 },
  };
}

/** The metric against step, one line per trial. */
export class TrialLines {
  readonly el: HTMLElement;
  private canvasBox: HTMLElement;
  private chart?: Chart<'line', LinePt[]>;
  private data = new Map<string, LinePt[]>();
  private styles = new Map<string, TrialStyle>();
  private highlighted: string | null = null;
  private structural = true;
  private readonly redraw = frameThrottle(() => this.flush());

  constructor(private metric: string, private theme: ChartTheme, private onHover: (id: string | null) => void) {
    setup();
    this.canvasBox = h('div', { class: 'tw-chart-canvas tw-sweep-lines-canvas' });
    this.el = h('figure', { class: 'tw-chart tw-sweep-lines', 'data-metric': metric, 'data-lines': '0', 'data-points': '0', 'data-best': '', 'data-early': '0' },
      h('figcaption', { class: 'tw-chart-title' }, `${metric} by step, every trial`), this.canvasBox);
  }

  mount(): void {
    if (this.chart) return;
    const canvas = h('canvas', { role: 'img', 'aria-label': `${this.metric} over steps for every trial; the best run is drawn thick` });
    this.canvasBox.append(canvas);
    this.chart = new Chart<'line', LinePt[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        parsing: false, animation: false, responsive: true, maintainAspectRatio: false, normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        elements: { line: { tension: 0 }, point: { radius: 0, hitRadius: 4 } },
        scales: { ...baseScales(this.theme, 'step', this.metric), x: { ...baseScales(this.theme, 'step', this.metric).x, type: 'linear' } },
        onHover: (_e, items) => {
          const ds = items[0] ? this.chart?.data.datasets[items[0].datasetIndex] as (ChartDataset<'line', LinePt[]> & { twId?: string }) | undefined : undefined;
          const id = ds?.twId ?? null;
          if (id !== this.highlighted) this.onHover(id);
        },
        plugins: {
          tooltip: {
            ...tooltip(this.theme),
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => (items[0] ? `step ${(items[0].raw as LinePt).x}` : ''),
              label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${(item.raw as LinePt).y}`,
            },
          },
        },
      },
    });
    this.structural = true;
    this.redraw();
  }

  setStyles(styles: TrialStyle[]): void {
    this.styles = new Map(styles.map((s) => [s.id, s]));
    this.structural = true;
    this.redraw();
  }

  setPoints(id: string, pts: LinePt[]): void {
    this.data.set(id, pts);
    this.structural = true;
    this.redraw();
  }

  /** Live points after the last one shown. */
  append(id: string, pts: LinePt[]): void {
    const cur = this.data.get(id);
    if (!cur) return;
    const last = cur.length ? cur[cur.length - 1].x : -Infinity;
    for (const p of pts) if (p.x > last) cur.push(p);
    this.redraw();
  }

  has(id: string): boolean {
    return this.data.has(id);
  }

  highlight(id: string | null): void {
    if (id === this.highlighted) return;
    this.highlighted = id;
    this.structural = true;
    this.redraw();
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    if (this.chart) {
      const sc = baseScales(theme, 'step', this.metric);
      this.chart.options.scales = { x: { ...sc.x, type: 'linear' }, y: sc.y };
      this.chart.options.plugins!.tooltip = { ...this.chart.options.plugins!.tooltip, ...tooltip(theme) };
    }
    this.structural = true;
    this.redraw();
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  private flush(): void {
    let lines = 0, points = 0, early = 0, best = '';
    for (const [id, pts] of this.data) {
      if (!pts.length) continue;
      lines++;
      points += pts.length;
      const st = this.styles.get(id);
      if (st?.early) early++;
      if (st?.best) best = id;
    }
    Object.assign(this.el.dataset, { lines: String(lines), points: String(points), early: String(early), best });
    if (!this.chart) return;
    if (this.structural) {
      this.structural = false;
      this.chart.data.datasets = this.datasets();
    }
    this.chart.update('none');
  }

  private datasets(): ChartDataset<'line', LinePt[]>[] {
    const out: (ChartDataset<'line', LinePt[]> & { twId: string })[] = [];
    const hl = this.highlighted;
    for (const [id, pts] of this.data) {
      const st = this.styles.get(id);
      if (!st || !pts.length) continue;
      const emphasised = st.best || id === hl;
      const faded = hl !== null && id !== hl && !st.best;
      const color = faded ? withAlpha(st.color, 0.25) : emphasised ? st.color : withAlpha(st.color, 0.75);
      const n = pts.length;
      out.push({
        twId: id, label: `${st.label}${st.best ? ' (best)' : ''}${st.early ? ' (stopped early)' : ''}`, data: pts,
        borderColor: color, backgroundColor: color, borderWidth: st.best ? 3.5 : id === hl ? 2.5 : 1.3,
        borderDash: st.early ? [5, 4] : undefined,
        // A cross where hyperband stopped the run; dots for short series so one point is visible.
        pointRadius: (ctx) => (st.early && ctx.dataIndex === n - 1 ? 6 : n < 30 ? 2 : 0),
        pointStyle: (ctx) => (st.early && ctx.dataIndex === n - 1 ? 'crossRot' : 'circle'),
        pointBorderWidth: (ctx) => (st.early && ctx.dataIndex === n - 1 ? 2 : 1),
        order: st.best ? 0 : id === hl ? 1 : 2,
      });
    }
    return out;
  }
}

export interface ScatterPoint {
  id: string;
  label: string;
  value: JsonValue | undefined;
  metric: number;
  color: string;
  best: boolean;
  early: boolean;
}

interface XY {
  x: number;
  y: number;
  p: ScatterPoint;
}

/** The metric against one parameter. */
export class ParamScatter {
  readonly el: HTMLElement;
  private canvasBox: HTMLElement;
  private chart?: Chart<'scatter', XY[]>;
  private points: ScatterPoint[] = [];
  private highlighted: string | null = null;

  constructor(private axis: Axis, private metric: string, private theme: ChartTheme, private onHover: (id: string | null) => void, private onOpen: (id: string) => void) {
    setup();
    this.canvasBox = h('div', { class: 'tw-chart-canvas tw-scatter-canvas' });
    this.el = h('figure', { class: 'tw-chart tw-scatter', 'data-param': axis.name, 'data-kind': axis.kind, 'data-points': '0' },
      h('figcaption', { class: 'tw-chart-title', title: `${metric} against ${axis.name}` }, `${metric} vs ${axis.name}${axis.kind === 'log' ? ' (log)' : ''}`), this.canvasBox);
  }

  mount(): void {
    if (this.chart) return;
    const canvas = h('canvas', { role: 'img', 'aria-label': `Scatter of ${this.metric} against ${this.axis.name}` });
    this.canvasBox.append(canvas);
    this.chart = new Chart<'scatter', XY[]>(canvas, {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        parsing: false, animation: false, responsive: true, maintainAspectRatio: false,
        scales: this.scales(),
        onHover: (_e, items) => {
          const id = items[0] ? (this.chart!.data.datasets[items[0].datasetIndex].data[items[0].index] as XY).p.id : null;
          if (id !== this.highlighted) this.onHover(id);
        },
        onClick: (_e, items) => {
          if (items[0]) this.onOpen((this.chart!.data.datasets[items[0].datasetIndex].data[items[0].index] as XY).p.id);
        },
        plugins: {
          tooltip: {
            ...tooltip(this.theme),
            callbacks: {
              title: (items: TooltipItem<'scatter'>[]) => (items[0] ? `${(items[0].raw as XY).p.label}${(items[0].raw as XY).p.best ? ' (best)' : ''}` : ''),
              label: (item: TooltipItem<'scatter'>) => {
                const p = (item.raw as XY).p;
                return [`${this.axis.name}: ${JSON.stringify(p.value)}`, `${this.metric}: ${p.metric}`, ...(p.early ? ['stopped early by hyperband'] : [])];
              },
            },
          },
        },
      },
    });
    this.update();
  }

  set(points: ScatterPoint[], axis: Axis): void {
    this.points = points;
    this.axis = axis;
    if (this.chart) this.chart.options.scales = this.scales();
    this.update();
  }

  highlight(id: string | null): void {
    if (id === this.highlighted) return;
    this.highlighted = id;
    this.update();
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    if (this.chart) {
      this.chart.options.scales = this.scales();
      this.chart.options.plugins!.tooltip = { ...this.chart.options.plugins!.tooltip, ...tooltip(theme) };
    }
    this.update();
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  private x(p: ScatterPoint): number | null {
    const a = this.axis;
    if (a.kind !== 'categorical') return typeof p.value === 'number' && (a.kind !== 'log' || p.value > 0) ? p.value : null;
    const i = a.categories.indexOf(categoryOf(p.value));
    if (i < 0) return null;
    // Points of one category spread a little sideways (stable per run), so equal values do not hide each other.
    return i + (hash(p.id) - 0.5) * 0.3;
  }

  private update(): void {
    const xy: XY[] = [];
    for (const p of this.points) {
      const x = this.x(p);
      if (x !== null && axisPosition(this.axis, p.value) !== null) xy.push({ x, y: p.metric, p });
    }
    this.el.dataset.points = String(xy.length);
    if (!this.chart) return;
    const hl = this.highlighted;
    const fill = (p: ScatterPoint) => (p.best || p.id === hl || hl === null ? p.color : withAlpha(p.color, 0.3));
    this.chart.data.datasets = [{
      data: xy,
      pointStyle: xy.map(({ p }) => (p.best ? 'star' : p.early ? 'crossRot' : 'circle')),
      pointRadius: xy.map(({ p }) => (p.best ? 9 : p.id === hl ? 7 : p.early ? 6 : 4)),
      pointHoverRadius: xy.map(({ p }) => (p.best ? 10 : 7)),
      pointBorderWidth: xy.map(({ p }) => (p.best || p.early ? 2 : 1)),
      backgroundColor: xy.map(({ p }) => withAlpha(fill(p), p.early ? 0 : 0.75)),
      borderColor: xy.map(({ p }) => fill(p)),
    }];
    this.chart.update('none');
  }

  private scales() {
    const a = this.axis;
    const sc = baseScales(this.theme, a.name + (a.kind === 'log' ? ' (log)' : ''), this.metric);
    if (a.kind === 'categorical') {
      const cats = a.categories;
      return {
        x: { ...sc.x, type: 'linear' as const, min: -0.5, max: cats.length - 0.5,
          // One tick per category, at its index (a linear scale would put them at the half steps).
          afterBuildTicks: (scale: Scale) => {
            scale.ticks = cats.map((_, i) => ({ value: i }));
          },
          ticks: { ...sc.x.ticks, autoSkip: false, maxRotation: 0, callback: (v: string | number) => {
            const i = Number(v);
            const c = Number.isInteger(i) ? cats[i] : undefined;
            return c === undefined ? '' : c.length > 12 ? `${c.slice(0, 11)}…` : c;
          } } },
        y: sc.y,
      };
    }
    if (a.kind === 'log') {
      return {
        x: { ...sc.x, type: 'logarithmic' as const, min: a.min, max: a.max,
          ticks: { ...sc.x.ticks, callback: (v: string | number) => {
            // Label the powers of ten; within less than two decades, every tick.
            const n = Number(v);
            const exp = Math.log10(n);
            return Math.log10(a.max / a.min) < 2 || Math.abs(exp - Math.round(exp)) < 1e-9 ? formatTick(n) : '';
          } } },
        y: sc.y,
      };
    }
    return { x: { ...sc.x, type: 'linear' as const, min: a.min, max: a.max }, y: sc.y };
  }
}

function hash(s: string): number {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return ((x >>> 0) % 1000) / 1000;
}
