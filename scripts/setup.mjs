// Installs what Trackwell needs on a fresh machine (Node 20, npm and python3 are assumed), idempotently:
// a C/C++ toolchain for better-sqlite3, npm packages, and with --tests: pytest and Chromium.
// Usage: node scripts/setup.mjs [--tests]
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const forTests = process.argv.includes('--tests');
const say = (m) => console.log(`setup: ${m}`);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`setup: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
};

// 1. System packages (Debian/Ubuntu): a compiler for the native SQLite module; Chromium for browser tests.
const aptWanted = [];
if (!has('g++') || !has('make')) aptWanted.push('build-essential');
if (forTests && !fs.existsSync('/usr/bin/chromium')) aptWanted.push('chromium');
if (forTests && !has('rg')) aptWanted.push('ripgrep');
if (forTests) {
  // code-server's native modules (VS Code end-to-end tests) build against these headers.
  for (const [pkg, probe] of [['libkrb5-dev', '/usr/include/krb5.h'], ['libxkbfile-dev', '/usr/include/X11/extensions/XKBfile.h'],
    ['libsecret-1-dev', '/usr/include/libsecret-1'], ['libx11-dev', '/usr/include/X11/Xlib.h'], ['pkg-config', '/usr/bin/pkg-config']]) {
    if (!fs.existsSync(probe)) aptWanted.push(pkg);
  }
}
if (aptWanted.length) {
  const isRoot = process.getuid?.() === 0;
  if (!has('apt-get')) {
    console.error(`setup: please install: ${aptWanted.join(' ')} (no apt-get here)`);
    process.exit(1);
  }
  if (!isRoot && !has('sudo')) {
    console.error(`setup: run as root: apt-get install -y ${aptWanted.join(' ')}`);
    process.exit(1);
  }
  say(`installing ${aptWanted.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) => (isRoot ? run('apt-get', args, { env }) : run('sudo', ['apt-get', ...args], { env }));
  apt('update', '-qq');
  apt('install', '-y', '-qq', ...aptWanted);
}

// 2. npm packages, reinstalled only when package-lock.json changed.
const lock = fs.readFileSync(path.join(root, 'package-lock.json'));
const stamp = path.join(root, 'node_modules', '.trackwell-setup');
const want = crypto.createHash('sha256').update(lock).digest('hex');
let have = '';
try { have = fs.readFileSync(stamp, 'utf8'); } catch { /* not installed */ }
if (have !== want) {
  say('installing npm packages (better-sqlite3 builds from source: about a minute)');
  const env = { ...process.env };
  // Use the installed Node headers instead of downloading them.
  if (fs.existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  run('npm', ['ci', '--no-audit', '--no-fund'], { env });
  fs.writeFileSync(stamp, want);
}

// 3. Test-only Python packages: pytest, and numpy so the client's numpy handling is tested for real
// (the client itself needs only the standard library).
if (forTests) {
  const missing = [['pytest', 'pytest'], ['numpy', 'numpy']].filter(([mod]) => spawnSync('python3', ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0).map(([, pkg]) => pkg);
  if (missing.length) {
    say(`installing ${missing.join(' ')} for the Python tests`);
    const r = spawnSync('python3', ['-m', 'pip', 'install', '-q', ...missing], { stdio: 'inherit' });
    if (r.status !== 0) run('python3', ['-m', 'pip', 'install', '-q', '--break-system-packages', ...missing]);
  }
}

// 4. Build the bundles.
run('node', ['scripts/build.mjs']);
say('done');
