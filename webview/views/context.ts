// What every view gets: the API, the live hub, the host, saved UI preferences.
import type { DashboardSettings, DashboardView } from '../../runtime/protocol/webview';
import type { Api } from '../api';
import type { LiveHub } from '../live';
import type { Transport } from '../transport/types';
import { DEFAULT_CHART_PREFS, type ChartPrefs } from '../charts/toolbar';

export interface RunsPrefs {
  sort: string;
  order: 'asc' | 'desc';
  project: string;
  state: string;
  tag: string;
  group: string;
  q: string;
  /** config.* / summary.* columns shown */
  columns: string[];
  /** base columns hidden by the user */
  hidden: string[];
  selected: number[];
}

export interface Prefs {
  runs: RunsPrefs;
  charts: ChartPrefs;
  runTab: string;
  compareTab: string;
  compareOnlyDiff: boolean;
}

export const DEFAULT_PREFS: Prefs = {
  runs: { sort: 'created_at', order: 'desc', project: '', state: '', tag: '', group: '', q: '', columns: [], hidden: [], selected: [] },
  charts: DEFAULT_CHART_PREFS,
  runTab: 'charts',
  compareTab: 'charts',
  compareOnlyDiff: false,
};

export interface Ctx {
  api: Api;
  live: LiveHub;
  transport: Transport;
  settings: DashboardSettings;
  prefs(): Prefs;
  setPrefs(p: Partial<Prefs>): void;
  open(view: DashboardView): void;
}

export interface View {
  readonly el: HTMLElement;
  dispose(): void;
}

/** Most runs a compare view overlays: one palette colour each. */
export const MAX_COMPARE = 20;
