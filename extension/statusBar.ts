// A status bar item while runs are live: how many, and the newest run's first charted metric (the metric
// of the first chart its run panel shows), seeded from the run's history when the item starts watching
// it and then followed live.
import * as vscode from 'vscode';
import type { JsonObject } from '../runtime/protocol/journal';
import type { HistoryResponse, RunDetail } from '../runtime/protocol/api';
import type { LiveEvent } from '../runtime/protocol/live';
import type { RunsModel } from './logic/runsModel';
import { firstChartedKey, seedValue, statusText, type LatestValue } from './logic/statusText';
import type { RuntimeConnection } from './runtimeConnection';

interface Watched {
  key: number;
  /** numeric history keys seen so far */
  keys: Set<string>;
  defs: Record<string, JsonObject>;
  /** the latest value of every numeric key seen live */
  last: Map<string, number>;
  metric?: string;
}

export class LiveStatus implements vscode.Disposable {
  private item = vscode.window.createStatusBarItem('trackwell.live', vscode.StatusBarAlignment.Left, 50);
  private watched?: Watched;
  private disposables: vscode.Disposable[] = [];
  private unsubscribe?: () => void;
  private shown?: string;
  /** settles when the current watch has its seed (for tests) */
  seeded: Promise<void> = Promise.resolve();

  constructor(private readonly conn: RuntimeConnection, private readonly model: RunsModel) {
    this.item.name = 'Trackwell live runs';
    this.disposables.push(conn.onEvents((events) => this.onEvents(events)));
  }

  /** The text shown, or undefined while the item is hidden. */
  get text(): string | undefined {
    return this.shown;
  }

  private onEvents(events: LiveEvent[]): void {
    const w = this.watched;
    for (const e of events) {
      if (!w || !('run' in e) || e.run.key !== w.key) continue;
      if (e.type === 'history') {
        for (const p of e.points) {
          for (const [k, v] of Object.entries(p.values)) {
            if (typeof v !== 'number') continue;
            w.keys.add(k);
            w.last.set(k, v);
          }
        }
        w.metric = firstChartedKey(w.keys, w.defs);
      } else if (e.type === 'metrics') {
        w.defs = e.metrics;
        w.metric = firstChartedKey(w.keys, w.defs);
      }
    }
    this.refresh();
  }

  private latest(): LatestValue | undefined {
    const w = this.watched;
    const v = w?.metric === undefined ? undefined : w.last.get(w.metric);
    return v === undefined ? undefined : { key: w!.metric!, value: v };
  }

  refresh(): void {
    const live = this.model.live();
    const newest = live[0];
    if (newest?.key !== this.watched?.key) this.seeded = this.watch(newest?.key);
    const text = statusText(live, this.latest());
    this.shown = text;
    if (!text) {
      this.item.hide();
      return;
    }
    this.item.text = text;
    this.item.tooltip = `${live.length} Trackwell run${live.length === 1 ? '' : 's'} live; newest: ${newest.name ?? newest.id}. Click to open it.`;
    this.item.command = { command: 'trackwell.openRun', title: 'Open Run', arguments: [newest.key] };
    this.item.show();
  }

  private async watch(key: number | undefined): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const w: Watched | undefined = key === undefined ? undefined : { key, keys: new Set(), defs: {}, last: new Map() };
    this.watched = w;
    if (!w) return;
    this.unsubscribe = this.conn.subscribe(this, { history: new Set([w.key]), console: new Set(), system: new Set() });
    try {
      const d = await this.conn.request<RunDetail>('GET', `/api/runs/${w.key}`);
      if (this.watched !== w) return;
      w.defs = d.metrics;
      for (const k of d.history_keys) if (k.numeric) w.keys.add(k.name);
      w.metric = firstChartedKey(w.keys, w.defs);
      const metric = w.metric;
      if (metric === undefined || w.last.has(metric)) return this.refresh();
      // The last logged value, so the item shows a number before the next point arrives.
      let history: HistoryResponse | undefined;
      try {
        history = await this.conn.request<HistoryResponse>('GET', `/api/runs/${w.key}/history`, { keys: metric, width: '1' });
      } catch {
        /* the summary still has it */
      }
      if (this.watched !== w || w.last.has(metric)) return;
      const v = seedValue(metric, history, d.summary);
      if (v !== undefined) w.last.set(metric, v);
      this.refresh();
    } catch {
      /* the next live point fills it in */
    }
  }

  dispose(): void {
    this.unsubscribe?.();
    this.disposables.forEach((d) => d.dispose());
    this.item.dispose();
  }
}
