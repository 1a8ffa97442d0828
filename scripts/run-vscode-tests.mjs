// `npm run test:vscode`: the in-extension-host suites (test/vscode/) through @vscode/test-electron's
// runTests. Where VS Code can be downloaded, that is all it takes. Here (no Electron downloads) set
// VSCODE_EXECUTABLE to scripts/e2e/codeServerTestShim.cjs, which stands in for the VS Code binary and runs
// the suites in code-server's extension host; scripts/run-e2e.mjs does exactly that.
import { runTests } from '@vscode/test-electron';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-vscode-tests-'));
const workspace = path.join(scratch, 'ws');
fs.cpSync(path.join(root, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
const userData = path.join(scratch, 'ud');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'update.mode': 'none',
}));
let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'test', 'vscode', 'index.cjs'),
    launchArgs: [workspace, `--user-data-dir=${userData}`, `--extensions-dir=${path.join(scratch, 'ext')}`, '--disable-workspace-trust'],
  }).then(() => 0, (e) => {
    console.error(`vscode tests failed: ${e?.message ?? e}`);
    return 1;
  });
} finally {
  // The extension started a runtime for the workspace's data root.
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'serve', '--stop', '--dir', path.join(workspace, '.trackwell')], { stdio: 'ignore' });
  fs.rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
