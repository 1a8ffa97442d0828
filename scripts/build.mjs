// Bundles every Node-side entry point and the webview with esbuild.
// Usage: node scripts/build.mjs [--watch]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const watch = process.argv.includes('--watch');

const node = { platform: 'node', target: 'node20', format: 'cjs', bundle: true, sourcemap: true, logLevel: 'warning' };
const targets = [
  { ...node, entryPoints: ['runtime/cli/main.ts'], outfile: 'dist/cli.js', external: ['better-sqlite3'] },
  { ...node, entryPoints: ['runtime/lsp/server.ts'], outfile: 'dist/lsp.js' },
  // The language server's worker thread for large documents; lsp.js looks for it next to itself.
  { ...node, entryPoints: ['runtime/lsp/analysisWorker.ts'], outfile: 'dist/lsp-worker.js' },
  { ...node, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  {
    platform: 'browser', target: 'es2022', format: 'iife', bundle: true, sourcemap: true, logLevel: 'warning',
    entryPoints: ['webview/main.ts'], outdir: 'dist/webview', loader: { '.css': 'css' },
  },
];

const present = targets.filter((t) => fs.existsSync(path.join(root, t.entryPoints[0])));
for (const t of targets) if (!present.includes(t)) console.warn(`build: skipping ${t.entryPoints[0]} (not present yet)`);
const opts = present.map((t) => ({ ...t, absWorkingDir: root }));
if (watch) {
  for (const o of opts) await (await esbuild.context(o)).watch();
  console.log('build: watching');
} else {
  const t0 = Date.now();
  await Promise.all(opts.map((o) => esbuild.build(o)));
  console.log(`build: ${opts.length} bundles in ${Date.now() - t0} ms`);
}
