// The server's side of the analysis worker (analysisWorker.ts): documents above OFFLOAD_CHARS are
// analysed there, so the server's own thread keeps answering for other files while a big one parses.
// A document's text goes to the worker only when a request needs that version; a result for a version
// the editor has since replaced is dropped by the worker (`stale`) or by the caller.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ServiceSettings } from './host';

/** Documents larger than this are analysed off the server's thread (a cold parse of 256 KB takes ~0.2 s). */
export const OFFLOAD_CHARS = 256 * 1024;

export type WorkerOp = 'diagnostics' | 'complete' | 'hover' | 'definition' | 'symbols' | 'codeActions' | 'codeLenses';

export interface HostSnapshot {
  folders: string[];
  settings: ServiceSettings;
  initConfigFiles: string[];
}

export type ToWorker =
  | ({ t: 'host' } & HostSnapshot)
  | { t: 'doc'; uri: string; version: number; text: string }
  | { t: 'close'; uri: string }
  | { t: 'files'; files: string[]; reset: boolean }
  | { t: 'call'; id: number; op: WorkerOp; uri: string; version: number; args: unknown[] };

export type FromWorker = { id: number; result?: unknown; stale?: true; error?: string };

/** The worker script: dist/lsp-worker.js next to the bundled server, else the source through tsx (tests, bench). */
function workerScript(): { file: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'lsp-worker.js');
  if (fs.existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: path.join(__dirname, 'analysisWorker.ts'), execArgv: ['--import', 'tsx'] };
}

export class AnalysisWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: FromWorker) => void; reject: (e: Error) => void }>();
  /** the version of each document the worker holds */
  private readonly sent = new Map<string, number>();
  private hostKey = '';

  constructor(private readonly host: () => HostSnapshot) {}

  /**
   * Runs `op` on this version of `doc` in the worker. Resolves undefined when the document changed
   * before the worker got to it; rejects when the worker failed (the caller then answers in-process).
   */
  async call<T>(op: WorkerOp, doc: TextDocument, args: unknown[] = []): Promise<T | undefined> {
    const { uri, version } = doc;
    const w = this.start();
    const snapshot = this.host();
    const key = JSON.stringify(snapshot);
    if (key !== this.hostKey) {
      this.hostKey = key;
      this.post(w, { t: 'host', ...snapshot });
    }
    if (this.sent.get(uri) !== version) {
      this.sent.set(uri, version);
      this.post(w, { t: 'doc', uri, version, text: doc.getText() });
    }
    const id = this.nextId++;
    const reply = await new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(w, { t: 'call', id, op, uri, version, args });
    });
    if (reply.error) throw new Error(reply.error);
    return reply.stale ? undefined : (reply.result as T);
  }

  close(uri: string): void {
    if (!this.sent.delete(uri) || !this.worker) return;
    this.post(this.worker, { t: 'close', uri });
  }

  /** Files on disk changed (programs, config= sources); `reset` drops every analysis. */
  filesChanged(files: string[], reset: boolean): void {
    if (this.worker) this.post(this.worker, { t: 'files', files, reset });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private post(w: Worker, m: ToWorker): void {
    w.postMessage(m);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const { file, execArgv } = workerScript();
    // The server may speak LSP on stdout: anything the worker prints goes to stderr instead.
    const w = new Worker(file, { execArgv, stdout: true });
    w.stdout.pipe(process.stderr);
    w.unref(); // never keeps the server alive on its own
    const fail = (e: Error) => {
      if (this.worker !== w) return;
      // The next call starts a fresh worker, which needs the host and documents again.
      this.worker = undefined;
      this.sent.clear();
      this.hostKey = '';
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('message', (r: FromWorker) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      p?.resolve(r);
    });
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the analysis worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }
}
