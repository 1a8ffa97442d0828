// The language service without an editor: documents in, diagnostics / completions / hovers / quick fixes /
// definitions / symbols / lenses out, with exact positions. Also the pieces it is built from: which files
// it serves, the cursor context, the static Python reader, the runtime's metric names, the grammar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, MarkupContent, TextEdit } from 'vscode-languageserver';
import { SweepLanguageService } from '../../runtime/lsp/service';
import type { ServiceHost, ServiceSettings } from '../../runtime/lsp/host';
import { cursorContext } from '../../runtime/lsp/cursor';
import { fileKind, globToRegExp } from '../../runtime/lsp/fileKinds';
import { scanPython } from '../../runtime/lsp/python';
import { fetchMetricKeys, findRuntimeAddress } from '../../runtime/lsp/runtimeMetrics';
import { WorkspaceConfigIndex } from '../../runtime/lsp/workspaceIndex';

const WS = path.resolve('/ws');
const TRAIN_PY = [
  'import argparse, wandb',
  'parser = argparse.ArgumentParser()',
  'parser.add_argument("--lr", type=float, default=0.001, help="learning rate")',
  "parser.add_argument('--optimizer', choices=['adam', 'sgd'])",
  'parser.add_argument("--use-amp", action="store_true")  # mixed precision',
  'parser.add_argument("data_dir")',
  'args = parser.parse_args()',
  'run = wandb.init(config={"seed": 0, "epochs": 3})',
  'cfg = wandb.config',
  'dropout = cfg.dropout',
  'width = run.config["width"]',
  'for step in range(10):',
  '    wandb.log({"train/loss": 0.1, \'val/acc\': 0.9, f"x{step}": 1})',
  '    run.log(dict(lr=args.lr))',
].join('\n');

function service(files: Record<string, string> = {}, settings: ServiceSettings = { sweepFiles: [] }, metricKeys: string[] = ['loss', 'val/acc', 'system/gpu', 'eval/rouge-L f1']) {
  const all: Record<string, string> = { [path.join(WS, 'train.py')]: TRAIN_PY, ...files };
  const asked: (string | undefined)[] = [];
  const host: ServiceHost = {
    workspaceFolders: () => [WS],
    settings: () => settings,
    readFile: (f) => all[f],
    initConfigFiles: () => new Set([path.join(WS, 'conf/run.yaml')]),
    metricKeys: async (project) => (asked.push(project), metricKeys),
  };
  return { svc: new SweepLanguageService(host), asked };
}

let version = 0;
const open = (text: string, name = 'sweep.yaml') => TextDocument.create(`file://${path.join(WS, name)}`, 'yaml', ++version, text);
const lines = (...l: string[]) => l.join('\n') + '\n';
const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const hoverText = (h: { contents: unknown } | null) => (h?.contents as MarkupContent | undefined)?.value ?? '';

const SWEEP = lines(
  'program: train.py',
  'method: bayes',
  'metric:',
  '  name: val/acc',
  '  goal: maximize',
  'parameters:',
  '  lr:',
  '    distribution: log_uniform_values',
  '    min: 1.0e-5',
  '    max: 1.0e-1',
  '  optimizer:',
  '    values: [adam, sgd]',
  '  model:',
  '    parameters:',
  '      depth: {min: 2, max: 8}',
);

test('diagnostics: LSP shape, exact range, severity, code, fixes in data', () => {
  const { svc } = service();
  const ds = svc.diagnostics(open(lines('program: train.py', 'method: grid', 'parameters:', '  lr:', '    min: 0.1', '    max: 0.01', '  n: {value: 1e-3}')));
  assert.deepEqual(ds.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]), [
    ['grid-unsupported-distribution', 1, 3, 2, 3, 4], ['min-not-less-than-max', 1, 4, 9, 4, 12], ['pyyaml-float', 2, 6, 13, 6, 17],
  ]);
  assert.deepEqual((ds[1].data as any).fixes[0].title, 'Swap min and max');
  assert.ok(ds.every((d) => d.source === 'trackwell'));
  const notOurs = svc.diagnostics(open('apiVersion: apps/v1\nkind: Deployment\n', 'deploy.yaml'));
  assert.deepEqual(notOurs, []);
});

test('which files: names, content sniff, sweepFiles globs, config-defaults and config= files', () => {
  const base = { text: 'a: 1\n', workspaceFolders: [WS], sweepGlobs: [] as string[], initConfigFiles: new Set([path.join(WS, 'conf/run.yaml')]) };
  const kind = (file: string | undefined, over = {}) => fileKind({ ...base, file, ...over });
  assert.equal(kind(path.join(WS, 'sweep.yaml')), 'sweep');
  assert.equal(kind(path.join(WS, 'sweep_bayes.yml')), 'sweep');
  assert.equal(kind(path.join(WS, 'exp/lr.sweep.yaml')), 'sweep');
  assert.equal(kind(path.join(WS, 'other.yaml')), undefined);
  assert.equal(kind(path.join(WS, 'other.yaml'), { text: 'method: grid\nparameters:\n  a: {value: 1}\n' }), 'sweep');
  assert.equal(kind(undefined, { text: 'method: grid\nparameters: {}\n' }), 'sweep');
  assert.equal(kind(path.join(WS, 'experiments/a/b.yml'), { sweepGlobs: ['experiments/**/*.yml'] }), 'sweep');
  assert.equal(kind(path.join(WS, 'x/hp.yaml'), { sweepGlobs: ['hp.{yaml,yml}'] }), 'sweep');
  assert.equal(kind(path.join(WS, 'config-defaults.yaml')), 'config-defaults');
  assert.equal(kind(path.join(WS, 'conf/run.yaml')), 'init-config');
  assert.ok(globToRegExp('**/*.sweep.yaml').test('a/b/c.sweep.yaml'));
  assert.ok(globToRegExp('**/*.sweep.yaml').test('c.sweep.yaml'));
  assert.ok(!globToRegExp('*.yml').test('a/b.yml'));
  const { svc } = service();
  const cd = svc.diagnostics(open('epochs: 10\n', 'config-defaults.yaml'));
  assert.equal(cd[0].code, 'config-entry-form');
  const init = svc.diagnostics(open('lr: 1e-3\n', 'conf/run.yaml'));
  assert.deepEqual(init.map((d) => d.code), ['config-entry-form', 'pyyaml-float']);
});

test('completion: top-level keys not yet present, with snippets (a full early_terminate block)', async () => {
  const { svc } = service();
  const doc = open(lines('method: random', '', 'parameters:', '  a: {value: 1}'));
  const items = await svc.complete(doc, { line: 1, character: 0 });
  assert.deepEqual(labels(items), ['program', 'metric', 'early_terminate', 'command', 'run_cap', 'name', 'description', 'project', 'entity', 'controller']);
  const et = items.find((i) => i.label === 'early_terminate')!;
  assert.equal((et.textEdit as TextEdit).newText, 'early_terminate:\n  type: hyperband\n  min_iter: ${1:3}\n  eta: ${2:3}');
  assert.equal(et.insertTextFormat, 2);
  assert.match((et.documentation as MarkupContent).value, /Hyperband/);
});

test('completion: enum values for method, goal and distribution, replacing the word typed', async () => {
  const { svc } = service();
  const doc = open(lines('program: train.py', 'method: bay', 'metric:', '  name: loss', '  goal: ', 'parameters:', '  lr:', '    distribution: lo', '    min: 1'));
  const method = await svc.complete(doc, { line: 1, character: 11 });
  assert.deepEqual(labels(method), ['bayes', 'random', 'grid']);
  assert.deepEqual((method[0].textEdit as TextEdit).range, { start: { line: 1, character: 8 }, end: { line: 1, character: 11 } });
  assert.deepEqual(labels(await svc.complete(doc, { line: 4, character: 8 })), ['minimize', 'maximize']);
  // Right after `goal:` with no space yet, the value brings its own space.
  const tight = open(lines('program: train.py', 'method: random', 'metric:', '  name: loss', '  goal:', 'parameters: {a: {value: 1}}'));
  assert.equal(((await svc.complete(tight, { line: 4, character: 7 }))[0].textEdit as TextEdit).newText, ' minimize');
  const dist = await svc.complete(doc, { line: 7, character: 20 });
  assert.equal(dist.length, 18);
  const deprecated = dist.find((i) => i.label === 'log_uniform')!;
  assert.deepEqual(deprecated.tags, [1]);
  assert.ok(deprecated.sortText! > dist.find((i) => i.label === 'log_uniform_values')!.sortText!);
});

test('completion: parameter keys follow the distribution; metric block keys', async () => {
  const { svc } = service();
  const doc = open(lines('program: train.py', 'method: random', 'metric:', '  name: loss', '  ', 'parameters:', '  lr:', '    distribution: q_uniform', '    min: 1', '    ', '  other:', '    '));
  assert.deepEqual(labels(await svc.complete(doc, { line: 4, character: 2 })), ['goal', 'target', 'impute', 'impute_while_running']);
  assert.deepEqual(labels(await svc.complete(doc, { line: 9, character: 4 })), ['max', 'q']);
  assert.deepEqual(labels(await svc.complete(doc, { line: 11, character: 4 })), ['distribution', 'values', 'value', 'min', 'max', 'probabilities', 'parameters']);
});

test('completion: parameter names from the program (argparse flags, then wandb.config keys)', async () => {
  const { svc } = service();
  const doc = open(lines('program: train.py', 'method: random', 'parameters:', '  lr:', '    values: [0.1]', '  '));
  const items = await svc.complete(doc, { line: 5, character: 2 });
  assert.deepEqual(labels(items), ['optimizer', 'use-amp', 'seed', 'epochs', 'dropout', 'width']);
  const opt = items[0];
  assert.equal(opt.detail, '--optimizer (choices adam, sgd)');
  assert.equal((opt.textEdit as TextEdit).newText, 'optimizer:\n  values: [adam, sgd]');
  assert.equal((items[1].textEdit as TextEdit).newText, 'use-amp:\n  values: [true, false]');
  const noProgram = service().svc;
  assert.deepEqual(await noProgram.complete(open(lines('method: random', 'parameters:', '  ')), { line: 2, character: 2 }), []);
});

test('completion: metric.name from the program\'s log calls and the runtime, for the config\'s project', async () => {
  const { svc, asked } = service();
  const doc = open(lines('program: train.py', 'project: cifar', 'method: bayes', 'metric:', '  name: ', 'parameters: {a: {value: 1}}'));
  const items = await svc.complete(doc, { line: 4, character: 8 });
  assert.deepEqual(labels(items), ['train/loss', 'val/acc', 'lr', 'loss', 'system/gpu', 'eval/rouge-L f1']);
  assert.equal((items[5].textEdit as TextEdit).newText, '"eval/rouge-L f1"');
  assert.equal(items[0].detail, 'logged by the program');
  assert.equal(items[3].detail, 'logged by runs of cifar');
  assert.deepEqual(asked, ['cifar']);
});

test('completion: command macros after ${, in block and flow lists', async () => {
  const { svc } = service();
  const doc = open(lines('program: train.py', 'method: random', 'parameters: {a: {value: 1}}', 'command:', '  - ${env}', '  - ${ar}', 'x: ["${'));
  const items = await svc.complete(doc, { line: 5, character: 7 });
  assert.ok(labels(items).includes('${args_no_hyphens}'));
  const args = items.find((i) => i.label === '${args}')!;
  // `${a|r}`: the whole macro, closing brace included, is replaced.
  assert.deepEqual(args.textEdit, { range: { start: { line: 5, character: 4 }, end: { line: 5, character: 9 } }, newText: '${args}' });
  const flow = await svc.complete(doc, { line: 6, character: 7 });
  assert.equal(flow.find((i) => i.label === '${envvar:NAME}')!.insertTextFormat, 2);
});

test('hover: keys, distributions with the implied range, parameters, methods, macros', () => {
  const { svc } = service();
  const doc = open(SWEEP + lines('command: ["${env}", "${args_no_hyphens}"]'));
  const at = (line: number, character: number) => hoverText(svc.hover(doc, { line, character }));
  assert.match(at(7, 20), /^`log_uniform_values 1\.0e-5\.\.1\.0e-1, log scale`\n\n\*\*log_uniform_values\*\* — /);
  assert.match(at(6, 3), /^\*\*lr\*\* — `log_uniform_values 1\.0e-5\.\.1\.0e-1, log scale`[\s\S]*Program option `--lr`: learning rate/);
  assert.match(at(10, 4), /`categorical 2 values: "adam", "sgd"`/);
  assert.match(at(1, 10), /Gaussian process/);
  assert.match(at(4, 4), /\*\*goal\*\* — [\s\S]*One of: `minimize`, `maximize`[\s\S]*Default: `minimize`/);
  assert.match(at(8, 5), /Smallest value; must be above 0/);
  assert.match(at(15, 25), /name=value/);
  const hover = svc.hover(doc, { line: 7, character: 20 })!;
  assert.deepEqual(hover.range, { start: { line: 7, character: 18 }, end: { line: 7, character: 36 } });
  const grid = open(lines('program: train.py', 'method: grid', 'parameters:', '  a: {values: [1, 2, 3]}', '  b: {min: 1, max: 4}'));
  assert.match(hoverText(svc.hover(grid, { line: 1, character: 9 })), /This grid has 12 combinations\./);
});

test('hover: inv_log_uniform (base e) and inv_log_uniform_values say what the sampler draws', () => {
  const { svc } = service();
  const doc = open(lines(
    'program: train.py',
    'method: random',
    'parameters:',
    '  m:',
    '    distribution: inv_log_uniform_values',
    '    min: 0.01',
    '    max: 1',
    '  g:',
    '    distribution: inv_log_uniform',
    '    min: 0',
    '    max: 2',
  ));
  const at = (line: number, character: number) => hoverText(svc.hover(doc, { line, character }));
  const values = at(4, 22);
  assert.match(values, /^`inv_log_uniform_values 0\.01\.\.1, log scale`\n\n\*\*inv_log_uniform_values\*\* — /);
  assert.match(values, /log\(1\/x\) uniform between log\(1\/max\) and log\(1\/min\)/);
  assert.match(values, /crowd toward min/);
  assert.doesNotMatch(values, /crowd toward max/);
  assert.match(at(3, 2), /^\*\*m\*\* — `inv_log_uniform_values 0\.01\.\.1, log scale`[\s\S]*crowd toward min/);
  // Base e: e^-U(0, 2) runs from e^-2 ≈ 0.1353 to e^0 = 1.
  const base = at(8, 22);
  assert.match(base, /^`inv_log_uniform 0\.1353\.\.1 \(e\^-2\.\.e\^0, exponents\)`\n\n\*\*inv_log_uniform\*\* — /);
  assert.match(base, /e\^-max to e\^-min/);
  assert.match(at(7, 2), /^\*\*g\*\* — `inv_log_uniform 0\.1353\.\.1 \(e\^-2\.\.e\^0, exponents\)`/);
  assert.match(at(9, 5), /largest value is e\^-min/);
  assert.match(at(10, 5), /smallest value is e\^-max/);
});

test('quick fixes: typos, log_uniform conversion, swap, duplicate value/values, float pitfall', () => {
  const { svc } = service();
  const text = lines(
    'program: train.py', 'method: bayesian', 'metric:', '  name: loss', '  goal: minimise', 'parameters:',
    '  lr:', '    distribution: log_uniform', '    min: -9', '    max: -2',
    '  wd:', '    min: 0.1', '    max: 0.01',
    '  bs:', '    value: 32', '    values: [32, 64]',
    '  eps:', '    value: 1e-8',
  );
  const doc = open(text);
  const diags = svc.diagnostics(doc);
  const actions = svc.codeActions(doc, diags);
  const titles = actions.map((a) => a.title);
  assert.deepEqual(titles, [
    'Change to `bayes`', 'Change to `minimize`', 'Convert to log_uniform_values (min: 0.0001234, max: 0.1353)', 'Swap min and max',
    'Remove `values`', 'Remove `value`', 'Write 1.0e-8',
  ]);
  assert.ok(actions.every((a) => a.kind === 'quickfix' && a.diagnostics!.length === 1));
  // Apply every preferred fix at once: the file becomes valid.
  const edits = actions.filter((a) => a.isPreferred).flatMap((a) => a.edit!.changes![doc.uri]);
  const fixed = TextDocument.applyEdits(doc, edits);
  assert.equal(fixed, lines(
    'program: train.py', 'method: bayes', 'metric:', '  name: loss', '  goal: minimize', 'parameters:',
    '  lr:', '    distribution: log_uniform_values', '    min: 0.0001234', '    max: 0.1353',
    '  wd:', '    min: 0.01', '    max: 0.1',
    '  bs:', '    value: 32',
    '  eps:', '    value: 1.0e-8',
  ));
  assert.deepEqual(svc.diagnostics(open(fixed)), []);
  // Diagnostics of an older version (text moved since) get no fix: a stale edit would corrupt the file.
  const moved = TextDocument.create(doc.uri, 'yaml', doc.version + 1, `# a new first line\n${text}`);
  assert.deepEqual(svc.codeActions(moved, diags), []);
});

test('go to definition: program → file, parameter → its add_argument line', () => {
  const { svc } = service();
  const doc = open(SWEEP);
  const uri = `file://${path.join(WS, 'train.py')}`;
  assert.deepEqual(svc.definition(doc, { line: 0, character: 12 }), { uri, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  assert.deepEqual(svc.definition(doc, { line: 6, character: 3 }), { uri, range: { start: { line: 2, character: 21 }, end: { line: 2, character: 25 } } });
  assert.deepEqual(svc.definition(doc, { line: 10, character: 4 })!.range.start, { line: 3, character: 21 });
  assert.equal(svc.definition(doc, { line: 12, character: 3 }), null);
});

test('document symbols: an outline of parameters, nested groups included', () => {
  const { svc } = service();
  const syms = svc.symbols(open(SWEEP));
  assert.deepEqual(syms.map((s) => [s.name, s.detail]), [['program', 'train.py'], ['method', 'bayes'], ['metric', undefined], ['parameters', undefined]]);
  const params = syms[3].children!;
  assert.deepEqual(params.map((s) => [s.name, s.kind, s.detail]), [
    ['lr', 13, 'log_uniform_values 1.0e-5..1.0e-1, log scale'], ['optimizer', 13, 'categorical 2 values: "adam", "sgd"'], ['model', 3, undefined],
  ]);
  assert.deepEqual(params[2].children!.map((s) => [s.name, s.detail]), [['depth', 'int_uniform 2..8 (7 values)']]);
  assert.deepEqual(params[0].selectionRange, { start: { line: 6, character: 2 }, end: { line: 6, character: 4 } });
});

test('code lens: Run Sweep on a valid file, a count of problems on an invalid one, none elsewhere', () => {
  const { svc } = service();
  const valid = open(SWEEP);
  assert.deepEqual(svc.codeLenses(valid), [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, command: { title: 'Trackwell: Run Sweep', command: 'trackwell.sweep.run', arguments: [valid.uri] } }]);
  const invalid = open(lines('method: bayesian', 'parameters:', '  a: {min: 2, max: 1}'));
  assert.deepEqual(svc.codeLenses(invalid)[0].command, { title: 'Trackwell: fix 2 problems to run this sweep', command: 'workbench.actions.view.problems' });
  assert.deepEqual(svc.codeLenses(open('a: 1\n', 'other.yaml')), []);
});

test('a large sweep file is analysed once per version', () => {
  const { svc } = service();
  const body = Array.from({ length: 400 }, (_, i) => `  p${i}:\n    distribution: uniform\n    min: 0\n    max: ${i + 1}`).join('\n');
  const doc = open(`program: train.py\nmethod: random\nparameters:\n${body}\n`);
  assert.equal(svc.analyze(doc), svc.analyze(doc));
  assert.deepEqual(svc.diagnostics(doc), []);
  assert.equal(svc.symbols(doc)[2].children!.length, 400);
});

test('cursor context from indentation, also in half-typed documents', () => {
  const text = lines('method: random', 'parameters:', '  lr:', '    dist', '  x:', '    values: [a, b', 'command:', '  - ${ar', 'metric:', '  goal: mi');
  assert.deepEqual(cursorContext(text, 3, 8), { path: ['parameters', 'lr'], kind: 'key', prefix: 'dist', prefixStart: 4, wordEnd: 8, siblings: new Set(), inFlowList: false });
  assert.equal(cursorContext(text, 5, 17)!.inFlowList, true);
  assert.deepEqual(cursorContext(text, 5, 17)!.path, ['parameters', 'x', 'values']);
  assert.deepEqual(cursorContext(text, 7, 8)!.kind, 'item');
  assert.deepEqual(cursorContext(text, 9, 10)!.path, ['metric', 'goal']);
  assert.deepEqual([...cursorContext(text, 4, 2)!.siblings], ['lr']);
  assert.equal(cursorContext('a: 1 # note\n', 0, 11), undefined);
});

test('the static Python reader', () => {
  const facts = scanPython(TRAIN_PY);
  assert.deepEqual(facts.argparse.map((f) => [f.name, f.line, f.character, f.type, f.default, f.choices, f.isBool, f.help]), [
    ['lr', 2, 21, 'float', '0.001', undefined, false, 'learning rate'],
    ['optimizer', 3, 21, undefined, undefined, ['adam', 'sgd'], false, undefined],
    ['use-amp', 4, 21, undefined, undefined, undefined, true, undefined],
  ]);
  assert.deepEqual(facts.configKeys.map((k) => k.name), ['seed', 'epochs', 'dropout', 'width']);
  assert.deepEqual(facts.logKeys, ['train/loss', 'val/acc', 'lr']);
  assert.deepEqual(scanPython('wandb.init(config="conf/run.yaml")  # config="no.yaml"\nx = "config=\'nope.yaml\'"\n').configFiles, ['conf/run.yaml']);
});

test('config= references found in the workspace\'s Python files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-idx-'));
  try {
    fs.mkdirSync(path.join(dir, 'src'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'src/train.py'), 'import wandb\nwandb.init(config="params.yaml")\n');
    fs.writeFileSync(path.join(dir, 'node_modules/x.py'), 'wandb.init(config="skip.yaml")\n');
    const idx = new WorkspaceConfigIndex();
    assert.equal(await idx.scan([dir]), true);
    assert.deepEqual([...idx.files()].sort(), [path.join(dir, 'params.yaml'), path.join(dir, 'src/params.yaml')]);
    assert.equal(idx.update(path.join(dir, 'src/train.py'), undefined), true);
    assert.deepEqual([...idx.files()], []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('metric names from a running runtime: discovered from the data root, bearer token, silent failure', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-rt-'));
  const seen: { url?: string; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys: ['loss', 'val/acc'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    fs.mkdirSync(path.join(dir, '.trackwell'));
    fs.writeFileSync(path.join(dir, '.trackwell/runtime.json'), JSON.stringify({ pid: process.pid, host: '127.0.0.1', port }));
    fs.writeFileSync(path.join(dir, '.trackwell/token'), 'secret\n');
    const addr = findRuntimeAddress(dir, undefined, {});
    assert.deepEqual(addr, { url: `http://127.0.0.1:${port}`, token: 'secret' });
    assert.deepEqual(await fetchMetricKeys(addr, 'my proj'), ['loss', 'val/acc']);
    assert.deepEqual(seen, [{ url: '/api/metric-keys?project=my%20proj', auth: 'Bearer secret' }]);
    assert.deepEqual(findRuntimeAddress(dir, undefined, { TRACKWELL_RUNTIME: 'http://h:1/', TRACKWELL_TOKEN: 't' }), { url: 'http://h:1', token: 't' });
    assert.equal(findRuntimeAddress(path.join(dir, 'nowhere'), undefined, {}), undefined);
    assert.deepEqual(await fetchMetricKeys({ url: 'http://127.0.0.1:9', token: 'x' }, undefined, 300), []);
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the injection grammar highlights macros and distribution names', () => {
  const grammar = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../syntaxes/sweep-yaml.injection.json'), 'utf8'));
  assert.equal(grammar.scopeName, 'trackwell.sweep.injection');
  assert.match(grammar.injectionSelector, /source\.yaml/);
  const re = (name: string) => new RegExp(grammar.repository[name].match, 'g');
  assert.deepEqual([...'  - ${args_no_hyphens} ${envvar:HOME} ${nope}'.matchAll(re('macro'))].map((m) => m[0]), ['${args_no_hyphens}', '${envvar:HOME}']);
  assert.deepEqual([...'    distribution: log_uniform_values'.matchAll(re('distribution'))].map((m) => m[1]), ['log_uniform_values']);
  assert.deepEqual([...'    distribution: log_uniform  # old'.matchAll(re('distribution'))].map((m) => m[1]), ['log_uniform']);
  assert.deepEqual([...'    values: [uniform]'.matchAll(re('distribution'))], []);
  const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
  const grammars = manifest.contributes.grammars as Array<{ path: string; injectTo?: string[] }>;
  assert.ok(grammars.some((g) => g.path === './syntaxes/sweep-yaml.injection.json' && g.injectTo?.includes('source.yaml')));
  for (const v of manifest.contributes.yamlValidation as Array<{ url: string }>) assert.ok(fs.existsSync(path.resolve(__dirname, '../..', v.url)), v.url);
});
