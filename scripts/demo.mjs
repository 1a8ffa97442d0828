// `npm run demo`: set up, start the runtime, record examples/demo.py, and print the dashboard URL.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = (args, opts = {}) => spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), ...args], { cwd: root, stdio: 'inherit', ...opts });
const setup = spawnSync(process.execPath, [path.join(root, 'scripts', 'setup.mjs')], { cwd: root, stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
// The dashboard first, so the run can be watched live.
if (cli(['ui']).status !== 0) process.exit(1);
console.log('\nRecording examples/demo.py (about 15 s). Open the URL above to watch it live.\n');
const run = cli(['run', 'examples/demo.py']);
console.log('\nRecorded runs:');
cli(['ls']);
cli(['ui']);
console.log('The runtime keeps serving the dashboard until idle for 30 minutes; stop it with: npx trackwell serve --stop');
process.exit(run.status ?? 1);
