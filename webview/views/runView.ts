// One run: header with status, then tabs for charts (and system metrics), console, overview (program,
// git, host), files, config, summary and metadata. Everything updates live while the run is going.
import type { RunDetail } from '../../runtime/protocol/api';
import type { RunInfo } from '../../runtime/protocol/live';
import { ChartGrid } from '../charts/chartGrid';
import { assignColors, PALETTE_SIZE } from '../charts/colors';
import { ConsoleView } from '../console/consoleView';
import { KvTable } from './kvTable';
import { Overview } from './overview';
import { FilesView } from './filesView';
import { tabs } from './tabs';
import { errorState, loading } from './states';
import { statusBadge } from './runsColumns';
import { formatDate, formatDuration } from '../util/format';
import { h, append, clear, debounce } from '../util/dom';
import type { Ctx, View } from './context';

export class RunView implements View {
  readonly el: HTMLElement;
  private run?: RunDetail;
  private grid?: ChartGrid;
  private console?: ConsoleView;
  private tables: { config: KvTable; summary: KvTable; metadata: KvTable };
  private overview = new Overview();
  private files: FilesView;
  private filesLoaded = false;
  private head = h('header', { class: 'tw-run-head' });
  private offs: (() => void)[] = [];
  private timer = 0;

  constructor(private ctx: Ctx, private key: number) {
    this.el = h('section', { class: 'tw-view tw-run', 'aria-label': 'Run' }, loading('Loading run…'));
    this.tables = {
      config: new KvTable('config', 'No config. Pass config={...} to wandb.init or set run.config.'),
      summary: new KvTable('summary', 'No summary yet. It holds the last value of each logged metric.'),
      metadata: new KvTable('metadata', 'No metadata recorded.'),
    };
    this.files = new FilesView(ctx, key);
    const refetchSoon = debounce(() => this.refetch(), 300);
    this.offs.push(
      // A run event also follows the client's `meta` and `file` records (collected after start): refetch.
      ctx.live.on('run', (e) => {
        if (e.run.key !== key) return;
        // A heartbeat changes nothing shown (repainting would also disarm a half-clicked Stop).
        if (e.heartbeat && this.run) {
          Object.assign(this.run, e.run);
          this.overview.setLive(this.run); // its last heartbeat and activity
          return;
        }
        this.onInfo(e.run);
        refetchSoon();
      }),
      ctx.live.on('summary', (e) => {
        if (e.run.key !== key || !this.run) return;
        this.run.summary = e.summary;
        this.tables.summary.set(e.summary);
      }),
      ctx.live.on('config', (e) => {
        if (e.run.key !== key || !this.run) return;
        Object.assign(this.run.config, e.config);
        this.tables.config.set(this.run.config);
      }),
      ctx.live.on('history', (e) => {
        const last = e.points[e.points.length - 1];
        if (e.run.key !== key || !this.run || !last) return;
        this.run.last_step = last.step;
        const el = this.head.querySelector('.tw-last-step');
        if (el) el.textContent = String(last.step);
        else this.paintHead();
      }),
      ctx.live.on('run-deleted', (e) => e.run.key === key && this.show(errorState(new Error('This run was deleted.')))),
      ctx.live.onResync(refetchSoon),
    );
    this.timer = window.setInterval(() => this.tickDuration(), 1000);
    void this.load();
  }

  dispose(): void {
    this.offs.forEach((f) => f());
    window.clearInterval(this.timer);
    this.grid?.dispose();
    this.console?.dispose();
  }

  private show(node: HTMLElement): void {
    clear(this.el);
    this.el.append(node);
  }

  private async load(): Promise<void> {
    try {
      const run = await this.ctx.api.run(this.key);
      this.run = run;
      this.build(run);
    } catch (e) {
      this.show(errorState(e, () => this.load(), this.ctx.transport.host));
    }
  }

  private async refetch(): Promise<void> {
    if (!this.run) return this.load(); // it failed before: the runtime is back, try again
    try {
      const run = await this.ctx.api.run(this.key);
      this.run = run;
      this.paintHead();
      this.tables.config.set(run.config);
      this.tables.summary.set(run.summary);
      this.setCollected(run);
      if (this.filesLoaded) void this.files.load();
    } catch {
      /* the next resync tries again */
    }
  }

  private build(run: RunDetail): void {
    const ctx = this.ctx;
    this.paintHead();
    this.tables.config.set(run.config);
    this.tables.summary.set(run.summary);
    this.setCollected(run);
    const body = tabs([
      {
        id: 'charts', label: 'Charts',
        build: () => {
          this.grid = new ChartGrid(ctx.api, ctx.live, [{
            key: run.key, label: run.name ?? run.id, colorIndex: assignColors([run.key], PALETTE_SIZE).get(run.key)!, created_at: run.created_at, defs: run.metrics,
            historyKeys: run.history_keys, systemKeys: run.system_keys,
          }], ctx.prefs().charts, (charts) => ctx.setPrefs({ charts }));
          return this.grid.el;
        },
      },
      {
        id: 'console', label: 'Console',
        build: () => (this.console = new ConsoleView(ctx.api, ctx.live, run.key, run.id, ctx.settings.consoleLinesKept)).el,
      },
      { id: 'overview', label: 'Overview', build: () => this.overview.el },
      {
        id: 'files', label: 'Files',
        build: () => {
          this.filesLoaded = true;
          void this.files.load();
          return this.files.el;
        },
      },
      { id: 'config', label: 'Config', build: () => this.tables.config.el },
      { id: 'summary', label: 'Summary', build: () => this.tables.summary.el },
      { id: 'metadata', label: 'Metadata', build: () => this.tables.metadata.el },
    ], ctx.prefs().runTab, (runTab) => ctx.setPrefs({ runTab }));
    this.show(h('div', { class: 'tw-run-layout' }, this.head, body));
  }

  private setCollected(run: RunDetail): void {
    this.tables.metadata.set({ ...run.metadata, ...(run.host ? { host: run.metadata.host ?? run.host } : {}), ...(run.run_dir ? { run_dir: run.run_dir } : {}) });
    this.overview.set(run.metadata, run);
    this.files.setMetadata(run.metadata);
  }

  private onInfo(info: RunInfo): void {
    if (!this.run) return;
    Object.assign(this.run, info);
    this.paintHead();
    this.overview.setLive(this.run);
  }

  private paintHead(): void {
    const r = this.run;
    if (!r) return;
    clear(this.head);
    const live = r.state === 'running';
    const back = h('a', { href: '#/runs', class: 'tw-back', onclick: (e: Event) => {
      e.preventDefault();
      this.ctx.open({ kind: 'runs' });
    } }, '← Runs');
    const stop = live ? h('vscode-button', { secondary: true, class: 'tw-stop', onclick: (e: Event) => this.stop(e.currentTarget as HTMLElement) }, 'Stop run') : null;
    append(this.head, [
      h('div', { class: 'tw-run-title' }, back, h('h1', null, r.name ?? r.id), statusBadge(r.state, live), stop),
      h('dl', { class: 'tw-facts' },
        fact('Project', r.project), fact('Id', r.id), r.group ? fact('Group', r.group) : null, r.job_type ? fact('Job type', r.job_type) : null,
        fact('Started', formatDate(r.created_at)), fact('Duration', h('span', { class: 'tw-run-duration' }, formatDuration(this.duration()))),
        r.last_step !== null ? fact('Last step', h('span', { class: 'tw-last-step' }, String(r.last_step))) : null,
        r.exit_code !== null ? fact('Exit code', String(r.exit_code)) : null,
        r.tags.length ? fact('Tags', h('span', { class: 'tw-tags' }, r.tags.map((t) => h('span', { class: 'tw-tag' }, t)))) : null),
      r.notes ? h('p', { class: 'tw-notes' }, r.notes) : null,
      r.error ? h('details', { class: 'tw-error-box' }, h('summary', null, `${r.error.type}: ${r.error.message}`), h('pre', null, r.error.traceback)) : null,
    ]);
  }

  private duration(): number {
    const r = this.run!;
    return r.state === 'running' ? Date.now() / 1000 - r.created_at : r.finished_at ? r.finished_at - r.created_at : r.duration;
  }

  private tickDuration(): void {
    this.overview.tick();
    if (this.run?.state !== 'running') return;
    const d = this.head.querySelector('.tw-run-duration');
    if (d) d.textContent = formatDuration(this.duration());
  }

  /** Two steps so a stray click does not kill a training run. */
  private async stop(btn: HTMLElement): Promise<void> {
    if (btn.dataset.armed !== '1') {
      btn.dataset.armed = '1';
      btn.textContent = 'Click again to stop';
      window.setTimeout(() => {
        if (btn.isConnected) {
          btn.dataset.armed = '';
          btn.textContent = 'Stop run';
        }
      }, 4000);
      return;
    }
    btn.textContent = 'Stopping…';
    try {
      await this.ctx.api.stop(this.key);
    } catch (e) {
      btn.textContent = 'Stop run';
      btn.dataset.armed = '';
      btn.title = (e as Error).message;
    }
  }
}

function fact(label: string, value: Node | string): HTMLElement[] {
  return [h('dt', null, label), h('dd', null, value)];
}
