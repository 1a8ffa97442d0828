// Starts the sweep/config language server (dist/lsp.js) for YAML documents.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/lsp.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'yaml', scheme: 'file' },
      { language: 'yaml', scheme: 'untitled' },
    ],
    synchronize: {
      configurationSection: 'trackwell',
      // The server reads programs and config= references from Python files; tell it when they change.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.py'),
    },
    outputChannelName: 'Trackwell Sweep Language Server',
  };
  const client = new LanguageClient('trackwell.sweeps', 'Trackwell Sweeps', serverOptions, clientOptions);
  await client.start();
  return client;
}
