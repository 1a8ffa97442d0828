// The page: picks the view (from the route in a browser, from the host in VS Code), keeps UI
// preferences across reloads, shows whether live updates are flowing.
import type { DashboardView } from '../runtime/protocol/webview';
import { Api } from './api';
import { LiveHub } from './live';
import { createTransport } from './transport';
import type { Transport } from './transport/types';
import { DEFAULT_PREFS, type Ctx, type Prefs, type View } from './views/context';
import { RunsList } from './views/runsList';
import { RunView } from './views/runView';
import { CompareView } from './views/compareView';
import { SweepView } from './views/sweepView';
import { SweepsList } from './views/sweepsList';
import { h, clear, debounce } from './util/dom';

export async function startApp(root: HTMLElement): Promise<void> {
  const transport = createTransport();
  const boot = await transport.start();
  const api = new Api(transport);
  const live = new LiveHub(transport);
  let prefs = mergePrefs((boot.state as { prefs?: Partial<Prefs> } | undefined)?.prefs);
  let view: DashboardView = boot.view;
  let current: View | undefined;

  const persist = debounce(() => transport.saveState({ view, prefs }), 200);
  // A reload or a closed tab right after a change still keeps it.
  window.addEventListener('pagehide', () => persist.flush());
  const ctx: Ctx = {
    api, live, transport, settings: boot.settings,
    prefs: () => prefs,
    setPrefs: (p) => {
      prefs = { ...prefs, ...p };
      persist();
    },
    open: (v) => transport.open(v),
  };

  const main = h('main', { class: 'tw-main', id: 'tw-main' });
  clear(root);
  root.removeAttribute('aria-busy');
  root.setAttribute('role', 'presentation');
  root.append(header(transport), main);

  const show = (v: DashboardView) => {
    current?.dispose();
    view = v;
    persist();
    clear(main);
    current = createView(ctx, v);
    main.append(current.el);
    document.title = titleOf(v);
  };
  transport.onShow(show);
  show(view);
}

function createView(ctx: Ctx, v: DashboardView): View {
  switch (v.kind) {
    case 'runs': return new RunsList(ctx);
    case 'run': return new RunView(ctx, v.key);
    case 'compare': return new CompareView(ctx, v.keys);
    case 'sweep': return new SweepView(ctx, v.id);
    case 'sweeps': return new SweepsList(ctx, v.project);
  }
}

function titleOf(v: DashboardView): string {
  switch (v.kind) {
    case 'runs': return 'Runs · Trackwell';
    case 'run': return `Run ${v.key} · Trackwell`;
    case 'compare': return `Compare ${v.keys.length} runs · Trackwell`;
    case 'sweep': return `Sweep ${v.id} · Trackwell`;
    case 'sweeps': return 'Sweeps · Trackwell';
  }
}

function header(transport: Transport): HTMLElement {
  const dot = h('span', { class: 'tw-link-dot', 'aria-hidden': 'true' });
  const text = h('span', null, 'Connecting…');
  const status = h('span', { class: 'tw-link', role: 'status', 'aria-live': 'polite', 'data-status': 'connecting' }, dot, text);
  transport.onStatus((s) => {
    status.dataset.status = s;
    text.textContent = s === 'open' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Offline, reconnecting…';
    status.title = s === 'open' ? 'Live updates are flowing' : 'Live updates paused; the runtime may have stopped (start it with: trackwell ui)';
  });
  const brand = h('a', { class: 'tw-brand', href: '#/runs', onclick: (e: Event) => {
    e.preventDefault();
    transport.open({ kind: 'runs' });
  } }, 'Trackwell');
  const link = (label: string, view: DashboardView, href: string) => h('a', { href, 'data-nav': view.kind, onclick: (e: Event) => {
    e.preventDefault();
    transport.open(view);
  } }, label);
  const nav = h('nav', { class: 'tw-nav', 'aria-label': 'Dashboard' }, link('Runs', { kind: 'runs' }, '#/runs'), link('Sweeps', { kind: 'sweeps' }, '#/sweeps'));
  return h('header', { class: 'tw-topbar' }, brand, nav, h('span', { class: 'tw-spacer' }), transport.host === 'browser' ? status : null);
}

function mergePrefs(saved: Partial<Prefs> | undefined): Prefs {
  const p = saved && typeof saved === 'object' ? saved : {};
  return {
    ...DEFAULT_PREFS, ...p,
    runs: { ...DEFAULT_PREFS.runs, ...(p.runs ?? {}) },
    charts: { ...DEFAULT_PREFS.charts, ...(p.charts ?? {}) },
  };
}
