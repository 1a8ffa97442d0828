// Picks the transport for the page's host (dashboardHtml sets body[data-host]).
import { BrowserTransport } from './browser';
import { VsCodeTransport } from './vscode';
import type { Transport } from './types';

export function createTransport(): Transport {
  return document.body.dataset.host === 'vscode' && typeof acquireVsCodeApi === 'function' ? new VsCodeTransport() : new BrowserTransport();
}

export type { Transport } from './types';
export { ApiError } from './types';
