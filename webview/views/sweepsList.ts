// Every sweep of the data root (or of one project): state, trials done/running/planned, the best value
// and the run that reached it. Live: 'sweep' events update rows in place and add new sweeps.
import type { SweepsResponse } from '../../runtime/protocol/api';
import type { SweepSummary } from '../../runtime/protocol/live';
import { errorState, loading } from './states';
import { sweepStateBadge } from './sweepView';
import { formatDate, formatNumber } from '../util/format';
import { h, clear, cmd } from '../util/dom';
import type { Ctx, View } from './context';

export class SweepsList implements View {
  readonly el: HTMLElement;
  private sweeps = new Map<string, SweepSummary>();
  private body = h('div', { class: 'tw-table-wrap tw-sweeps-list' });
  private offs: (() => void)[] = [];

  constructor(private ctx: Ctx, private project?: string) {
    this.el = h('section', { class: 'tw-view tw-sweeps', 'aria-label': 'Sweeps' }, loading('Loading sweeps…'));
    this.offs.push(
      ctx.live.on('sweep', (e) => {
        if (this.project && e.sweep.project !== this.project) return;
        this.sweeps.set(e.sweep.id, e.sweep);
        this.render();
      }),
      ctx.live.onResync(() => void this.load()),
    );
    void this.load();
  }

  dispose(): void {
    this.offs.forEach((f) => f());
  }

  private async load(): Promise<void> {
    try {
      const res = await this.ctx.transport.request<SweepsResponse>('/api/sweeps', { project: this.project });
      this.sweeps = new Map(res.sweeps.map((s) => [s.id, s]));
    } catch (e) {
      clear(this.el);
      this.el.append(errorState(e, () => void this.load(), this.ctx.transport.host));
      return;
    }
    clear(this.el);
    this.el.append(h('div', { class: 'tw-run-layout' },
      h('header', { class: 'tw-run-head' }, h('div', { class: 'tw-run-title' }, h('h1', null, this.project ? `Sweeps · ${this.project}` : 'Sweeps'))),
      this.body));
    this.render();
  }

  private render(): void {
    const list = [...this.sweeps.values()].sort((a, b) => b.created_at - a.created_at || b.id.localeCompare(a.id));
    clear(this.body);
    if (!list.length) {
      this.body.append(h('div', { class: 'tw-state tw-state-empty' },
        h('h2', null, 'No sweeps yet'),
        h('p', null, 'Create one from a sweep file, then run its trials:'),
        h('p', null, cmd('trackwell sweep sweep.yaml')), h('p', null, cmd('trackwell agent SWEEP_ID')),
        this.ctx.transport.host === 'vscode' ? h('p', { class: 'tw-muted' }, 'Or open a sweep YAML file and use the "Run Sweep" CodeLens.') : null));
      return;
    }
    const open = (s: SweepSummary) => (e: Event) => {
      e.preventDefault();
      this.ctx.open({ kind: 'sweep', id: s.id });
    };
    const runOpen = (key: number) => (e: Event) => {
      e.preventDefault();
      this.ctx.open({ kind: 'run', key });
    };
    const rows = list.map((s) => h('tr', { 'data-sweep': s.id, 'data-state': s.state },
      h('td', null, h('a', { href: `#/sweep/${encodeURIComponent(s.id)}`, onclick: open(s) }, s.name ?? s.id), s.name ? h('span', { class: 'tw-muted tw-id' }, ` ${s.id}`) : null),
      h('td', null, sweepStateBadge(s.state)),
      h('td', null, s.project),
      h('td', null, s.method),
      h('td', { class: 'tw-num', title: 'done / running / planned' }, `${s.counts.done} / ${s.counts.running + s.counts.pending} / ${s.counts.planned ?? '?'}`),
      h('td', null, s.best
        ? [`${s.metric?.name ?? ''} ${formatNumber(s.best.value)} `, s.best.run_key !== null
          ? h('a', { href: `#/run/${s.best.run_key}`, class: 'tw-id', onclick: runOpen(s.best.run_key) }, s.best.run_id)
          : h('span', { class: 'tw-id' }, s.best.run_id)]
        : h('span', { class: 'tw-muted' }, '–')),
      h('td', null, formatDate(s.created_at))));
    this.body.append(h('table', { class: 'tw-table tw-sweeps-table' },
      h('thead', null, h('tr', null, ...['Sweep', 'State', 'Project', 'Method', 'Trials (done/running/planned)', 'Best', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows)));
  }
}
