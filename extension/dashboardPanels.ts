// Run and compare panels: the dashboard's webview bundle, fed through postMessage. The extension relays
// API requests to the runtime and live events back, so the webview never needs the runtime's address
// and its CSP stays `default-src 'none'` with a nonce for the one script.
import * as vscode from 'vscode';
import path from 'node:path';
import type { DashboardView, HostToWebview, WebviewToHost } from '../runtime/protocol/webview';
import type { LiveEvent } from '../runtime/protocol/live';
import { dashboardHtml } from '../runtime/server/dashboardPage';
import type { RuntimeConnection, LiveFilter } from './runtimeConnection';
import { findView, viewKey, viewTitle } from './logic/dashboardViews';

export const PANEL_TYPE = 'trackwell.dashboard';

class DashboardPanel implements vscode.Disposable {
  private filter: LiveFilter = { history: new Set(), console: new Set(), system: new Set() };
  private unsubscribe: () => void;
  private disposables: vscode.Disposable[] = [];
  private ready = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    public view: DashboardView,
    private readonly owner: DashboardPanels,
    private state?: unknown,
  ) {
    const wv = panel.webview;
    wv.options = { enableScripts: true, localResourceRoots: [owner.bundleDir] };
    wv.html = dashboardHtml({
      host: 'vscode', cspSource: wv.cspSource,
      scriptUri: wv.asWebviewUri(vscode.Uri.joinPath(owner.bundleDir, 'main.js')).toString(),
      styleUri: wv.asWebviewUri(vscode.Uri.joinPath(owner.bundleDir, 'main.css')).toString(),
    });
    this.unsubscribe = owner.conn.subscribe(this, this.filter);
    this.disposables.push(
      wv.onDidReceiveMessage((m: WebviewToHost) => void this.onMessage(m)),
      owner.conn.onEvents((events) => this.relay(events)),
      owner.conn.onResync(() => this.post({ type: 'live', message: { type: 'resync', reason: 'reconnected to the runtime' } })),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  post(m: HostToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  show(view: DashboardView): void {
    this.view = view;
    this.panel.title = viewTitle(view, (k) => this.owner.runName(k));
    if (this.ready) this.post({ type: 'show', view });
  }

  private relay(events: LiveEvent[]): void {
    if (!this.ready) return;
    const picked = events.filter((e) => {
      const has = (f: Set<number> | '*', key: number) => f === '*' || f.has(key);
      if (e.type === 'history') return has(this.filter.history, e.run.key);
      if (e.type === 'console') return has(this.filter.console, e.run.key);
      if (e.type === 'system') return has(this.filter.system, e.run.key);
      return true;
    });
    if (picked.length) this.post({ type: 'live', message: { type: 'events', events: picked } });
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'init', view: this.view, state: this.state, settings: this.owner.webviewSettings() });
        return;
      case 'request':
        try {
          const json = m.as === 'text'
            ? (await this.owner.conn.requestBytes(m.path, m.query)).toString('utf8')
            : await this.owner.conn.request(m.method ?? 'GET', m.path, m.query, m.body);
          this.post({ type: 'response', id: m.id, ok: true, json });
        } catch (e) {
          this.post({ type: 'response', id: m.id, ok: false, status: (e as { status?: number }).status, error: (e as Error).message });
        }
        return;
      case 'live':
        if (m.message.type === 'subscribe') {
          const f = (v: number[] | '*' | undefined) => (v === '*' ? '*' : new Set(v ?? []));
          this.filter = { history: f(m.message.history), console: f(m.message.console), system: f(m.message.system) };
          this.unsubscribe();
          this.unsubscribe = this.owner.conn.subscribe(this, this.filter);
        }
        return;
      case 'open':
        this.owner.open(m.view);
        return;
      case 'state':
        this.state = m.state;
        return;
      case 'command':
        await this.owner.runWebviewCommand(m.command, m.args);
        return;
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.disposables.forEach((d) => d.dispose());
    this.owner.forget(this);
  }
}

export class DashboardPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private panels = new Map<string, DashboardPanel>();
  readonly bundleDir: vscode.Uri;
  private readonly iconPath: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    readonly conn: RuntimeConnection,
    readonly runName: (key: number) => string | undefined,
    readonly webviewSettings: () => Record<string, unknown>,
  ) {
    this.bundleDir = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'trackwell.svg');
  }

  open(view: DashboardView, column: vscode.ViewColumn = vscode.ViewColumn.Active, preserveFocus = false): void {
    const key = viewKey(view);
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal(column, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_TYPE, viewTitle(view, this.runName), { viewColumn: column, preserveFocus }, {
      enableScripts: true, localResourceRoots: [this.bundleDir],
    });
    panel.iconPath = this.iconPath;
    this.panels.set(key, new DashboardPanel(panel, view, this));
  }

  /** Restores panels after a window reload (the webview's saved state carries its view). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const view = findView(state) ?? { kind: 'runs' };
    panel.title = viewTitle(view, this.runName);
    panel.iconPath = this.iconPath;
    const key = viewKey(view);
    // Two restored panels of one view: keep the first, so `open` has one panel to reveal.
    if (this.panels.has(key)) {
      panel.dispose();
      return;
    }
    this.panels.set(key, new DashboardPanel(panel, view, this, state));
  }

  /** Run names arrive after a restored panel was titled with the run's key: retitle once they are known. */
  retitle(): void {
    for (const p of this.panels.values()) {
      const title = viewTitle(p.view, this.runName);
      if (p.panel.title !== title) p.panel.title = title;
    }
  }

  /** The open panels and the views they show (for tests and diagnostics). */
  list(): { key: string; view: DashboardView; title: string; panel: vscode.WebviewPanel }[] {
    return [...this.panels].map(([key, p]) => ({ key, view: p.view, title: p.panel.title, panel: p.panel }));
  }

  forget(p: DashboardPanel): void {
    for (const [k, v] of this.panels) if (v === p) this.panels.delete(k);
  }

  async runWebviewCommand(command: string, args: unknown[]): Promise<void> {
    if (command === 'openFile' && typeof args[0] === 'string') {
      await vscode.window.showTextDocument(vscode.Uri.file(args[0]), { viewColumn: vscode.ViewColumn.One });
    } else if (command === 'diff' && typeof args[0] === 'string' && typeof args[1] === 'string') {
      await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(args[0]), vscode.Uri.file(args[1]), String(args[2] ?? path.basename(args[1])));
    } else if (command === 'copy' && typeof args[0] === 'string') {
      await vscode.env.clipboard.writeText(args[0]);
    } else if (command.startsWith('trackwell.')) {
      await vscode.commands.executeCommand(command, ...args);
    }
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }
}
