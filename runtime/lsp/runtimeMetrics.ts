// Metric names the project's runs have logged, asked from a running Trackwell runtime. Completion must
// never wait on it for long or fail because of it: a short timeout, a small cache, silence on errors.
import path from 'node:path';
import { readRuntimeInfo, readToken, requestJson, runtimeUrl } from '../server/runtimeInfo';

export interface RuntimeAddress {
  url: string;
  token: string;
}

/**
 * The runtime serving this workspace: TRACKWELL_RUNTIME + TRACKWELL_TOKEN, else `runtime.json` and
 * `token` in the data root (TRACKWELL_DIR, else the `trackwell.dataRoot` setting, else
 * `<workspace>/.trackwell`).
 */
export function findRuntimeAddress(workspaceFolder: string | undefined, dataRootSetting: string | undefined, env: NodeJS.ProcessEnv = process.env): RuntimeAddress | undefined {
  if (env.TRACKWELL_RUNTIME && env.TRACKWELL_TOKEN) return { url: env.TRACKWELL_RUNTIME.replace(/\/$/, ''), token: env.TRACKWELL_TOKEN };
  const base = workspaceFolder ?? process.cwd();
  const root = env.TRACKWELL_DIR ? path.resolve(base, env.TRACKWELL_DIR) : dataRootSetting ? path.resolve(base, dataRootSetting) : path.join(base, '.trackwell');
  const info = readRuntimeInfo(root);
  const token = readToken(root);
  return info && token ? { url: runtimeUrl(info), token } : undefined;
}

const CACHE_MS = 5000;
const cache = new Map<string, { at: number; keys: Promise<string[]> }>();

/** GET /api/metric-keys?project=P; [] when no runtime answers within `timeoutMs`. */
export function fetchMetricKeys(addr: RuntimeAddress | undefined, project: string | undefined, timeoutMs = 800): Promise<string[]> {
  if (!addr) return Promise.resolve([]);
  const id = `${addr.url}|${project ?? ''}`;
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.keys;
  const query = project ? `?project=${encodeURIComponent(project)}` : '';
  const keys = requestJson<{ keys?: unknown }>(addr.url, addr.token, 'GET', `/api/metric-keys${query}`, undefined, timeoutMs)
    .then((r) => (Array.isArray(r.keys) ? r.keys.filter((k): k is string => typeof k === 'string') : []))
    .catch(() => []);
  cache.set(id, { at: Date.now(), keys });
  return keys;
}
