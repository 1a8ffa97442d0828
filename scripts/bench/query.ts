// npm run bench:query — time to answer a 1,000,000-point history query at 1,000 px, and the latency
// from log() in a Python script to the point arriving at a WebSocket subscriber at 100 steps/s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Store } from '../../runtime/store/store';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const N = Number(process.env.BENCH_POINTS ?? 1_000_000);

/** One GET: the round trip, and the runtime's own time from its Server-Timing header. */
function get(url: string, token: string): Promise<{ ms: number; serverMs: number; body: any }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http.get(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let t = '';
      const serverMs = Number(/dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN);
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, serverMs, body: JSON.parse(t) }));
    }).on('error', reject);
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function startRuntime(root: string) {
  const proc = spawn(process.execPath, [CLI, 'serve', '--dir', root], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !fs.existsSync(path.join(root, 'runtime.json')); i++) await new Promise((r) => setTimeout(r, 50));
  const info = JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8'));
  return { proc, url: `http://127.0.0.1:${info.port}`, token: fs.readFileSync(path.join(root, 'token'), 'utf8').trim() };
}

async function historyQuery(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-query-'));
  fs.mkdirSync(path.join(root, 'runs'), { recursive: true });
  const store = Store.open(path.join(root, 'trackwell.db'));
  const pid = store.projectId('bench');
  const key = Number(store.db.prepare(`INSERT INTO runs (project_id, id, created_at, updated_at, state) VALUES (?, 'million', 0, 0, 'finished')`).run(pid).lastInsertRowid);
  const t0 = Date.now();
  const batch = 50_000;
  for (let s = 0; s < N; s += batch) {
    store.db.transaction(() => {
      for (let i = s; i < Math.min(N, s + batch); i++) store.insertHistoryRow(key, i, i * 0.01, i * 0.01, {
        loss: Math.exp(-i / 2e5) + Math.sin(i / 50) * 0.05,
        // the worst cases for block summaries: a monotone ramp (every bucket's extremes sit in blocks
        // that cross its edges) and white noise
        ramp: i / N,
        noise: ((i * 2654435761) % 4294967296) / 4294967296,
        samples_seen: i * 32,
      });
    })();
  }
  store.series.flush();
  store.db.prepare('UPDATE runs SET history_rows = ?, last_step = ? WHERE key = ?').run(N, N - 1, key);
  store.close();
  console.log(`setup: stored ${N.toLocaleString()} points in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const rt = await startRuntime(root);
  try {
    const q = `${rt.url}/api/runs/${key}/history?keys=loss&width=1000`;
    const cold = await get(q, rt.token);
    const times: number[] = [];
    for (let i = 0; i < 30; i++) times.push((await get(q, rt.token)).ms);
    const zoom: number[] = [];
    for (let i = 0; i < 30; i++) {
      const from = Math.floor((i / 30) * N * 0.9);
      zoom.push((await get(`${q}&from=${from}&to=${from + N / 10}`, rt.token)).ms);
    }
    const wall: number[] = [];
    for (let i = 0; i < 10; i++) wall.push((await get(`${q}&x=wall`, rt.token)).ms);
    const timed = async (url: string, n = 15) => {
      const ts: number[] = [];
      for (let i = 0; i < n; i++) ts.push((await get(url, rt.token)).ms);
      return ts;
    };
    const base = `${rt.url}/api/runs/${key}/history?width=1000`;
    const ramp = await timed(`${base}&keys=ramp`);
    const noise = await timed(`${base}&keys=noise`);
    const byMetric = await timed(`${base}&keys=loss&x=metric:samples_seen`, 7);
    const relative: number[] = await timed(`${q}&x=relative`, 10);
    const s = cold.body.series.loss;
    console.log(`history query, ${N.toLocaleString()} points -> ${s.x.length} points at 1000 px (count ${s.count}, sampled ${s.sampled})`);
    console.log(`  x=step full range: cold ${cold.ms.toFixed(1)} ms (${cold.serverMs.toFixed(1)} ms in the runtime), warm median ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms (HTTP round trip included)`);
    console.log(`  x=step 10% zoom:   median ${pct(zoom, 0.5).toFixed(1)} ms, p95 ${pct(zoom, 0.95).toFixed(1)} ms`);
    console.log(`  x=wall full range: median ${pct(wall, 0.5).toFixed(1)} ms`);
    console.log(`  x=step, monotone ramp: median ${pct(ramp, 0.5).toFixed(1)} ms, p95 ${pct(ramp, 0.95).toFixed(1)} ms`);
    console.log(`  x=step, white noise:   median ${pct(noise, 0.5).toFixed(1)} ms, p95 ${pct(noise, 0.95).toFixed(1)} ms`);
    console.log(`  x=relative time:   median ${pct(relative, 0.5).toFixed(1)} ms`);
    console.log(`  x=metric (another logged metric as x): first query ${byMetric[0].toFixed(1)} ms, then median ${pct(byMetric.slice(1), 0.5).toFixed(1)} ms`);
  } finally {
    rt.proc.kill('SIGTERM');
    await new Promise((r) => rt.proc.once('exit', r));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function liveLatency(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-live-'));
  const rt = await startRuntime(root);
  const script = path.join(root, 'latency.py');
  fs.writeFileSync(script, `import time, trackwell as tw
run = tw.init(project="bench", name="latency")
for i in range(1000):
    run.log({"sent": time.time()})
    time.sleep(0.01)
run.finish()
`);
  const lat: number[] = [];
  const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/live?token=${rt.token}`);
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'subscribe', history: '*' }));
  ws.on('message', (data) => {
    const now = Date.now() / 1000;
    const m = JSON.parse(String(data));
    if (m.type !== 'events') return;
    for (const e of m.events) if (e.type === 'history') for (const p of e.points) if (typeof p.values.sent === 'number') lat.push((now - p.values.sent) * 1000);
  });
  try {
    const child = spawn(process.execPath, [CLI, 'run', script, '--dir', root], { stdio: 'ignore', env: { ...process.env, TRACKWELL_DIR: root } });
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    console.log(`log() to subscriber at 100 steps/s: ${lat.length} points, p50 ${pct(lat, 0.5).toFixed(1)} ms, p95 ${pct(lat, 0.95).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`);
  } finally {
    ws.close();
    rt.proc.kill('SIGTERM');
    await new Promise((r) => rt.proc.once('exit', r));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

(async () => {
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}`);
  await historyQuery();
  if (process.env.BENCH_SKIP_LIVE !== '1') await liveLatency();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
