// Installs code-server 4.100.3 (the last release for Node 20; a real VS Code 1.100 workbench with a
// plain-Node extension host) into .e2e/cs, offline except for the npm registry. See shared/e2e.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

export function installCodeServer(root) {
  const dir = path.join(root, '.e2e', 'cs');
  const bin = path.join(dir, 'node_modules', '.bin', 'code-server');
  const marker = path.join(dir, `.installed-${CODE_SERVER_VERSION}`);
  if (fs.existsSync(marker) && fs.existsSync(bin)) return bin;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  // @vscode/ripgrep downloads rg from GitHub in its postinstall; seed its cache with Debian's rg.
  const tmp = path.join(root, '.e2e', 'tmp');
  const cache = path.join(tmp, 'vscode-ripgrep-cache-1.15.11');
  fs.mkdirSync(cache, { recursive: true });
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new Error('ripgrep (rg) is needed for code-server: apt-get install ripgrep');
  const tar = spawnSync('tar', ['czf', path.join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', path.dirname(rg), 'rg']);
  if (tar.status !== 0) throw new Error('could not seed the ripgrep cache');
  console.log(`e2e: installing code-server ${CODE_SERVER_VERSION} (about a minute)`);
  const env = {
    ...process.env, TMPDIR: tmp,
    npm_config_unsafe_perm: 'true', // its postinstall refuses root otherwise
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_nodedir: fs.existsSync('/usr/include/node/node.h') ? '/usr' : process.env.npm_config_nodedir,
  };
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(bin)) {
    console.error(r.stdout?.slice(-4000), r.stderr?.slice(-4000));
    throw new Error('installing code-server failed');
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return bin;
}
