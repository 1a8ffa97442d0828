// How clients find the runtime serving a data root: the token file and runtime.json, both 0600.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { dataRootPaths, ensureDataRoot } from '../store/dataRoot';

export interface RuntimeInfo {
  pid: number;
  host: string;
  port: number;
  version: string;
  started_at: number;
  data_root: string;
}

export const VERSION = '0.1.0';

/** The data root's secret, created on first use with owner-only permissions. */
export function readOrCreateToken(root: string): string {
  const file = ensureDataRoot(root).token;
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return fs.readFileSync(file, 'utf8').trim();
}

export function readToken(root: string): string | undefined {
  try {
    return fs.readFileSync(dataRootPaths(root).token, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function writeRuntimeInfo(root: string, info: RuntimeInfo): void {
  const file = dataRootPaths(root).runtimeInfo;
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function readRuntimeInfo(root: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(dataRootPaths(root).runtimeInfo, 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

export function removeRuntimeInfo(root: string, pid: number): void {
  const info = readRuntimeInfo(root);
  if (info && info.pid === pid) fs.rmSync(dataRootPaths(root).runtimeInfo, { force: true });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its parent) still answers signal 0 but is gone.
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  return true;
}

export function runtimeUrl(info: Pick<RuntimeInfo, 'host' | 'port'>): string {
  const host = info.host.includes(':') ? `[${info.host}]` : info.host;
  return `http://${host}:${info.port}`;
}

/** A small JSON request to a runtime; rejects on network errors and non-2xx answers. */
export function requestJson<T = any>(
  base: string, token: string, method: string, path: string, body?: unknown, timeoutMs = 5000,
): Promise<T> {
  return requestRaw(base, token, method, path, body, timeoutMs).then((buf) => {
    const text = buf.toString('utf8');
    try { return (text ? JSON.parse(text) : {}) as T; } catch { return { error: text } as T; }
  });
}

/** The response body as bytes (e.g. a stored file); a status of 300 or more rejects with `status` and the API's error. */
export function requestRaw(base: string, token: string, method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(`${base}${path}`, {
      method, timeout: timeoutMs,
      headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        if ((res.statusCode ?? 500) < 300) return resolve(buf);
        const text = buf.toString('utf8');
        let json: any;
        try { json = text ? JSON.parse(text) : {}; } catch { json = { error: text }; }
        reject(Object.assign(new Error(json?.error ?? `HTTP ${res.statusCode}`), { status: res.statusCode, body: json }));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`runtime did not answer ${method} ${path} within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface LiveRuntime {
  info: RuntimeInfo;
  url: string;
  token: string;
}

/** The runtime serving `root`, if one is running and answers. */
export async function findRuntime(root: string): Promise<LiveRuntime | undefined> {
  const info = readRuntimeInfo(root);
  const token = readToken(root);
  if (!info || !token || !pidAlive(info.pid)) return undefined;
  const url = runtimeUrl(info);
  try {
    const h = await requestJson(url, token, 'GET', '/api/health', undefined, 2000);
    return h.ok ? { info, url, token } : undefined;
  } catch {
    return undefined;
  }
}
