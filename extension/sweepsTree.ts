// The Sweeps view: sweeps (state, done/running/planned, best run) → their trials, updated by push
// from the runtime's live stream ('sweep' and 'run' events); trials are fetched when a sweep is expanded.
import * as vscode from 'vscode';
import type { SweepDetail, SweepsResponse, SweepTrial } from '../runtime/protocol/api';
import type { SweepSummary } from '../runtime/protocol/live';
import {
  SweepsModel, flattenParams, formatMetric, isEarlyTerminated, sweepBest, sweepContextValue, sweepCounts, sweepDescription, sweepLabel,
  sweepStateIcon, trialDescription, trialIcon,
} from './logic/sweepsModel';
import type { RuntimeConnection } from './runtimeConnection';

export type SweepsNode =
  | { kind: 'sweep'; id: string }
  | { kind: 'trial'; sweepId: string; trial: SweepTrial }
  | { kind: 'message'; text: string; sweepId?: string; command?: vscode.Command };

export class SweepsTree implements vscode.TreeDataProvider<SweepsNode>, vscode.Disposable {
  readonly model = new SweepsModel();
  private readonly changed = new vscode.EventEmitter<SweepsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private error?: string;
  private loaded = false;
  private fetching = new Map<string, Promise<void>>();
  private refetch = new Set<string>();
  private refetchTimer?: NodeJS.Timeout;
  private disposables: vscode.Disposable[] = [];
  private readonly created = new vscode.EventEmitter<SweepSummary>();
  /** a sweep not seen before appeared (live) */
  readonly onSweepCreated = this.created.event;

  constructor(private readonly conn: RuntimeConnection) {
    this.disposables.push(
      conn.onEvents((events) => {
        const fresh = events.filter((e) => e.type === 'sweep' && !this.model.get(e.sweep.id));
        const r = this.model.apply(events);
        r.stale.forEach((id) => this.refetch.add(id));
        if (r.stale.size) this.scheduleRefetch();
        if (r.changed) this.changed.fire(undefined);
        for (const e of fresh) if (e.type === 'sweep') this.created.fire(e.sweep);
      }),
      conn.onResync(() => void this.reload()),
      conn.onConnectionChange((up) => {
        if (!up) this.changed.fire(undefined);
      }),
      this.created,
    );
  }

  async reload(): Promise<void> {
    try {
      const res = await this.conn.request<SweepsResponse>('GET', '/api/sweeps');
      this.model.reset(res.sweeps);
      this.error = undefined;
      // Trials already shown are refetched too (they may have changed while the link was down).
      for (const s of res.sweeps) if (this.model.trialsOf(s.id)) this.refetch.add(s.id);
      this.scheduleRefetch(0);
    } catch (e) {
      this.error = (e as Error).message;
    }
    this.loaded = true;
    this.changed.fire(undefined);
  }

  /** Trials change in bursts (a trial ends and the next starts): one fetch per sweep per burst. */
  private scheduleRefetch(ms = 300): void {
    if (this.refetchTimer) return;
    this.refetchTimer = setTimeout(() => {
      this.refetchTimer = undefined;
      const ids = [...this.refetch];
      this.refetch.clear();
      for (const id of ids) void this.fetchTrials(id);
    }, ms);
  }

  fetchTrials(id: string): Promise<void> {
    let p = this.fetching.get(id);
    if (p) return p;
    p = (async () => {
      try {
        const d = await this.conn.request<SweepDetail>('GET', `/api/sweeps/${encodeURIComponent(id)}`);
        const { trials, config: _c, raw: _r, source_path: _s, ...summary } = d;
        this.model.apply([{ type: 'sweep', sweep: summary }]);
        this.model.setTrials(id, trials);
      } catch (e) {
        this.model.setTrials(id, []);
        this.error = this.model.get(id) ? undefined : (e as Error).message;
      } finally {
        this.fetching.delete(id);
      }
      this.changed.fire(undefined);
    })();
    this.fetching.set(id, p);
    return p;
  }

  detail(id: string): Promise<SweepDetail> {
    return this.conn.request<SweepDetail>('GET', `/api/sweeps/${encodeURIComponent(id)}`);
  }

  getTreeItem(node: SweepsNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.command = node.command;
      return item;
    }
    if (node.kind === 'sweep') {
      const s = this.model.get(node.id)!;
      const item = new vscode.TreeItem(sweepLabel(s), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `sweep:${s.id}`;
      item.description = sweepDescription(s);
      const icon = sweepStateIcon(s.state);
      item.iconPath = new vscode.ThemeIcon(icon.icon, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
      item.contextValue = sweepContextValue(s.state);
      item.tooltip = sweepTooltip(s);
      item.accessibilityInformation = { label: `Sweep ${sweepLabel(s)}, ${s.state}, ${s.counts.done} done, ${s.counts.running} running, ${s.counts.planned ?? 'open-ended'} planned${s.best ? `, best ${sweepBest(s)}` : ''}` };
      return item;
    }
    const t = node.trial;
    const s = this.model.get(node.sweepId);
    const best = !!s?.best && s.best.run_id === t.run_id;
    const item = new vscode.TreeItem(t.run_id, vscode.TreeItemCollapsibleState.None);
    item.id = `sweep:${node.sweepId}:trial:${t.run_id}`;
    item.description = trialDescription(t, s?.metric?.name);
    const icon = trialIcon(t, best);
    item.iconPath = new vscode.ThemeIcon(icon.icon, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${t.run_id}**${best ? ' $(star-full) best so far' : ''} · ${t.state}\n\n`);
    if (t.metric !== null) tip.appendMarkdown(`${esc(s?.metric?.name ?? 'metric')}: \`${t.metric}\`\n\n`);
    for (const [k, v] of Object.entries(flattenParams(t.params))) tip.appendMarkdown(`- ${esc(k)}: \`${JSON.stringify(v)}\`\n`);
    if (t.stop_reason) tip.appendMarkdown(`\n${isEarlyTerminated(t) ? 'Stopped by early termination: ' : ''}${esc(t.stop_reason)}`);
    item.tooltip = tip;
    item.contextValue = t.run_key !== null ? 'trackwell.sweepTrial' : 'trackwell.sweepTrial.pending';
    if (t.run_key !== null) item.command = { command: 'trackwell.openRun', title: 'Open Run', arguments: [t.run_key] };
    return item;
  }

  getChildren(node?: SweepsNode): SweepsNode[] | Promise<SweepsNode[]> {
    if (!node) {
      if (!this.loaded) return [];
      if (this.error && !this.model.list().length) {
        return [
          { kind: 'message', text: `Runtime unavailable: ${this.error}` },
          { kind: 'message', text: 'Retry', command: { command: 'trackwell.refreshSweeps', title: 'Retry' } },
        ];
      }
      return this.model.list().map((s) => ({ kind: 'sweep', id: s.id }));
    }
    if (node.kind !== 'sweep') return [];
    const trials = this.model.trialsOf(node.id);
    if (!trials) return this.fetchTrials(node.id).then(() => this.trialNodes(node.id));
    return this.trialNodes(node.id);
  }

  private trialNodes(id: string): SweepsNode[] {
    const trials = this.model.trialsOf(id) ?? [];
    if (!trials.length) {
      return [{ kind: 'message', sweepId: id, text: 'No trials yet: start an agent', command: { command: 'trackwell.sweep.startAgent', title: 'Start Agent', arguments: [id] } }];
    }
    return trials.map((trial) => ({ kind: 'trial', sweepId: id, trial }));
  }

  getParent(node: SweepsNode): SweepsNode | undefined {
    if (node.kind === 'trial') return { kind: 'sweep', id: node.sweepId };
    if (node.kind === 'message' && node.sweepId) return { kind: 'sweep', id: node.sweepId };
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.refetchTimer);
    this.disposables.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}

function sweepTooltip(s: SweepSummary): vscode.MarkdownString {
  const tip = new vscode.MarkdownString(undefined, true);
  const icon = sweepStateIcon(s.state).icon.replace('~spin', '');
  tip.appendMarkdown(`**${esc(sweepLabel(s))}** \`${esc(s.project)}/${s.id}\`\n\n`);
  tip.appendMarkdown(`$(${icon}) ${s.state}${s.reason ? `: ${esc(s.reason)}` : ''}\n\n`);
  tip.appendMarkdown(`${esc(s.method)}${s.metric ? ` · ${s.metric.goal} ${esc(s.metric.name)}` : ''}\n\n`);
  tip.appendMarkdown(`trials done/running/planned: ${sweepCounts(s)} (${s.counts.done} done, ${s.counts.running} running${s.counts.pending ? `, ${s.counts.pending} starting` : ''}, ${s.counts.planned ?? 'no fixed number'} planned)\n\n`);
  if (s.best) tip.appendMarkdown(`best: ${esc(s.metric?.name ?? '')} \`${s.best.value}\` (${formatMetric(s.best.value)}) in run \`${s.best.run_id}\`\n\n`);
  tip.appendMarkdown(`${s.agents} agent${s.agents === 1 ? '' : 's'} connected · created ${new Date(s.created_at * 1000).toLocaleString()}`);
  return tip;
}

function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
