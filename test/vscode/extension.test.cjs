// Inside a real extension host, against the workspace copied from test/e2e/workspace: the extension
// activates, registers its commands, records a run launched with "Run with Tracking", and its language
// server checks and completes sweep.yaml. What was stored is read back through the real CLI.
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const vscode = require('vscode');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
const folder = () => vscode.workspace.workspaceFolders[0].uri;
const file = (name) => vscode.Uri.joinPath(folder(), name);

suite('Trackwell in a VS Code extension host', () => {
  let ext;

  suiteSetup(async () => {
    ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'trackwell');
    assert.ok(ext, 'the trackwell extension is loaded');
    await ext.activate();
  });

  test('every contributed command is registered', async () => {
    const have = new Set(await vscode.commands.getCommands(true));
    const missing = ext.packageJSON.contributes.commands.map((c) => c.command).filter((c) => !have.has(c));
    assert.deepEqual(missing, []);
  });

  test('Run with Tracking records a failing script as failed', async () => {
    await vscode.commands.executeCommand('trackwell.runWithTracking', file('failing.py'));
    const cli = path.join(ext.extensionPath, 'dist', 'cli.js');
    const root = path.join(folder().fsPath, '.trackwell');
    const runs = () => JSON.parse(execFileSync(process.execPath, [cli, 'ls', '--json', '--dir', root], { encoding: 'utf8' }));
    const run = await until('the failed run', async () => runs().find((r) => r.name === 'e2e-failing' && r.state === 'failed'));
    const show = JSON.parse(execFileSync(process.execPath, [cli, 'show', run.id, '--json', '--dir', root], { encoding: 'utf8' }));
    assert.equal(show.exit_code, 1);
    assert.equal(show.config && typeof show.config, 'object');
  });

  test('the language server reports sweep.yaml errors and completes method values', async () => {
    const doc = await vscode.workspace.openTextDocument(file('sweep.yaml'));
    await vscode.window.showTextDocument(doc);
    const diags = await until('diagnostics', async () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length >= 3 && d;
    });
    assert.ok(diags.some((d) => /`bayesian` is not a valid `method`/.test(d.message)), diags.map((d) => d.message).join('\n'));
    const line = doc.lineAt(1).text;
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(1, line.indexOf('bayesian')));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('bayes') && labels.includes('grid') && labels.includes('random'), labels.join(','));
  });
});
