// The Trackwell language server for sweep and config YAML (stdio or node IPC; bundled to dist/lsp.js).
// Diagnostics are debounced per document so typing never queues up parses; everything else answers
// from the analysis of the current document version. Documents above OFFLOAD_CHARS are analysed in a
// worker thread (offload.ts), so a big file never stalls completion or hover in other files.
import {
  createConnection, DidChangeConfigurationNotification, FileChangeType, ProposedFeatures, TextDocuments, TextDocumentSyncKind,
  type Diagnostic, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CachedFiles, uriToPath, type ServiceSettings } from './host';
import { AnalysisWorker, OFFLOAD_CHARS, type WorkerOp } from './offload';
import { fetchMetricKeys, findRuntimeAddress } from './runtimeMetrics';
import { SweepLanguageService } from './service';
import { WorkspaceConfigIndex } from './workspaceIndex';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let folders: string[] = [];
let settings: ServiceSettings = { sweepFiles: [] };
let debounceMs = 150;
let canPullConfiguration = false;
const configIndex = new WorkspaceConfigIndex();

const files = new CachedFiles();
const service: SweepLanguageService = new SweepLanguageService({
  workspaceFolders: () => folders,
  settings: () => settings,
  readFile: (file) => files.read(file),
  initConfigFiles: () => configIndex.files(),
  metricKeys: (project) => fetchMetricKeys(findRuntimeAddress(folders[0], settings.dataRoot), project),
});

const offload = new AnalysisWorker(() => ({ folders, settings, initConfigFiles: [...configIndex.files()] }));
let warnedWorker = false;

const isLarge = (doc: TextDocument) => doc.getText().length > OFFLOAD_CHARS;

/**
 * Answers from the worker for a large document, in-process otherwise. `stale` is the answer when the
 * document changed before the worker got to it; if the worker fails, the server answers itself.
 */
function answer<T>(doc: TextDocument, op: WorkerOp, args: unknown[], local: () => T | Promise<T>, stale: T): T | Promise<T> {
  if (!isLarge(doc)) return local();
  service.forget(doc.uri); // an analysis from when it was small is no longer used
  return offload.call<T>(op, doc, args).then((r) => (r === undefined ? stale : r), (e: Error) => {
    if (!warnedWorker) connection.console.error(`Trackwell: the analysis worker failed; large files are checked on the server's thread: ${e.stack ?? e}`);
    warnedWorker = true;
    return local();
  });
}

const timers = new Map<string, NodeJS.Timeout>();

function validate(doc: TextDocument): void {
  // Read now: an incremental edit updates this same document object in place.
  const { uri, version } = doc;
  const send = (diagnostics: Diagnostic[]) => {
    // A result for a version the editor has since replaced is dropped; the newer version is scheduled.
    if (documents.get(uri)?.version === version) void connection.sendDiagnostics({ uri, version, diagnostics });
  };
  const failed = (e: unknown) => connection.console.error(`Trackwell: checking ${uri} failed: ${(e as Error).stack ?? e}`);
  try {
    const d = answer(doc, 'diagnostics', [], () => service.diagnostics(doc), undefined);
    if (d instanceof Promise) d.then((x) => x && send(x), failed);
    else if (d) send(d);
  } catch (e) {
    failed(e);
  }
}

function schedule(doc: TextDocument, delay = debounceMs): void {
  clearTimeout(timers.get(doc.uri));
  timers.set(doc.uri, setTimeout(() => {
    timers.delete(doc.uri);
    const current = documents.get(doc.uri);
    if (current) validate(current);
  }, delay));
}

function revalidateAll(): void {
  service.reset();
  for (const doc of documents.all()) schedule(doc, 0);
}

function readSettings(raw: unknown): ServiceSettings {
  const t = (raw ?? {}) as { sweepFiles?: unknown; dataRoot?: unknown };
  const globs = Array.isArray(t.sweepFiles) ? t.sweepFiles.filter((g): g is string => typeof g === 'string') : typeof t.sweepFiles === 'string' && t.sweepFiles ? [t.sweepFiles] : [];
  return { sweepFiles: globs, dataRoot: typeof t.dataRoot === 'string' && t.dataRoot ? t.dataRoot : undefined };
}

async function pullSettings(): Promise<void> {
  if (!canPullConfiguration) return;
  try {
    settings = readSettings(await connection.workspace.getConfiguration('trackwell'));
  } catch {
    // the client may not answer configuration requests; keep what we have
  }
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
  if (!folders.length && params.rootUri) folders = [uriToPath(params.rootUri)].filter((p): p is string => !!p);
  const init = (params.initializationOptions ?? {}) as { debounceMs?: number; settings?: unknown };
  if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
  if (init.settings) settings = readSettings(init.settings);
  canPullConfiguration = !!params.capabilities.workspace?.configuration;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [':', ' ', '{', '$', '-', '/'] },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      definitionProvider: true,
      documentSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true } },
    },
    serverInfo: { name: 'trackwell-sweeps', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  if (canPullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'trackwell' }).catch(() => undefined);
  const before = JSON.stringify(settings);
  await pullSettings();
  if (JSON.stringify(settings) !== before) revalidateAll();
  // Reading the workspace's Python files for config= paths happens in the background, in small slices.
  void configIndex.scan(folders).then((changed) => changed && revalidateAll());
});

connection.onDidChangeConfiguration(async (change) => {
  const section = (change.settings as { trackwell?: unknown } | undefined)?.trackwell;
  if (section) settings = readSettings(section);
  else await pullSettings();
  revalidateAll();
});

connection.onDidChangeWatchedFiles((change) => {
  let changed = false;
  const paths: string[] = [];
  for (const c of change.changes) {
    const file = uriToPath(c.uri);
    if (!file) continue;
    files.invalidate(file);
    paths.push(file);
    if (file.endsWith('.py')) changed = configIndex.update(file, c.type === FileChangeType.Deleted ? undefined : files.read(file)) || changed;
  }
  offload.filesChanged(paths, changed);
  if (changed) revalidateAll();
  else for (const doc of documents.all()) service.forget(doc.uri);
});

documents.onDidOpen((e) => validate(e.document));
documents.onDidChangeContent((e) => schedule(e.document));
documents.onDidClose((e) => {
  clearTimeout(timers.get(e.document.uri));
  timers.delete(e.document.uri);
  service.forget(e.document.uri);
  offload.close(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

const withDoc = <T>(uri: string, fallback: T, fn: (doc: TextDocument) => T): T => {
  const doc = documents.get(uri);
  return doc ? fn(doc) : fallback;
};

connection.onCompletion((p) => withDoc(p.textDocument.uri, [], (doc) => answer(doc, 'complete', [p.position], () => service.complete(doc, p.position), [])));
connection.onHover((p) => withDoc(p.textDocument.uri, null, (doc) => answer(doc, 'hover', [p.position], () => service.hover(doc, p.position), null)));
connection.onDefinition((p) => withDoc(p.textDocument.uri, null, (doc) => answer(doc, 'definition', [p.position], () => service.definition(doc, p.position), null)));
connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, [], (doc) => answer(doc, 'symbols', [], () => service.symbols(doc), [])));
connection.onCodeAction((p) => withDoc(p.textDocument.uri, [], (doc) => answer(doc, 'codeActions', [p.context.diagnostics], () => service.codeActions(doc, p.context.diagnostics), [])));
connection.onCodeLens((p) => withDoc(p.textDocument.uri, [], (doc) => answer(doc, 'codeLenses', [], () => service.codeLenses(doc), [])));
connection.onShutdown(() => offload.dispose());

documents.listen(connection);
connection.listen();
