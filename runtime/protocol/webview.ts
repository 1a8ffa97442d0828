// Messages between the dashboard bundle (webview/) and its host. In a browser tab the bundle talks to
// the runtime directly (fetch + WebSocket); in VS Code the extension is the host: it relays API
// requests to the runtime and live events back through postMessage, so the webview's CSP can stay
// `default-src 'none'` and nothing in it needs the runtime's address.
import type { LiveClientMessage, LiveServerMessage } from './api';

export type DashboardView =
  | { kind: 'runs'; project?: string }
  | { kind: 'run'; key: number }
  | { kind: 'compare'; keys: number[] }
  | { kind: 'sweep'; id: string }
  | { kind: 'sweeps'; project?: string };

export type WebviewToHost =
  /** the bundle has loaded and listens: the host answers with `init` */
  | { type: 'ready' }
  /** an API request: GET unless `method` says otherwise; path starts with /api/ */
  | { type: 'request'; id: number; method?: 'GET' | 'POST' | 'DELETE'; path: string; query?: Record<string, string | string[]>; body?: unknown;
    /** 'text': the answer is not JSON (a stored file); `json` of the response is then its text */
    as?: 'text' }
  | { type: 'live'; message: LiveClientMessage }
  /** the user asked for another view (VS Code opens or reveals a panel; a browser navigates) */
  | { type: 'open'; view: DashboardView }
  /** UI state to restore after a reload (the webview serializer keeps it) */
  | { type: 'state'; state: unknown }
  /** an editor action, e.g. open a file or a diff: {command: 'openFile', args: [path]} */
  | { type: 'command'; command: string; args: unknown[] };

export type HostToWebview =
  | { type: 'init'; view: DashboardView; state?: unknown; settings?: DashboardSettings }
  | { type: 'response'; id: number; ok: true; json: unknown }
  | { type: 'response'; id: number; ok: false; status?: number; error: string }
  | { type: 'live'; message: LiveServerMessage }
  /** the host switches the view shown (e.g. the Runs tree asked to compare other runs) */
  | { type: 'show'; view: DashboardView };

/** User settings the host passes to the dashboard (VS Code's `trackwell.*` settings). */
export interface DashboardSettings {
  /** console lines kept in the console panel (older lines are dropped from view, not from the store) */
  consoleLinesKept?: number;
}
