// Sweeps in the editor: the Sweeps view, its actions (start an agent, pause, resume, stop, cancel, open
// the sweep panel) and "Run Sweep" (the language server's CodeLens on a valid sweep file).
import * as vscode from 'vscode';
import path from 'node:path';
import type { SweepAction } from '../runtime/protocol/api';
import type { SweepSummary } from '../runtime/protocol/live';
import { SweepsTree, type SweepsNode } from './sweepsTree';
import type { DashboardPanels } from './dashboardPanels';
import type { RuntimeConnection } from './runtimeConnection';
import { PendingSweepLaunches, agentArgs, sweepActions, sweepLabel, sweepRunArgs } from './logic/sweepsModel';
import { chooseInterpreter } from './logic/interpreter';
import { pythonExtensionInterpreter } from './runWithTracking';

export interface SweepsContext {
  conn: RuntimeConnection;
  panels: DashboardPanels;
  cliPath: string;
  nodePath(): string;
  dataRoot(): string;
  log: vscode.OutputChannel;
}

export function registerSweeps(context: vscode.ExtensionContext, ctx: SweepsContext): SweepsTree {
  const { conn, panels } = ctx;
  const tree = new SweepsTree(conn);
  const view = vscode.window.createTreeView<SweepsNode>('trackwell.sweeps', { treeDataProvider: tree, showCollapseAll: true });
  const launches = new PendingSweepLaunches();
  context.subscriptions.push(tree, view);

  // A sweep created by "Run Sweep" opens its panel as soon as the runtime reports it.
  context.subscriptions.push(tree.onSweepCreated(async (s) => {
    if (!launches.size) return;
    try {
      const d = await tree.detail(s.id);
      if (launches.take(d.source_path, d.created_at)) panels.open({ kind: 'sweep', id: s.id }, vscode.ViewColumn.Beside, true);
    } catch (e) {
      ctx.log.appendLine(`Could not look up sweep ${s.id}: ${(e as Error).message}`);
    }
  }));

  const command = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: any[]) => {
      try {
        await fn(...args);
      } catch (e) {
        const pick = await vscode.window.showErrorMessage(`Trackwell: ${(e as Error).message}`, 'Show Log');
        if (pick === 'Show Log') ctx.log.show();
      }
    }));

  /** The sweep an action is about: a tree node, a sweep id (webview, CodeLens), else the selection. */
  const sweepOf = (arg: unknown): SweepSummary | { id: string } => {
    const node = (arg ?? view.selection[0]) as SweepsNode | string | undefined;
    const id = typeof node === 'string' ? node : node?.kind === 'sweep' ? node.id : node && 'sweepId' in node ? node.sweepId : undefined;
    if (!id) throw new Error('select a sweep in the Sweeps view first');
    return tree.model.get(id) ?? { id };
  };

  const interpreterFor = async (uri: vscode.Uri | undefined) => {
    const setting = vscode.workspace.getConfiguration('trackwell', uri).get<string>('python.interpreter');
    return chooseInterpreter({ fromPythonExtension: uri ? await pythonExtensionInterpreter(uri) : undefined, setting }).path;
  };

  const terminal = (name: string, cwd: string, shellArgs: string[], python: string) => {
    const t = vscode.window.createTerminal({
      name, cwd, iconPath: new vscode.ThemeIcon('beaker'),
      // An argument array straight to Node: no shell parses the paths.
      shellPath: ctx.nodePath(), shellArgs,
      env: { ELECTRON_RUN_AS_NODE: '1', TRACKWELL_DIR: ctx.dataRoot(), TRACKWELL_PYTHON: python },
    });
    t.show(true);
    return t;
  };

  command('trackwell.sweep.run', async (arg?: unknown) => {
    const uri = typeof arg === 'string' ? vscode.Uri.parse(arg) : arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file' || !/\.ya?ml$/i.test(uri.fsPath)) throw new Error('open a sweep YAML file to run it as a sweep');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
    await conn.connect();
    const folder = path.dirname(uri.fsPath);
    const python = await interpreterFor(uri);
    launches.prune(Date.now() / 1000);
    launches.add(uri.fsPath, Date.now() / 1000);
    terminal(`Trackwell sweep: ${path.basename(uri.fsPath)}`, folder, sweepRunArgs(ctx.cliPath, ctx.dataRoot(), uri.fsPath), python);
    void vscode.commands.executeCommand('trackwell.sweeps.focus', { preserveFocus: true });
  });

  command('trackwell.sweep.startAgent', async (arg?: unknown) => {
    const s = sweepOf(arg);
    const detail = await tree.detail(s.id);
    if (!sweepActions(detail.state).length) throw new Error(`sweep ${s.id} is ${detail.state}; it runs no more trials`);
    const source = detail.source_path ? vscode.Uri.file(detail.source_path) : undefined;
    // The agent resolves `program` against its working directory, then the sweep file's folder.
    const cwd = source ? path.dirname(source.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(ctx.dataRoot());
    terminal(`Trackwell agent: ${sweepLabel(detail)}`, cwd, agentArgs(ctx.cliPath, ctx.dataRoot(), s.id), await interpreterFor(source));
  });

  const control = (action: SweepAction) => async (arg?: unknown) => {
    const s = sweepOf(arg);
    if (action === 'cancel') {
      const ok = await vscode.window.showWarningMessage(
        `Cancel ${'name' in s ? sweepLabel(s) : `sweep ${s.id}`}? Its running trials are stopped now and no new ones start. This cannot be undone.`,
        { modal: true }, 'Cancel Sweep');
      if (ok !== 'Cancel Sweep') return;
    }
    const res = await conn.request<SweepSummary>('POST', `/api/sweeps/${encodeURIComponent(s.id)}/control`, undefined, { action });
    tree.model.apply([{ type: 'sweep', sweep: res }]);
    void vscode.window.setStatusBarMessage(`Trackwell: sweep ${res.id} is ${res.state}`, 4000);
  };
  command('trackwell.sweep.pause', control('pause'));
  command('trackwell.sweep.resume', control('resume'));
  command('trackwell.sweep.stop', control('stop'));
  command('trackwell.sweep.cancel', control('cancel'));
  command('trackwell.sweep.open', (arg?: unknown) => panels.open({ kind: 'sweep', id: sweepOf(arg).id }));
  command('trackwell.refreshSweeps', () => tree.reload());

  // The runtime starts on demand: when the Sweeps view is first shown.
  const loadWhenVisible = () => {
    if (view.visible) void tree.reload();
  };
  context.subscriptions.push(view.onDidChangeVisibility(loadWhenVisible));
  loadWhenVisible();
  return tree;
}
