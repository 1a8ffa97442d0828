// The controls above a chart grid: x axis, smoothing, log scale, zoom reset, chart filter.
import { h } from '../util/dom';
import type { XChoice } from './metrics';

export interface ChartPrefs {
  x: XChoice;
  smoothing: number;
  log: boolean;
  filter: string;
  /** collapsed sections */
  closed: string[];
}

export const DEFAULT_CHART_PREFS: ChartPrefs = { x: 'auto', smoothing: 0, log: false, filter: '', closed: [] };

export interface ToolbarHandlers {
  x(choice: XChoice): void;
  smoothing(w: number): void;
  log(on: boolean): void;
  resetZoom(): void;
  filter(text: string): void;
}

export class ChartToolbar {
  readonly el: HTMLElement;
  private xSelect: HTMLElement & { value: string };
  private reset: HTMLElement & { disabled: boolean };
  private metrics: string[] = [];

  /** `prefs`: the grid's current settings (read when the x options are rebuilt, so a choice made since stays chosen). */
  constructor(private prefs: () => ChartPrefs, on: ToolbarHandlers) {
    const initial = prefs();
    this.xSelect = h('vscode-single-select', { 'aria-label': 'X axis', class: 'tw-x-select' }) as HTMLElement & { value: string };
    this.xSelect.addEventListener('change', () => on.x(this.xSelect.value as XChoice));
    const range = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: String(initial.smoothing), 'aria-label': 'Smoothing', class: 'tw-range' });
    const shown = h('output', { class: 'tw-range-value', 'aria-hidden': 'true' }, initial.smoothing.toFixed(2));
    range.addEventListener('input', () => {
      const w = Number(range.value);
      shown.textContent = w.toFixed(2);
      on.smoothing(w);
    });
    const log = h('vscode-checkbox', { label: 'Log scale', class: 'tw-log' }) as HTMLElement & { checked: boolean };
    log.checked = initial.log;
    log.addEventListener('change', () => on.log(log.checked));
    this.reset = h('vscode-button', { secondary: true, title: 'Reset zoom (double-click a chart, or Escape)' }, 'Reset zoom') as HTMLElement & { disabled: boolean };
    this.reset.disabled = true;
    this.reset.addEventListener('click', () => on.resetZoom());
    const filter = h('vscode-textfield', { placeholder: 'Filter charts', 'aria-label': 'Filter charts by name', class: 'tw-chart-filter', value: initial.filter }) as HTMLElement & { value: string };
    filter.addEventListener('input', () => on.filter(filter.value));
    this.el = h('div', { class: 'tw-toolbar tw-chart-toolbar', role: 'toolbar', 'aria-label': 'Chart settings' },
      h('label', { class: 'tw-field' }, h('span', { class: 'tw-field-label' }, 'X axis'), this.xSelect),
      h('label', { class: 'tw-field' }, h('span', { class: 'tw-field-label' }, 'Smoothing'), range, shown),
      log, this.reset, filter);
    this.setMetrics([]);
  }

  /** Metrics offered as x axes (any logged metric may be one). */
  setMetrics(names: string[]): void {
    const next = [...new Set(names)].sort();
    if (next.join('\n') === this.metrics.join('\n') && this.xSelect.childElementCount) return;
    this.metrics = next;
    const x = this.prefs().x;
    const opt = (value: string, label: string) => {
      const o = h('vscode-option', { value }, label) as HTMLElement & { selected: boolean };
      if (value === x) o.selected = true;
      return o;
    };
    this.xSelect.replaceChildren(
      opt('auto', 'Default (step, or step_metric)'), opt('step', 'Step'), opt('wall', 'Wall time'), opt('relative', 'Relative time'),
      ...next.map((m) => opt(`metric:${m}`, m)),
    );
    this.xSelect.value = x;
  }

  setZoomed(zoomed: boolean): void {
    this.reset.disabled = !zoomed;
  }
}
