#!/usr/bin/env node
// From shared/e2e (the project's proven recipe): stands in for the VS Code binary so @vscode/test-electron runs in code-server.
// Stand-in for a VS Code desktop executable, for @vscode/test-electron's
// runTests({ vscodeExecutablePath }). Accepts the desktop CLI flags that
// runTests passes (--extensionDevelopmentPath=, --extensionTestsPath=,
// --user-data-dir=, --extensions-dir=, a folder to open; other flags ignored),
// starts code-server on a free 127.0.0.1 port, opens the web workbench in
// headless Chromium with the dev/test paths in the "payload" URL parameter,
// and exits with the code the extension host reports via codeAutomationExit.
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const util = require('util');
const { chromium } = require('playwright-core');

const CODE_SERVER = process.env.CODE_SERVER_BIN || 'code-server';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = +(process.env.E2E_TIMEOUT_MS || 300000);

const devPaths = []; let testsPath, userDataDir, extensionsDir, folder;
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/.exec(a);
  if (m && m[1] === 'extensionDevelopmentPath') devPaths.push(path.resolve(m[2]));
  else if (m && m[1] === 'extensionTestsPath') testsPath = path.resolve(m[2]);
  else if (m && m[1] === 'user-data-dir') userDataDir = path.resolve(m[2]);
  else if (m && m[1] === 'extensions-dir') extensionsDir = path.resolve(m[2]);
  else if (!a.startsWith('-')) folder = path.resolve(a);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-shim-'));
userDataDir = userDataDir || path.join(tmp, 'ud');
extensionsDir = extensionsDir || path.join(tmp, 'ext');
folder = folder || fs.mkdtempSync(path.join(tmp, 'ws-'));
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
const settings = path.join(userDataDir, 'User', 'settings.json');
if (!fs.existsSync(settings)) fs.writeFileSync(settings, JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false, 'update.mode': 'none', 'workbench.enableExperiments': false }));

const freePort = () => new Promise(r => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });

(async () => {
  const port = await freePort();
  const home = path.join(tmp, 'home'); fs.mkdirSync(home, { recursive: true });
  const csTmp = path.join(tmp, 'tmp'); fs.mkdirSync(csTmp, { recursive: true });
  const cs = spawn(CODE_SERVER, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir],
    { env: { ...process.env, HOME: home, TMPDIR: csTmp, PORT: String(port) /* code-server's $PORT overrides --bind-addr's port */ }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  cs.stdout.on('data', d => process.env.E2E_VERBOSE && process.stderr.write('[code-server] ' + d));
  cs.stderr.on('data', d => process.stderr.write('[code-server] ' + d));
  const kill = () => { try { process.kill(-cs.pid, 'SIGTERM'); } catch {} try { fs.rmSync(tmp, { recursive: true, force: true }); } catch {} };
  process.on('exit', kill);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) process.on(sig, () => process.exit(code));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { const r = await fetch(base + '/healthz'); if (r.ok) break; } catch {}
    if (i > 300) throw new Error('code-server did not start');
    await new Promise(r => setTimeout(r, 100));
  }
  const host = `127.0.0.1:${port}`;
  const payload = devPaths.map(p => ['extensionDevelopmentPath', `vscode-remote://${host}${p}`]);
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${testsPath}`]);
  const url = `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, env: { ...process.env, HOME: home, TMPDIR: csTmp },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage();
  const exited = new Promise(r => page.exposeFunction('codeAutomationExit', code => r(code)));
  // Forward extension-host console output (test reporter lines) to stdout.
  page.on('console', async m => {
    let t;
    try {
      const vals = await Promise.all(m.args().map(a => a.jsonValue()));
      if (process.env.E2E_RAW) process.stderr.write('RAW ' + JSON.stringify(vals).slice(0, 200) + '\n');
      // Extension-host output arrives as ['%c INFO', 'color: ...', fmt, ...args]
      let level = '';
      if (typeof vals[0] === 'string' && vals[0].startsWith('%c')) { level = vals[0].slice(2).trim(); vals.splice(0, 2); }
      t = util.format(...vals);
      if (level === 'ERR') t = 'ERR ' + t;
    } catch { t = m.text(); }
    // Extension-host console output (the test reporter) is forwarded to the page console.
    if (process.env.E2E_VERBOSE || !/^(Failed to load resource|An iframe which|Found unexpected service worker|\s+at )/.test(t)) console.log(t);
  });
  await page.goto(url);
  const code = await Promise.race([exited, new Promise(r => setTimeout(() => { console.error('shim: timed out'); r(124); }, TIMEOUT_MS))]);
  await browser.close().catch(() => {});
  kill();
  process.exit(typeof code === 'number' ? code : 1);
})().catch(e => { console.error('shim error:', e); process.exit(1); });
