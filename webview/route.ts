// Browser routes in the URL fragment: #/runs, #/run/<key>, #/compare/<k1>,<k2>, #/sweeps, #/sweep/<id>. `trackwell ui` hands
// the API token over as #token=...; it is taken out of the fragment before anything else reads it.
import type { DashboardView } from '../runtime/protocol/webview';

export interface ParsedHash {
  view?: DashboardView;
  token?: string;
}

export function parseHash(hash: string): ParsedHash {
  let h = hash.replace(/^#/, '');
  let token: string | undefined;
  // The token may stand alone (#token=x) or follow a route (#/run/3&token=x).
  const m = /(?:^|[&?])token=([^&]*)/.exec(h);
  if (m) {
    token = decodeURIComponent(m[1]);
    h = h.slice(0, m.index) + h.slice(m.index + m[0].length);
  }
  return { view: parseRoute(h), token };
}

export function parseRoute(route: string): DashboardView | undefined {
  const parts = route.replace(/^\/+/, '').split('/');
  const keys = (s: string | undefined) => (s ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  switch (parts[0]) {
    case '':
    case 'runs':
      return parts[1] ? { kind: 'runs', project: decodeURIComponent(parts[1]) } : { kind: 'runs' };
    case 'run': {
      const [key] = keys(parts[1]);
      return key ? { kind: 'run', key } : undefined;
    }
    case 'compare': {
      const ks = [...new Set(keys(parts[1]))];
      return ks.length ? { kind: 'compare', keys: ks } : undefined;
    }
    case 'sweep':
      return parts[1] ? { kind: 'sweep', id: decodeURIComponent(parts[1]) } : undefined;
    case 'sweeps':
      return parts[1] ? { kind: 'sweeps', project: decodeURIComponent(parts[1]) } : { kind: 'sweeps' };
    default:
      return undefined;
  }
}

export function formatRoute(v: DashboardView): string {
  switch (v.kind) {
    case 'runs': return v.project ? `#/runs/${encodeURIComponent(v.project)}` : '#/runs';
    case 'run': return `#/run/${v.key}`;
    case 'compare': return `#/compare/${v.keys.join(',')}`;
    case 'sweep': return `#/sweep/${encodeURIComponent(v.id)}`;
    case 'sweeps': return v.project ? `#/sweeps/${encodeURIComponent(v.project)}` : '#/sweeps';
  }
}
