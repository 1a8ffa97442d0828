// A status bar item while runs are live: how many, and the newest run's first charted metric.
import * as vscode from 'vscode';
import type { RunDetail } from '../runtime/protocol/api';
import type { RunsModel } from './logic/runsModel';
import { firstChartedKey, statusText, type LatestValue } from './logic/statusText';
import type { RuntimeConnection } from './runtimeConnection';

export class LiveStatus implements vscode.Disposable {
  private item = vscode.window.createStatusBarItem('trackwell.live', vscode.StatusBarAlignment.Left, 50);
  private watched?: { key: number; metric?: string; keys: Set<string>; hidden: Set<string> };
  private latest?: LatestValue;
  private disposables: vscode.Disposable[] = [];
  private unsubscribe?: () => void;

  constructor(private readonly conn: RuntimeConnection, private readonly model: RunsModel) {
    this.item.name = 'Trackwell live runs';
    this.disposables.push(conn.onEvents((events) => {
      for (const e of events) {
        const w = this.watched;
        if (e.type === 'history' && w && e.run.key === w.key) {
          for (const p of e.points) {
            for (const k of Object.keys(p.values)) w.keys.add(k);
            w.metric = firstChartedKey([...w.keys], w.hidden);
            const v = w.metric === undefined ? undefined : p.values[w.metric];
            if (typeof v === 'number') this.latest = { key: w.metric!, value: v };
          }
        }
      }
      this.refresh();
    }));
  }

  refresh(): void {
    const live = this.model.live();
    const newest = live[0];
    if (newest?.key !== this.watched?.key) void this.watch(newest?.key);
    const text = statusText(live, this.latest);
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
    this.latest = undefined;
    this.watched = key === undefined ? undefined : { key, keys: new Set(), hidden: new Set() };
    if (key === undefined) return;
    this.unsubscribe = this.conn.subscribe(this, { history: new Set([key]), console: new Set(), system: new Set() });
    try {
      const d = await this.conn.request<RunDetail>('GET', `/api/runs/${key}`);
      const w = this.watched;
      if (w?.key !== key) return;
      for (const [k, m] of Object.entries(d.metrics)) if (m.hidden === true) w.hidden.add(k);
      for (const k of d.history_keys) if (k.numeric) w.keys.add(k.name);
      w.metric = firstChartedKey([...w.keys], w.hidden);
    } catch {
      /* the next event retries */
    }
  }

  dispose(): void {
    this.unsubscribe?.();
    this.disposables.forEach((d) => d.dispose());
    this.item.dispose();
  }
}
