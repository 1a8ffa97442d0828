// The Runs view: projects → runs, updated by push from the runtime's live stream.
import * as vscode from 'vscode';
import type { RunInfo } from '../runtime/protocol/live';
import type { RunsResponse } from '../runtime/protocol/api';
import { RunsModel, runDescription, runLabel, stateIcon, formatDuration, runDuration } from './logic/runsModel';
import type { RuntimeConnection } from './runtimeConnection';

export type RunsNode = { kind: 'project'; name: string } | { kind: 'run'; run: RunInfo } | { kind: 'message'; text: string; command?: vscode.Command };

export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  readonly model = new RunsModel();
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private error?: string;
  private loaded = false;
  private ticker?: NodeJS.Timeout;
  private disposables: vscode.Disposable[] = [];

  constructor(private readonly conn: RuntimeConnection) {
    this.disposables.push(
      conn.onEvents((events) => {
        if (this.model.apply(events)) this.changed.fire(undefined);
      }),
      conn.onResync(() => void this.reload()),
      conn.onConnectionChange((up) => {
        if (!up) this.changed.fire(undefined);
      }),
    );
    // Durations of live runs tick once a second while any run is live.
    this.ticker = setInterval(() => {
      if (this.model.live().length) this.changed.fire(undefined);
    }, 1000);
  }

  async reload(): Promise<void> {
    try {
      const res = await this.conn.request<RunsResponse>('GET', '/api/runs', { limit: '100000' });
      this.model.reset(res.runs);
      this.error = undefined;
    } catch (e) {
      this.error = (e as Error).message;
    }
    this.loaded = true;
    this.changed.fire(undefined);
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.command = node.command;
      return item;
    }
    if (node.kind === 'project') {
      const runs = this.model.runsOf(node.name);
      const live = runs.filter((r) => r.state === 'running').length;
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `project:${node.name}`;
      item.description = `${runs.length} run${runs.length === 1 ? '' : 's'}${live ? ` · ${live} live` : ''}`;
      item.iconPath = new vscode.ThemeIcon('folder');
      item.contextValue = 'trackwell.project';
      return item;
    }
    const r = node.run;
    const item = new vscode.TreeItem(runLabel(r), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${r.key}`;
    item.description = runDescription(r);
    const icon = stateIcon(r.state);
    item.iconPath = new vscode.ThemeIcon(icon.icon, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${escapeMd(runLabel(r))}** \`${r.project}/${r.id}\`\n\n`);
    tip.appendMarkdown(`$(${icon.icon.replace('~spin', '')}) ${r.state}${r.exit_code != null ? ` (exit ${r.exit_code})` : ''} · ${formatDuration(runDuration(r))}\n\n`);
    tip.appendMarkdown(`started ${new Date(r.created_at * 1000).toLocaleString()}`);
    if (r.last_step != null) tip.appendMarkdown(` · step ${r.last_step}`);
    if (r.tags.length) tip.appendMarkdown(`\n\ntags: ${r.tags.map(escapeMd).join(', ')}`);
    item.tooltip = tip;
    item.contextValue = r.state === 'running' ? 'trackwell.run.live' : 'trackwell.run';
    item.command = { command: 'trackwell.openRun', title: 'Open Run', arguments: [node] };
    return item;
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      if (!this.loaded) return [];
      if (this.error) {
        return [
          { kind: 'message', text: `Runtime unavailable: ${this.error}` },
          { kind: 'message', text: 'Retry', command: { command: 'trackwell.refreshRuns', title: 'Retry' } },
        ];
      }
      return this.model.projects().map((p) => ({ kind: 'project', name: p.name }));
    }
    if (node.kind === 'project') return this.model.runsOf(node.name).map((run) => ({ kind: 'run', run }));
    return [];
  }

  getParent(node: RunsNode): RunsNode | undefined {
    return node.kind === 'run' ? { kind: 'project', name: node.run.project } : undefined;
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.disposables.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
