// `npm run test:e2e`: packages the extension as a VSIX, installs it into a real VS Code workbench
// (code-server 4.100.3, see shared/e2e), opens a scratch copy of test/e2e/workspace and drives it with
// headless Chromium (test/e2e/vscode.e2e.mjs). Screenshots go to test/artifacts/e2e/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { installCodeServer } from './e2e/codeServer.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const step = (m) => console.log(`e2e: ${m}`);
const must = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    console.error(`${r.stdout ?? ''}\n${r.stderr ?? ''}`.slice(-4000));
    throw new Error(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status})`);
  }
  return r;
};
const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

const codeServer = installCodeServer(root);
must('node', ['scripts/build.mjs']);
const vsix = path.join(root, '.e2e', 'trackwell.vsix');
step('packaging the extension');
must('npx', ['vsce', 'package', '--allow-missing-repository', '--skip-license',
  '--baseContentUrl', 'https://example.invalid/trackwell', '--baseImagesUrl', 'https://example.invalid/trackwell', '-o', vsix]);

// A fresh profile, extensions folder, HOME and workspace for every run: nothing leaks between runs.
const run = path.join(root, '.e2e', 'run');
fs.rmSync(run, { recursive: true, force: true });
const dirs = Object.fromEntries(['home', 'tmp', 'ud/User', 'ext', 'ws'].map((d) => [d, path.join(run, d)]));
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
fs.cpSync(path.join(root, 'test', 'e2e', 'workspace'), dirs.ws, { recursive: true });
fs.writeFileSync(path.join(dirs['ud/User'], 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false, 'update.mode': 'none', 'workbench.enableExperiments': false,
  'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false, 'editor.codeLens': true,
  'trackwell.python.interpreter': spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim(),
}, null, 2));
const env = { ...process.env, HOME: dirs.home, TMPDIR: dirs.tmp };
const shots = path.join(root, 'test', 'artifacts', 'e2e');
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });

step('installing the VSIX');
must(codeServer, ['--user-data-dir', path.join(run, 'ud'), '--extensions-dir', dirs.ext, '--install-extension', vsix, '--force'], { env });

const port = await freePort();
const logFile = path.join(run, 'code-server.log');
const out = fs.openSync(logFile, 'w');
const cs = spawn(codeServer, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
  '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened',
  '--user-data-dir', path.join(run, 'ud'), '--extensions-dir', dirs.ext, dirs.ws],
// code-server's $PORT overrides --bind-addr: set both.
{ env: { ...env, PORT: String(port) }, stdio: ['ignore', out, out], detached: true });
const stopAll = () => {
  try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* already gone */ }
  // The extension started a runtime for the workspace's data root; stop it too.
  spawnSync('node', [path.join(root, 'dist', 'cli.js'), 'serve', '--stop', '--dir', path.join(dirs.ws, '.trackwell')], { stdio: 'ignore' });
};
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
  if (i > 600) throw new Error(`code-server did not start; see ${logFile}`);
  await new Promise((r) => setTimeout(r, 100));
}
step(`code-server ready at ${base}`);

/** Runs a test process with its output shown, and returns its exit status and its "N passed, N failed" counts. */
function counted(args, env) {
  const r = spawnSync('node', args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  const m = [...(r.stdout ?? '').matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  return { ok: r.status === 0, passed: m ? Number(m[1]) : 0, failed: m ? Number(m[2]) : r.status === 0 ? 0 : 1 };
}

// 1. The UI, driven as a user would, against the installed VSIX.
const ui = counted([path.join(root, 'test', 'e2e', 'vscode.e2e.mjs'), `${base}/?folder=${encodeURIComponent(dirs.ws)}`,
  dirs.ws, shots, path.join(root, 'dist', 'cli.js')], { TRACKWELL_DIR: '' });
if (!ui.ok) {
  // The extension host's log says why an extension-side step failed.
  const logs = path.join(run, 'ud', 'logs');
  const found = spawnSync('sh', ['-c', `find "${logs}" -name '*.log' | grep -Ei 'exthost|trackwell' | head -5`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  for (const f of found) console.log(`--- ${path.relative(run, f)} (tail)\n${fs.readFileSync(f, 'utf8').slice(-3000)}`);
  console.log(`--- code-server.log (tail)\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}
stopAll();

// 2. The in-extension-host suites through @vscode/test-electron, with code-server standing in for VS Code.
step('in-extension-host tests (@vscode/test-electron through the code-server shim)');
const host = counted([path.join(root, 'scripts', 'run-vscode-tests.mjs')], {
  VSCODE_EXECUTABLE: path.join(root, 'scripts', 'e2e', 'codeServerTestShim.cjs'), CODE_SERVER_BIN: codeServer, HOME: dirs.home, TMPDIR: dirs.tmp,
});

console.log(`e2e: screenshots in ${path.relative(root, shots)}`);
console.log(`${ui.passed + host.passed} passed, ${ui.failed + host.failed} failed`);
process.exit(ui.ok && host.ok ? 0 : 1);
