// Starts a real runtime process on a temporary data root, and talks to its API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { CLI, waitFor } from './cli';

export interface TestRuntime {
  root: string;
  proc: ChildProcess;
  url: string;
  token: string;
  exited: Promise<number | null>;
  get<T = any>(p: string): Promise<T>;
  request(method: string, p: string, body?: Buffer | string, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  live(): Promise<LiveClient>;
  stop(): Promise<void>;
}

export interface LiveClient {
  ws: WebSocket;
  messages: any[];
  events(): any[];
  send(m: unknown): void;
  close(): void;
}

export async function startRuntime(root: string, extraArgs: string[] = []): Promise<TestRuntime> {
  fs.rmSync(path.join(root, 'runtime.json'), { force: true });
  const proc = spawn(process.execPath, [CLI, 'serve', '--dir', root, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const info = await waitFor(() => {
    try { return JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8')); } catch { return undefined; }
  }, 15000, `runtime.json (stderr: ${stderr})`);
  const url = `http://127.0.0.1:${info.port}`;
  const token = fs.readFileSync(path.join(root, 'token'), 'utf8').trim();
  const request = (method: string, p: string, body?: Buffer | string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = http.request(`${url}${p}`, { method, headers: { Authorization: `Bearer ${token}`, ...headers } }, (res) => {
        let t = '';
        res.on('data', (d) => (t += d));
        res.on('end', () => {
          let json: any = t;
          try { json = t ? JSON.parse(t) : null; } catch { /* not JSON */ }
          resolve({ status: res.statusCode!, json });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    root, proc, url, token, exited, request,
    async get(p) {
      const r = await request('GET', p);
      if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    },
    async live() {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/live?token=${token}`);
      const messages: any[] = [];
      ws.on('message', (d) => messages.push(JSON.parse(String(d))));
      await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
      await waitFor(() => messages.some((m) => m.type === 'hello'), 5000, 'hello');
      return {
        ws, messages,
        events: () => messages.filter((m) => m.type === 'events').flatMap((m) => m.events),
        send: (m) => ws.send(JSON.stringify(m)),
        close: () => ws.close(),
      };
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
