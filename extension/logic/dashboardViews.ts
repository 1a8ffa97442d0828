// Which dashboard view a panel shows: its identity (one panel per view), its title, and the view a
// restored panel's saved webview state carries. Kept free of `vscode` so it can be unit-tested.
import type { DashboardView } from '../../runtime/protocol/webview';

/** One panel per view: two views with the same key share a panel (compare ignores the order of runs). */
export function viewKey(v: DashboardView): string {
  switch (v.kind) {
    case 'run': return `run:${v.key}`;
    case 'compare': return `compare:${[...v.keys].sort((a, b) => a - b).join(',')}`;
    case 'runs': return `runs:${v.project ?? ''}`;
    case 'sweep': return `sweep:${v.id}`;
    case 'sweeps': return `sweeps:${v.project ?? ''}`;
  }
}

export function viewTitle(v: DashboardView, names: (key: number) => string | undefined): string {
  switch (v.kind) {
    case 'run': return `Run ${names(v.key) ?? v.key}`;
    case 'compare': return `Compare ${v.keys.length} runs`;
    case 'runs': return v.project ? `Runs · ${v.project}` : 'Trackwell Runs';
    case 'sweep': return `Sweep ${v.id}`;
    case 'sweeps': return v.project ? `Sweeps · ${v.project}` : 'Trackwell Sweeps';
  }
}

const KINDS = new Set(['run', 'compare', 'runs', 'sweep', 'sweeps']);

/**
 * The view in a restored panel's state (`{view}` as the webview saves it, or `{state: {view}}`), when it
 * is well formed; anything else (an older or foreign state) yields undefined.
 */
export function findView(state: unknown): DashboardView | undefined {
  if (!state || typeof state !== 'object') return undefined;
  const s = state as { view?: unknown; state?: { view?: unknown } };
  const v = (s.view ?? s.state?.view) as Record<string, unknown> | undefined;
  if (!v || typeof v !== 'object' || typeof v.kind !== 'string' || !KINDS.has(v.kind)) return undefined;
  const int = (n: unknown) => typeof n === 'number' && Number.isInteger(n);
  const optString = (p: unknown) => p === undefined || p === null || typeof p === 'string';
  switch (v.kind) {
    case 'run': return int(v.key) ? (v as unknown as DashboardView) : undefined;
    case 'compare': return Array.isArray(v.keys) && v.keys.length > 0 && v.keys.every(int) ? (v as unknown as DashboardView) : undefined;
    case 'sweep': return typeof v.id === 'string' && v.id ? (v as unknown as DashboardView) : undefined;
    default: return optString(v.project) ? (v as unknown as DashboardView) : undefined;
  }
}
