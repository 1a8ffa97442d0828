// npm run bench:client — for 10,000 steps of 10 and of 100 scalars: median and p99 time of a log()
// call on the training thread, total time to finish(), and points per second stored (from the
// first log() to the last row being in SQLite), against a real runtime on a temporary data root.
// Also: the runtime's ingest rate alone, on a synthetic journal posted in 1 MB batches.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { encodeJournalLine } from '../../runtime/ingest/journalFormat';
import { clientPythonPath } from '../../runtime/launch/python';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

async function startRuntime(root: string) {
  const proc = spawn(process.execPath, [CLI, 'serve', '--dir', root], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !fs.existsSync(path.join(root, 'runtime.json')); i++) await new Promise((r) => setTimeout(r, 50));
  const info = JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8'));
  return { proc, url: `http://127.0.0.1:${info.port}`, token: fs.readFileSync(path.join(root, 'token'), 'utf8').trim() };
}

function post(url: string, token: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function endToEnd(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-client-'));
  const rt = await startRuntime(root);
  try {
    const env = { ...process.env, TRACKWELL_DIR: root, TRACKWELL_RUNTIME: rt.url, TRACKWELL_TOKEN: rt.token, PYTHONPATH: clientPythonPath(process.env.PYTHONPATH) };
    const out = spawnSync('python3', [path.join(ROOT, 'runtime', 'python', 'bench_client.py')], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (out.status !== 0) throw new Error(`bench_client.py failed: ${out.stderr}`);
    const db = new Database(path.join(root, 'trackwell.db'), { readonly: true });
    for (const line of out.stdout.trim().split('\n')) {
      const r = JSON.parse(line);
      let stored = '';
      if (r.mode === 'online') {
        // Rows carry the client's log time; the stored rate spans first log() to last row in SQLite.
        for (let i = 0; i < 600; i++) {
          const row = db.prepare('SELECT r.history_rows AS n, (SELECT min(ts) FROM history WHERE run_key = r.key) AS first FROM runs r WHERE r.id = ?').get(r.run_id) as any;
          if (row && row.n >= r.steps) {
            const doneAt = r.stored_at ?? Date.now() / 1000;
            stored = `, stored ${Math.round((r.steps * r.scalars) / (doneAt - row.first)).toLocaleString()} points/s`;
            break;
          }
          await new Promise((res) => setTimeout(res, 50));
        }
        if (!stored) stored = ', NOT all rows stored within 30 s';
      }
      console.log(`${r.mode.padEnd(7)} ${String(r.scalars).padStart(3)} scalars x ${r.steps} steps: log() median ${r.median_us.toFixed(1)} µs, p99 ${r.p99_us.toFixed(1)} µs, finish() ${r.finish_s.toFixed(2)} s${stored}`);
    }
    db.close();
  } finally {
    rt.proc.kill('SIGTERM');
    await new Promise((r) => rt.proc.once('exit', r));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function ingestOnly(scalars: number, steps = 10000): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-ingest-'));
  const rt = await startRuntime(root);
  try {
    const uuid = crypto.randomUUID();
    const lines: string[] = [encodeJournalLine({ s: 0, t: 'run', ts: 1, journal: uuid, id: 'ingest01', project: 'bench', start_time: 1 })];
    for (let i = 0; i < steps; i++) {
      const data: Record<string, number> = {};
      for (let k = 0; k < scalars; k++) data[`metric_${k}`] = Math.random();
      lines.push(encodeJournalLine({ s: i + 1, t: 'history', ts: 1 + i / 100, step: i, runtime: i / 100, data }));
    }
    const buf = Buffer.from(lines.join(''));
    const t0 = process.hrtime.bigint();
    let off = 0;
    while (off < buf.length) {
      let end = Math.min(buf.length, off + (1 << 20));
      end = buf.lastIndexOf(0x0a, end - 1) + 1;
      const status = await post(`${rt.url}/api/ingest?journal=${uuid}&offset=${off}`, rt.token, buf.subarray(off, end));
      if (status !== 200) throw new Error(`ingest answered ${status}`);
      off = end;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`runtime ingest alone, ${scalars} scalars x ${steps} steps: ${Math.round((steps * scalars) / s).toLocaleString()} points/s (${(buf.length / s / 1e6).toFixed(1)} MB/s of journal)`);
  } finally {
    rt.proc.kill('SIGTERM');
    await new Promise((r) => rt.proc.once('exit', r));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

(async () => {
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
  await endToEnd();
  await ingestOnly(10);
  await ingestOnly(100);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
