// Inside a real extension host, after extension.test.cjs recorded a failed run: the Runs view's context
// actions (open, compare, reveal, copy id, delete, stop), a panel restored through the webview serializer,
// "Restart Runtime" (a fresh runtime process, not just a new socket), an automatic restart after the
// runtime is killed, and the status bar for a run started with `trackwell run` outside VS Code.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const vscode = require('vscode');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Polls `fn` until it returns something truthy; `what` (or what it returns) names it in the timeout error. */
async function until(what, fn, timeout = 60000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${last.message}` : ''}`);
    await sleep(250);
  }
}
const folder = () => vscode.workspace.workspaceFolders[0].uri;
const alive = (pid) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
};
const runtimeJson = (root) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'runtime.json'), 'utf8'));
  } catch {
    return undefined;
  }
};
const node = (run) => ({ kind: 'run', run });

/** Replaces a vscode.window function for the length of `fn` (the test shares the extension's API object). */
async function stubbed(name, impl, fn) {
  const orig = vscode.window[name];
  vscode.window[name] = impl;
  try {
    return await fn();
  } finally {
    vscode.window[name] = orig;
  }
}

suite('Runs view actions, restored panels, runtime restarts, runs started outside VS Code', () => {
  let ext;
  let api;
  let cli;
  let root;
  const errors = [];
  const origError = vscode.window.showErrorMessage;
  const cliJson = (...args) => JSON.parse(spawnSync(process.execPath, [cli, ...args, '--json', '--dir', root], { encoding: 'utf8' }).stdout);

  suiteSetup(async () => {
    ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'trackwell');
    api = await ext.activate();
    assert.ok(api && api.connection && api.panels, 'activate returns the extension\'s parts');
    cli = path.join(ext.extensionPath, 'dist', 'cli.js');
    root = path.join(folder().fsPath, '.trackwell');
    // A command that fails reports it with showErrorMessage (and waits for a button): record instead.
    vscode.window.showErrorMessage = async (m) => {
      errors.push(m);
      return undefined;
    };
    await vscode.commands.executeCommand('trackwell.refreshRuns');
    // A second failed run, for Compare.
    spawnSync(process.execPath, [cli, 'run', '--dir', root, '--python', 'python3', path.join(folder().fsPath, 'failing.py')], { cwd: folder().fsPath, encoding: 'utf8' });
    await until('two failed runs in the Runs view', () => api.tree.model.all().filter((r) => r.name === 'e2e-failing' && r.state === 'failed').length >= 2);
  });

  suiteTeardown(() => {
    vscode.window.showErrorMessage = origError;
  });

  setup(() => (errors.length = 0));
  teardown(() => assert.deepEqual(errors, [], 'no command reported an error'));

  const failedRuns = () => api.tree.model.all().filter((r) => r.name === 'e2e-failing').sort((a, b) => a.key - b.key);
  const tabLabels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));

  test('Open Run and Compare open one panel per view; Copy Run Id copies the id', async () => {
    const [a, b] = failedRuns();
    await vscode.commands.executeCommand('trackwell.openRun', node(a));
    await until('the run panel', () => tabLabels().includes('Run e2e-failing'));
    const before = api.panels.list().length;
    await vscode.commands.executeCommand('trackwell.openRun', a.key);
    assert.equal(api.panels.list().length, before, 'opening the same run again reveals its panel');
    await vscode.commands.executeCommand('trackwell.compareRuns', node(b), [node(b), node(a)]);
    await until('the compare panel', () => tabLabels().includes('Compare 2 runs'));
    assert.ok(api.panels.list().some((p) => p.key === `compare:${a.key},${b.key}`), JSON.stringify(api.panels.list().map((p) => p.key)));
    await vscode.commands.executeCommand('trackwell.copyRunId', node(b));
    assert.equal(await vscode.env.clipboard.readText(), b.id);
  });

  test('Reveal Run Directory reveals the run\'s directory, and says so when there is none', async () => {
    const [a] = failedRuns();
    const detail = await api.connection.request('GET', `/api/runs/${a.key}`);
    assert.ok(detail.run_dir && fs.existsSync(detail.run_dir), `run_dir ${detail.run_dir}`);
    await vscode.commands.executeCommand('trackwell.revealRunDir', node(a));
    assert.deepEqual(errors, []);
    await vscode.commands.executeCommand('trackwell.revealRunDir', node({ ...a, key: 987654 }));
    assert.equal(errors.length, 1, 'an unknown run is reported');
    assert.match(errors[0], /^Trackwell: /);
    errors.length = 0;
  });

  test('Delete Run asks first, then removes the run from the store and the view', async () => {
    const [a] = failedRuns();
    const asked = [];
    await stubbed('showWarningMessage', async (m, opts, ...buttons) => {
      asked.push({ m, modal: opts && opts.modal, buttons });
      return 'Cancel';
    }, () => vscode.commands.executeCommand('trackwell.deleteRun', node(a)));
    assert.deepEqual(asked, [{ m: 'Delete run "e2e-failing"? Its history, console and files are removed from the store.', modal: true, buttons: ['Delete'] }]);
    assert.ok(cliJson('ls').some((r) => r.id === a.id), 'not deleted without a yes');
    await stubbed('showWarningMessage', async () => 'Delete', () => vscode.commands.executeCommand('trackwell.deleteRun', node(a)));
    await until('the run gone from the view', () => !api.tree.model.get(a.key));
    assert.ok(!cliJson('ls').some((r) => r.id === a.id), 'deleted from the store');
  });

  test('a run panel restored after a reload shows the run its saved state names, once', async () => {
    const [b] = failedRuns();
    const panel = vscode.window.createWebviewPanel('trackwell.dashboard', 'restoring', vscode.ViewColumn.Active, {});
    await api.panels.deserializeWebviewPanel(panel, { view: { kind: 'sweeps' }, prefs: {} });
    const restored = api.panels.list().find((p) => p.panel === panel);
    assert.ok(restored, 'the restored panel is tracked');
    assert.deepEqual(restored.view, { kind: 'sweeps' });
    assert.equal(panel.title, 'Trackwell Sweeps');
    assert.ok(panel.webview.html.includes('Content-Security-Policy'), 'the dashboard page is loaded into it');
    // Opening that view again reveals the restored panel instead of making another.
    const n = api.panels.list().length;
    api.panels.open({ kind: 'sweeps' });
    assert.equal(api.panels.list().length, n);
    // A run panel is titled with the run's name.
    const p2 = vscode.window.createWebviewPanel('trackwell.dashboard', 'restoring', vscode.ViewColumn.Active, {});
    const runPanel = api.panels.list().find((p) => p.key === `run:${b.key}`);
    if (runPanel) runPanel.panel.dispose();
    await api.panels.deserializeWebviewPanel(p2, { view: { kind: 'run', key: b.key } });
    assert.equal(p2.title, 'Run e2e-failing');
    // A state without a view (an older webview) restores the runs list rather than failing.
    const p3 = vscode.window.createWebviewPanel('trackwell.dashboard', 'restoring', vscode.ViewColumn.Active, {});
    await api.panels.deserializeWebviewPanel(p3, { junk: true });
    assert.equal(p3.title, 'Trackwell Runs');
    for (const p of [panel, p2, p3]) p.dispose();
  });

  test('Restart Runtime stops the runtime it started and starts a fresh process, with trackwell.statsInterval', async () => {
    await api.connection.connect();
    const before = runtimeJson(root);
    assert.ok(before && alive(before.pid), 'a runtime serves the workspace');
    assert.equal(api.connection.ownsRuntime, true, 'the extension started it');
    const config = vscode.workspace.getConfiguration('trackwell');
    await config.update('statsInterval', 7, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('trackwell.restartRuntime');
    } finally {
      await config.update('statsInterval', undefined, vscode.ConfigurationTarget.Workspace);
    }
    const after = runtimeJson(root);
    const argv = fs.readFileSync(`/proc/${after.pid}/cmdline`, 'utf8').split('\0');
    assert.equal(argv[argv.indexOf('--stats-interval') + 1], '7', `the setting reaches the runtime: ${argv.join(' ')}`);
    assert.ok(after && after.pid !== before.pid, `a new runtime process (was ${before.pid}, now ${after && after.pid})`);
    assert.equal(alive(before.pid), false, 'the old runtime process is gone');
    assert.ok(alive(after.pid));
    assert.equal(api.connection.connected, true);
    assert.equal(api.connection.runtime.info.pid, after.pid);
    assert.ok(api.tree.model.all().some((r) => r.name === 'e2e-failing'), 'the Runs view reloaded');
  });

  test('a killed runtime is restarted automatically and the views reconnect', async () => {
    await api.connection.connect();
    const before = runtimeJson(root);
    const warnings = [];
    await stubbed('showWarningMessage', async (m) => {
      warnings.push(m);
      return undefined;
    }, async () => {
      process.kill(before.pid, 'SIGKILL');
      await until('a new runtime', () => {
        const now = runtimeJson(root);
        return now && now.pid !== before.pid && alive(now.pid) && api.connection.connected && api.connection.runtime.info.pid === now.pid;
      }, 60000);
    });
    assert.equal(api.connection.givenUp, undefined);
    assert.ok(warnings.some((m) => /stopped; it was restarted/.test(m)), `told the user: ${JSON.stringify(warnings)}`);
    // The API answers through the new process.
    const res = await api.connection.request('GET', '/api/runs', { limit: '10' });
    assert.ok(res.runs.some((r) => r.name === 'e2e-failing'));
  });

  test('with trackwell.nodePath pointing nowhere, Restart Runtime says what failed and which setting to fix; fixing it recovers', async () => {
    await api.connection.connect();
    const config = vscode.workspace.getConfiguration('trackwell');
    // A machine setting: it lives in the user's settings.
    await config.update('nodePath', '/nonexistent/node-7f3', vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('trackwell.restartRuntime');
      const said = errors.find((m) => m.includes('/nonexistent/node-7f3'));
      assert.ok(said, `an error named the Node.js it could not start: ${JSON.stringify(errors)}`);
      assert.match(said, /^Trackwell: Could not start Node\.js at \/nonexistent\/node-7f3 \(ENOENT\)\. Check the "trackwell\.nodePath" setting/);
      assert.equal(api.connection.connected, false);
    } finally {
      await config.update('nodePath', undefined, vscode.ConfigurationTarget.Global);
    }
    await vscode.commands.executeCommand('trackwell.restartRuntime');
    await until('reconnected with the default Node.js', () => api.connection.connected);
    assert.ok(alive(runtimeJson(root).pid));
    errors.length = 0; // the failure above was expected; the teardown checks nothing else went wrong
  });

  test('a run started with `trackwell run` in a terminal shows in the status bar without the Runs view: the panel\'s first chart, seeded; Stop ends it', async () => {
    const alt = path.join(folder().fsPath, '.trackwell-terminal');
    const config = vscode.workspace.getConfiguration('trackwell');
    let child;
    // No panel may reach the runtime: only the extension's discovery of a serving runtime links it.
    for (const p of api.panels.list()) p.panel.dispose();
    try {
      await config.update('dataRoot', alt, vscode.ConfigurationTarget.Workspace);
      await until('the link to the old data root dropped', () => !api.connection.connected || api.connection.dataRoot === alt);
      await sleep(500);
      assert.equal(api.status.text, undefined, 'nothing live yet');
      assert.equal(runtimeJson(alt), undefined, 'the extension did not start a runtime for the new data root');
      // As from a terminal: `trackwell run` starts the runtime itself.
      child = spawn(process.execPath, [cli, 'run', '--dir', alt, '--python', 'python3', path.join(folder().fsPath, 'idle_live.py')],
        { cwd: folder().fsPath, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRACKWELL_DIR: alt } });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      await until(() => `the script to log and idle (its output: ${out})`, () => /logged; idling/.test(out), 60000);
      // No more points arrive: the value can only come from the run's history. acc* is hidden; loss
      // leads the default section (natural order: loss before loss10), ahead of the val section.
      const text = await until(() => `the status bar (it shows ${JSON.stringify(api.status.text)})`, () => api.status.text === '$(pulse) 1 run · loss 0.1667' && api.status.text, 30000);
      assert.equal(text, '$(pulse) 1 run · loss 0.1667');
      assert.equal(api.connection.dataRoot, alt);
      const run = api.tree.model.live()[0];
      assert.equal(run.name, 'e2e-idle');
      await vscode.commands.executeCommand('trackwell.stopRun', node(run));
      await until('the run to end', () => api.tree.model.get(run.key)?.state !== 'running', 30000);
      assert.equal(api.tree.model.get(run.key).state, 'killed');
      await until('the status bar to hide', () => api.status.text === undefined, 10000);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await config.update('dataRoot', undefined, vscode.ConfigurationTarget.Workspace);
      spawnSync(process.execPath, [cli, 'serve', '--stop', '--dir', alt], { stdio: 'ignore' });
    }
  });
});
