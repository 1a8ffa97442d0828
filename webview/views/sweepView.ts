// A sweep: its state and progress with the controls (pause, resume, stop, cancel, start an agent),
// the metric over steps for every trial, parallel coordinates of the parameters against the metric, a
// scatter of the metric against each parameter, and the trials table. Runs stopped by hyperband are
// dashed and crossed, with the reason. Live: 'sweep' events refresh the header and trials, 'history'
// events extend the trial lines.
import './sweep.css';
import type { SweepAction, SweepDetail, SweepTrial } from '../../runtime/protocol/api';
import type { HistoryPoint, SweepSummary } from '../../runtime/protocol/live';
import type { JsonValue } from '../../runtime/protocol/journal';
import { readTheme, onThemeChange, type ChartTheme } from '../theme';
import { ParallelCoords, type PcLine } from '../charts/parallelCoords';
import { ParamScatter, TrialLines, type TrialStyle } from '../charts/sweepCharts';
import { buildAxes, flatValues, goodness, type Axis } from '../charts/sweepAxes';
import { statusBadge } from './runsColumns';
import { errorState, loading } from './states';
import { formatDate, formatNumber } from '../util/format';
import { h, append, clear, cmd, debounce } from '../util/dom';
import type { Ctx, View } from './context';

const HISTORY_WIDTH = 600;

export function isEarly(t: Pick<SweepTrial, 'stop_reason'>): boolean {
  return !!t.stop_reason && /^hyperband/i.test(t.stop_reason);
}

export function sweepStateBadge(state: SweepSummary['state']): HTMLElement {
  return h('span', { class: `tw-status tw-sweep-state tw-sweep-state-${state}${state === 'running' ? ' tw-live' : ''}`, 'data-state': state },
    h('span', { class: 'tw-dot', 'aria-hidden': 'true' }), state);
}

export class SweepView implements View {
  readonly el: HTMLElement;
  private d?: SweepDetail;
  private theme: ChartTheme = readTheme();
  private built = false;
  private head = h('header', { class: 'tw-run-head tw-sweep-head' });
  private note = h('div', { class: 'tw-sweep-note', role: 'note' });
  private lines?: TrialLines;
  private pc?: ParallelCoords;
  private scatterGrid = h('div', { class: 'tw-sweep-scatters' });
  private scatters = new Map<string, ParamScatter>();
  private legend = h('div', { class: 'tw-sweep-legend' });
  private table = h('div', { class: 'tw-table-wrap tw-sweep-trials' });
  private historyFor = new Set<string>();
  private keyToId = new Map<number, string>();
  private highlighted: string | null = null;
  private confirming = false;
  private unwant?: () => void;
  private offs: (() => void)[] = [];
  private readonly refetch = debounce(() => void this.load(), 300);
  private loadSeq = 0;

  constructor(private ctx: Ctx, private id: string) {
    this.el = h('section', { class: 'tw-view tw-sweep', 'aria-label': `Sweep ${id}`, 'data-sweep': id }, loading('Loading the sweep…'));
    this.offs.push(
      ctx.live.on('sweep', (e) => {
        if (e.sweep.id !== this.id || !this.d) return;
        this.d = { ...this.d, ...e.sweep };
        this.renderHead();
        this.refetch();
      }),
      ctx.live.on('run', (e) => {
        // A heartbeat changes nothing the sweep view shows.
        if (e.run.sweep_id === this.id && !e.heartbeat) this.refetch();
      }),
      ctx.live.on('history', (e) => this.onHistory(e.run.key, e.points)),
      ctx.live.onResync(() => void this.load()),
      onThemeChange(() => {
        this.theme = readTheme();
        this.lines?.setTheme(this.theme);
        this.scatters.forEach((s) => s.setTheme(this.theme));
        this.renderData();
      }),
    );
    void this.load();
  }

  dispose(): void {
    this.refetch.cancel();
    this.offs.forEach((f) => f());
    this.unwant?.();
    this.lines?.destroy();
    this.pc?.dispose();
    this.scatters.forEach((s) => s.destroy());
  }

  private async load(): Promise<void> {
    const seq = ++this.loadSeq;
    let d: SweepDetail;
    try {
      d = await this.ctx.transport.request<SweepDetail>(`/api/sweeps/${encodeURIComponent(this.id)}`);
    } catch (e) {
      if (this.built) return; // keep what is shown; the next event or resync retries
      clear(this.el);
      this.el.append(errorState(e, () => void this.load(), this.ctx.transport.host));
      return;
    }
    if (seq !== this.loadSeq) return;
    this.d = d;
    if (!this.built) this.build();
    this.renderHead();
    this.renderData();
    this.loadHistories();
  }

  private get metric(): string | undefined {
    return this.d?.metric?.name ?? this.d?.config.metric?.name;
  }

  private build(): void {
    this.built = true;
    const metric = this.metric ?? 'metric';
    const hover = (id: string | null) => this.highlight(id);
    const open = (id: string) => this.openTrial(id);
    this.lines = new TrialLines(metric, this.theme, hover);
    this.pc = new ParallelCoords({ metricLabel: metric, onHover: hover, onOpen: open });
    const section = (id: string, title: string, ...body: (Node | null)[]) =>
      h('section', { class: 'tw-sweep-section', 'aria-labelledby': `tw-sweep-${id}` }, h('h2', { id: `tw-sweep-${id}` }, title), ...body);
    clear(this.el);
    this.el.append(h('div', { class: 'tw-sweep-layout' },
      this.head,
      this.note,
      section('lines', `${metric} over steps`, this.metric ? this.lines.el : h('p', { class: 'tw-muted' }, 'This sweep has no metric: nothing to chart per step.')),
      section('params', 'Parameters against the metric', this.pc.el, this.legend),
      section('scatter', `${metric} by parameter`, this.scatterGrid),
      section('trials', 'Trials', this.table)));
    this.lines.mount();
  }

  // ---------------------------------------------------------------- header and controls

  private renderHead(): void {
    const d = this.d;
    if (!d) return;
    const ctx = this.ctx;
    const back = h('a', { href: '#/sweeps', class: 'tw-back', onclick: (e: Event) => {
      e.preventDefault();
      ctx.open({ kind: 'sweeps' });
    } }, '← Sweeps');
    const c = d.counts;
    const progress = c.planned
      ? h('progress', { class: 'tw-sweep-progress', max: String(c.planned), value: String(Math.min(c.done, c.planned)), 'aria-label': `${c.done} of ${c.planned} trials done` })
      : null;
    const bestTrial = d.best ? d.trials.find((t) => t.run_id === d.best!.run_id) : undefined;
    const best = d.best
      ? h('span', { class: 'tw-sweep-best' }, h('strong', null, formatNumber(d.best.value)), ' in ', this.runLink(d.best.run_id, d.best.run_key ?? bestTrial?.run_key ?? null))
      : h('span', { class: 'tw-muted' }, 'none yet');
    const facts: [string, Node | string][] = [
      ['Method', d.method],
      ['Metric', d.metric ? `${d.metric.goal} ${d.metric.name}` : 'none'],
      ['Trials', h('span', { class: 'tw-sweep-counts', 'data-done': String(c.done), 'data-running': String(c.running), 'data-planned': String(c.planned ?? '') },
        `${c.done} done · ${c.running} running${c.pending ? ` · ${c.pending} starting` : ''} · ${c.planned ?? 'open-ended'}${c.planned ? ' planned' : ''}`)],
      ['Best', best],
      ['Agents', String(d.agents)],
      ['Project', d.project],
      ['Created', formatDate(d.created_at)],
    ];
    clear(this.head);
    append(this.head, [
      h('div', { class: 'tw-run-title' }, back, h('h1', null, d.name ?? `Sweep ${d.id}`), sweepStateBadge(d.state), d.name ? h('span', { class: 'tw-muted tw-id' }, d.id) : null),
      h('dl', { class: 'tw-facts' }, facts.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
      progress,
      d.reason ? h('p', { class: 'tw-notes tw-sweep-reason' }, d.reason) : null,
      this.controls(d),
    ]);
  }

  private controls(d: SweepDetail): HTMLElement {
    const bar = h('div', { class: 'tw-sweep-actions', role: 'toolbar', 'aria-label': 'Sweep controls' });
    const live = d.state === 'running' || d.state === 'paused';
    if (!live) return bar;
    const act = (action: SweepAction) => async () => {
      this.confirming = false;
      try {
        const s = await this.ctx.transport.request<SweepSummary>(`/api/sweeps/${encodeURIComponent(d.id)}/control`, undefined, { method: 'POST', body: { action } });
        this.d = { ...this.d!, ...s };
      } catch (e) {
        bar.append(h('span', { class: 'tw-error-box', role: 'alert' }, (e as Error).message));
        return;
      }
      this.renderHead();
      this.refetch();
    };
    const button = (id: string, label: string, action: () => void, secondary = true, title?: string) =>
      h('vscode-button', { secondary, onclick: action, title: title ?? null, 'data-action': id }, label);
    if (this.confirming) {
      bar.append(h('span', { role: 'alert' }, 'Cancel this sweep? Its running trials are stopped now and no new ones start.'),
        button('confirm-cancel', 'Yes, cancel the sweep', act('cancel'), false),
        button('keep', 'Keep it', () => {
          this.confirming = false;
          this.renderHead();
        }));
      queueMicrotask(() => bar.querySelector<HTMLElement>('vscode-button')?.focus());
      return bar;
    }
    if (this.ctx.transport.host === 'vscode') {
      bar.append(button('start-agent', 'Start agent', () => this.ctx.transport.command('trackwell.sweep.startAgent', [d.id]), false, 'Run trials of this sweep in a terminal'));
    }
    if (d.state === 'running') bar.append(button('pause', 'Pause', act('pause'), true, 'Agents start no new trials until it is resumed'));
    else bar.append(button('resume', 'Resume', act('resume'), true));
    bar.append(button('stop', 'Stop', act('stop'), true, 'Running trials finish; no new ones start'));
    bar.append(button('cancel', 'Cancel…', () => {
      this.confirming = true;
      this.renderHead();
    }, true, 'Stop the running trials now and end the sweep'));
    if (this.ctx.transport.host === 'browser') bar.append(h('span', { class: 'tw-muted tw-sweep-agent-hint' }, 'Run trials with ', cmd(`trackwell agent ${d.id}`)));
    return bar;
  }

  private runLink(runId: string, key: number | null): HTMLElement {
    if (key === null) return h('span', { class: 'tw-id' }, runId);
    return h('a', { href: `#/run/${key}`, class: 'tw-id', onclick: (e: Event) => {
      e.preventDefault();
      this.ctx.open({ kind: 'run', key });
    } }, runId);
  }

  private openTrial(id: string): void {
    const t = this.d?.trials.find((x) => x.run_id === id);
    if (t?.run_key != null) this.ctx.open({ kind: 'run', key: t.run_key });
  }

  // ---------------------------------------------------------------- charts

  /** Colour by how good the metric is: the palette's blue for the best, orange for the worst. */
  private colorsOf(trials: SweepTrial[]): Map<string, string> {
    const g = goodness(trials.map((t) => t.metric), this.d?.metric?.goal);
    const better = this.theme.colors[0], worse = this.theme.colors[1];
    return new Map(trials.map((t, i) => [t.run_id, g[i] === null ? this.theme.muted : mix(worse, better, g[i]!)]));
  }

  private renderData(): void {
    const d = this.d;
    if (!d || !this.built) return;
    const trials = [...d.trials].sort((a, b) => a.created_at - b.created_at || a.run_id.localeCompare(b.run_id));
    const started = trials.filter((t) => t.state !== 'pending');
    const colors = this.colorsOf(trials);
    const bestId = d.best?.run_id;
    const label = (t: SweepTrial) => t.run_id;
    this.keyToId = new Map(trials.filter((t) => t.run_key !== null).map((t) => [t.run_key!, t.run_id]));

    // Trial lines
    const styles: TrialStyle[] = trials.map((t) => ({ id: t.run_id, label: label(t), color: colors.get(t.run_id)!, best: t.run_id === bestId, early: isEarly(t), state: t.state }));
    this.lines?.setStyles(styles);

    // Parallel coordinates and scatters
    const axes = buildAxes(d.config.parameters ?? {}, started, this.metric);
    const pcLines: PcLine[] = started.map((t) => ({
      id: t.run_id, label: label(t), values: flatValues(t.params), metric: t.metric, state: t.state, early: isEarly(t), best: t.run_id === bestId, color: colors.get(t.run_id)!,
    }));
    this.pc?.set(axes, pcLines, this.theme);
    this.renderScatters(axes.filter((a) => !a.metric), started, colors, bestId);
    this.renderLegend(trials);
    this.renderNote(trials);
    this.renderTable(trials, axes.filter((a) => !a.metric), colors, bestId);
    if (this.highlighted) this.highlight(this.highlighted);
  }

  private renderScatters(axes: Axis[], trials: SweepTrial[], colors: Map<string, string>, bestId: string | undefined): void {
    const metric = this.metric;
    if (!metric) {
      if (!this.scatterGrid.firstChild) this.scatterGrid.append(h('p', { class: 'tw-muted' }, 'No metric to plot.'));
      return;
    }
    const names = new Set(axes.map((a) => a.name));
    for (const [name, sc] of this.scatters) {
      if (!names.has(name)) {
        sc.destroy();
        sc.el.remove();
        this.scatters.delete(name);
      }
    }
    const withMetric = trials.filter((t) => t.metric !== null);
    for (const a of axes) {
      let sc = this.scatters.get(a.name);
      if (!sc) {
        sc = new ParamScatter(a, metric, this.theme, (id) => this.highlight(id), (id) => this.openTrial(id));
        this.scatters.set(a.name, sc);
        this.scatterGrid.append(sc.el);
        sc.mount();
      }
      sc.set(withMetric.map((t) => ({
        id: t.run_id, label: t.run_id, value: flatValues(t.params)[a.name], metric: t.metric!, color: colors.get(t.run_id)!, best: t.run_id === bestId, early: isEarly(t),
      })), a);
    }
    if (!axes.length && !this.scatterGrid.firstChild) this.scatterGrid.append(h('p', { class: 'tw-muted' }, 'This sweep varies no parameter.'));
  }

  private renderLegend(trials: SweepTrial[]): void {
    const goal = this.d?.metric?.goal === 'maximize' ? 'higher' : 'lower';
    const ramp = h('span', { class: 'tw-sweep-ramp', 'aria-hidden': 'true' });
    ramp.style.background = `linear-gradient(to right, ${this.theme.colors[1]}, ${this.theme.colors[0]})`;
    const early = trials.filter(isEarly).length;
    clear(this.legend);
    append(this.legend, [
      h('span', { class: 'tw-sweep-legend-item' }, 'worse', ramp, `better (${goal} ${this.metric ?? 'metric'})`),
      h('span', { class: 'tw-sweep-legend-item' }, h('span', { class: 'tw-sweep-key tw-sweep-key-best', 'aria-hidden': 'true' }), 'best run (thick; ★ in the scatters)'),
      early ? h('span', { class: 'tw-sweep-legend-item tw-sweep-legend-early' }, h('span', { class: 'tw-sweep-key tw-sweep-key-early', 'aria-hidden': 'true' }),
        `stopped early by hyperband (dashed; × where it stopped): ${early}`) : null,
      h('span', { class: 'tw-sweep-legend-item tw-muted' }, 'Hover a line or a trial to pick it out; click to open its run.'),
    ]);
  }

  private renderNote(trials: SweepTrial[]): void {
    clear(this.note);
    const et = this.d?.config.early_terminate;
    const early = trials.filter(isEarly);
    if (!et || !early.length) return;
    const how = et.max_iter !== undefined ? `max_iter ${et.max_iter}, s ${et.s}` : `min_iter ${et.min_iter}`;
    this.note.append(h('p', null,
      h('strong', null, `${early.length} run${early.length === 1 ? ' was' : 's were'} stopped early by hyperband`),
      ` (eta ${et.eta ?? 3}, ${how}${et.strict ? ', strict' : ''}). At each band (a count of logged ${this.metric ?? 'metric'} values) a running run whose value is worse than the value at rank ⌊n/eta⌋ among the runs that reached that band is stopped, so the budget goes to the promising ones. Their lines are dashed and end with ×; the trials table says why each stopped.`));
  }

  private renderTable(trials: SweepTrial[], axes: Axis[], colors: Map<string, string>, bestId: string | undefined): void {
    const metric = this.metric ?? 'metric';
    const head = h('tr', null, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'State'),
      h('th', { scope: 'col' }, metric), ...axes.map((a) => h('th', { scope: 'col', class: 'tw-key' }, a.name)), h('th', { scope: 'col' }, 'Note'));
    const rows = trials.map((t, i) => {
      const sw = h('span', { class: 'tw-swatch', 'aria-hidden': 'true' });
      sw.style.background = colors.get(t.run_id)!;
      const early = isEarly(t);
      const values = flatValues(t.params);
      const tr = h('tr', { 'data-run': t.run_id, 'data-state': t.state, class: `${t.run_id === bestId ? 'tw-sweep-best-row' : ''}${early ? ' tw-sweep-early-row' : ''}` },
        h('td', { class: 'tw-num' }, String(i + 1)),
        h('td', null, sw, this.runLink(t.run_id, t.run_key), t.run_id === bestId ? h('span', { class: 'tw-sweep-star', title: 'best so far' }, ' ★ best') : null),
        h('td', null, early ? h('span', { class: 'tw-status tw-state-killed tw-sweep-early', title: t.stop_reason ?? '' }, h('span', { class: 'tw-dot', 'aria-hidden': 'true' }), 'stopped early')
          : statusBadge(t.state, t.state === 'running')),
        h('td', { class: 'tw-value tw-num' }, t.metric === null ? '–' : formatNumber(t.metric)),
        ...axes.map((a) => h('td', { class: 'tw-value' }, cell(values[a.name]))),
        h('td', { class: 'tw-sweep-why' }, t.stop_reason ?? ''));
      tr.addEventListener('mouseenter', () => this.highlight(t.run_id));
      tr.addEventListener('mouseleave', () => this.highlight(null));
      tr.addEventListener('focusin', () => this.highlight(t.run_id));
      tr.addEventListener('focusout', () => this.highlight(null));
      return tr;
    });
    clear(this.table);
    this.table.append(rows.length
      ? h('table', { class: 'tw-table' }, h('thead', null, head), h('tbody', null, rows))
      : h('p', { class: 'tw-muted' }, this.ctx.transport.host === 'vscode' ? 'No trials yet: start an agent (the button above) to run some.' : 'No trials yet: run some with ', this.ctx.transport.host === 'browser' ? cmd(`trackwell agent ${this.id}`) : null));
  }

  private highlight(id: string | null): void {
    this.highlighted = id;
    this.lines?.highlight(id);
    this.pc?.highlight(id);
    this.scatters.forEach((s) => s.highlight(id));
    for (const tr of this.table.querySelectorAll<HTMLElement>('tr[data-run]')) tr.classList.toggle('tw-sweep-hl', tr.dataset.run === id);
  }

  // ---------------------------------------------------------------- history

  private loadHistories(): void {
    const d = this.d;
    const metric = this.metric;
    if (!d || !metric || !this.lines) return;
    const keys = d.trials.filter((t) => t.run_key !== null).map((t) => t.run_key!);
    this.unwant?.();
    this.unwant = this.ctx.live.want({ history: keys });
    for (const t of d.trials) {
      if (t.run_key === null || this.historyFor.has(t.run_id)) continue;
      this.historyFor.add(t.run_id);
      const id = t.run_id;
      this.ctx.api.history(t.run_key, { keys: [metric], x: 'step', width: HISTORY_WIDTH }).then((res) => {
        const s = res.series[metric];
        this.lines?.setPoints(id, s ? s.x.map((x, i) => ({ x, y: s.y[i] })) : []);
      }, () => this.historyFor.delete(id));
    }
  }

  private onHistory(key: number, points: HistoryPoint[]): void {
    const id = this.keyToId.get(key);
    const metric = this.metric;
    if (!id || !metric || !this.lines?.has(id)) return;
    const pts = points.filter((p) => metric in p.values).map((p) => {
      const v = p.values[metric];
      return { x: p.step, y: typeof v === 'number' ? v : null };
    });
    if (pts.length) this.lines.append(id, pts);
  }
}

function cell(v: JsonValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Mixes two CSS colours (t = 0: a, 1: b) through the canvas's colour parser. */
function mix(a: string, b: string, t: number): string {
  const [r1, g1, b1] = rgb(a), [r2, g2, b2] = rgb(b);
  const m = (x: number, y: number) => Math.round(x + (y - x) * t);
  return `rgb(${m(r1, r2)}, ${m(g1, g2)}, ${m(b1, b2)})`;
}

let parseCtx: CanvasRenderingContext2D | null = null;
function rgb(color: string): [number, number, number] {
  parseCtx ??= document.createElement('canvas').getContext('2d');
  if (!parseCtx) return [128, 128, 128];
  parseCtx.fillStyle = '#808080';
  parseCtx.fillStyle = color;
  const c = String(parseCtx.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const m = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(c);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}
