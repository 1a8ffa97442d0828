// `npm run bench:lsp`: time from an edit to diagnostics for a 2,000-line sweep file.
//  1. in process: apply an incremental edit to the document, then compute its diagnostics (parse, schema,
//     semantic checks, ranges, quick fixes) — the work the server does when its debounce fires;
//  2. over stdio with the real server (debounce set to 0): didChange sent → publishDiagnostics received.
// The first WARMUP edits (JIT compilation) are timed apart from the EDITS measured ones.
// Usage: node --import tsx scripts/bench/lsp.ts [--edits 50] [--warmup 10]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SweepLanguageService } from '../../runtime/lsp/service';
import { parseSweepYaml } from '../../runtime/sweeps/config';

const arg = (name: string, dflt: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const EDITS = arg('--edits', 50);
const WARMUP = arg('--warmup', 10);
const root = path.resolve(__dirname, '..', '..');

/** A realistic sweep of 400 parameters of mixed forms, 2,000 lines or a little more. */
function bigSweep(): string {
  const out = ['program: train.py', 'method: random', 'metric:', '  name: val/loss', '  goal: minimize', 'parameters:'];
  for (let i = 0; out.length < 2000; i++) {
    if (i % 3 === 0) out.push(`  lr_${i}:`, '    distribution: log_uniform_values', '    min: 0.00001', `    max: 0.${(i % 9) + 1}`, '    # learning rate of block');
    else if (i % 3 === 1) out.push(`  width_${i}:`, `    values: [32, 64, 128, ${i}]`, '    # width', '    # of layer', '    # (fixed)');
    else out.push(`  drop_${i}:`, '    min: 0.0', `    max: 0.${(i % 8) + 1}`, '    # dropout', '    # rate');
  }
  return out.join('\n') + '\n';
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s.at(-1)! };
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Edit i: the `max` of some lr parameter, alternately valid and below its min (an error with a fix). */
function editAt(doc: TextDocument, i: number) {
  const text = doc.getText();
  const lines = text.split('\n');
  const candidates = lines.map((l, n) => (l.startsWith('    max: 0.') ? n : -1)).filter((n) => n >= 0);
  const line = candidates[(i * 37) % candidates.length];
  const value = i % 2 ? '0.000001' : `0.${(i % 9) + 1}`;
  return { range: { start: { line, character: 9 }, end: { line, character: lines[line].length } }, text: value };
}

interface Timings {
  warmup: number[];
  measured: number[];
}

function inProcess(text: string): Timings {
  const svc = new SweepLanguageService({
    workspaceFolders: () => [root], settings: () => ({ sweepFiles: [] }), readFile: () => undefined, initConfigFiles: () => new Set(), metricKeys: async () => [],
  });
  let doc = TextDocument.create(pathToFileURL(path.join(root, 'bench.sweep.yaml')).toString(), 'yaml', 0, text);
  svc.diagnostics(doc); // opening the file: compiles the ajv validators, fills the chunk cache
  const times: number[] = [];
  for (let i = 0; i < WARMUP + EDITS; i++) {
    const t0 = performance.now();
    doc = TextDocument.update(doc, [editAt(doc, i)], doc.version + 1);
    svc.diagnostics(doc);
    times.push(performance.now() - t0);
  }
  return { warmup: times.slice(0, WARMUP), measured: times.slice(WARMUP) };
}

async function overStdio(text: string): Promise<Timings> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-lsp-'));
  const file = path.join(dir, 'bench.sweep.yaml');
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  const bundled = path.join(root, 'dist/lsp.js');
  const args = fs.existsSync(bundled) ? [bundled, '--stdio'] : ['--import', 'tsx', path.join(root, 'runtime/lsp/server.ts'), '--stdio'];
  const proc = spawn(process.execPath, args, { cwd: root, stdio: 'pipe' });
  let buf = Buffer.alloc(0);
  let nextId = 1;
  const waiting = new Map<string, (msg: any) => void>();
  proc.stdout.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())![1]);
      if (buf.length < end + 4 + len) return;
      const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString());
      buf = buf.subarray(end + 4 + len);
      const key = msg.method === 'textDocument/publishDiagnostics' ? `diag:${msg.params.version}` : `id:${msg.id}`;
      waiting.get(key)?.(msg);
      waiting.delete(key);
    }
  });
  const send = (msg: object) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
    proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    proc.stdin.write(body);
  };
  const wait = (key: string) => new Promise<any>((resolve) => waiting.set(key, resolve));
  try {
    const init = wait('id:1');
    send({ id: nextId++, method: 'initialize', params: { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {}, initializationOptions: { debounceMs: 0 } } });
    await init;
    send({ method: 'initialized', params: {} });
    let doc = TextDocument.create(uri, 'yaml', 1, text);
    const opened = wait('diag:1');
    send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } });
    await opened;
    const times: number[] = [];
    for (let i = 0; i < WARMUP + EDITS; i++) {
      const change = editAt(doc, i);
      doc = TextDocument.update(doc, [change], doc.version + 1);
      const got = wait(`diag:${doc.version}`);
      const t0 = performance.now();
      send({ method: 'textDocument/didChange', params: { textDocument: { uri, version: doc.version }, contentChanges: [change] } });
      await got;
      times.push(performance.now() - t0);
    }
    send({ id: nextId++, method: 'shutdown', params: null });
    send({ method: 'exit', params: null });
    return { warmup: times.slice(0, WARMUP), measured: times.slice(WARMUP) };
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const text = bigSweep();
  console.log(`sweep file: ${text.split('\n').length - 1} lines, ${(text.length / 1024).toFixed(1)} KiB; ${WARMUP} warm-up + ${EDITS} measured edits; node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
  const report = (label: string, t: Timings) => {
    const m = stats(t.measured);
    const w = t.warmup.length ? `; warm-up edits: max ${ms(Math.max(...t.warmup))}` : '';
    console.log(`${label}: median ${ms(m.median)}, p95 ${ms(m.p95)}, max ${ms(m.max)}${w}`);
    return m;
  };
  report('in process (edit → diagnostics)', inProcess(text));
  // Without the chunk cache: what opening a file costs, and every edit of a file that cannot be chunked
  // (anchors/aliases, several documents, an unterminated quote or flow list).
  const full: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    parseSweepYaml(text.replace('max: 0.1', `max: 0.1${i}`), { parse: 'full' });
    full.push(performance.now() - t0);
  }
  report('in process, one full parse (no chunk cache)', { warmup: full.slice(0, 5), measured: full.slice(5) });
  const b = report('over stdio (didChange → publishDiagnostics, debounce 0)', await overStdio(text));
  const target = 50;
  console.log(b.p95 < target ? `target met: p95 under ${target} ms` : `target missed: p95 ${ms(b.p95)} ≥ ${target} ms`);
}

void main();
