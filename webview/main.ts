// Dashboard entry: one bundle for a browser tab and a VS Code webview (body[data-host] says which).
import './theme.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { startApp } from './app';

// Lit falls back to <style> elements where constructed stylesheets are missing; give them the nonce.
(window as unknown as { litNonce?: string }).litNonce = document.body.dataset.nonce;

const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
startApp(root).catch((e) => {
  root.textContent = `Trackwell could not start: ${(e as Error).message}`;
  console.error(e);
});
