// "Run with Tracking": launches a Python file through `trackwell run` in a terminal the user sees and
// can stop, then opens the run's panel beside the editor as soon as the run appears.
import * as vscode from 'vscode';
import path from 'node:path';
import { newRunId } from '../runtime/launch/launch';
import { chooseInterpreter } from './logic/interpreter';
import { runLensLines } from './logic/codeLensLines';

export interface LaunchContext {
  cliPath: string;
  nodePath(): string;
  dataRoot(): string;
  /** called with the launch id once the terminal started; resolves when the run is known */
  onLaunched(launchId: string, file: vscode.Uri): void;
  ensureRuntime(): Promise<unknown>;
}

/** The interpreter the Python extension has selected for `uri`, if that extension is installed. */
export async function pythonExtensionInterpreter(uri: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) return undefined;
  try {
    const api: any = ext.isActive ? ext.exports : await ext.activate();
    const envPath = api?.environments?.getActiveEnvironmentPath?.(uri);
    if (envPath) {
      const resolved = await api.environments.resolveEnvironment?.(envPath);
      const exe = resolved?.executable?.uri?.fsPath ?? envPath.path;
      if (exe) return exe;
    }
    const details = api?.settings?.getExecutionDetails?.(uri);
    return details?.execCommand?.[0];
  } catch {
    return undefined;
  }
}

export async function runWithTracking(ctx: LaunchContext, target?: vscode.Uri): Promise<void> {
  const uri = target ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.py')) {
    void vscode.window.showErrorMessage('Trackwell: open a Python file (or pick one in the Explorer) to run it with tracking.');
    return;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  const setting = vscode.workspace.getConfiguration('trackwell', uri).get<string>('python.interpreter');
  const interpreter = chooseInterpreter({ fromPythonExtension: await pythonExtensionInterpreter(uri), setting });
  try {
    await ctx.ensureRuntime();
  } catch (e) {
    void vscode.window.showWarningMessage(`Trackwell: ${(e as Error).message} The script will run and record offline; run \`trackwell sync\` later.`);
  }
  const launchId = newRunId();
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const cwd = folder?.uri.fsPath ?? path.dirname(uri.fsPath);
  const terminal = vscode.window.createTerminal({
    name: `Trackwell: ${path.basename(uri.fsPath)}`,
    iconPath: new vscode.ThemeIcon('pulse'),
    cwd,
    // An argument array straight to Node: no shell parses the path or the interpreter.
    shellPath: ctx.nodePath(),
    shellArgs: [ctx.cliPath, 'run', '--dir', ctx.dataRoot(), '--launch-id', launchId, '--python', interpreter.path, uri.fsPath],
    env: { ELECTRON_RUN_AS_NODE: '1', TRACKWELL_DIR: ctx.dataRoot() },
  });
  terminal.show(true);
  ctx.onLaunched(launchId, uri);
}

export class RunLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    return runLensLines(doc.getText()).map((line) => new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
      title: '$(pulse) Run with Tracking', command: 'trackwell.runWithTracking', arguments: [doc.uri],
      tooltip: 'Run this file with Trackwell: record its metrics, console, code and system load',
    }));
  }
}
