// "Compare Source Snapshot with Current File": the Files tab of a run panel asks for it with
// {key, path}; the left side is the stored file, read through the runtime connection by a
// `trackwell-file:` content provider, the right side the file in the workspace now.
import * as vscode from 'vscode';
import fs from 'node:fs';
import path from 'node:path';
import type { RunDetail } from '../runtime/protocol/api';
import type { RuntimeConnection } from './runtimeConnection';
import { localCandidates } from './logic/snapshotPaths';

export const FILE_SCHEME = 'trackwell-file';

/** `trackwell-file:/<run key>/<stored path>`: the stored path keeps the file's extension, so the editor picks its language. */
export function storedFileUri(key: number, storedPath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: FILE_SCHEME, path: `/${key}/${storedPath}` });
}

class StoredFileProvider implements vscode.TextDocumentContentProvider {
  constructor(private conn: RuntimeConnection) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const m = /^\/(\d+)\/(.+)$/.exec(uri.path);
    if (!m) throw new Error(`not a stored file: ${uri.toString()}`);
    const bytes = await this.conn.requestBytes(`/api/runs/${m[1]}/files/content`, { path: m[2] });
    return bytes.toString('utf8');
  }
}

export function registerSourceDiff(context: vscode.ExtensionContext, conn: RuntimeConnection,
  command: (id: string, fn: (...args: any[]) => unknown) => void): void {
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(FILE_SCHEME, new StoredFileProvider(conn)));
  command('trackwell.diffSource', async (arg: { key?: unknown; path?: unknown } | undefined) => {
    const key = Number(arg?.key);
    const stored = typeof arg?.path === 'string' ? arg.path : undefined;
    if (!Number.isInteger(key) || !stored) throw new Error('open a run\'s Files tab and use "Compare with Current File" on a source');
    const run = await conn.request<RunDetail>('GET', `/api/runs/${key}`);
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    let local = localCandidates(stored, run.metadata, folders).find((p) => fs.existsSync(p));
    if (!local) {
      const pick = await vscode.window.showWarningMessage(`No current copy of ${stored} was found in the workspace or where the run ran.`, 'Choose File…');
      if (pick !== 'Choose File…') return;
      const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Compare', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
      if (!chosen?.[0]) return;
      local = chosen[0].fsPath;
    }
    const title = `${path.posix.basename(stored)} (run ${run.name ?? run.id}) ↔ ${path.basename(local)} (current)`;
    await vscode.commands.executeCommand('vscode.diff', storedFileUri(key, stored), vscode.Uri.file(local), title);
  });
}
