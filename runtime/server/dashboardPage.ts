// The HTML page that hosts the dashboard bundle (dist/webview/main.js + main.css), for a browser tab
// served by the runtime and for VS Code webviews. Scripts run only with the page's nonce.
import crypto from 'node:crypto';

export interface DashboardPageOptions {
  scriptUri: string;
  styleUri: string;
  /** extra CSP sources for images/fonts/styles (a webview's cspSource) */
  cspSource?: string;
  /** 'browser': the bundle talks to the runtime itself; 'vscode': through postMessage */
  host: 'browser' | 'vscode';
  /** origin of the runtime API for connect-src (browser only) */
  connectSrc?: string;
  nonce?: string;
  title?: string;
}

export function newNonce(): string {
  return crypto.randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function dashboardHtml(o: DashboardPageOptions): string {
  const nonce = o.nonce ?? newNonce();
  const src = o.cspSource ? ` ${o.cspSource}` : '';
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Components adopt constructed stylesheets (not subject to style-src); <style> elements need the nonce.
    `style-src${src} 'self' 'nonce-${nonce}'`,
    `img-src${src} 'self' data: blob:`,
    `font-src${src} 'self' data:`,
    // User HTML (wandb.Html) is shown in sandboxed frames built from blob/data URLs.
    'frame-src blob: data:',
    o.host === 'browser' ? `connect-src 'self' ${o.connectSrc ?? ''}`.trim() : "connect-src 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title ?? 'Trackwell')}</title>
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
</head>
<body data-host="${o.host}" data-nonce="${nonce}">
<div id="app" role="application" aria-busy="true"><p class="tw-loading">Loading Trackwell…</p></div>
<script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
