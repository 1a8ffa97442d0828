// Starting the runtime on demand (what `trackwell run` and the VS Code extension do) fails at once, with
// what to fix, when Node cannot be started or the runtime dies before it is ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ensureRuntime, stopRuntime } from '../../runtime/server/daemon';
import { ROOT, tmpDir } from '../helpers/cli';

const CLI = path.join(ROOT, 'dist', 'cli.js');

test('a Node.js that does not exist is named in the error', async () => {
  const root = tmpDir();
  await assert.rejects(ensureRuntime(root, { cli: CLI, node: '/nonexistent/node-7f3' }),
    /Could not start Node\.js at \/nonexistent\/node-7f3 \(ENOENT\)/);
  assert.equal(fs.existsSync(path.join(root, 'runtime.json')), false);
});

test('a runtime that exits before it is ready says so and points at its log', async () => {
  const root = tmpDir();
  const dying = path.join(tmpDir(), 'dying.js');
  fs.writeFileSync(dying, 'console.error("broken install"); process.exit(3);\n');
  await assert.rejects(ensureRuntime(root, { cli: dying }), (e: Error) => {
    assert.match(e.message, /The runtime exited \(exit code 3\) before it was ready; see .*runtime\.log/);
    const log = e.message.slice(e.message.indexOf('see ') + 4);
    assert.match(fs.readFileSync(log, 'utf8'), /broken install/);
    return true;
  });
});

test('a working runtime still starts, and a second call finds it', async () => {
  const root = tmpDir();
  const rt = await ensureRuntime(root, { cli: CLI, idleExitSeconds: 60 });
  try {
    const again = await ensureRuntime(root, { cli: CLI, node: '/nonexistent/node-7f3' });
    assert.equal(again.info.pid, rt.info.pid, 'an existing runtime is used; no Node is started');
  } finally {
    await stopRuntime(root);
  }
});
