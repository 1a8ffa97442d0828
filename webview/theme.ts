// Colours the canvas-drawn charts need, read from the same CSS variables the rest of the page uses
// (VS Code sets --vscode-* on <html>; theme.css supplies browser defaults), and a signal when the
// theme changes: VS Code swaps body classes and variables, a browser flips prefers-color-scheme.
import { palette } from './charts/colors';

export interface ChartTheme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  font: string;
  mono: string;
  colors: string[];
  highContrast: boolean;
}

export function readTheme(): ChartTheme {
  const cs = getComputedStyle(document.body);
  const v = (name: string) => cs.getPropertyValue(name).trim();
  return {
    fg: v('--tw-chart-fg') || v('--tw-fg') || '#888',
    muted: v('--tw-muted') || '#888',
    grid: v('--tw-chart-grid') || 'rgba(128,128,128,0.25)',
    bg: v('--tw-bg') || '#fff',
    font: v('--vscode-font-family') || 'system-ui, sans-serif',
    mono: v('--vscode-editor-font-family') || 'monospace',
    colors: palette(v),
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

export function onThemeChange(fn: () => void): () => void {
  let queued = false;
  const fire = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
  const mo = new MutationObserver(fire);
  mo.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  const mq = window.matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', fire);
  return () => {
    mo.disconnect();
    mq.removeEventListener('change', fire);
  };
}
