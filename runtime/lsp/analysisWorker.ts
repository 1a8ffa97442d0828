// The worker thread that analyses large documents for the server (bundled to dist/lsp-worker.js), so a
// cold parse of a big file never holds up requests on other files. It runs the same language service
// on its own copy of each large document and answers one request at a time; a request for a version
// older than the copy it holds is answered `stale` without any work.
import { parentPort } from 'node:worker_threads';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CachedFiles, type ServiceSettings } from './host';
import { fetchMetricKeys, findRuntimeAddress } from './runtimeMetrics';
import { SweepLanguageService } from './service';
import type { FromWorker, ToWorker, WorkerOp } from './offload';

const port = parentPort!;
let folders: string[] = [];
let settings: ServiceSettings = { sweepFiles: [] };
let initConfigFiles = new Set<string>();
const files = new CachedFiles();
const service = new SweepLanguageService({
  workspaceFolders: () => folders,
  settings: () => settings,
  readFile: (file) => files.read(file),
  initConfigFiles: () => initConfigFiles,
  metricKeys: (project) => fetchMetricKeys(findRuntimeAddress(folders[0], settings.dataRoot), project),
});
const docs = new Map<string, TextDocument>();

function run(op: WorkerOp, doc: TextDocument, args: unknown[]): unknown {
  switch (op) {
    case 'diagnostics': return service.diagnostics(doc);
    case 'complete': return service.complete(doc, args[0] as never);
    case 'hover': return service.hover(doc, args[0] as never);
    case 'definition': return service.definition(doc, args[0] as never);
    case 'symbols': return service.symbols(doc);
    case 'codeActions': return service.codeActions(doc, args[0] as never);
    case 'codeLenses': return service.codeLenses(doc);
  }
}

port.on('message', async (m: ToWorker) => {
  if (m.t === 'host') {
    folders = m.folders;
    settings = m.settings;
    initConfigFiles = new Set(m.initConfigFiles);
    service.reset();
  } else if (m.t === 'doc') {
    docs.set(m.uri, TextDocument.create(m.uri, 'yaml', m.version, m.text));
  } else if (m.t === 'close') {
    docs.delete(m.uri);
    service.forget(m.uri);
  } else if (m.t === 'files') {
    for (const f of m.files) files.invalidate(f);
    if (m.reset) service.reset();
    else for (const uri of docs.keys()) service.forget(uri);
  } else {
    const doc = docs.get(m.uri);
    let reply: FromWorker;
    if (!doc || doc.version !== m.version) reply = { id: m.id, stale: true };
    else {
      try {
        reply = { id: m.id, result: await run(m.op, doc, m.args) };
      } catch (e) {
        reply = { id: m.id, error: (e as Error).stack ?? String(e) };
      }
    }
    port.postMessage(reply);
  }
});
