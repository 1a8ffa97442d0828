// The real language server over stdio JSON-RPC, driven the way an editor drives it: initialize, open a
// document, receive diagnostics, ask for completion and code actions, edit, shut down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '../..');

/** The bundled server (what the extension ships) with TRACKWELL_LSP_TEST_BUNDLE=1, else the sources through tsx. */
function serverArgs(): string[] {
  if (process.env.TRACKWELL_LSP_TEST_BUNDLE === '1') return [path.join(root, 'dist/lsp.js'), '--stdio'];
  return ['--import', 'tsx', path.join(root, 'runtime/lsp/server.ts'), '--stdio'];
}

/** A minimal LSP client: Content-Length framing, requests by id, notifications by method. */
class RpcClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private readonly waiters: { method: string; match: (p: any) => boolean; resolve: (p: any) => void }[] = [];
  readonly notifications: { method: string; params: any }[] = [];
  stderr = '';

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())![1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: any): void {
    if (msg.id !== undefined && msg.method) {
      // A request from the server (workspace/configuration, client/registerCapability): answer it.
      const result = msg.method === 'workspace/configuration' ? msg.params.items.map(() => ({ sweepFiles: ['experiments/*.yml'] })) : null;
      this.write({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
      return;
    }
    this.notifications.push(msg);
    for (const w of [...this.waiters]) {
      if (w.method === msg.method && w.match(msg.params)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg.params);
      }
    }
  }

  private write(msg: unknown): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<T = any>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.write({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  waitFor(method: string, match: (p: any) => boolean = () => true, timeoutMs = 10000): Promise<any> {
    const seen = this.notifications.find((n) => n.method === method && match(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ method, match, resolve: (p) => (clearTimeout(t), resolve(p)) });
    });
  }
}

test('the server over stdio: diagnostics, completion, code actions, lens, incremental edits', { timeout: 30000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-lsp-'));
  fs.writeFileSync(path.join(dir, 'train.py'), 'import argparse\np = argparse.ArgumentParser()\np.add_argument("--lr", type=float, default=0.01)\n');
  const file = path.join(dir, 'sweep.yaml');
  const text = 'program: train.py\nmethod: bayesian\nmetric:\n  name: loss\nparameters:\n  lr:\n    min: 0.001\n    max: 0.1\n';
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  const proc = spawn(process.execPath, serverArgs(), { cwd: root, stdio: 'pipe' });
  const client = new RpcClient(proc);
  try {
    const init = await client.request('initialize', {
      processId: process.pid, rootUri: pathToFileURL(dir).toString(), workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'w' }],
      capabilities: { workspace: { configuration: true } }, initializationOptions: { debounceMs: 20 },
    });
    assert.equal(init.capabilities.textDocumentSync, 2, 'incremental sync');
    assert.ok(init.capabilities.completionProvider);
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });

    const diags = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1);
    assert.equal(diags.diagnostics.length, 1);
    const d = diags.diagnostics[0];
    assert.deepEqual(d.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 16 } });
    assert.equal(d.severity, 1);
    assert.match(d.message, /`bayesian` is not a valid `method`.*Did you mean `bayes`\?/);

    const completion = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 8 } });
    const labels = (Array.isArray(completion) ? completion : completion.items).map((i: any) => i.label);
    assert.deepEqual(labels, ['bayes', 'random', 'grid']);

    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    assert.equal(actions[0].title, 'Change to `bayes`');
    assert.deepEqual(actions[0].edit.changes[uri], [{ range: d.range, newText: 'bayes' }]);

    const lensBefore = await client.request('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lensBefore[0].command.title, 'Trackwell: fix 1 problem to run this sweep');

    // An incremental edit that applies the fix: diagnostics clear and the lens offers to run the sweep.
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: d.range, text: 'bayes' }] });
    const after = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2);
    assert.deepEqual(after.diagnostics, []);
    const lens = await client.request('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lens[0].command, { title: 'Trackwell: Run Sweep', command: 'trackwell.sweep.run', arguments: [uri] });

    const def = await client.request('textDocument/definition', { textDocument: { uri }, position: { line: 5, character: 3 } });
    assert.equal(def.uri, pathToFileURL(path.join(dir, 'train.py')).toString());
    assert.deepEqual(def.range.start, { line: 2, character: 16 });

    // trackwell.sweepFiles, pulled from the client's configuration, makes any matching YAML a sweep.
    const extra = pathToFileURL(path.join(dir, 'experiments/a.yml')).toString();
    client.notify('textDocument/didOpen', { textDocument: { uri: extra, languageId: 'yaml', version: 1, text: 'method: random\n' } });
    const extraDiags = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === extra && p.diagnostics.length > 0);
    assert.match(extraDiags.diagnostics[0].message, /needs `parameters`/);

    await client.request('shutdown', null);
    client.notify('exit', null);
    const code = await new Promise((r) => proc.on('exit', r));
    assert.equal(code, 0);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A sweep of about `kib` KiB: many parameters, `method` on line 1 as given. */
function largeSweep(kib: number, method: string): string {
  const out = ['program: train.py', `method: ${method}`, 'metric:', '  name: val/loss', 'parameters:'];
  let size = 0;
  for (let i = 0; size < kib * 1024; i++) {
    const entry = i % 2 ? [`  width_${i}:`, `    values: [32, 64, 128, ${i}]`] : [`  lr_${i}:`, '    distribution: log_uniform_values', '    min: 0.00001', '    max: 0.1'];
    out.push(...entry);
    size += entry.join('\n').length + 1;
  }
  return out.join('\n') + '\n';
}

test('a large file is analysed off the server thread: other files answer meanwhile, and a result for an old version is dropped', { timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-lsp-big-'));
  const small = pathToFileURL(path.join(dir, 'sweep.yaml')).toString();
  const big = pathToFileURL(path.join(dir, 'big.sweep.yaml')).toString();
  const bigText = largeSweep(1024, 'bayesian'); // 1 MiB: well above the 256 KiB handed to the worker
  const proc = spawn(process.execPath, serverArgs(), { cwd: root, stdio: 'pipe' });
  const client = new RpcClient(proc);
  try {
    await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {}, initializationOptions: { debounceMs: 20 } });
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri: small, languageId: 'yaml', version: 1, text: 'method: random\nparameters:\n  x:\n    values: [1, 2]\n' } });
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === small);

    const order: string[] = [];
    const bigDiags = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === big, 60000).then((p) => (order.push('big diagnostics'), p));
    client.notify('textDocument/didOpen', { textDocument: { uri: big, languageId: 'yaml', version: 1, text: bigText } });
    // A hover in the small file, asked right after the big one opened, is answered before the big one is checked.
    const hover = await client.request('textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 2 } });
    order.push('hover');
    assert.match(JSON.stringify(hover.contents), /random/);
    // The user fixed `bayesian` before the check of version 1 was done: only version 2 is published, with no error.
    const range = { start: { line: 1, character: 8 }, end: { line: 1, character: 16 } };
    client.notify('textDocument/didChange', { textDocument: { uri: big, version: 2 }, contentChanges: [{ range, text: 'bayes' }] });
    const first = await bigDiags;
    assert.deepEqual(order, ['hover', 'big diagnostics']);
    assert.equal(first.version, 2, 'the result for version 1 was dropped');
    assert.deepEqual(first.diagnostics, []);

    // Back to the typo: the worker's diagnostics, completion, quick fix, hover and outline for the big file.
    const typo = { start: { line: 1, character: 8 }, end: { line: 1, character: 13 } };
    client.notify('textDocument/didChange', { textDocument: { uri: big, version: 3 }, contentChanges: [{ range: typo, text: 'bayesian' }] });
    const third = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === big && p.version === 3, 60000);
    assert.equal(third.diagnostics.length, 1, JSON.stringify(third.diagnostics));
    assert.deepEqual(third.diagnostics[0].range, range);
    assert.match(third.diagnostics[0].message, /`bayesian` is not a valid `method`.*Did you mean `bayes`\?/);
    const completion = await client.request('textDocument/completion', { textDocument: { uri: big }, position: { line: 1, character: 8 } });
    assert.deepEqual((Array.isArray(completion) ? completion : completion.items).map((i: any) => i.label), ['bayes', 'random', 'grid']);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: big }, range, context: { diagnostics: third.diagnostics } });
    assert.deepEqual(actions[0].edit.changes[big], [{ range, newText: 'bayes' }]);
    const bigHover = await client.request('textDocument/hover', { textDocument: { uri: big }, position: { line: 3, character: 3 } });
    assert.match(JSON.stringify(bigHover.contents), /metric/i);
    const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri: big } });
    assert.ok(JSON.stringify(symbols).includes('"width_1"'));
    assert.equal(client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === big && n.params.version === 1).length, 0);

    await client.request('shutdown', null);
    client.notify('exit', null);
    assert.equal(await new Promise((r) => proc.on('exit', r)), 0);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
