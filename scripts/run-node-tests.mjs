// Runs the TypeScript test suites with node's built-in test runner (through tsx).
// Usage: node scripts/run-node-tests.mjs [layer ...]   layers: unit integration browser (default: all three)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const layers = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'browser'];
const files = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts')) files.push(path.relative(root, p));
  }
};
for (const l of layers) walk(path.join(root, 'test', l));
files.sort();
if (!files.length) { console.log('no test files'); process.exit(0); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
