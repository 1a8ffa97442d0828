// Serves the dashboard bundle (dist/webview) to browser tabs: `trackwell ui` prints the URL.
import fs from 'node:fs';
import path from 'node:path';
import type { Runtime } from './runtime';
import { HttpError } from './router';
import { dashboardHtml } from './dashboardPage';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json',
  '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.png': 'image/png',
};

export function webviewDistDir(): string | undefined {
  const candidates = [path.join(__dirname, 'webview'), path.resolve(__dirname, '..', '..', 'dist', 'webview')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'main.js')));
}

export function registerDashboardRoutes(rt: Runtime): void {
  const page = () => {
    if (!webviewDistDir()) throw new HttpError(503, 'the dashboard bundle is not built; run `npm run build`');
    const html = dashboardHtml({ host: 'browser', scriptUri: '/assets/main.js', styleUri: '/assets/main.css' });
    return { body: html, type: 'text/html; charset=utf-8', headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } };
  };
  rt.router.on('GET', '/', page);
  rt.router.on('GET', '/index.html', page);
  rt.router.on('GET', '/assets/:file', (req) => {
    const dir = webviewDistDir();
    const file = req.params.file;
    // Names only: no separators, no dot-dot, so nothing outside the bundle folder can be read.
    if (!dir || !/^[A-Za-z0-9_.-]+$/.test(file) || file.startsWith('.')) throw new HttpError(404, 'no such asset');
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) throw new HttpError(404, `no such asset: ${file}`);
    return { body: fs.readFileSync(p), type: TYPES[path.extname(file)] ?? 'application/octet-stream', headers: { 'Cache-Control': 'no-cache' } };
  });
}
