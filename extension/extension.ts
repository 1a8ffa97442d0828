// Trackwell's VS Code extension: activation, commands, views and panels. Data comes only through the
// runtime's API and live stream (RuntimeConnection); nothing here opens the database.
import * as vscode from 'vscode';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RuntimeConnection, type RuntimeOwnership } from './runtimeConnection';
import { RunsTree, type RunsNode } from './runsTree';
import { DashboardPanels, PANEL_TYPE } from './dashboardPanels';
import { LiveStatus } from './statusBar';
import { RunLensProvider, runWithTracking } from './runWithTracking';
import type { RunDetail } from '../runtime/protocol/api';
import type { RunInfo } from '../runtime/protocol/live';
import type { OwnedRuntime } from './logic/restartPolicy';
import { PendingLaunches, deletePrompt, runKeyOf, runTitle, selectedRuns as pickRuns } from './logic/runActions';
import { startLanguageClient } from './languageClient';
import { registerSweeps } from './sweeps';
import { registerSourceDiff } from './sourceDiff';

let connection: RuntimeConnection | undefined;

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('trackwell');
}

/** `trackwell.dataRoot`, else `.trackwell` in the first workspace folder, else ~/.trackwell. */
export function dataRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const configured = settings().get<string>('dataRoot')?.trim();
  if (configured) return path.resolve(folder ?? os.homedir(), configured.replace(/^~(?=$|\/)/, os.homedir()));
  return path.join(folder ?? os.homedir(), '.trackwell');
}

/** Node for the runtime: the setting, else `node` on PATH, else this extension host's own executable. */
/** trackwell.statsInterval only when the user set it: otherwise TRACKWELL_STATS_INTERVAL or the runtime's default applies. */
function statsIntervalSeconds(): number | undefined {
  const set = settings().inspect<number>('statsInterval');
  const value = set?.workspaceFolderValue ?? set?.workspaceValue ?? set?.globalValue;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function nodePath(): string {
  const configured = settings().get<string>('nodePath')?.trim();
  if (configured) return configured;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    if (dir && fs.existsSync(p)) return p;
  }
  return process.execPath;
}

/**
 * What activate returns: the extension's parts, for the in-extension-host tests (test/vscode). Not a
 * stable API for other extensions.
 */
export interface TrackwellExports {
  connection: RuntimeConnection;
  tree: RunsTree;
  status: LiveStatus;
  panels: DashboardPanels;
  pendingLaunches: PendingLaunches<vscode.Uri>;
  /** looks for a runtime already serving the data root and connects to it (what activation does) */
  discover(): Promise<boolean>;
}

/** The runtimes this extension started, per data root, in globalState: they outlive a window reload. */
function globalOwnership(context: vscode.ExtensionContext): RuntimeOwnership {
  const KEY = 'trackwell.ownedRuntimes';
  const all = () => context.globalState.get<Record<string, OwnedRuntime>>(KEY) ?? {};
  return {
    get: (root) => all()[root],
    set: (root, owned) => {
      const next = { ...all() };
      if (owned) next[root] = owned;
      else delete next[root];
      void context.globalState.update(KEY, next);
    },
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<TrackwellExports> {
  const log = vscode.window.createOutputChannel('Trackwell');
  const cliPath = context.asAbsolutePath(path.join('dist', 'cli.js'));
  const conn = (connection = new RuntimeConnection(dataRoot, cliPath, nodePath, log, {
    ownership: globalOwnership(context),
    statsIntervalSeconds,
    onGiveUp: (message) => {
      void vscode.window.showErrorMessage(message, 'Show Log', 'Restart Runtime').then((pick) => {
        if (pick === 'Show Log') log.show();
        if (pick === 'Restart Runtime') void vscode.commands.executeCommand('trackwell.restartRuntime');
      });
    },
  }));
  const tree = new RunsTree(conn);
  const treeView = vscode.window.createTreeView<RunsNode>('trackwell.runs', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  const panels = new DashboardPanels(context.extensionUri, conn, (key) => tree.model.get(key)?.name ?? undefined,
    () => ({ consoleLinesKept: settings().get<number>('console.linesKept') }));
  const status = new LiveStatus(conn, tree.model);
  const pendingLaunches = new PendingLaunches<vscode.Uri>();
  context.subscriptions.push(log, conn, tree, treeView, panels, status);
  // Run names and live runs come with the tree's loads: the status item and restored panels follow them.
  context.subscriptions.push(tree.onDidChangeTreeData(() => {
    status.refresh();
    panels.retitle();
  }));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(PANEL_TYPE, panels));

  // Open the panel of a run started from the editor as soon as the runtime reports it.
  const openLaunched = (run: RunInfo) => {
    if (pendingLaunches.take(run) === undefined) return;
    if (settings().get<boolean>('autoOpenPanel', true)) panels.open({ kind: 'run', key: run.key }, vscode.ViewColumn.Beside, true);
  };
  context.subscriptions.push(conn.onEvents((events) => {
    for (const e of events) if (e.type === 'run') openLaunched(e.run);
    status.refresh();
  }));

  // Commands stay registered when the runtime is down: they say what failed and how to fix it.
  const command = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: any[]) => {
      try {
        await fn(...args);
      } catch (e) {
        const pick = await vscode.window.showErrorMessage(`Trackwell: ${(e as Error).message}`, 'Show Log', 'Restart Runtime');
        if (pick === 'Show Log') log.show();
        if (pick === 'Restart Runtime') await vscode.commands.executeCommand('trackwell.restartRuntime');
      }
    }));

  const selectedRuns = (arg: unknown, many?: unknown): RunInfo[] => pickRuns(arg, many, treeView.selection);

  command('trackwell.runWithTracking', (uri?: vscode.Uri) => runWithTracking({
    cliPath, nodePath, dataRoot, ensureRuntime: () => conn.connect(),
    onLaunched: (id, file) => {
      pendingLaunches.add(id, file);
      const known = tree.model.byLaunchId(id);
      if (known) openLaunched(known);
    },
  }, uri instanceof vscode.Uri ? uri : undefined));
  command('trackwell.openDashboard', () => panels.open({ kind: 'runs' }));
  command('trackwell.openRun', (arg: unknown) => {
    const key = runKeyOf(arg) ?? selectedRuns(arg)[0]?.key;
    if (key === undefined) throw new Error('select a run in the Runs view first');
    panels.open({ kind: 'run', key });
  });
  command('trackwell.compareRuns', (arg: unknown, many: unknown) => {
    const runs = selectedRuns(arg, many);
    if (runs.length < 2) throw new Error('select two or more runs in the Runs view (Ctrl/Cmd-click), then Compare');
    panels.open({ kind: 'compare', keys: runs.map((r) => r.key) });
  });
  command('trackwell.stopRun', async (arg: unknown) => {
    const run = selectedRuns(arg)[0];
    if (!run) throw new Error('select a running run to stop');
    await conn.request('POST', `/api/runs/${run.key}/stop`);
    void vscode.window.setStatusBarMessage(`Trackwell: asked run ${runTitle(run)} to stop`, 4000);
  });
  command('trackwell.deleteRun', async (arg: unknown, many: unknown) => {
    const runs = selectedRuns(arg, many);
    if (!runs.length) throw new Error('select the runs to delete');
    const ok = await vscode.window.showWarningMessage(deletePrompt(runs), { modal: true }, 'Delete');
    if (ok !== 'Delete') return;
    for (const r of runs) await conn.request('DELETE', `/api/runs/${r.key}`);
  });
  command('trackwell.revealRunDir', async (arg: unknown) => {
    const run = selectedRuns(arg)[0];
    if (!run) throw new Error('select a run');
    const detail = await conn.request<RunDetail>('GET', `/api/runs/${run.key}`);
    if (!detail.run_dir || !fs.existsSync(detail.run_dir)) throw new Error(`the run directory ${detail.run_dir ?? ''} is not on this machine`);
    const uri = vscode.Uri.file(detail.run_dir);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  });
  command('trackwell.copyRunId', async (arg: unknown) => {
    const run = selectedRuns(arg)[0];
    if (!run) throw new Error('select a run');
    await vscode.env.clipboard.writeText(run.id);
    void vscode.window.setStatusBarMessage(`Copied run id ${run.id}`, 3000);
  });
  command('trackwell.refreshRuns', () => tree.reload());
  command('trackwell.restartRuntime', async () => {
    const { runtime, plan } = await conn.restart();
    await tree.reload();
    if (plan === 'reconnect') {
      void vscode.window.showInformationMessage(`Trackwell: the runtime (pid ${runtime.info.pid}) was not started by VS Code, so it was not restarted; the views reconnected to it. Stop it with \`trackwell serve --stop\` to restart it.`);
    } else {
      void vscode.window.setStatusBarMessage(`Trackwell: runtime restarted (pid ${runtime.info.pid})`, 4000);
    }
  });
  command('trackwell.showLog', () => log.show());
  registerSourceDiff(context, conn, command);

  context.subscriptions.push(vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, new RunLensProvider()));
  registerSweeps(context, { conn, panels, cliPath, nodePath, dataRoot, log });

  // The runtime starts on demand: when the Runs view is first shown.
  const loadWhenVisible = () => {
    if (treeView.visible) void tree.reload();
  };
  context.subscriptions.push(treeView.onDidChangeVisibility(loadWhenVisible));
  loadWhenVisible();
  // Runs started outside VS Code (`trackwell run` in a terminal starts a runtime): link to a runtime that
  // already serves the data root, now and whenever the link is down, so the status bar shows them without
  // the Runs view open. This never starts a runtime.
  const discover = async (): Promise<boolean> => {
    if (conn.connected) return true;
    // Connecting resyncs: the tree loads the runs, the status item follows.
    return conn.attach();
  };
  void discover();
  const poll = setInterval(() => void discover(), 3000);
  context.subscriptions.push({ dispose: () => clearInterval(poll) });
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('trackwell.dataRoot')) return;
    // Another data root: drop the link (nothing is stopped), then link as on activation.
    conn.disconnect();
    tree.model.reset([]);
    status.refresh();
    if (treeView.visible) void tree.reload();
    else void discover();
  }));

  try {
    const client = await startLanguageClient(context);
    context.subscriptions.push({ dispose: () => void client.stop() });
  } catch (e) {
    log.appendLine(`The sweep language server did not start: ${(e as Error).message}`);
  }
  return { connection: conn, tree, status, panels, pendingLaunches, discover };
}

export function deactivate(): void {
  connection?.dispose();
  connection = undefined;
}
