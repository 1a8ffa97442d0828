// Parallel coordinates for a sweep, drawn as SVG (Chart.js has no such chart): one vertical axis per
// parameter plus one for the metric, one polyline per trial coloured by how good its metric is, the
// best run drawn thick on top, runs stopped by hyperband dashed. Hovering or focusing a trial elsewhere
// highlights its line here (and hovering a line reports it back).
import type { JsonValue } from '../../runtime/protocol/journal';
import type { ChartTheme } from '../theme';
import { axisPosition, axisTicks, type Axis } from './sweepAxes';
import { h } from '../util/dom';

const SVG = 'http://www.w3.org/2000/svg';

export interface PcLine {
  id: string;
  label: string;
  values: Record<string, JsonValue>;
  metric: number | null;
  state: string;
  early: boolean;
  best: boolean;
  color: string;
}

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

export class ParallelCoords {
  readonly el: HTMLElement;
  private box: HTMLElement;
  private axes: Axis[] = [];
  private lines: PcLine[] = [];
  private theme?: ChartTheme;
  private highlighted: string | null = null;
  private ro: ResizeObserver;
  private width = 0;

  constructor(private readonly o: { metricLabel: string; onHover(id: string | null): void; onOpen(id: string): void }) {
    this.box = h('div', { class: 'tw-pc-box' });
    this.el = h('figure', { class: 'tw-chart tw-pc', 'data-lines': '0', 'data-axes': '0' },
      h('figcaption', { class: 'tw-chart-title' }, `Parameters and ${o.metricLabel}`), this.box);
    this.ro = new ResizeObserver(() => {
      const w = this.box.clientWidth;
      if (w && Math.abs(w - this.width) > 2) this.draw();
    });
    this.ro.observe(this.box);
  }

  set(axes: Axis[], lines: PcLine[], theme: ChartTheme): void {
    this.axes = axes;
    this.lines = lines;
    this.theme = theme;
    this.draw();
  }

  highlight(id: string | null): void {
    this.highlighted = id;
    for (const el of this.box.querySelectorAll<SVGPolylineElement>('polyline.tw-pc-line')) {
      el.classList.toggle('tw-pc-hl', el.dataset.run === id);
      el.classList.toggle('tw-pc-dim', id !== null && el.dataset.run !== id);
    }
    const hl = id ? this.box.querySelector<SVGPolylineElement>(`polyline.tw-pc-line[data-run="${CSS.escape(id)}"]`) : null;
    hl?.parentNode?.append(hl); // on top
  }

  dispose(): void {
    this.ro.disconnect();
  }

  private draw(): void {
    const t = this.theme;
    this.box.replaceChildren();
    this.el.dataset.axes = String(this.axes.length);
    this.el.dataset.lines = String(this.lines.length);
    if (!t || !this.axes.length) return;
    const width = (this.width = Math.max(320, this.box.clientWidth || 800));
    const height = 300;
    const m = { top: 34, right: 70, bottom: 18, left: 24 };
    const plotH = height - m.top - m.bottom;
    const gap = this.axes.length > 1 ? (width - m.left - m.right) / (this.axes.length - 1) : 0;
    const xOf = (i: number) => m.left + i * gap;
    const yOf = (p: number) => m.top + (1 - p) * plotH;
    const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'tw-pc-svg',
      'aria-label': `Parallel coordinates: ${this.lines.length} trials across ${this.axes.map((a) => a.name).join(', ')}` });
    const fontFamily = t.font;

    // Lines first, axes on top so ticks stay legible; the best (and the highlighted) line last.
    const g = s('g', { class: 'tw-pc-lines', fill: 'none' });
    const ordered = [...this.lines].sort((a, b) => Number(a.best) - Number(b.best));
    for (const l of ordered) {
      const pts: string[] = [];
      this.axes.forEach((a, i) => {
        const p = axisPosition(a, a.metric ? l.metric : l.values[a.name]);
        if (p !== null) pts.push(`${xOf(i).toFixed(1)},${yOf(p).toFixed(1)}`);
      });
      const line = s('polyline', {
        points: pts.join(' '), class: `tw-pc-line${l.best ? ' tw-pc-best' : ''}${l.early ? ' tw-pc-early' : ''}`,
        stroke: l.color, 'stroke-width': l.best ? 3.5 : 1.6, 'stroke-opacity': l.best ? 1 : 0.8, 'stroke-linejoin': 'round',
        'data-run': l.id, 'data-state': l.state,
      }, s('title', {}, `${l.label}${l.best ? ' (best)' : ''} · ${l.state}${l.early ? ', stopped early by hyperband' : ''}\n${this.o.metricLabel}: ${l.metric ?? '–'}\n${
        this.axes.filter((a) => !a.metric).map((a) => `${a.name}: ${JSON.stringify(l.values[a.name])}`).join('\n')}`));
      if (l.early) line.setAttribute('stroke-dasharray', '5 4');
      line.addEventListener('mouseenter', () => this.o.onHover(l.id));
      line.addEventListener('mouseleave', () => this.o.onHover(null));
      line.addEventListener('click', () => this.o.onOpen(l.id));
      g.append(line);
    }
    svg.append(g);

    this.axes.forEach((a, i) => {
      const x = xOf(i);
      const ag = s('g', { class: `tw-pc-axis${a.metric ? ' tw-pc-metric' : ''}`, 'data-axis': a.name, 'data-kind': a.kind });
      ag.append(s('line', { x1: x, x2: x, y1: m.top, y2: m.top + plotH, stroke: t.fg, 'stroke-opacity': 0.55, 'stroke-width': a.metric ? 2 : 1 }));
      const anchor = i === 0 ? 'start' : i === this.axes.length - 1 ? 'end' : 'middle';
      const title = a.name + (a.kind === 'log' ? ' (log)' : '');
      ag.append(s('text', { x, y: m.top - 16, 'text-anchor': anchor, fill: t.fg, 'font-family': fontFamily, 'font-size': 12, 'font-weight': 600 }, title));
      for (const tk of axisTicks(a)) {
        const y = yOf(tk.pos);
        ag.append(s('line', { x1: x - 3, x2: x + 3, y1: y, y2: y, stroke: t.fg, 'stroke-opacity': 0.55 }));
        const label = tk.label.length > 14 ? `${tk.label.slice(0, 13)}…` : tk.label;
        const text = s('text', { x: x + 6, y: y + 4, fill: t.muted, 'font-family': fontFamily, 'font-size': 11, class: 'tw-pc-tick', 'paint-order': 'stroke', stroke: t.bg, 'stroke-width': 3 }, label);
        ag.append(text);
      }
      svg.append(ag);
    });
    this.box.append(svg);
    if (this.highlighted) this.highlight(this.highlighted);
  }
}
